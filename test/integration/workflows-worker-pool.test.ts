/**
 * Placement of runs on isolate worker processes: a busy tenant spreads over several workers,
 * and a tenant that arrives later still gets a worker of its own while one is free.
 * Runs wait inside a step on a binding until the test releases them, so the placement
 * can be read while they are in progress.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SqliteDatabase } from '../../src/core/store.js';
import { openDatabase } from '../../src/core/store.js';
import type { InstanceResult } from '../../src/workflows/engine.js';
import { WorkflowEngine } from '../../src/workflows/engine.js';
import type { IsolateWorkerPoolOptions, WorkerLoad } from '../../src/workflows/worker-pool.js';
import { IsolateWorkerPool } from '../../src/workflows/worker-pool.js';

const GATED = `
import { WorkflowEntrypoint } from 'sandstack/workflows';
export class Gated extends WorkflowEntrypoint {
  async run(event, step) { return step.do('wait', async () => this.env.GATE.wait()); }
}`;

describe('isolate worker pool placement', () => {
  let dir: string;
  let db: SqliteDatabase;
  let pool: IsolateWorkerPool | undefined;
  let release: () => void = () => undefined;
  let waiting = 0;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sandstack-worker-pool-'));
    db = openDatabase(join(dir, 'state.db'));
  });

  afterEach(() => {
    release();
    pool?.close();
  });

  afterAll(async () => {
    db.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Starts an engine on a new pool whose runs wait in their step until `release()`. */
  async function start(options: IsolateWorkerPoolOptions): Promise<{
    pool: IsolateWorkerPool;
    begin: (tenant: string) => Promise<Promise<InstanceResult>[]>;
  }> {
    const ownPool = new IsolateWorkerPool(options);
    pool = ownPool;
    waiting = 0;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const engine = new WorkflowEngine({
      db,
      workerPool: ownPool,
      bindings: () => ({
        GATE: {
          wait: async () => {
            waiting += 1;
            await gate;
            return 'released';
          },
        },
      }),
    });
    const deployed = new Set<string>();
    // Starts one run of `tenant` and resolves, once it waits in its step, to a one-item list
    // holding the run's result (a bare promise would be awaited away).
    const begin = async (tenant: string): Promise<Promise<InstanceResult>[]> => {
      if (!deployed.has(tenant)) {
        deployed.add(tenant);
        await engine.deploy(tenant, 'gated', { source: GATED, filename: 'gated.js' });
      }
      const expected = waiting + 1;
      const result = engine.run(tenant, await engine.create(tenant, 'gated'));
      // Bounded: about 30 s of polling.
      for (let round = 0; round < 300 && waiting < expected; round++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(waiting).toBe(expected);
      return [result];
    };
    return { pool: ownPool, begin };
  }

  const byTenant = (workers: WorkerLoad[], tenant: string): WorkerLoad[] =>
    workers.filter((worker) => worker.tenants.includes(tenant));

  it('spreads a busy tenant over workers', async () => {
    const { pool: spreadPool, begin } = await start({ size: 2, runsPerWorker: 2 });
    const runs: Promise<InstanceResult>[] = [];
    for (let index = 0; index < 4; index++) {
      runs.push(...(await begin('acme')));
    }

    const workers = spreadPool.workers;
    expect(workers).toHaveLength(2);
    for (const worker of workers) {
      expect(worker.tenants).toEqual(['acme']);
      expect(worker.runs).toBe(2);
    }

    release();
    for (const result of await Promise.all(runs)) {
      expect(result.status).toBe('complete');
    }
  }, 120_000);

  it('keeps a small tenant on one worker', async () => {
    const { pool: spreadPool, begin } = await start({ size: 2, runsPerWorker: 2 });
    const runs = [...(await begin('acme')), ...(await begin('acme'))];

    expect(spreadPool.workers).toHaveLength(1);
    expect(spreadPool.workers[0]?.runs).toBe(2);

    release();
    await Promise.all(runs);
  }, 120_000);

  it('leaves a later tenant its own worker', async () => {
    const { pool: sharePool, begin } = await start({ size: 3, runsPerWorker: 1 });
    const runs = [...(await begin('acme')), ...(await begin('acme')), ...(await begin('beta'))];
    // acme has two workers, more than its share of one now that beta runs too.
    runs.push(...(await begin('acme')));

    const workers = sharePool.workers;
    expect(workers).toHaveLength(3);
    expect(byTenant(workers, 'beta')).toHaveLength(1);
    expect(byTenant(workers, 'beta')[0]?.tenants).toEqual(['beta']);
    const acme = byTenant(workers, 'acme').map((worker) => worker.runs);
    expect(acme.sort()).toEqual([1, 2]);

    // A third tenant finds no free worker and shares the one acme is draining.
    runs.push(...(await begin('gamma')));
    const shared = byTenant(sharePool.workers, 'gamma');
    expect(shared).toHaveLength(1);
    expect(shared[0]?.tenants).toEqual(['acme', 'gamma']);
    expect(shared[0]?.runs).toBe(2);

    release();
    for (const result of await Promise.all(runs)) {
      expect(result.status).toBe('complete');
    }
  }, 120_000);
});
