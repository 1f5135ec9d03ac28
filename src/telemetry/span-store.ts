import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { SqlClient, SqlDatabase, SqlMigrations } from '../core/sql.js';
import type { RunTraceContext } from './tracing.js';

/** Result of an export, shaped as OpenTelemetry's `ExportResult` (code 0 success, 1 failure). */
interface ExportResult {
  code: number;
  error?: Error;
}

const SQLITE_MIGRATIONS = [
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

/** The same tables in PostgreSQL, so a run whose steps ran on several nodes has one trace. */
const POSTGRES_MIGRATIONS = [
  `CREATE TABLE spans (
     trace_id TEXT NOT NULL, span_id TEXT NOT NULL, parent_span_id TEXT, name TEXT NOT NULL,
     start_ns BIGINT NOT NULL, end_ns BIGINT NOT NULL, status_code INTEGER NOT NULL,
     status_message TEXT, attributes TEXT NOT NULL,
     PRIMARY KEY (trace_id, span_id));
   CREATE INDEX spans_by_start ON spans (start_ns);
   CREATE TABLE run_traces (
     instance_id TEXT PRIMARY KEY, trace_id TEXT NOT NULL, span_id TEXT NOT NULL,
     start_ms BIGINT NOT NULL);`,
];

const MIGRATIONS: SqlMigrations = { sqlite: SQLITE_MIGRATIONS, postgres: POSTGRES_MIGRATIONS };

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

/** Key of a run's trace in the store: instance ids are unique per tenant only. */
export function runTraceKey(tenant: string, instanceId: string): string {
  return `${tenant}/${instanceId}`;
}

/**
 * Span store in the state database or the PostgreSQL database that all nodes share, so
 * traces can be read with no collector. It is also an OpenTelemetry `SpanExporter`: each
 * ended span is written as it is exported. On SQLite the write finishes before `export`
 * returns, so a span that ended before a crash is never lost. On PostgreSQL it finishes
 * a network round trip later, and a crash in between loses that span.
 */
export class SpanStore implements SpanExporter {
  readonly #sql: SqlClient;
  /** Span writes started by {@link export} and not finished yet. */
  #pending = new Set<Promise<void>>();

  private constructor(sql: SqlClient) {
    this.#sql = sql;
  }

  /** Applies the schema migrations on `sql` and returns the store. */
  static async open(sql: SqlDatabase): Promise<SpanStore> {
    await sql.migrate('telemetry', MIGRATIONS);
    return new SpanStore(sql);
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    const write = this.write(spans).then(
      () => resultCallback({ code: 0 }),
      (error: unknown) =>
        resultCallback({
          code: 1,
          error: error instanceof Error ? error : new Error(String(error)),
        }),
    );
    this.#pending.add(write);
    void write.finally(() => this.#pending.delete(write));
  }

  /** Waits for the span writes in progress. */
  async forceFlush(): Promise<void> {
    await Promise.all([...this.#pending]);
  }

  async shutdown(): Promise<void> {
    await this.forceFlush();
  }

  /** Writes spans; a span with the same trace and span id replaces the stored one. */
  async write(spans: readonly ReadableSpan[]): Promise<void> {
    await this.#sql.transaction(async (tx) => {
      for (const span of spans) {
        const context = span.spanContext();
        await tx.run(
          `INSERT INTO spans
           (trace_id, span_id, parent_span_id, name, start_ns, end_ns, status_code, status_message, attributes)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (trace_id, span_id) DO UPDATE SET parent_span_id = excluded.parent_span_id,
             name = excluded.name, start_ns = excluded.start_ns, end_ns = excluded.end_ns,
             status_code = excluded.status_code, status_message = excluded.status_message,
             attributes = excluded.attributes`,
          [
            context.traceId,
            context.spanId,
            span.parentSpanContext?.spanId ?? null,
            span.name,
            hrTimeToNs(span.startTime),
            hrTimeToNs(span.endTime),
            span.status.code,
            span.status.message ?? null,
            JSON.stringify(span.attributes),
          ],
        );
      }
    });
  }

  /**
   * Returns the trace context stored for a run, creating and storing one with `create` if
   * none. When two nodes create one at once, both get the one stored first.
   */
  async runContext(key: string, create: () => RunTraceContext): Promise<RunTraceContext> {
    const stored = await this.#readRunContext(key);
    if (stored !== undefined) {
      return stored;
    }
    const created = create();
    await this.#sql.run(
      `INSERT INTO run_traces (instance_id, trace_id, span_id, start_ms) VALUES (?, ?, ?, ?)
       ON CONFLICT (instance_id) DO NOTHING`,
      [key, created.traceId, created.spanId, created.startTimeMs],
    );
    return (await this.#readRunContext(key)) ?? created;
  }

  async #readRunContext(key: string): Promise<RunTraceContext | undefined> {
    const row = await this.#sql.get<{ trace_id: string; span_id: string; start_ms: number }>(
      'SELECT trace_id, span_id, start_ms FROM run_traces WHERE instance_id = ?',
      [key],
    );
    return row === undefined
      ? undefined
      : { traceId: row.trace_id, spanId: row.span_id, startTimeMs: row.start_ms };
  }

  /**
   * Lists the stored run traces of an instance id across tenants: keys are
   * `<tenant>/<instanceId>` (see {@link runTraceKey}), or the bare id for runs stored before.
   */
  async findRunTraces(instanceId: string): Promise<{ key: string; traceId: string }[]> {
    const suffix = `/${instanceId}`;
    return this.#sql.all<{ key: string; traceId: string }>(
      `SELECT instance_id AS key, trace_id AS "traceId" FROM run_traces
        WHERE instance_id = ? OR substr(instance_id, length(instance_id) - ? + 1) = ?`,
      [instanceId, suffix.length, suffix],
    );
  }

  /** Returns the trace id of a run, or undefined when the run has none. */
  async traceIdOf(key: string): Promise<string | undefined> {
    const row = await this.#sql.get<{ trace_id: string }>(
      'SELECT trace_id FROM run_traces WHERE instance_id = ?',
      [key],
    );
    return row?.trace_id;
  }

  /** Returns the spans of one trace, oldest first, after this process's pending writes. */
  async getTrace(traceId: string): Promise<StoredSpan[]> {
    await this.forceFlush();
    const rows = await this.#sql.all<SpanRow>(
      'SELECT * FROM spans WHERE trace_id = ? ORDER BY start_ns, span_id',
      [traceId],
    );
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
