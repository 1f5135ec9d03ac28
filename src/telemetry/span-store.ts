import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { migrate, type SqliteDatabase } from '../core/store.js';
import type { RunTraceContext } from './tracing.js';

/** Result of an export, shaped as OpenTelemetry's `ExportResult` (code 0 success, 1 failure). */
interface ExportResult {
  code: number;
  error?: Error;
}

const MIGRATIONS = [
  `CREATE TABLE spans (
     trace_id TEXT NOT NULL,
     span_id TEXT NOT NULL,
     parent_span_id TEXT,
     name TEXT NOT NULL,
     start_ns INTEGER NOT NULL,
     end_ns INTEGER NOT NULL,
     status_code INTEGER NOT NULL,
     status_message TEXT,
     attributes TEXT NOT NULL,
     PRIMARY KEY (trace_id, span_id)
   );
   CREATE INDEX spans_by_start ON spans (start_ns);
   CREATE TABLE run_traces (
     instance_id TEXT PRIMARY KEY,
     trace_id TEXT NOT NULL,
     span_id TEXT NOT NULL,
     start_ms INTEGER NOT NULL
   );`,
];

/** One stored span, as read back from the local span store. */
export interface StoredSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  startMs: number;
  endMs: number;
  /** 0 unset, 1 ok, 2 error, as in OpenTelemetry's SpanStatusCode. */
  statusCode: number;
  statusMessage: string | undefined;
  attributes: Record<string, unknown>;
}

interface SpanRow {
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  name: string;
  start_ns: number;
  end_ns: number;
  status_code: number;
  status_message: string | null;
  attributes: string;
}

function hrTimeToNs(time: [number, number]): number {
  // Nanoseconds since 1970 fit a JavaScript number to within ~256 ns, which is plenty here.
  return time[0] * 1e9 + time[1];
}

/**
 * Local span store in the state database, so traces can be read with no collector.
 * It is also an OpenTelemetry `SpanExporter`: each ended span is written synchronously,
 * so a span that ended before a crash is never lost.
 */
/** Key of a run's trace in the store: instance ids are unique per tenant only. */
export function runTraceKey(tenant: string, instanceId: string): string {
  return `${tenant}/${instanceId}`;
}

export class SqliteSpanStore implements SpanExporter {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    migrate(db, 'telemetry', MIGRATIONS);
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    try {
      this.write(spans);
      resultCallback({ code: 0 });
    } catch (error) {
      resultCallback({ code: 1, error: error instanceof Error ? error : new Error(String(error)) });
    }
  }

  async shutdown(): Promise<void> {
    // Nothing is buffered: every span is written when it is exported.
  }

  /** Writes spans; a span with the same trace and span id replaces the stored one. */
  write(spans: readonly ReadableSpan[]): void {
    const insert = this.#db.prepare(
      `INSERT OR REPLACE INTO spans
       (trace_id, span_id, parent_span_id, name, start_ns, end_ns, status_code, status_message, attributes)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#db.transaction(() => {
      for (const span of spans) {
        const context = span.spanContext();
        insert.run(
          context.traceId,
          context.spanId,
          span.parentSpanContext?.spanId ?? null,
          span.name,
          hrTimeToNs(span.startTime),
          hrTimeToNs(span.endTime),
          span.status.code,
          span.status.message ?? null,
          JSON.stringify(span.attributes),
        );
      }
    })();
  }

  /** Returns the trace context stored for a run, creating and storing one with `create` if none. */
  runContext(instanceId: string, create: () => RunTraceContext): RunTraceContext {
    const row = this.#db
      .prepare('SELECT trace_id, span_id, start_ms FROM run_traces WHERE instance_id = ?')
      .get(instanceId) as { trace_id: string; span_id: string; start_ms: number } | undefined;
    if (row !== undefined) {
      return { traceId: row.trace_id, spanId: row.span_id, startTimeMs: row.start_ms };
    }
    const created = create();
    this.#db
      .prepare(
        'INSERT INTO run_traces (instance_id, trace_id, span_id, start_ms) VALUES (?, ?, ?, ?)',
      )
      .run(instanceId, created.traceId, created.spanId, created.startTimeMs);
    return created;
  }

  /** Returns the trace id of a run, or undefined when the run has none. */
  /**
   * Lists the stored run traces of an instance id across tenants: keys are
   * `<tenant>/<instanceId>` (see {@link runTraceKey}), or the bare id for runs stored before.
   */
  findRunTraces(instanceId: string): { key: string; traceId: string }[] {
    const rows = this.#db
      .prepare(
        `SELECT instance_id AS key, trace_id AS traceId FROM run_traces
          WHERE instance_id = ? OR substr(instance_id, -length(?) - 1) = '/' || ?`,
      )
      .all(instanceId, instanceId, instanceId) as { key: string; traceId: string }[];
    return rows;
  }

  traceIdOf(instanceId: string): string | undefined {
    const row = this.#db
      .prepare('SELECT trace_id FROM run_traces WHERE instance_id = ?')
      .get(instanceId) as { trace_id: string } | undefined;
    return row?.trace_id;
  }

  /** Returns the spans of one trace, oldest first. */
  getTrace(traceId: string): StoredSpan[] {
    const rows = this.#db
      .prepare('SELECT * FROM spans WHERE trace_id = ? ORDER BY start_ns, span_id')
      .all(traceId) as SpanRow[];
    return rows.map(toStoredSpan);
  }
}

function toStoredSpan(row: SpanRow): StoredSpan {
  return {
    traceId: row.trace_id,
    spanId: row.span_id,
    parentSpanId: row.parent_span_id ?? undefined,
    name: row.name,
    startMs: row.start_ns / 1e6,
    endMs: row.end_ns / 1e6,
    statusCode: row.status_code,
    statusMessage: row.status_message ?? undefined,
    attributes: JSON.parse(row.attributes) as Record<string, unknown>,
  };
}
