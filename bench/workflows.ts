/**
 * Workflow engine benchmark: isolate cold start for a deployed version, per-step cost with a
 * durable SQLite commit and 1 KB results (one instance alone, and many instances at once
 * sharing group commits), and the time from instance creation to its first step, with
 * isolates in worker processes (the default, `workflows.*`) and in the engine's process
 * (`workflows.inProcess.*`). Bounded to a few thousand steps; finishes in well under a minute.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ivm from 'isolated-vm';
import { openDatabase } from '../src/core/store.js';
import type { IsolationMode } from '../src/workflows/engine.js';
import { WorkflowEngine } from '../src/workflows/engine.js';
import type { BenchResults } from './lib.js';
import { addLatency, round, timeMany } from './lib.js';

const ISOLATE_SAMPLES = 50;
const FIRST_STEP_SAMPLES = 30;
const STEPS_PER_RUN = 200;
/** Instances run at once, and steps of each, for the concurrent step rate. */
const CONCURRENT_INSTANCES = 32;
const STEPS_PER_CONCURRENT_RUN = 50;

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
  // A first run starts the worker processes, which a long-running engine does once.
  await engine.run('bench', await engine.create('bench', 'steps', { params: { steps: 1 } }));

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
