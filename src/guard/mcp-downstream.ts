/**
 * The MCP proxy's side of the agent's connection: a wrapper around the transport to the agent
 * that keeps every message the proxy sends under the size limit, and that tracks which of
 * the agent's requests are still unanswered, so the proxy can answer them before it closes.
 */
import type {
  Transport,
  TransportSendOptions,
} from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode, type JSONRPCMessage, type RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../core/logger.js';

/** Options for {@link DownstreamTransport}. */
export interface DownstreamOptions {
  /** Largest message sent to the agent, in bytes. */
  maxMessageBytes: number;
  logger: Logger;
}

/**
 * Wraps `inner`, the transport to the agent. A reply over the limit, which redaction can
 * cause by making a result longer, is replaced with an error that names the limit, and any
 * other message over it is dropped, because the agent's client would close the connection.
 */
export class DownstreamTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: Transport['onmessage'];

  readonly #inner: Transport;
  readonly #options: DownstreamOptions;
  /** Requests from the agent that the proxy has not answered. */
  readonly #pending = new Set<RequestId>();
  #whenAnswered: (() => void)[] = [];

  constructor(inner: Transport, options: DownstreamOptions) {
    this.#inner = inner;
    this.#options = options;
  }

  get sessionId(): string | undefined {
    return this.#inner.sessionId;
  }

  start(): Promise<void> {
    this.#inner.onclose = () => this.onclose?.();
    this.#inner.onerror = (error) => this.onerror?.(error);
    this.#inner.onmessage = (message, extra) => {
      if ('method' in message && 'id' in message) {
        this.#pending.add(message.id);
      }
      this.onmessage?.(message, extra);
    };
    return this.#inner.start();
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const bytes = Buffer.byteLength(JSON.stringify(message)) + 1;
    const limit = this.#options.maxMessageBytes;
    const replyId = 'method' in message || !('id' in message) ? undefined : message.id;
    if (bytes > limit) {
      this.#options.logger.warn('MCP message to the agent over the limit', {
        bytes,
        maxBytes: limit,
        ...('id' in message ? { id: message.id } : {}),
        ...('method' in message ? { method: message.method } : {}),
      });
      if (replyId === undefined) {
        return;
      }
      message = {
        jsonrpc: '2.0',
        id: replyId,
        error: {
          code: ErrorCode.InternalError,
          message: `The reply is ${bytes} bytes after redaction, over the proxy's limit of ${limit} bytes, so the proxy withheld it; request less data at once, such as a smaller page, range or file`,
        },
      };
    }
    await this.#inner.send(message, options);
    if (replyId !== undefined) {
      this.#answered(replyId);
    }
  }

  close(): Promise<void> {
    return this.#inner.close();
  }

  /** Resolves once every request received so far is answered, or after `timeoutMs`. */
  answered(timeoutMs: number): Promise<void> {
    if (this.#pending.size === 0) {
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      timer.unref();
      this.#whenAnswered.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /**
   * Sends an error with `message` for every request from the agent that is still unanswered,
   * such as a call waiting for approval when the server exited.
   */
  async failPending(message: string): Promise<void> {
    for (const id of [...this.#pending]) {
      await this.#inner.send({
        jsonrpc: '2.0',
        id,
        error: { code: ErrorCode.ConnectionClosed, message },
      });
      this.#answered(id);
    }
  }

  #answered(id: RequestId): void {
    this.#pending.delete(id);
    if (this.#pending.size > 0) {
      return;
    }
    const callbacks = this.#whenAnswered;
    this.#whenAnswered = [];
    callbacks.forEach((callback) => callback());
  }
}
