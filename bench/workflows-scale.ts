/**
 * Workflow engine at scale, on SQLite with isolates in worker processes:
 *
 * - `workflows.idle.*`: memory per waiting instance. Runs `BENCH_IDLE_INSTANCES` instances
 *   (default 2,000) to a one-day `step.sleep`, so each ends `waiting` without an isolate,
 *   and reports the growth of the engine's and the workers' resident memory per instance.
 * - `workflows.recovery.*`: time from an engine restart until every instance left running
 *   by a dead process has started again, for `BENCH_RECOVERY_INSTANCES` instances (default
 *   10,000) with one committed step each, and until all of them completed.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { openDatabase } from '../src/core/store.js';
import { WorkflowEngine } from '../src/workflows/engine.js';
import { SqliteWorkflowStore } from '../src/workflows/stores/sqlite.js';
import { IsolateWorkerPool } from '../src/workflows/worker-pool.js';
import type { BenchResults } from './lib.js';
import { round } from './lib.js';

const IDLE_INSTANCES = Number(process.env['BENCH_IDLE_INSTANCES'] ?? 2000);
const RECOVERY_INSTANCES = Number(process.env['BENCH_RECOVERY_INSTANCES'] ?? 10_000);
/** Tenants the instances are spread over, so fair share does not serialize them. */
const TENANTS = 20;
const CONCURRENCY = 8;

const SLEEPER = `
import { WorkflowEntrypoint } from 'sandstack/workflows';
export class Sleeper extends WorkflowEntrypoint {
  async run(event, step) {
    await step.do('first', async () => 'x'.repeat(1024));
    await step.sleep('wait', '1 day');
    return 'woke';
  }
}`;

const TWO_STEPS = `
import { WorkflowEntrypoint } from 'sandstack/workflows';
export class TwoSteps extends WorkflowEntrypoint {
  async run(event, step) {
    await step.do('first', async () => 'x'.repeat(1024));
    return step.do('second', async () => 'x'.repeat(1024));
  }
}`;

function checkCount(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > 1_000_000) {
    throw new Error(`Invalid ${name} ${String(value)}; use a whole number from 1 to 1000000`);
  }
  return value;
}

/** Resident memory of a process in bytes, from /proc. */
function rssBytes(pid: number | 'self'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  return kib === undefined ? 0 : Number(kib) * 1024;
}

function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

