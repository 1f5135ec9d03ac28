import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../core/store.js';
import type { WorkflowEngineOptions } from './engine.js';
import { WorkflowEngine } from './engine.js';
import { resolveRetention, RetentionSweep } from './retention.js';

const DAY_MS = 86_400_000;

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) {
    await cleanup();
  }
});

const SOURCE = {
  filename: 'workflow.js',
  source: `import { WorkflowEntrypoint, NonRetryableError } from 'sandstack/workflows';
    export class Test extends WorkflowEntrypoint {
      async run(event, step) {
        if (event.payload.mode === 'fail') { throw new NonRetryableError('failed on purpose'); }
        if (event.payload.mode === 'sleep') { await step.sleep('nap', '365 days'); }
        return step.do('work', async () => 'done');
      }
    }`,
};

/** Creates an engine on a SQLite file with a fake clock, and helpers to make instances end. */
async function makeEngine(options: Partial<WorkflowEngineOptions> = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'sandstack-retention-'));
  const db = openDatabase(join(dir, 'state.db'));
  cleanups.push(async () => {
    db.close();
    await rm(dir, { recursive: true, force: true });
  });
  let nowMs = Date.UTC(2026, 0, 1);
  const clock = { now: () => nowMs };
  const engine = new WorkflowEngine({ db, clock, ...options });
  const advance = (ms: number): void => void (nowMs += ms);
  const start = async (tenant: string, workflow: string, mode: string): Promise<string> => {
    await engine.deploy(tenant, workflow, SOURCE);
    const id = await engine.create(tenant, workflow, { params: { mode } });
    await engine.run(tenant, id);
    return id;
  };
  const status = async (tenant: string, id: string): Promise<string | undefined> =>
    (await engine.list(tenant)).find((instance) => instance.id === id)?.status;
  return { engine, advance, start, status };
}

