/**
 * The MCP proxy's stdio transport to the agent, in place of the SDK's `StdioServerTransport`.
 * The SDK's transport (`@modelcontextprotocol/sdk` 1.32) closes the connection once more
 * than 10 MiB are buffered, which stops the proxy for every later call. This one reads the
 * same one-message-per-line format, but discards a message over `maxMessageBytes` with
 * bounded memory: a request gets a JSON-RPC error that names the limit, and the proxy keeps
 * serving. It also reports the end of stdin as a close, because an MCP client ends a stdio
 * session by closing it.
 */
import type { Readable, Writable } from 'node:stream';
import { deserializeMessage, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../core/logger.js';
import type { MessageEnvelope } from './mcp-envelope.js';
import { formatMiB, MessageLineReader } from './mcp-lines.js';

/** Options for {@link AgentStdioTransport}. */
export interface AgentStdioOptions {
  /** Largest message read from the agent, in bytes. */
  maxMessageBytes: number;
  logger: Logger;
  /** @default process.stdin */
  stdin?: Readable;
  /** @default process.stdout */
  stdout?: Writable;
}

/** A stdio transport to the agent with a per-message size limit, as the module comment describes. */
export class AgentStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  readonly #stdin: Readable;
  readonly #stdout: Writable;
  readonly #options: AgentStdioOptions;
  readonly #reader: MessageLineReader;
  #started = false;
  #closed = false;

  constructor(options: AgentStdioOptions) {
    this.#options = options;
    this.#stdin = options.stdin ?? process.stdin;
    this.#stdout = options.stdout ?? process.stdout;
    this.#reader = new MessageLineReader(options.maxMessageBytes, {
      onLine: (line) => this.#onLine(line),
      onOversized: (envelope, bytes) => this.#discardOversized(envelope, bytes),
    });
  }

  start(): Promise<void> {
    if (this.#started) {
      throw new Error('AgentStdioTransport already started');
    }
    this.#started = true;
    this.#stdin.on('data', this.#onData);
    this.#stdin.on('error', this.#onError);
    this.#stdin.on('end', this.#onEnd);
    return Promise.resolve();
  }

  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve) => {
      if (this.#stdout.write(serializeMessage(message))) {
        resolve();
      } else {
        this.#stdout.once('drain', resolve);
      }
    });
  }

  /** Stops reading stdin and reports the close once. */
  close(): Promise<void> {
    if (this.#closed) {
      return Promise.resolve();
    }
    this.#closed = true;
    this.#stdin.off('data', this.#onData);
    this.#stdin.off('error', this.#onError);
    this.#stdin.off('end', this.#onEnd);
    // Pausing lets the process exit, unless another part of it still reads stdin.
    if (this.#stdin.listenerCount('data') === 0) {
      this.#stdin.pause();
    }
    this.onclose?.();
    return Promise.resolve();
  }

  readonly #onData = (chunk: Buffer | string): void => {
    this.#reader.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  };

  readonly #onError = (error: Error): void => {
    this.onerror?.(error);
  };

  readonly #onEnd = (): void => {
    void this.close();
  };

  #onLine(line: string): void {
    let message: JSONRPCMessage;
    try {
      message = deserializeMessage(line);
    } catch (error) {
      this.onerror?.(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    this.onmessage?.(message);
  }

  #discardOversized(envelope: MessageEnvelope, bytes: number): void {
    const { id, method } = envelope;
    const limit = this.#options.maxMessageBytes;
    const isRequest = id !== undefined && method !== undefined;
    const isReply = id !== undefined && method === undefined && envelope.isResponse;
    this.#options.logger.warn('MCP agent message discarded', {
      bytes,
      maxBytes: limit,
      ...(id === undefined ? {} : { id }),
      ...(method === undefined ? {} : { method }),
      // Without a readable id there is no request to fail, so this line is the only report.
      errorSent: isRequest || isReply,
    });
    const problem = `is ${bytes} bytes, over the proxy's limit of ${formatMiB(limit)} (${limit} bytes), so the proxy discarded it`;
    if (isRequest) {
      this.send({
        jsonrpc: '2.0',
        id,
        error: {
          code: ErrorCode.InvalidRequest,
          message: `The request ${problem}; send less data in one call, such as smaller arguments`,
        },
      }).catch((error: unknown) => this.onerror?.(error as Error));
      return;
    }
    if (isReply) {
      // A reply to a request of the proxy, such as a ping: the request fails with the error.
      this.onmessage?.({
        jsonrpc: '2.0',
        id,
        error: { code: ErrorCode.InternalError, message: `The agent's reply ${problem}` },
      });
    }
  }
}
