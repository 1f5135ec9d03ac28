/**
 * Telemetry: one OpenTelemetry trace per workflow run, kept in the local span store and sent
 * to an OTLP collector when `OTEL_EXPORTER_OTLP_ENDPOINT` names one.
 *
 * @example
 * const spans = await SpanStore.open(sqliteClient(db));
 * const tracing = createTracing({ exporters: [spans] });
 * const run = tracing.newRunContext();
 * const runSpans = new RunSpans(tracing, run, { 'sandstack.tenant': 'acme' });
 * engine.onEvent = (event) => runSpans.onEvent(event);
 */
export { SpanStore } from './span-store.js';
export type { StoredSpan } from './span-store.js';
export { createTracing } from './tracing.js';
export { otlpExporterFromEnv } from './otlp.js';
export type { RunTraceContext, Tracing, TracingOptions } from './tracing.js';
export { RunSpans } from './run-spans.js';
export { renderTraceTree } from './trace-tree.js';
