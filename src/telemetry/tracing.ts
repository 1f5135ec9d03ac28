import { randomBytes } from 'node:crypto';
import {
  context as otelContext,
  trace,
  SpanStatusCode,
  type Attributes,
  type Context,
  type Span,
  type SpanKind,
  type Tracer,
} from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  SimpleSpanProcessor,
  type IdGenerator,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';

/**
 * Id generator that hands out preset ids once when asked, and random ids otherwise. A run
 * that resumes after a crash ends its root span in a later process, which must reuse the
 * trace and span ids the first process chose and stored.
 */
class ResumableIdGenerator implements IdGenerator {
  #nextTraceId: string | undefined;
  #nextSpanId: string | undefined;

  preset(traceId: string, spanId: string): void {
    this.#nextTraceId = traceId;
    this.#nextSpanId = spanId;
  }

  generateTraceId(): string {
    const preset = this.#nextTraceId;
    this.#nextTraceId = undefined;
    return preset ?? randomBytes(16).toString('hex');
  }

  generateSpanId(): string {
    const preset = this.#nextSpanId;
    this.#nextSpanId = undefined;
    return preset ?? randomBytes(8).toString('hex');
  }
}

/** Ids and start time of a run's root span, stored so a resumed run joins the same trace. */
export interface RunTraceContext {
  traceId: string;
  spanId: string;
  startTimeMs: number;
}

/** Options for {@link createTracing}. */
export interface TracingOptions {
  /** Exporters that receive each span as it ends, such as the local span store. */
  exporters: SpanExporter[];
  /** Exporters that receive spans in batches, such as an OTLP collector. */
  batchExporters?: SpanExporter[];
  /** `service.name` of the spans. @default process.env.OTEL_SERVICE_NAME ?? 'sandstack' */
  serviceName?: string;
}

/** A tracer provider plus the helpers sandstack uses to keep one trace per run. */
export interface Tracing {
  tracer: Tracer;
  /** Starts a new run trace and returns its root context, to be stored with the run. */
  newRunContext(): RunTraceContext;
  /** Returns an OpenTelemetry context whose parent is the run's (not yet ended) root span. */
  runParent(run: RunTraceContext): Context;
  /** Starts a child span of `parent`; its kind is INTERNAL unless given. */
  startSpan(name: string, parent: Context, attributes?: Attributes, kind?: SpanKind): Span;
  /** Returns a context in which `span` is the parent of new spans. */
  stepContext(span: Span, parent: Context): Context;
  /** Ends the run's root span; call once, when the run has finished. */
  endRun(run: RunTraceContext, name: string, attributes: Attributes, failed: boolean): void;
  shutdown(): Promise<void>;
}

/**
 * Creates the tracer provider. Spans reach `exporters` one by one as they end, so a crash loses
 * at most the spans still open; `batchExporters` get them in batches, flushed at shutdown.
 */
export function createTracing(options: TracingOptions): Tracing {
  const idGenerator = new ResumableIdGenerator();
  const provider = new BasicTracerProvider({
    idGenerator,
    resource: resourceFromAttributes({
      'service.name': options.serviceName ?? process.env.OTEL_SERVICE_NAME ?? 'sandstack',
    }),
    spanProcessors: [
      ...options.exporters.map((exporter) => new SimpleSpanProcessor(exporter)),
      ...(options.batchExporters ?? []).map((exporter) => new BatchSpanProcessor(exporter)),
    ],
  });
  const tracer = provider.getTracer('sandstack', '0.1.0');

  return {
    tracer,
    newRunContext: () => ({
      traceId: randomBytes(16).toString('hex'),
      spanId: randomBytes(8).toString('hex'),
      startTimeMs: Date.now(),
    }),
    runParent: (run) =>
      trace.setSpanContext(otelContext.active(), {
        traceId: run.traceId,
        spanId: run.spanId,
        traceFlags: 1,
        isRemote: false,
      }),
    startSpan: (name, parent, attributes, kind) =>
      tracer.startSpan(name, { attributes, ...(kind === undefined ? {} : { kind }) }, parent),
    stepContext: (span, parent) => trace.setSpan(parent, span),
    endRun: (run, name, attributes, failed) => {
      idGenerator.preset(run.traceId, run.spanId);
      const span = tracer.startSpan(name, { root: true, startTime: run.startTimeMs, attributes });
      span.setStatus({ code: failed ? SpanStatusCode.ERROR : SpanStatusCode.OK });
      span.end();
    },
    shutdown: () => provider.shutdown(),
  };
}
