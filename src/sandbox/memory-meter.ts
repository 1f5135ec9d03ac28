import { readCgroupMemoryBytes } from './cgroup.js';

const GIB = 2 ** 30;

/** Integral of one sandbox's sampled memory so far, and its last sample. */
interface MeteredSandbox {
  gibSeconds: number;
  lastAtMs: number;
  lastBytes: number;
}

/**
 * Measures GiB-seconds of claimed sandboxes: their cgroup's memory usage (page cache
 * included), sampled every `intervalMs` and integrated over time with the trapezoid rule.
 *
 * NOTE: the integral lives in this process's memory. A sandbox that another process
 * re-attaches after this one died is measured only from that point on.
 */
export class MemoryMeter {
  readonly #metered = new Map<string, MeteredSandbox>();
  readonly #intervalMs: number;
  readonly #readBytes: (sandboxId: string) => number;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: { intervalMs?: number; readBytes?: (sandboxId: string) => number } = {}) {
    this.#intervalMs = options.intervalMs ?? 1000;
    this.#readBytes = options.readBytes ?? readCgroupMemoryBytes;
  }

  /** Starts measuring a sandbox, unless it is measured already. */
  track(sandboxId: string): void {
    if (this.#metered.has(sandboxId)) {
      return;
    }
    this.#metered.set(sandboxId, {
      gibSeconds: 0,
      lastAtMs: performance.now(),
      lastBytes: this.#readBytes(sandboxId),
    });
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => this.#sampleAll(), this.#intervalMs);
      // Sampling alone must not keep the process alive.
      this.#timer.unref();
    }
  }

  /**
   * Takes a last sample of a sandbox and stops measuring it.
   * @returns its GiB-seconds, or null when it was not measured in this process
   */
  stop(sandboxId: string): number | null {
    const metered = this.#metered.get(sandboxId);
    if (metered === undefined) {
      return null;
    }
    this.#sample(metered, sandboxId);
    this.#metered.delete(sandboxId);
    if (this.#metered.size === 0) {
      this.close();
    }
    return metered.gibSeconds;
  }

  /** Stops the sampling timer; sandboxes tracked later start it again. */
  close(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #sampleAll(): void {
    for (const [sandboxId, metered] of this.#metered) {
      this.#sample(metered, sandboxId);
    }
  }

  #sample(metered: MeteredSandbox, sandboxId: string): void {
    const now = performance.now();
    const bytes = this.#readBytes(sandboxId);
    const seconds = (now - metered.lastAtMs) / 1000;
    metered.gibSeconds += ((metered.lastBytes + bytes) / 2 / GIB) * seconds;
    metered.lastAtMs = now;
    metered.lastBytes = bytes;
  }
}