async function withEngineDir<T>(run: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'sandstack-bench-scale-'));
  try {
    return await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Measures resident memory per waiting instance; returns `workflows.idle.*`. */
export async function runIdleBench(): Promise<BenchResults> {
  const count = checkCount('BENCH_IDLE_INSTANCES', IDLE_INSTANCES);
  return withEngineDir(async (dir) => {
    const db = openDatabase(join(dir, 'state.db'));
    const pool = new IsolateWorkerPool();
    try {
      const engine = new WorkflowEngine({ db, workerPool: pool, maxRunsPerTenant: CONCURRENCY });
      for (let tenant = 0; tenant < TENANTS; tenant += 1) {
        await engine.deploy(`t${tenant}`, 'sleeper', { source: SLEEPER, filename: 'sleeper.js' });
      }
      // Warm-up: starts the worker processes and compiles the code paths once.
      await createAndRun(engine, 'warm', Math.min(200, count));

      const memory = (): { engine: number; workers: number; heap: number } => {
        collectGarbage();
        const workers = pool.pids.reduce((total, pid) => total + rssBytes(pid), 0);
        return { engine: rssBytes('self'), workers, heap: process.memoryUsage().heapUsed };
      };
      const before = memory();
      const waiting = await createAndRun(engine, 'idle', count);
      if (waiting !== count) {
        throw new Error(`Only ${waiting} of ${count} instances ended waiting`);
      }
      const after = memory();
      const perInstance = (bytes: number): number => round(bytes / count / 1024);
      return {
        'workflows.idle.rssPerInstanceKiB': {
          value: perInstance(after.engine + after.workers - before.engine - before.workers),
          unit: 'KiB',
          n: count,
        },
        'workflows.idle.engineRssPerInstanceKiB': {
          value: perInstance(after.engine - before.engine),
          unit: 'KiB',
          n: count,
        },
        'workflows.idle.heapPerInstanceKiB': {
          value: perInstance(after.heap - before.heap),
          unit: 'KiB',
          n: count,
        },
      };
    } finally {
      pool.close();
      db.close();
    }
  });
}

/** Creates `count` instances over the tenants and runs them; returns how many wait. */
async function createAndRun(engine: WorkflowEngine, prefix: string, count: number) {
  for (let index = 0; index < count; index += 1) {
    await engine.create(`t${index % TENANTS}`, 'sleeper', { id: `${prefix}-${index}` });
  }
  const results = await engine.runDue({ limit: count, concurrency: CONCURRENCY });
  return results.filter((result) => result.status === 'waiting').length;
}

/** Measures recovery after a restart; returns `workflows.recovery.*`. */
export async function runRecoveryBench(): Promise<BenchResults> {
  const count = checkCount('BENCH_RECOVERY_INSTANCES', RECOVERY_INSTANCES);
  return withEngineDir(async (dir) => {
    const db = openDatabase(join(dir, 'state.db'));
    const pool = new IsolateWorkerPool();
    try {
      await leaveRunning(db, count);

      let started = 0;
      let allStartedMs = 0;
      const restartedAt = performance.now();
      const engine = new WorkflowEngine({
        db,
        workerPool: pool,
        maxRunsPerTenant: CONCURRENCY,
        onEvent: (event) => {
          if (event.type === 'instance.start') {
            started += 1;
            if (started === count) {
              allStartedMs = performance.now() - restartedAt;
            }
          }
        },
      });
      const results = await engine.runDue({
        includeRunning: true,
        limit: count,
        concurrency: CONCURRENCY,
      });
      const allCompleteMs = performance.now() - restartedAt;
      const complete = results.filter((result) => result.status === 'complete').length;
      if (complete !== count) {
        throw new Error(`Only ${complete} of ${count} instances completed after the restart`);
      }
      return {
        'workflows.recovery.allStartedMs': { value: round(allStartedMs), unit: 'ms', n: count },
        'workflows.recovery.allCompleteMs': { value: round(allCompleteMs), unit: 'ms', n: count },
        'workflows.recovery.instancesPerSecond': {
          value: round(count / (allCompleteMs / 1000)),
          unit: 'inst/s',
          n: count,
        },
      };
    } finally {
      pool.close();
      db.close();
    }
  });
}

/**
 * Stores `count` instances as a process that died mid-run leaves them: `running`, with the
 * first step committed and the second not started.
 */
async function leaveRunning(db: ReturnType<typeof openDatabase>, count: number): Promise<void> {
  const setup = new WorkflowEngine({ db });
  const versions: string[] = [];
  for (let tenant = 0; tenant < TENANTS; tenant += 1) {
    const deployed = await setup.deploy(`t${tenant}`, 'two', {
      source: TWO_STEPS,
      filename: 'two.js',
    });
    versions.push(deployed.version);
  }
  const store = new SqliteWorkflowStore(db);
  const result = JSON.stringify('x'.repeat(1024));
  const writes: Promise<unknown>[] = [];
  for (let index = 0; index < count; index += 1) {
    const tenant = `t${index % TENANTS}`;
    const id = `inflight-${index}`;
    writes.push(
      store.createInstance({
        tenant,
        id,
        workflow: 'two',
        version: versions[index % TENANTS] ?? '',
        params: {},
        status: 'running',
        output: undefined,
        error: undefined,
        wakeAtMs: undefined,
        createdAtMs: index,
        updatedAtMs: index,
      }),
    );
    writes.push(
      store.putStep(tenant, id, {
        key: 'first#1',
        kind: 'do',
        seq: 0,
        status: 'complete',
        attempt: 1,
        resultJson: result,
        error: undefined,
        wakeAtMs: undefined,
        startedAtMs: index,
        endedAtMs: index,
      }),
    );
  }
  await Promise.all(writes);
}
