/**
 * Secret redaction for MCP messages and the proxy's log. In results (tool results, resource
 * contents and prompt messages) text is redacted in place. Resource `blob`s are base64, so
 * they are decoded first: text is redacted and encoded again, and binary data that contains a
 * secret is withheld, because replacing bytes inside it would corrupt the file. Error
 * messages, error data and notification parameters from the server, and every log line, have
 * every string redacted.
 */
import { ErrorCode, McpError, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { LogMeta, Logger } from '../core/logger.js';
import { redactSecrets } from './redact.js';

/**
 * Keys of base64 image and audio data in MCP content. They are left alone, because a secret
 * pattern that matched by chance inside the encoding would be replaced and corrupt the file.
 */
const MEDIA_KEYS = new Set(['data']);

/** Key of base64 resource contents, in resource reads and embedded resources of tool results. */
const BLOB_KEY = 'blob';

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Returns `value` with secrets redacted from every string, types and structure unchanged.
 *
 * @throws McpError `InvalidRequest` when a binary blob contains what looks like a secret.
 */
export function redactMcpStrings<T>(value: T): T {
  return redactValue(value) as T;
}

function redactValue(value: unknown): unknown {
  if (typeof value === 'string') {
    return redactSecrets(value);
  }
  if (Array.isArray(value)) {
    return value.map(redactValue);
  }
  if (typeof value !== 'object' || value === null) {
    return value;
  }
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => {
      if (MEDIA_KEYS.has(key)) {
        return [key, item];
      }
      if (key === BLOB_KEY && typeof item === 'string') {
        return [key, redactBlob(item, uriOf(value))];
      }
      return [key, redactValue(item)];
    }),
  );
}

/**
 * Redacts a base64 blob: UTF-8 text is redacted and encoded again (unchanged when it has no
 * secret), and other bytes pass only when no secret pattern matches them read as Latin-1.
 */
function redactBlob(blob: string, uri: string): string {
  const bytes = Buffer.from(blob, 'base64');
  let text: string | undefined;
  try {
    text = UTF8.decode(bytes);
  } catch {
    text = undefined;
  }
  if (text !== undefined) {
    const redacted = redactSecrets(text);
    return redacted === text ? blob : Buffer.from(redacted, 'utf8').toString('base64');
  }
  const latin1 = bytes.toString('latin1');
  if (redactSecrets(latin1) !== latin1) {
    throw new McpError(
      ErrorCode.InvalidRequest,
      `sandstack guard: The binary resource "${uri}" contains what looks like a secret, and binary data cannot be redacted without corrupting it, so the proxy withholds it [secret-in-result]`,
    );
  }
  return blob;
}

function uriOf(content: object): string {
  const uri = (content as { uri?: unknown }).uri;
  return typeof uri === 'string' ? uri : '(no URI)';
}

/**
 * Returns `value` with secrets redacted from every string and object key, with no exceptions
 * for base64 members.
 */
export function redactJsonStrings<T>(value: T): T {
  return redactEverything(value) as T;
}

function redactEverything(value: unknown): unknown {
  if (typeof value === 'string') {
    return redactSecrets(value);
  }
  if (Array.isArray(value)) {
    return value.map(redactEverything);
  }
  if (typeof value !== 'object' || value === null) {
    return value;
  }
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [redactSecrets(key), redactEverything(item)]),
  );
}

/**
 * Returns a message from the MCP server with secrets redacted from an error's `message` and
 * `data` and from a notification's `params`. Results are left alone, because the handler that
 * forwards each one redacts it with {@link redactMcpStrings}.
 */
export function redactServerMessage(message: JSONRPCMessage): JSONRPCMessage {
  if ('error' in message) {
    const { data, ...error } = message.error;
    return {
      ...message,
      error: {
        ...error,
        message: redactSecrets(error.message),
        ...(data === undefined ? {} : { data: redactJsonStrings(data) }),
      },
    };
  }
  if ('method' in message && !('id' in message) && message.params !== undefined) {
    return { ...message, params: redactJsonStrings(message.params) };
  }
  return message;
}

/**
 * Wraps `logger` so that secrets are redacted from the message and every string of the
 * metadata of each line, because the proxy logs text that comes from the MCP server.
 */
export function createRedactingLogger(logger: Logger): Logger {
  const redactMeta = (meta?: LogMeta): LogMeta | undefined =>
    meta === undefined ? undefined : redactJsonStrings(meta);
  return {
    trace: (message, meta) => logger.trace(redactSecrets(message), redactMeta(meta)),
    debug: (message, meta) => logger.debug(redactSecrets(message), redactMeta(meta)),
    info: (message, meta) => logger.info(redactSecrets(message), redactMeta(meta)),
    warn: (message, meta) => logger.warn(redactSecrets(message), redactMeta(meta)),
    error: (message, meta) => logger.error(redactSecrets(message), redactMeta(meta)),
    child: (bindings) => createRedactingLogger(logger.child(redactJsonStrings(bindings))),
  };
}
