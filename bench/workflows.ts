/**
 * Workflow engine benchmark: isolate cold start for a deployed version, per-step cost with a
 * durable SQLite commit and 1 KB results (one instance alone, and many instances at once
 * sharing group commits), and the time from instance creation to its first step, with
 * isolates in worker processes (the default, `workflows.*`) and in the engine's process
 * (`workflows.inProcess.*`). `workflows.spread.*` compares one tenant's many runs on one
 * worker process with the same runs spread over two. Bounded to a few thousand steps per
 * measure; finishes in about a minute.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ivm from 'isolated-vm';
import { openDatabase } from '../src/core/store.js';
import type { IsolationMode } from '../src/workflows/engine.js';
import { WorkflowEngine } from '../src/workflows/engine.js';
import { IsolateWorkerPool } from '../src/workflows/worker-pool.js';
import type { BenchResults } from './lib.js';
import { addLatency, round, timeMany } from './lib.js';

const ISOLATE_SAMPLES = 50;
const FIRST_STEP_SAMPLES = 30;
const STEPS_PER_RUN = 200;
/** Instances run at once, and steps of each, for the concurrent step rate. */
const CONCURRENT_INSTANCES = 32;
const STEPS_PER_CONCURRENT_RUN = 50;
/** Runs of one tenant at once, steps of each, and rounds of the spread comparison. */
const SPREAD_INSTANCES = 64;
const STEPS_PER_SPREAD_RUN = 25;
const SPREAD_ROUNDS = 3;

const STEPS_WORKFLOW = `
import { WorkflowEntrypoint } from 'sandstack/workflows';
export class Steps extends WorkflowEntrypoint {
  async run(event, step) {
    for (let i = 0; i < event.payload.steps; i++) {
      await step.do('step', async () => 'x'.repeat(1024));
    }
    return event.payload.steps;
  }
}`;

