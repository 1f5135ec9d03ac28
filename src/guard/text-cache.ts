/** Entries of each cache of results read from inline code. */
export const INLINE_CACHE_ENTRIES = 64;

/**
 * A bounded cache for pure functions of text that parsing calls again and again on the same
 * inline code: a long command line repeats it, and a session repeats its commands. Results are
 * shared between calls, so callers must not change them.
 */
export class TextCache<T> {
  readonly #entries = new Map<string, T>();
  readonly #maxEntries: number;

  /** Keeps at most `maxEntries` results and starts over when full. */
  constructor(maxEntries: number) {
    this.#maxEntries = maxEntries;
  }

  /** Returns the result stored for `key`, or stores and returns `compute()`. */
  get(key: string, compute: () => T): T {
    let value = this.#entries.get(key);
    if (value === undefined) {
      value = compute();
      if (this.#entries.size >= this.#maxEntries) {
        this.#entries.clear();
      }
      this.#entries.set(key, value);
    }
    return value;
  }
}
