/**
 * Fair share between tenants in `runDue`: a flood of instances from one tenant must neither
 * push another tenant's instance past the batch limit nor take every run slot.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteDatabase } from '../../src/core/store.js';
import { openDatabase } from '../../src/core/store.js';
import { WorkflowEngine } from '../../src/workflows/engine.js';
import type { WorkflowEngineOptions } from '../../src/workflows/engine.js';

const GATED = `
import { WorkflowEntrypoint } from 'sandstack/workflows';
export class Gated extends WorkflowEntrypoint {
  async run(event, step) {
    return step.do('wait', async () => this.env.GATE.wait());
  }
}`;

const QUICK = `
import { WorkflowEntrypoint } from 'sandstack/workflows';
export class Quick extends WorkflowEntrypoint {
  async run(event, step) {
    return step.do('answer', async () => 42);
  }
}`;

const FLOOD_SIZE = 20;

describe('runDue fair share', () => {
  let dir: string;
  let db: SqliteDatabase;
  /** Releases every `GATE.wait()` call, now and later. */
  let open: () => void;
  let gateOpen: Promise<void>;
  let waiting: number;
  let maxWaiting: number;

  const engineWith = (options: Partial<WorkflowEngineOptions> = {}): WorkflowEngine =>
    new WorkflowEngine({
      db,
      ...options,
      bindings: () => ({
        GATE: {
          wait: async () => {
            waiting += 1;
            maxWaiting = Math.max(maxWaiting, waiting);
            await gateOpen;
            waiting -= 1;
            return 'released';
          },
        },
      }),
    });

  const flood = async (engine: WorkflowEngine): Promise<string> => {
    await engine.deploy('flood', 'gated', { source: GATED, filename: 'gated.js' });
    await engine.deploy('quiet', 'quick', { source: QUICK, filename: 'quick.js' });
    for (let index = 0; index < FLOOD_SIZE; index += 1) {
      await engine.create('flood', 'gated');
    }
    return await engine.create('quiet', 'quick');
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sandstack-fair-share-'));
    db = openDatabase(join(dir, 'state.db'));
    waiting = 0;
    maxWaiting = 0;
    gateOpen = new Promise((resolve) => {
      open = resolve;
    });
  });

  afterEach(async () => {
    open();
    db.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('takes every tenant into a limited batch', async () => {
    open();
    const engine = engineWith();
    const quiet = await flood(engine);

    const results = await engine.runDue({ limit: 4 });

    expect(results).toHaveLength(4);
    expect(results.filter((result) => result.tenant === 'quiet')).toHaveLength(1);
    expect((await engine.get('quiet', quiet)).status).toBe('complete');
    expect(await engine.list('flood', { status: 'queued' })).toHaveLength(FLOOD_SIZE - 3);
  }, 60_000);

  it('finishes a quiet tenant while a flood holds its slot', async () => {
    const engine = engineWith({ maxRunsPerTenant: 1 });
    const quiet = await flood(engine);

    const batch = engine.runDue({ concurrency: 2 });
    // Bounded: about 30 s of polling for the quiet tenant's instance.
    for (
      let round = 0;
      round < 300 && (await engine.get('quiet', quiet)).status !== 'complete';
      round++
    ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    expect((await engine.get('quiet', quiet)).status).toBe('complete');
    expect(await engine.list('flood', { status: 'running' })).toHaveLength(1);
    expect(await engine.list('flood', { status: 'queued' })).toHaveLength(FLOOD_SIZE - 1);

    open();
    const results = await batch;
    expect(results).toHaveLength(FLOOD_SIZE + 1);
    expect(results.every((result) => result.status === 'complete')).toBe(true);
    expect(results[0]?.tenant).toBe('quiet');
    expect(maxWaiting).toBe(1);
  }, 120_000);

  it('runs one tenant concurrently up to its limit', async () => {
    const engine = engineWith({ maxRunsPerTenant: 3 });
    await flood(engine);

    const batch = engine.runDue({ concurrency: 4 });
    // Bounded: about 30 s of polling until the flood fills its three slots.
    for (let round = 0; round < 300 && waiting < 3; round++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    expect(waiting).toBe(3);
    expect(await engine.list('flood', { status: 'running' })).toHaveLength(3);

    open();
    const results = await batch;
    expect(results).toHaveLength(FLOOD_SIZE + 1);
    expect(maxWaiting).toBe(3);
  }, 120_000);

  it('leaves a tenant at its limit for later', async () => {
    const engine = engineWith({ maxRunsPerTenant: 1 });
    await flood(engine);
    const [first] = (await engine.list('flood', { status: 'queued' })).slice(-1);
    const running = engine.run('flood', first?.id ?? '');
    // Bounded: about 30 s of polling until the direct run holds the tenant's slot.
    for (let round = 0; round < 300 && waiting < 1; round++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    const results = await engine.runDue({ concurrency: 2 });

    expect(results.map((result) => result.tenant)).toEqual(['quiet']);
    expect(await engine.list('flood', { status: 'queued' })).toHaveLength(FLOOD_SIZE - 1);
    open();
    expect((await running).status).toBe('complete');
  }, 60_000);

  it('rejects an invalid per-tenant limit', () => {
    expect(() => engineWith({ maxRunsPerTenant: 0 })).toThrow(/maxRunsPerTenant 0/);
  });
});
