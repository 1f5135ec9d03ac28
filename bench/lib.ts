/** Shared helpers for benchmarks; each `bench/<area>.ts` returns results in this shape. */

/** One measured figure. */
export interface BenchMetric {
  value: number;
  unit: string;
  /** Number of samples behind the value. */
  n: number;
}

/** Metric name (such as `sandbox.warmClaim.gvisor.p50Ms`) to figure. */
export type BenchResults = Record<string, BenchMetric>;

/** Returns the `p`-th percentile (0–100) of `samples` by nearest rank. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) {
    return Number.NaN;
  }
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

/** Runs `fn` `n` times in sequence and returns each duration in milliseconds. */
export async function timeMany(
  n: number,
  fn: (index: number) => Promise<unknown>,
): Promise<number[]> {
  const samples: number[] = [];
  for (let index = 0; index < n; index += 1) {
    const start = performance.now();
    await fn(index);
    samples.push(performance.now() - start);
  }
  return samples;
}

/** Adds `<prefix>.p50Ms` and `<prefix>.p99Ms` for `samples` to `results`. */
export function addLatency(
  results: BenchResults,
  prefix: string,
  samples: readonly number[],
): void {
  results[`${prefix}.p50Ms`] = {
    value: round(percentile(samples, 50)),
    unit: 'ms',
    n: samples.length,
  };
  results[`${prefix}.p99Ms`] = {
    value: round(percentile(samples, 99)),
    unit: 'ms',
    n: samples.length,
  };
}

/** Rounds to three decimals for readable JSON. */
export function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
