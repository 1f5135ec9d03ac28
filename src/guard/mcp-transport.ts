/**
 * The MCP proxy's transport to the server process, in place of the SDK's
 * `StdioClientTransport`. It reads one JSON-RPC message per line like the SDK does, and adds
 * what the proxy needs:
 * - A line over `maxMessageBytes` is discarded as it arrives, with bounded memory, and the
 *   request it answers gets an error that names the limit. The SDK's transport instead
 *   closes the connection once 10 MiB are buffered, which ends every later call too.
 * - When the process exits, a line is logged with its exit code or signal, and every request
 *   still waiting gets an error naming the exit before the transport reports the close. The
 *   exit and the last lines of the server's stderr are then stored in `exit`.
 * - Error messages, error data and notification parameters are redacted, and so is the
 *   server's stderr before it is passed on, line by line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { deserializeMessage, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode, type JSONRPCMessage, type RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../core/logger.js';
import type { MessageEnvelope } from './mcp-envelope.js';
import { formatMiB, MessageLineReader } from './mcp-lines.js';
import { redactServerMessage } from './mcp-redact.js';
import { REDACTED, redactSecrets } from './redact.js';

/**
 * Largest JSON-RPC message, in bytes, that the proxy reads from the server or sends to the
 * agent. The SDK's stdio transports (`@modelcontextprotocol/sdk` 1.32,
 * `STDIO_DEFAULT_MAX_BUFFER_SIZE`) close the connection when more than 10 MiB are
 * buffered, which counts a message and the start of the next one, so the default leaves
 * the agent's client 2 MiB of room.
 */
export const DEFAULT_MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

/** Options for {@link ServerProcessTransport}. */
export interface ServerProcessOptions {
  command: string;
  args: readonly string[];
  cwd: string;
  /** Added to the SDK's default environment (HOME, PATH, SHELL, TERM, USER, LOGNAME). */
  env: Record<string, string>;
  /** Largest line read from the server, in bytes. */
  maxMessageBytes: number;
  logger: Logger;
  /** Receives the server's stderr, redacted, by line. A line over 64 Ki characters is cut. */
  writeStderr: (text: string) => void;
}

/** The end of the server process. */
export interface McpServerExit {
  /** Exit code, or null when a signal ended the process. */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when the process exited after `close()`, false when it exited on its own. */
  requested: boolean;
  /** The last lines the server wrote to stderr, redacted, oldest first. */
  stderrTail: string[];
}

/** Number of the server's last stderr lines kept for {@link McpServerExit.stderrTail}. */
const STDERR_TAIL_LINES = 20;
/** Maximum length of a stderr line kept for the tail, in characters. Longer lines are cut. */
const MAX_TAIL_LINE_CHARS = 1000;

/** How long `close()` waits after closing stdin, and again after SIGTERM. */
const CLOSE_GRACE_MS = 2000;

