/**
 * Benchmarks of warm pools: how fast a pool fills from empty, and a burst of claims that
 * all arrive at once against a full pool of the same size.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../src/core/store.js';
import { SandboxController } from '../src/sandbox/controller.js';
import { BubblewrapDriver } from '../src/sandbox/drivers/bubblewrap.js';
import { GvisorDriver } from '../src/sandbox/drivers/gvisor.js';
import { addLatency, round, type BenchResults } from './lib.js';

/**
 * Pool sizes. A ready bubblewrap sandbox is a folder, so it gets the full burst of 300. A
 * ready gVisor sandbox runs a Sentry and a gofer, about 20 MB and 0.4 s of start-up each on
 * 2 cores, so its pool is smaller and the benchmark stays within a few minutes.
 */
const RUNTIMES = [
  { name: 'bubblewrap', driver: new BubblewrapDriver(), replicas: 300 },
  { name: 'gvisor', driver: new GvisorDriver(), replicas: 60 },
] as const;

/** Fill concurrencies compared for the refill rate. */
const FILL_CONCURRENCIES = [1, 4] as const;

/** Measures refill rate at each fill concurrency and a burst of claims against a full pool. */
export async function runPoolBench(): Promise<BenchResults> {
  const results: BenchResults = {};
  for (const runtime of RUNTIMES) {
    if (!(await runtime.driver.check()).available) {
      continue;
    }
    for (const concurrency of FILL_CONCURRENCIES) {
      await withController(runtime, concurrency, async (controller) => {
        const started = performance.now();
        controller.createPool({ name: 'p', template: 't', replicas: runtime.replicas });
        await controller.waitUntilReady('p');
        const seconds = (performance.now() - started) / 1000;
        results[`pool.refill.${runtime.name}.concurrency${concurrency}.perSecond`] = {
          value: round(runtime.replicas / seconds),
          unit: 'sandboxes/s',
          n: runtime.replicas,
        };
        if (concurrency === FILL_CONCURRENCIES.at(-1)) {
          await measureBurst(results, controller, runtime);
        }
      });
    }
  }
  return results;
}

async function measureBurst(
  results: BenchResults,
  controller: SandboxController,
  runtime: (typeof RUNTIMES)[number],
): Promise<void> {
  // Each claim's own latency counts from the moment all of them were issued together.
  const issued = performance.now();
  const claims = await Promise.all(
    Array.from({ length: runtime.replicas }, async (_unused, index) => {
      const claimed = await controller.claim({ pool: 'p', tenant: `bench-${index % 10}` });
      return { ...claimed, latencyMs: performance.now() - issued };
    }),
  );
  const distinct = new Set(claims.map((claim) => claim.record.id)).size;
  if (distinct !== runtime.replicas) {
    throw new Error(`Burst bound ${distinct} distinct sandboxes for ${runtime.replicas} claims`);
  }
  addLatency(
    results,
    `pool.burstClaim.${runtime.name}`,
    claims.map((claim) => claim.latencyMs),
  );
  results[`pool.burstClaim.${runtime.name}.warmShare`] = {
    value: round(claims.filter((claim) => claim.record.warm).length / claims.length),
    unit: 'ratio',
    n: claims.length,
  };
}

async function withController(
  runtime: (typeof RUNTIMES)[number],
  fillConcurrency: number,
  body: (controller: SandboxController) => Promise<void>,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sandstack-bench-pool-'));
  const db = openDatabase(join(dir, 'state.db'));
  const controller = new SandboxController({
    db,
    stateDir: join(dir, 'sandboxes'),
    drivers: [runtime.driver],
    fillConcurrency,
  });
  controller.createTemplate({ name: 't', runtime: runtime.name });
  try {
    await body(controller);
  } finally {
    // Releases run a few at a time: a gVisor release waits on `runsc delete` for about a second.
    await controller.deletePool('p').catch(() => undefined);
    const records = controller.list();
    for (let index = 0; index < records.length; index += 8) {
      await Promise.all(
        records.slice(index, index + 8).map((record) => controller.release(record.id)),
      );
    }
    await controller.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