/** Measures the engine; returns `workflows.*` metrics. */
export async function runWorkflowBench(): Promise<BenchResults> {
  const dir = await mkdtemp(join(tmpdir(), 'sandstack-bench-workflows-'));
  const db = openDatabase(join(dir, 'state.db'));
  const results: BenchResults = {};
  try {
    const engine = new WorkflowEngine({ db });
    const deployed = await engine.deploy('bench', 'steps', {
      source: STEPS_WORKFLOW,
      filename: 'steps.js',
    });
    const code = (await engine.registry.get('bench', 'steps', deployed.version)).code;

    // Cold start: new isolate, context, compile and evaluate the stored bundle.
    const isolateSamples = await timeMany(ISOLATE_SAMPLES, async () => {
      const isolate = new ivm.Isolate({ memoryLimit: 128 });
      try {
        const context = await isolate.createContext();
        const script = await isolate.compileScript(code);
        await script.run(context);
      } finally {
        isolate.dispose();
      }
    });
    addLatency(results, 'workflows.isolateStart', isolateSamples);

    Object.assign(results, await benchEngine(db, 'process', 'workflows'));
    Object.assign(results, await benchEngine(db, 'in-process', 'workflows.inProcess'));
    Object.assign(results, await benchSpread(db));
    return results;
  } finally {
    db.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Start-to-first-step latency and step throughput of one isolation mode. */
async function benchEngine(
  db: ReturnType<typeof openDatabase>,
  isolation: IsolationMode,
  prefix: string,
): Promise<BenchResults> {
  const results: BenchResults = {};
  let firstStepAt = 0;
  const engine = new WorkflowEngine({
    db,
    isolation,
    onEvent: (event) => {
      if (event.type === 'step.start' && firstStepAt === 0) {
        firstStepAt = performance.now();
      }
    },
  });
  // First runs start the worker processes, which a long-running engine does once. As many
  // at once as the concurrent measure runs, so it finds every worker it spreads over.
  const warm: string[] = [];
  for (let index = 0; index < CONCURRENT_INSTANCES; index += 1) {
    warm.push(await engine.create('bench', 'steps', { params: { steps: 1 } }));
  }
  await Promise.all(warm.map((warmId) => engine.run('bench', warmId)));

  const firstStepSamples: number[] = [];
  for (let index = 0; index < FIRST_STEP_SAMPLES; index += 1) {
    firstStepAt = 0;
    const start = performance.now();
    const id = await engine.create('bench', 'steps', { params: { steps: 1 } });
    await engine.run('bench', id);
    firstStepSamples.push(firstStepAt - start);
  }
  addLatency(results, `${prefix}.firstStep`, firstStepSamples);

  const id = await engine.create('bench', 'steps', { params: { steps: STEPS_PER_RUN } });
  const start = performance.now();
  const run = await engine.run('bench', id);
  const seconds = (performance.now() - start) / 1000;
  if (run.status !== 'complete') {
    throw new Error(`Benchmark run ended ${run.status}: ${run.error?.message ?? ''}`);
  }
  results[`${prefix}.steps.perSecond`] = {
    value: round(STEPS_PER_RUN / seconds),
    unit: 'steps/s',
    n: STEPS_PER_RUN,
  };

  const ids: string[] = [];
  for (let index = 0; index < CONCURRENT_INSTANCES; index += 1) {
    ids.push(
      await engine.create('bench', 'steps', { params: { steps: STEPS_PER_CONCURRENT_RUN } }),
    );
  }
  const concurrentStart = performance.now();
  const runs = await Promise.all(ids.map((instanceId) => engine.run('bench', instanceId)));
  const concurrentSeconds = (performance.now() - concurrentStart) / 1000;
  const notComplete = runs.find((result) => result.status !== 'complete');
  if (notComplete !== undefined) {
    throw new Error(
      `Benchmark run ended ${notComplete.status}: ${notComplete.error?.message ?? ''}`,
    );
  }
  const concurrentSteps = CONCURRENT_INSTANCES * STEPS_PER_CONCURRENT_RUN;
  results[`${prefix}.concurrent.steps.perSecond`] = {
    value: round(concurrentSteps / concurrentSeconds),
    unit: 'steps/s',
    n: concurrentSteps,
  };
  return results;
}

/**
 * Step rate of one tenant's {@link SPREAD_INSTANCES} runs at once on a pool of two worker
 * processes, kept on one worker (`runsPerWorker: Infinity`) and spread over both
 * (`runsPerWorker: 16`), alternating the two for {@link SPREAD_ROUNDS} rounds. Each metric
 * is the median of its rounds.
 */
async function benchSpread(db: ReturnType<typeof openDatabase>): Promise<BenchResults> {
  const modes = [
    { name: 'oneWorker', runsPerWorker: Number.POSITIVE_INFINITY },
    { name: 'twoWorkers', runsPerWorker: 16 },
  ];
  const rates = new Map<string, number[]>(modes.map((mode) => [mode.name, []]));
  for (let round = 0; round < SPREAD_ROUNDS; round += 1) {
    for (const mode of modes) {
      const pool = new IsolateWorkerPool({ size: 2, runsPerWorker: mode.runsPerWorker });
      try {
        const engine = new WorkflowEngine({ db, workerPool: pool });
        rates.get(mode.name)?.push(await concurrentRate(engine));
      } finally {
        pool.close();
      }
    }
  }
  const results: BenchResults = {};
  for (const [name, samples] of rates) {
    const sorted = [...samples].sort((a, b) => a - b);
    results[`workflows.spread.${name}.steps.perSecond`] = {
      value: round(sorted[Math.floor(sorted.length / 2)] ?? 0),
      unit: 'steps/s',
      n: SPREAD_INSTANCES * STEPS_PER_SPREAD_RUN * samples.length,
    };
  }
  return results;
}

/** Runs {@link SPREAD_INSTANCES} instances at once and returns their steps per second. */
async function concurrentRate(engine: WorkflowEngine): Promise<number> {
  // Starts the workers the measured runs use, as a long-running engine has them: 32 runs at
  // once pass the 16 runs per worker of the spread mode.
  const warm: string[] = [];
  for (let index = 0; index < 32; index += 1) {
    warm.push(await engine.create('bench', 'steps', { params: { steps: 1 } }));
  }
  await Promise.all(warm.map((id) => engine.run('bench', id)));
  const ids: string[] = [];
  for (let index = 0; index < SPREAD_INSTANCES; index += 1) {
    ids.push(await engine.create('bench', 'steps', { params: { steps: STEPS_PER_SPREAD_RUN } }));
  }
  const start = performance.now();
  const runs = await Promise.all(ids.map((id) => engine.run('bench', id)));
  const seconds = (performance.now() - start) / 1000;
  const notComplete = runs.find((result) => result.status !== 'complete');
  if (notComplete !== undefined) {
    throw new Error(
      `Benchmark run ended ${notComplete.status}: ${notComplete.error?.message ?? ''}`,
    );
  }
  return (SPREAD_INSTANCES * STEPS_PER_SPREAD_RUN) / seconds;
}
