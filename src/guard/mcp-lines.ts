/**
 * Splits a stdio byte stream into JSON-RPC message lines, as the SDK's `ReadBuffer` does, but
 * with a per-message size limit that fails one message instead of the connection. The MCP
 * proxy reads both the server's stdout and the agent's stdin with it.
 */
import { EnvelopeScanner, type MessageEnvelope } from './mcp-envelope.js';

/** Handlers of {@link MessageLineReader}. */
export interface MessageLineHandlers {
  /** Receives each line that is not blank, without its line ending. */
  onLine: (line: string) => void;
  /** Receives the envelope and size in bytes of each line over the limit, once it ends. */
  onOversized: (envelope: MessageEnvelope, bytes: number) => void;
}

const NEWLINE = 0x0a;

/**
 * Collects chunks into lines of at most `maxMessageBytes` bytes. A longer line is discarded
 * as it arrives: from the byte that crosses the limit on, it is only scanned for its
 * envelope, so the reader keeps at most `maxMessageBytes` bytes in memory whatever the input.
 */
export class MessageLineReader {
  readonly #maxMessageBytes: number;
  readonly #handlers: MessageLineHandlers;
  #lineParts: Buffer[] = [];
  #lineBytes = 0;
  /** The line being discarded because it is over the limit, while one is. */
  #oversized: { scanner: EnvelopeScanner; bytes: number } | undefined;

  constructor(maxMessageBytes: number, handlers: MessageLineHandlers) {
    this.#maxMessageBytes = maxMessageBytes;
    this.#handlers = handlers;
  }

  /** Bytes of the current line held in memory. */
  get bufferedBytes(): number {
    return this.#lineBytes;
  }

  push(chunk: Buffer): void {
    let start = 0;
    while (start <= chunk.length) {
      const newline = chunk.indexOf(NEWLINE, start);
      this.#appendToLine(chunk.subarray(start, newline === -1 ? chunk.length : newline));
      if (newline === -1) {
        return;
      }
      this.#endLine();
      start = newline + 1;
    }
  }

  #appendToLine(piece: Buffer): void {
    if (piece.length === 0) {
      return;
    }
    if (this.#oversized !== undefined) {
      this.#oversized.scanner.feed(piece);
      this.#oversized.bytes += piece.length;
      return;
    }
    if (this.#lineBytes + piece.length <= this.#maxMessageBytes) {
      this.#lineParts.push(piece);
      this.#lineBytes += piece.length;
      return;
    }
    // From here on the line is only scanned for its id, so memory stays bounded.
    const scanner = new EnvelopeScanner();
    for (const part of [...this.#lineParts, piece]) {
      scanner.feed(part);
    }
    this.#oversized = { scanner, bytes: this.#lineBytes + piece.length };
    this.#lineParts = [];
    this.#lineBytes = 0;
  }

  #endLine(): void {
    if (this.#oversized !== undefined) {
      const { scanner, bytes } = this.#oversized;
      this.#oversized = undefined;
      this.#handlers.onOversized(scanner.envelope(), bytes);
      return;
    }
    const line = Buffer.concat(this.#lineParts).toString('utf8').replace(/\r$/, '');
    this.#lineParts = [];
    this.#lineBytes = 0;
    if (line.trim() !== '') {
      this.#handlers.onLine(line);
    }
  }
}

/** Formats a byte count in MiB with up to two decimals, such as `8 MiB`. */
export function formatMiB(bytes: number): string {
  return `${Number((bytes / (1024 * 1024)).toFixed(2))} MiB`;
}