/** A stdio transport to an MCP server process; see the module comment. */
export class ServerProcessTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  readonly #options: ServerProcessOptions;
  #process: ChildProcess | undefined;
  #closing = false;
  /** Requests sent to the server that it has not answered. */
  readonly #pending = new Set<RequestId>();
  readonly #reader: MessageLineReader;
  readonly #stderrTail: string[] = [];
  #exit: McpServerExit | undefined;

  constructor(options: ServerProcessOptions) {
    this.#options = options;
    this.#reader = new MessageLineReader(options.maxMessageBytes, {
      onLine: (line) => this.#onLine(line),
      onOversized: (envelope, bytes) => this.#discardOversized(envelope, bytes),
    });
  }

  /** The end of the process, once it has ended. */
  get exit(): McpServerExit | undefined {
    return this.#exit;
  }

  start(): Promise<void> {
    if (this.#process !== undefined) {
      throw new Error('ServerProcessTransport already started');
    }
    const { command, args, cwd, env } = this.#options;
    const child = spawn(command, [...args], {
      cwd,
      env: { ...getDefaultEnvironment(), ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
      shell: false,
    });
    this.#process = child;
    child.stdout?.on('data', (chunk: Buffer) => this.#reader.push(chunk));
    child.stdout?.on('error', (error) => this.onerror?.(error));
    child.stdin?.on('error', (error) => this.onerror?.(error));
    pipeRedactedLines(child, (text) => {
      this.#options.writeStderr(text);
      this.#keepStderrTail(text);
    });
    child.on('close', (code, signal) => this.#onExit(child, code, signal));
    return new Promise((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', (error) => {
        reject(error);
        this.onerror?.(error);
      });
    });
  }

  send(message: JSONRPCMessage): Promise<void> {
    const stdin = this.#process?.stdin;
    if (stdin === undefined || stdin === null || this.#closing) {
      return Promise.reject(new Error('Not connected'));
    }
    if ('method' in message && 'id' in message) {
      this.#pending.add(message.id);
    } else if ('method' in message && message.method === 'notifications/cancelled') {
      // The client stopped waiting, so a late error for that id would have no reader.
      const requestId = (message.params as { requestId?: RequestId } | undefined)?.requestId;
      if (requestId !== undefined) {
        this.#pending.delete(requestId);
      }
    }
    return new Promise((resolve) => {
      if (stdin.write(serializeMessage(message))) {
        resolve();
      } else {
        stdin.once('drain', resolve);
      }
    });
  }

  /** Closes stdin, then sends SIGTERM and then SIGKILL to a server that does not exit. */
  async close(): Promise<void> {
    const child = this.#process;
    if (child === undefined || this.#closing) {
      return;
    }
    this.#closing = true;
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    const exitedWithin = (ms: number): Promise<void> =>
      Promise.race([exited, new Promise<void>((resolve) => setTimeout(resolve, ms).unref())]);
    child.stdin?.end();
    await exitedWithin(CLOSE_GRACE_MS);
    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      if (child.exitCode !== null || child.signalCode !== null) {
        return;
      }
      child.kill(signal);
      await exitedWithin(CLOSE_GRACE_MS);
    }
  }

  #onLine(line: string): void {
    let message: JSONRPCMessage;
    try {
      message = deserializeMessage(line);
    } catch (error) {
      this.onerror?.(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    if ('id' in message && !('method' in message) && message.id !== undefined) {
      this.#pending.delete(message.id);
    }
    this.onmessage?.(redactServerMessage(message));
  }

  #discardOversized(envelope: MessageEnvelope, bytes: number): void {
    const { id, method } = envelope;
    const limit = this.#options.maxMessageBytes;
    this.#options.logger.warn('MCP server message discarded', {
      bytes,
      maxBytes: limit,
      ...(id === undefined ? {} : { id }),
      ...(method === undefined ? {} : { method }),
    });
    const problem = `is ${bytes} bytes, over the proxy's limit of ${formatMiB(limit)} (${limit} bytes), so the proxy discarded it`;
    if (id !== undefined && envelope.isResponse && this.#pending.delete(id)) {
      this.onmessage?.({
        jsonrpc: '2.0',
        id,
        error: {
          code: ErrorCode.InternalError,
          message: `The MCP server's reply ${problem}; request less data at once, such as a smaller page, range or file`,
        },
      });
      return;
    }
    if (id !== undefined && method !== undefined) {
      // A request from the server, such as sampling, gets the error itself.
      this.send({
        jsonrpc: '2.0',
        id,
        error: { code: ErrorCode.InvalidRequest, message: `The request ${problem}` },
      }).catch((error: unknown) => this.onerror?.(error as Error));
    }
  }

  #keepStderrTail(text: string): void {
    for (const line of text.replace(/\n$/, '').split('\n')) {
      this.#stderrTail.push(
        line.length > MAX_TAIL_LINE_CHARS ? `${line.slice(0, MAX_TAIL_LINE_CHARS)}…` : line,
      );
    }
    if (this.#stderrTail.length > STDERR_TAIL_LINES) {
      this.#stderrTail.splice(0, this.#stderrTail.length - STDERR_TAIL_LINES);
    }
  }

  #onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.#process !== child) {
      return;
    }
    this.#process = undefined;
    if (child.pid === undefined) {
      // The process never started: start() rejected with the spawn error already.
      this.onclose?.();
      return;
    }
    this.#exit = { code, signal, requested: this.#closing, stderrTail: [...this.#stderrTail] };
    const exit = describeExit(this.#exit);
    const meta = { pid: child.pid, code, signal, pendingRequests: this.#pending.size };
    if (this.#closing) {
      this.#options.logger.info('MCP server exited', meta);
    } else {
      this.#options.logger.error('MCP server exited unexpectedly', meta);
    }
    for (const id of this.#pending) {
      this.onmessage?.({
        jsonrpc: '2.0',
        id,
        error: {
          code: ErrorCode.ConnectionClosed,
          message: `The MCP server ${exit} before it replied, so the proxy stops; see the server's output on stderr and restart the proxy`,
        },
      });
    }
    this.#pending.clear();
    this.onclose?.();
  }
}

/** Returns how the server ended, such as `exited with code 3` or `was killed by SIGKILL`. */
export function describeExit(exit: Pick<McpServerExit, 'code' | 'signal'>): string {
  return exit.code === null
    ? `was killed by ${exit.signal ?? 'an unknown signal'}`
    : `exited with code ${exit.code}`;
}

/** Maximum length of a stderr line held before it is passed on in pieces. */
const MAX_STDERR_LINE_CHARS = 64 * 1024;
/** Most lines of a PEM private key block held until its END line. */
const MAX_KEY_BLOCK_LINES = 200;
const KEY_BLOCK_BEGIN = /-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY-----/;
const KEY_BLOCK_END = /-----END [A-Z0-9 ]{0,40}PRIVATE KEY-----/;

/**
 * Passes the child's stderr to `write` line by line with secrets redacted. A private key
 * spans lines, so the lines from a BEGIN line to its END line are held and redacted as one
 * text; a block with no END line within {@link MAX_KEY_BLOCK_LINES} lines is replaced whole.
 */
function pipeRedactedLines(child: ChildProcess, write: (text: string) => void): void {
  const stderr = child.stderr;
  if (stderr === null) {
    return;
  }
  let partial = '';
  let keyBlock: string[] | undefined;

  const emit = (line: string): void => {
    if (keyBlock !== undefined) {
      keyBlock.push(line);
      if (KEY_BLOCK_END.test(line)) {
        write(`${redactSecrets(keyBlock.join('\n'))}\n`);
        keyBlock = undefined;
      } else if (keyBlock.length >= MAX_KEY_BLOCK_LINES) {
        write(`${REDACTED}\n`);
        keyBlock = undefined;
      }
      return;
    }
    if (KEY_BLOCK_BEGIN.test(line) && !KEY_BLOCK_END.test(line)) {
      keyBlock = [line];
      return;
    }
    write(`${redactSecrets(line)}\n`);
  };

  stderr.setEncoding('utf8');
  stderr.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    lines.forEach(emit);
    // NOTE: a secret that straddles a cut of an overlong line is not redacted.
    while (partial.length > MAX_STDERR_LINE_CHARS) {
      emit(partial.slice(0, MAX_STDERR_LINE_CHARS));
      partial = partial.slice(MAX_STDERR_LINE_CHARS);
    }
  });
  stderr.on('end', () => {
    if (partial !== '') {
      emit(partial);
    }
    if (keyBlock !== undefined) {
      write(`${REDACTED}\n`);
    }
  });
}