describe('WorkflowEngine.prune', () => {
  it('deletes ended instances past the default retention', async () => {
    const { engine, advance, start, status } = await makeEngine();
    const complete = await start('acme', 'test', 'complete');
    const errored = await start('acme', 'test', 'fail');
    const terminated = await start('acme', 'test', 'sleep');
    await engine.terminate('acme', terminated);
    const waiting = await start('acme', 'test', 'sleep');
    const paused = await start('acme', 'test', 'sleep');
    await engine.pause('acme', paused);
    const queued = await engine.create('acme', 'test', { params: { mode: 'complete' } });

    advance(6 * DAY_MS);
    expect((await engine.prune()).deleted).toEqual({ complete: 0, errored: 0, terminated: 0 });

    advance(2 * DAY_MS);
    const week = await engine.prune();
    expect(week.deleted).toEqual({ complete: 1, errored: 0, terminated: 1 });
    expect(await status('acme', complete)).toBeUndefined();
    expect(await status('acme', terminated)).toBeUndefined();
    expect(await status('acme', errored)).toBe('errored');

    advance(30 * DAY_MS);
    expect((await engine.prune()).deleted.errored).toBe(1);
    expect(await status('acme', errored)).toBeUndefined();
    expect(await status('acme', waiting)).toBe('waiting');
    expect(await status('acme', paused)).toBe('paused');
    expect(await status('acme', queued)).toBe('queued');
  });

  it('rejects the id of a pruned instance', async () => {
    const { engine, advance, start } = await makeEngine();
    const id = await start('acme', 'test', 'complete');
    advance(8 * DAY_MS);
    expect((await engine.prune()).instances).toEqual([{ tenant: 'acme', id, status: 'complete' }]);
    await expect(engine.get('acme', id)).rejects.toMatchObject({ code: 'NOT_FOUND' });

    // A create retried after the prune must not run the work again.
    const reused = engine.create('acme', 'test', { id, params: { mode: 'sleep' } });
    await expect(reused).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    await expect(reused).rejects.toThrow(/retention deleted, and the id stays reserved/);
  });

  it('releases a reserved id after its period', async () => {
    const { engine, advance, start, status } = await makeEngine({
      retention: { reserveDeletedIdsFor: '10 days' },
    });
    const old = await start('acme', 'test', 'complete');
    advance(8 * DAY_MS);
    expect((await engine.prune()).releasedIds).toBe(0);
    const recent = await start('acme', 'test', 'complete');

    advance(9 * DAY_MS);
    const first = await engine.prune();
    expect(first.instances.map((instance) => instance.id)).toEqual([recent]);
    expect(first.releasedIds).toBe(0);
    const early = engine.create('acme', 'test', { id: old, params: { mode: 'complete' } });
    await expect(early).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });

    // The old id was reserved on day 8 and is released 10 days later. The newer one stays.
    advance(2 * DAY_MS);
    const dryRun = await engine.prune({ dryRun: true });
    expect(dryRun.releasedIds).toBe(0);
    const second = await engine.prune();
    expect(second.releasedIds).toBe(1);
    await engine.create('acme', 'test', { id: old, params: { mode: 'complete' } });
    expect(await status('acme', old)).toBe('queued');
    const stillReserved = engine.create('acme', 'test', { id: recent });
    await expect(stillReserved).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
  });

  it.each([
    ['when asked', { reserveDeletedIdsFor: 'forever' as const }],
    ['by default', {}],
  ])('keeps reserved ids forever %s', async (_, retention) => {
    const { engine, advance, start } = await makeEngine({ retention });
    const id = await start('acme', 'test', 'complete');
    advance(8 * DAY_MS);
    await engine.prune();
    advance(10_000 * DAY_MS);

    expect((await engine.prune()).releasedIds).toBe(0);
    const reused = engine.create('acme', 'test', { id });
    await expect(reused).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
  });

  it('applies tenant and workflow overrides', async () => {
    const { engine, advance, start, status } = await makeEngine({
      retention: {
        completeAfter: '10 days',
        tenants: { brief: { completeAfter: '1 day' } },
        workflows: { 'brief/audit': { completeAfter: 'forever' } },
      },
    });
    const normal = await start('acme', 'test', 'complete');
    const short = await start('brief', 'test', 'complete');
    const kept = await start('brief', 'audit', 'complete');
    advance(2 * DAY_MS);
    expect((await engine.prune()).instances).toEqual([
      { tenant: 'brief', id: short, status: 'complete' },
    ]);
    advance(100 * DAY_MS);
    await engine.prune();
    expect(await status('acme', normal)).toBeUndefined();
    expect(await status('brief', kept)).toBe('complete');
  });

  it('lists without deleting on a dry run', async () => {
    const { engine, advance, start, status } = await makeEngine();
    const id = await start('acme', 'test', 'complete');
    advance(8 * DAY_MS);
    expect((await engine.prune({ dryRun: true })).deleted.complete).toBe(1);
    expect(await status('acme', id)).toBe('complete');
  });

  it('prunes one tenant when asked', async () => {
    const { engine, advance, start, status } = await makeEngine();
    const mine = await start('acme', 'test', 'complete');
    const theirs = await start('other', 'test', 'complete');
    advance(8 * DAY_MS);
    await engine.prune({ tenant: 'acme' });
    expect(await status('acme', mine)).toBeUndefined();
    expect(await status('other', theirs)).toBe('complete');
  });

  it('pages through more instances than one batch', async () => {
    const { engine, advance, start } = await makeEngine({
      maxRunsPerTenant: 4,
      retention: { completeAfter: '1 day', tenants: { keep: { completeAfter: 'forever' } } },
    });
    // Kept instances that end first fill the first page, so the sweep must page past them.
    await engine.deploy('keep', 'test', SOURCE);
    for (let index = 0; index < 501; index += 1) {
      await engine.create('keep', 'test', { id: `k${index}` });
    }
    await engine.runDue({ limit: 1000, concurrency: 4 });
    advance(1000);
    const late = await start('acme', 'test', 'complete');
    advance(2 * DAY_MS);
    expect((await engine.prune()).instances).toEqual([
      { tenant: 'acme', id: late, status: 'complete' },
    ]);
  }, 120_000);
});

describe('resolveRetention', () => {
  it('rejects a bad period naming the field', () => {
    expect(() => resolveRetention({ erroredAfter: 'soon' })).toThrow(
      /Invalid retention.erroredAfter "soon"; use milliseconds, text such as "7 days", or "forever"/,
    );
    expect(() => resolveRetention({ tenants: { acme: { completeAfter: -1 } } })).toThrow(
      /retention.tenants.acme.completeAfter/,
    );
  });

  it('rejects a workflow key without a tenant', () => {
    expect(() => resolveRetention({ workflows: { audit: {} } })).toThrow(
      /use "<tenant>\/<workflow>"/,
    );
  });
});

describe('RetentionSweep', () => {
  it('sweeps at start and hands over deleted instances', async () => {
    const { engine, advance, start } = await makeEngine();
    const id = await start('acme', 'test', 'complete');
    advance(8 * DAY_MS);
    const handed: string[] = [];
    const errors: string[] = [];
    const logger = {
      trace: () => undefined,
      debug: () => undefined,
      info: () => undefined,
      warn: () => undefined,
      error: (message: string) => void errors.push(message),
      child: () => logger,
    };
    const sweep = new RetentionSweep({
      prune: () => engine.prune(),
      onDeleted: async (instances) => void handed.push(...instances.map((item) => item.id)),
      logger,
    });
    sweep.start();
    await sweep.sweep();
    await sweep.stop();
    expect(handed).toEqual([id]);
    expect(errors).toEqual([]);
  });
});
