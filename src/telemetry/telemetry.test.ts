import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type SqliteDatabase } from '../core/store.js';
import { RunSpans } from './run-spans.js';
import { SqliteSpanStore } from './span-store.js';
import { renderTraceTree } from './trace-tree.js';
import { createTracing, type Tracing } from './tracing.js';

describe('run tracing', () => {
  let dir: string;
  let db: SqliteDatabase;
  let store: SqliteSpanStore;
  let tracing: Tracing;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sandstack-telemetry-'));
    db = openDatabase(join(dir, 'state.db'));
    store = new SqliteSpanStore(db);
    tracing = createTracing({ exporters: [store] });
  });

  afterEach(async () => {
    await tracing.shutdown();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('nests step and call spans under the run', () => {
    const run = store.runContext('run_1', () => tracing.newRunContext());
    const spans = new RunSpans(tracing, run, { 'sandstack.tenant': 'acme' });
    spans.onEvent({ type: 'step.start', instanceId: 'run_1', stepKey: 'build#1', attempt: 1 });
    spans.startSpan('guard.decide', 'build#1', { 'sandstack.guard.verdict': 'allow' }).end();
    spans.onEvent({
      type: 'step.complete',
      instanceId: 'run_1',
      stepKey: 'build#1',
      durationMs: 3,
    });
    spans.finish('complete', false);

    const stored = store.getTrace(run.traceId);
    const byName = new Map(stored.map((span) => [span.name, span]));
    expect(stored).toHaveLength(3);
    expect(byName.get('workflow.run')?.spanId).toBe(run.spanId);
    expect(byName.get('workflow.run')?.parentSpanId).toBeUndefined();
    expect(byName.get('workflow.step')?.parentSpanId).toBe(run.spanId);
    expect(byName.get('guard.decide')?.parentSpanId).toBe(byName.get('workflow.step')?.spanId);
    expect(byName.get('guard.decide')?.attributes['sandstack.tenant']).toBe('acme');
  });

  it('keeps one trace across a resumed run', () => {
    const first = store.runContext('run_2', () => tracing.newRunContext());
    const again = store.runContext('run_2', () => tracing.newRunContext());
    expect(again).toEqual(first);
    expect(store.traceIdOf('run_2')).toBe(first.traceId);
    expect(store.traceIdOf('run_unknown')).toBeUndefined();
  });

  it('marks failed steps and runs as errors', () => {
    const run = store.runContext('run_3', () => tracing.newRunContext());
    const spans = new RunSpans(tracing, run, {});
    spans.onEvent({ type: 'step.start', instanceId: 'run_3', stepKey: 'x#1', attempt: 1 });
    spans.onEvent({
      type: 'step.failed',
      instanceId: 'run_3',
      stepKey: 'x#1',
      error: { code: 'STEP_FAILED', message: 'boom', retryable: false },
    });
    spans.finish('errored', true);

    const stored = store.getTrace(run.traceId);
    expect(stored.find((span) => span.name === 'workflow.step')?.statusCode).toBe(2);
    expect(stored.find((span) => span.name === 'workflow.step')?.statusMessage).toBe('boom');
    expect(stored.find((span) => span.name === 'workflow.run')?.statusCode).toBe(2);
  });

  it('renders children indented below parents', () => {
    const run = store.runContext('run_4', () => tracing.newRunContext());
    const spans = new RunSpans(tracing, run, {});
    spans.onEvent({ type: 'step.start', instanceId: 'run_4', stepKey: 'a#1', attempt: 1 });
    spans.startSpan('sandbox.exec', 'a#1', { 'sandstack.exec.exit_code': 0 }).end();
    spans.onEvent({ type: 'step.complete', instanceId: 'run_4', stepKey: 'a#1', durationMs: 1 });
    spans.finish('complete', false);

    const lines = renderTraceTree(store.getTrace(run.traceId));
    expect(lines[0]).toMatch(/^workflow\.run /);
    expect(lines[1]).toMatch(/^ {2}workflow\.step .*step\.key=a#1/);
    expect(lines[2]).toMatch(/^ {4}sandbox\.exec .*exec\.exit_code=0/);
  });
});
