/**
 * Run tracing over the span store, on a SQLite file and on PostgreSQL.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useSqlDatabases, type OpenedSqlDatabase } from '../../test/helpers/sql-databases.js';
import { RunSpans } from './run-spans.js';
import { SpanStore } from './span-store.js';
import { renderTraceTree } from './trace-tree.js';
import { createTracing, type Tracing } from './tracing.js';

const databases = useSqlDatabases();

describe.each(databases.cases)('run tracing on $name', ({ open }) => {
  let opened: OpenedSqlDatabase;
  let store: SpanStore;
  let tracing: Tracing;

  beforeEach(async () => {
    opened = await open();
    store = await SpanStore.open(opened.sql);
    tracing = createTracing({ exporters: [store] });
  });

  afterEach(async () => {
    await tracing.shutdown();
    await opened.close();
  });

  it('nests step and call spans under the run', async () => {
    const run = await store.runContext('run_1', () => tracing.newRunContext());
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

    const stored = await store.getTrace(run.traceId);
    const byName = new Map(stored.map((span) => [span.name, span]));
    expect(stored).toHaveLength(3);
    expect(byName.get('workflow.run')?.spanId).toBe(run.spanId);
    expect(byName.get('workflow.run')?.parentSpanId).toBeUndefined();
    expect(byName.get('workflow.step')?.parentSpanId).toBe(run.spanId);
    expect(byName.get('guard.decide')?.parentSpanId).toBe(byName.get('workflow.step')?.spanId);
    expect(byName.get('guard.decide')?.attributes['sandstack.tenant']).toBe('acme');
  });

  it('keeps one trace across a resumed run', async () => {
    const first = await store.runContext('run_2', () => tracing.newRunContext());
    const again = await store.runContext('run_2', () => tracing.newRunContext());
    expect(again).toEqual(first);
    expect(await store.traceIdOf('run_2')).toBe(first.traceId);
    expect(await store.traceIdOf('run_unknown')).toBeUndefined();
  });

  it('marks failed steps and runs as errors', async () => {
    const run = await store.runContext('run_3', () => tracing.newRunContext());
    const spans = new RunSpans(tracing, run, {});
    spans.onEvent({ type: 'step.start', instanceId: 'run_3', stepKey: 'x#1', attempt: 1 });
    spans.onEvent({
      type: 'step.failed',
      instanceId: 'run_3',
      stepKey: 'x#1',
      error: { code: 'STEP_FAILED', message: 'boom', retryable: false },
    });
    spans.finish('errored', true);

    const stored = await store.getTrace(run.traceId);
    expect(stored.find((span) => span.name === 'workflow.step')?.statusCode).toBe(2);
    expect(stored.find((span) => span.name === 'workflow.step')?.statusMessage).toBe('boom');
    expect(stored.find((span) => span.name === 'workflow.run')?.statusCode).toBe(2);
  });

  it('renders children indented below parents', async () => {
    const run = await store.runContext('run_4', () => tracing.newRunContext());
    const spans = new RunSpans(tracing, run, {});
    spans.onEvent({ type: 'step.start', instanceId: 'run_4', stepKey: 'a#1', attempt: 1 });
    spans.startSpan('sandbox.exec', 'a#1', { 'sandstack.exec.exit_code': 0 }).end();
    spans.onEvent({ type: 'step.complete', instanceId: 'run_4', stepKey: 'a#1', durationMs: 1 });
    spans.finish('complete', false);

    const lines = renderTraceTree(await store.getTrace(run.traceId));
    expect(lines[0]).toMatch(/^workflow\.run /);
    expect(lines[1]).toMatch(/^ {2}workflow\.step .*step\.key=a#1/);
    expect(lines[2]).toMatch(/^ {4}sandbox\.exec .*exec\.exit_code=0/);
  });

  it('finds run traces by instance id across tenants', async () => {
    const acme = await store.runContext('acme/order-1', () => tracing.newRunContext());
    await store.runContext('acme/order-10', () => tracing.newRunContext());
    await store.runContext('order-1', () => tracing.newRunContext());

    const found = await store.findRunTraces('order-1');
    const keys = found.map((entry) => entry.key).sort();
    expect(keys).toEqual(['acme/order-1', 'order-1']);
    expect(found.find((entry) => entry.key === 'acme/order-1')?.traceId).toBe(acme.traceId);
  });

  it('keeps the first context when two runs create one at once', async () => {
    const [first, second] = await Promise.all([
      store.runContext('run_5', () => tracing.newRunContext()),
      store.runContext('run_5', () => tracing.newRunContext()),
    ]);
    expect(second).toEqual(first);
    expect(await store.traceIdOf('run_5')).toBe(first.traceId);
  });
});
