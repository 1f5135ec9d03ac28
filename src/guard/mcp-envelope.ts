/**
 * Reads the envelope of a JSON-RPC message that is too large to parse: its `id`, its
 * `method` and whether it is a response, from the top-level members only. The proxy uses it
 * to answer the request that an oversized reply belonged to, while it discards the bytes.
 */

/** The top-level members of a JSON-RPC message that identify it. */
export interface MessageEnvelope {
  /** The `id` member, when it is a number or a string. */
  id?: number | string;
  /** The `method` member of a request or notification. */
  method?: string;
  /** True when the message has a `result` or `error` member. */
  isResponse: boolean;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** Top-level members whose values are kept. */
const KEPT_VALUES = new Set(['id', 'method']);

/** Maximum length of a key or kept value read, because `id` and `method` are short. */
const MAX_TOKEN_BYTES = 256;

/**
 * Reads JSON bytes fed in pieces, in one pass and with memory bounded by
 * {@link MAX_TOKEN_BYTES}, whatever the size of the message. Members nested deeper than the
 * top-level object are skipped.
 *
 * @example
 * const scanner = new EnvelopeScanner();
 * scanner.feed(Buffer.from('{"result":{"content":[]},"jsonrpc":"2.0","id":7}'));
 * scanner.envelope(); // { id: 7, isResponse: true }
 */
export class EnvelopeScanner {
  #depth = 0;
  #inString = false;
  #escaped = false;
  /** Bytes of the top-level key being read, while one is. */
  #keyBytes: number[] | undefined;
  /** The top-level key whose value comes next or is being read. */
  #key: string | undefined;
  /** Bytes of a kept top-level value being read, while one is. */
  #valueBytes: number[] | undefined;
  readonly #keys = new Set<string>();
  readonly #values = new Map<string, string>();

  feed(bytes: Buffer): void {
    // Position of the next backslash in `bytes`: -2 before the first search, -1 for none.
    let nextBackslash = -2;
    for (let index = 0; index < bytes.length; index += 1) {
      if (this.#skipsString()) {
        // Inside a string that is not kept, only a quote or a backslash changes the state,
        // so the scan jumps to the next one. Long texts take one indexOf instead of a loop.
        if (nextBackslash !== -1 && nextBackslash < index) {
          nextBackslash = bytes.indexOf(BACKSLASH, index);
        }
        const quote = bytes.indexOf(QUOTE, index);
        const next =
          quote === -1 || nextBackslash === -1
            ? Math.max(quote, nextBackslash)
            : Math.min(quote, nextBackslash);
        if (next === -1) {
          return;
        }
        index = next;
      }
      this.#step(bytes[index] ?? 0);
    }
  }

  envelope(): MessageEnvelope {
    const id = parseToken(this.#values.get('id'));
    const method = parseToken(this.#values.get('method'));
    return {
      ...(typeof id === 'number' || typeof id === 'string' ? { id } : {}),
      ...(typeof method === 'string' ? { method } : {}),
      isResponse: this.#keys.has('result') || this.#keys.has('error'),
    };
  }

  #skipsString(): boolean {
    return (
      this.#inString &&
      !this.#escaped &&
      this.#keyBytes === undefined &&
      this.#valueBytes === undefined
    );
  }

  #step(byte: number): void {
    const topLevel = this.#depth === 1;
    const endsValue = topLevel && !this.#inString && (byte === COMMA || byte === CLOSE_BRACE);
    if (this.#valueBytes !== undefined && !endsValue) {
      pushBounded(this.#valueBytes, byte);
    }
    if (this.#inString) {
      this.#stepInString(byte);
      return;
    }
    switch (byte) {
      case QUOTE:
        this.#inString = true;
        if (topLevel && this.#key === undefined) {
          this.#keyBytes = [];
        }
        return;
      case OPEN_BRACE:
      case OPEN_BRACKET:
        this.#depth += 1;
        return;
      case CLOSE_BRACE:
      case CLOSE_BRACKET:
        if (topLevel) {
          this.#endMember();
        }
        this.#depth -= 1;
        return;
      case COLON:
        if (topLevel && this.#key !== undefined) {
          this.#keys.add(this.#key);
          this.#valueBytes = KEPT_VALUES.has(this.#key) ? [] : undefined;
        }
        return;
      case COMMA:
        if (topLevel) {
          this.#endMember();
        }
        return;
      default:
        return;
    }
  }

  #stepInString(byte: number): void {
    if (this.#escaped) {
      this.#escaped = false;
    } else if (byte === BACKSLASH) {
      this.#escaped = true;
    } else if (byte === QUOTE) {
      this.#inString = false;
      if (this.#keyBytes !== undefined) {
        const key = parseToken(`"${Buffer.from(this.#keyBytes).toString('utf8')}"`);
        // An invalid or overlong key still ends the key, so its value is not read as one.
        this.#key = typeof key === 'string' ? key : '';
        this.#keyBytes = undefined;
      }
      return;
    }
    if (this.#keyBytes !== undefined) {
      pushBounded(this.#keyBytes, byte);
    }
  }

  #endMember(): void {
    if (this.#key !== undefined && this.#valueBytes !== undefined) {
      this.#values.set(this.#key, Buffer.from(this.#valueBytes).toString('utf8'));
    }
    this.#key = undefined;
    this.#valueBytes = undefined;
  }
}

/** Appends a byte; past the bound, a NUL makes the token invalid JSON, so it is ignored. */
function pushBounded(bytes: number[], byte: number): void {
  if (bytes.length < MAX_TOKEN_BYTES) {
    bytes.push(byte);
  } else if (bytes.length === MAX_TOKEN_BYTES) {
    bytes.push(0);
  }
}

function parseToken(token: string | undefined): unknown {
  if (token === undefined) {
    return undefined;
  }
  try {
    return JSON.parse(token) as unknown;
  } catch {
    return undefined;
  }
}
