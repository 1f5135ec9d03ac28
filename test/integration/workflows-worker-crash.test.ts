/**
 * Isolate worker processes that die under a run: a real SIGKILL of the worker in the middle
 * of a step, and tenant code whose allocation makes isolated-vm abort the whole worker on
 * out-of-memory. The engine in this process must survive both, retry only the step in
 * flight, and never run a committed step again. Side effects are counted in the binding.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqliteDatabase } from '../../src/core/store.js';
import { openDatabase } from '../../src/core/store.js';
import { WorkflowEngine } from '../../src/workflows/engine.js';
import type { EngineEvent } from '../../src/workflows/types.js';
import { IsolateWorkerPool } from '../../src/workflows/worker-pool.js';

const KILLED_MID_STEP = `
import { WorkflowEntrypoint } from 'sandstack/workflows';
export class Counting extends WorkflowEntrypoint {
  async run(event, step) {
    await step.do('one', async () => this.env.LOG.append('step-1'));
    await step.do('two', async () => this.env.LOG.append('step-2'));
    await step.do('three', async () => {
      await this.env.LOG.append('step-3-start');
      await this.env.LOG.killWorkerOnce();
      return this.env.LOG.append('step-3-end');
    });
    return step.do('four', async () => this.env.LOG.append('step-4'));
  }
}`;

// A single allocation past the heap cap: isolated-vm cannot dispose the isolate in time and
// V8 aborts the process ("JavaScript heap out of memory", SIGABRT).
const BOMB = 'new Array(1e8).fill(0).length';

const OOM_IN_STEP = `
import { WorkflowEntrypoint } from 'sandstack/workflows';
export class Bomb extends WorkflowEntrypoint {
  async run(event, step) {
    await step.do('before', async () => this.env.LOG.append('before'));
    return step.do('bomb', { retries: { limit: 1, delay: 1 } }, async () => {
      await this.env.LOG.append('bomb-attempt');
      return ${BOMB};
    });
  }
}`;

const OOM_OUTSIDE_STEPS = `
import { WorkflowEntrypoint } from 'sandstack/workflows';
export class TopLevelBomb extends WorkflowEntrypoint {
  async run(event, step) {
    await step.do('before', async () => this.env.LOG.append('top-before'));
    return ${BOMB};
  }
}`;

const MANY_STEPS = `
import { WorkflowEntrypoint } from 'sandstack/workflows';
export class ManySteps extends WorkflowEntrypoint {
  async run(event, step) {
    let done = 0;
    for (let index = 0; index < event.payload.steps; index++) {
      done += await step.do('work', { retries: { limit: 10, delay: 1 } }, async (ctx) => {
        const key = event.instanceId + '/' + ctx.step.name + '#' + ctx.step.count;
        await this.env.LOG.start(key, ctx.attempt);
        await this.env.LOG.append('end ' + key);
        return 1;
      });
    }
    return done;
  }
}`;

/** Deterministic pseudo-random numbers in [0, 1), so a failing seed can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const HELLO = `
import { WorkflowEntrypoint } from 'sandstack/workflows';
export class Hello extends WorkflowEntrypoint {
  async run(event, step) {
    return step.do('greet', async () => 'hello ' + event.payload.name);
  }
}`;

describe('isolate worker processes that die', () => {
  let dir: string;
  let db: SqliteDatabase;
  let pool: IsolateWorkerPool;
  let engine: WorkflowEngine;
  const effects: string[] = [];
  const events: EngineEvent[] = [];
  const killedPids: number[] = [];
  const seed = Date.now() % 100_000;
  const nextRandom = random(seed);
  let killsLeft = 0;

  const count = (line: string): number => effects.filter((entry) => entry === line).length;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sandstack-worker-crash-'));
    db = openDatabase(join(dir, 'state.db'));
    pool = new IsolateWorkerPool({ size: 1 });
    engine = new WorkflowEngine({
      db,
      workerPool: pool,
      limits: { memoryMb: 32 },
      stepDefaults: { retries: { limit: 2, delayMs: 1, backoff: 'constant' }, timeoutMs: 60_000 },
      onEvent: (event) => events.push(event),
      bindings: () => ({
        LOG: {
          append: async (context, line) => {
            effects.push(String(line));
            return context.stepKey ?? null;
          },
          // Records an attempt; while killsLeft lasts, kills the worker at random mid-step.
          start: async (_context, key, attempt) => {
            effects.push(`start ${String(key)} ${String(attempt)}`);
            if (killsLeft > 0 && nextRandom() < 0.3) {
              killsLeft -= 1;
              for (const pid of pool.pids) {
                process.kill(pid, 'SIGKILL');
              }
              return new Promise<null>(() => undefined);
            }
            return null;
          },
          // Kills the worker running this step with SIGKILL, once, and never returns.
          killWorkerOnce: async () => {
            if (killedPids.length > 0) {
              return null;
            }
            for (const pid of pool.pids) {
              killedPids.push(pid);
              process.kill(pid, 'SIGKILL');
            }
            return new Promise<null>(() => undefined);
          },
        },
      }),
    });
  });

  afterAll(async () => {
    pool.close();
    db.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('retries only the step of a killed worker', async () => {
    await engine.deploy('acme', 'counting', { source: KILLED_MID_STEP, filename: 'counting.js' });
    const id = await engine.create('acme', 'counting');

    const result = await engine.run('acme', id);

    expect(result.status, result.error?.message).toBe('complete');
    expect(result.output).toBe('four#1');
    expect(killedPids).toHaveLength(1);
    expect(pool.pids).not.toContain(killedPids[0]);
    expect(count('step-1')).toBe(1);
    expect(count('step-2')).toBe(1);
    expect(count('step-3-start')).toBe(2);
    expect(count('step-3-end')).toBe(1);
    expect(count('step-4')).toBe(1);
    expect(result.steps.map((step) => [step.key, step.attempt])).toEqual([
      ['one#1', 1],
      ['two#1', 1],
      ['three#1', 2],
      ['four#1', 1],
    ]);
    const retry = events.find((event) => event.type === 'step.retry');
    expect(retry).toMatchObject({ stepKey: 'three#1', attempt: 1 });
    expect(retry?.type === 'step.retry' ? retry.error.message : '').toMatch(
      /worker process \(pid \d+\) exited with signal SIGKILL while step "three#1" was running/,
    );
  }, 60_000);

  it('fails a step that aborts its worker', async () => {
    effects.length = 0;
    await engine.deploy('mallory', 'bomb', { source: OOM_IN_STEP, filename: 'bomb.js' });
    await engine.deploy('acme', 'hello', { source: HELLO, filename: 'hello.js' });
    const bomb = await engine.create('mallory', 'bomb');

    const result = await engine.run('mallory', bomb);

    expect(result.status).toBe('errored');
    expect(result.error?.message).toMatch(
      /exited with signal SIGABRT after an isolate ran out of memory while step "bomb#1" was running \(attempt 2\)/,
    );
    // One try plus one retry, as the step's retry policy allows; the step before ran once.
    expect(count('before')).toBe(1);
    expect(count('bomb-attempt')).toBe(2);

    const hello = await engine.create('acme', 'hello', { params: { name: 'Ada' } });
    expect(await engine.run('acme', hello)).toMatchObject({
      status: 'complete',
      output: 'hello Ada',
    });
  }, 60_000);

  it('fails an instance aborting outside steps', async () => {
    effects.length = 0;
    await engine.deploy('mallory', 'top-bomb', {
      source: OOM_OUTSIDE_STEPS,
      filename: 'top-bomb.js',
    });
    const id = await engine.create('mallory', 'top-bomb');

    const result = await engine.run('mallory', id);

    expect(result.status).toBe('errored');
    expect(result.error?.code).toBe('WORKFLOW_FAILED');
    expect(result.error?.message).toMatch(/3 worker crashes in a row outside any step/);
    expect(result.error?.message).toMatch(/ran out of memory.*raise limits.memoryMb/);
    expect(count('top-before')).toBe(1);
  }, 60_000);

  it('survives random worker kills mid-step', async () => {
    effects.length = 0;
    const kills = 8;
    killsLeft = kills;
    const instances = 4;
    const stepsPerInstance = 6;
    await engine.deploy('acme', 'many', { source: MANY_STEPS, filename: 'many.js' });
    const ids = await Promise.all(
      Array.from({ length: instances }, () =>
        engine.create('acme', 'many', { params: { steps: stepsPerInstance } }),
      ),
    );

    const results = await engine.runDue({ limit: instances });

    const context = `seed ${seed}`;
    expect(results, context).toHaveLength(instances);
    let retries = 0;
    for (const id of ids) {
      const result = await engine.get('acme', id);
      expect(result.status, `${context}: ${result.error?.message}`).toBe('complete');
      expect(result.output, context).toBe(stepsPerInstance);
      for (const step of result.steps) {
        const key = `${id}/${step.key}`;
        const starts = effects.filter((line) => line.startsWith(`start ${key} `));
        // Every attempt ran at most once, and each killed attempt cost exactly one retry.
        expect(new Set(starts).size, `${context}: ${key}`).toBe(starts.length);
        expect(starts, `${context}: ${key}`).toHaveLength(step.attempt);
        expect(count(`end ${key}`), `${context}: ${key}`).toBe(1);
        retries += step.attempt - 1;
      }
    }
    expect(kills - killsLeft, context).toBeGreaterThan(0);
    expect(retries, context).toBe(kills - killsLeft);
  }, 120_000);

  it('keeps a tenant off the worker another tenant aborts', async () => {
    const ownPool = new IsolateWorkerPool({ size: 2 });
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let waiting = 0;
    const gated = new WorkflowEngine({
      db,
      workerPool: ownPool,
      limits: { memoryMb: 32 },
      stepDefaults: { retries: { limit: 0, delayMs: 1, backoff: 'constant' }, timeoutMs: 60_000 },
      bindings: () => ({
        LOG: {
          append: async () => null,
          wait: async () => {
            waiting += 1;
            await gate;
            return 'released';
          },
        },
      }),
    });
    const waitFor = async (count: number): Promise<void> => {
      // Bounded: about 30 s of polling.
      for (let round = 0; round < 300 && waiting < count; round++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    try {
      await gated.deploy('acme', 'gated', {
        source: `import { WorkflowEntrypoint } from 'sandstack/workflows';
          export class Gated extends WorkflowEntrypoint {
            async run(event, step) { return step.do('wait', async () => this.env.LOG.wait()); }
          }`,
        filename: 'gated.js',
      });
      await gated.deploy('mallory', 'bomb', { source: OOM_IN_STEP, filename: 'bomb.js' });

      const first = gated.run('acme', await gated.create('acme', 'gated'));
      await waitFor(1);
      const second = gated.run('acme', await gated.create('acme', 'gated'));
      await waitFor(2);
      const bomb = await gated.run('mallory', await gated.create('mallory', 'bomb'));
      release();

      expect(bomb.status).toBe('errored');
      for (const result of await Promise.all([first, second])) {
        expect(result.status).toBe('complete');
        expect(result.steps.map((step) => step.attempt)).toEqual([1]);
      }
      expect(waiting).toBe(2);
    } finally {
      release();
      ownPool.close();
    }
  }, 120_000);
});
