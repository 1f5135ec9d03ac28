/**
 * A step's `running` record is written without waiting for it to be durable, and the
 * SQLite store defers it up to 20 ms to commit it with the step's result. These tests
 * reject that write in a wrapper around a real SQLite store, and check that the failure is
 * logged with the instance and step, and that the instance ends as the steps really ran.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger, LogMeta } from '../core/logger.js';
import { openDatabase } from '../core/store.js';
import { WorkflowEngine } from './engine.js';
import { SqliteWorkflowStore } from './stores/sqlite.js';
import type { WorkflowStore } from './stores/store.js';

const TWO_STEPS = `
import { WorkflowEntrypoint } from 'sandstack/workflows';
export class TwoSteps extends WorkflowEntrypoint {
  async run(event, step) {
    const one = await step.do('one', async () => this.env.REC.record('one'));
    const two = await step.do('two', async () => this.env.REC.record('two'));
    return [one, two];
  }
}`;

interface LogEntry {
  level: string;
  message: string;
  meta: LogMeta | undefined;
}

/** Returns a logger that keeps every entry in `entries`. */
function recordingLogger(entries: LogEntry[]): Logger {
  const at =
    (level: string) =>
    (message: string, meta?: LogMeta): void => {
      entries.push({ level, message, meta });
    };
  const logger: Logger = {
    trace: at('trace'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: () => logger,
  };
  return logger;
}

/**
 * Wraps `store` so that the deferrable `putStep` writes whose numbers (from 1) are in
 * `failing` reject instead of being written.
 */
function failingDeferredWrites(store: WorkflowStore, failing: Set<number>): WorkflowStore {
  let deferred = 0;
  return new Proxy(store, {
    get(target, property) {
      if (property === 'putStep') {
        const putStep: WorkflowStore['putStep'] = async (tenant, id, step, options) => {
          if (options?.deferrable === true) {
            deferred += 1;
            if (failing.has(deferred)) {
              throw new Error(`disk I/O error on deferred write ${deferred}`);
            }
          }
          return target.putStep(tenant, id, step, options);
        };
        return putStep;
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) {
    await cleanup();
  }
});

async function makeEngine(failing: Set<number>): Promise<{
  engine: WorkflowEngine;
  store: SqliteWorkflowStore;
  records: string[];
  logs: LogEntry[];
}> {
  const dir = await mkdtemp(join(tmpdir(), 'sandstack-deferred-write-'));
  const db = openDatabase(join(dir, 'state.db'));
  cleanups.push(async () => {
    db.close();
    await rm(dir, { recursive: true, force: true });
  });
  const store = new SqliteWorkflowStore(db);
  const records: string[] = [];
  const logs: LogEntry[] = [];
  const engine = new WorkflowEngine({
    db,
    store: failingDeferredWrites(store, failing),
    isolation: 'in-process',
    logger: recordingLogger(logs),
    stepDefaults: { retries: { limit: 2, delayMs: 1, backoff: 'constant' }, timeoutMs: 10_000 },
    bindings: () => ({
      REC: {
        record: async (_context, name) => {
          records.push(String(name));
          return records.length;
        },
      },
    }),
  });
  await engine.deploy('acme', 'two', { source: TWO_STEPS, filename: 'two.js' });
  return { engine, store, records, logs };
}

describe('failed deferred running record', () => {
  const cases: { failing: number[]; stepKeys: string[] }[] = [
    { failing: [1], stepKeys: ['one#1'] },
    { failing: [2], stepKeys: ['two#1'] },
    { failing: [1, 2], stepKeys: ['one#1', 'two#1'] },
  ];

  it.each(cases)('logs write $failing and completes', async ({ failing, stepKeys }) => {
    const { engine, store, records, logs } = await makeEngine(new Set(failing));
    const id = await engine.create('acme', 'two', { id: 'deferred' });

    const result = await engine.run('acme', id);

    expect(result.status).toBe('complete');
    expect(result.output).toEqual([1, 2]);
    expect(records).toEqual(['one', 'two']);
    const steps = await store.listSteps('acme', id);
    expect(steps.map((step) => [step.key, step.status, step.attempt])).toEqual([
      ['one#1', 'complete', 1],
      ['two#1', 'complete', 1],
    ]);
    const failures = logs.filter((entry) => entry.level === 'error');
    expect(failures.map((entry) => entry.meta?.stepKey)).toEqual(stepKeys);
    for (const [index, failure] of failures.entries()) {
      expect(failure.message).toContain('running record');
      expect(failure.meta?.instanceId).toBe(id);
      expect(String(failure.meta?.error)).toContain(
        `disk I/O error on deferred write ${failing[index]}`,
      );
    }
  });
});
