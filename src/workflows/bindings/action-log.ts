import { migrate, type SqliteDatabase } from '../../core/store.js';

const MIGRATIONS = [
  `CREATE TABLE actions (
     tenant TEXT NOT NULL,
     instance_id TEXT NOT NULL,
     step_key TEXT NOT NULL,
     call_index INTEGER NOT NULL,
     kind TEXT NOT NULL,
     tool TEXT NOT NULL,
     input TEXT NOT NULL,
     verdict TEXT NOT NULL,
     reason TEXT NOT NULL,
     category TEXT,
     rule TEXT,
     stage TEXT,
     tier INTEGER,
     sandbox_id TEXT,
     exit_code INTEGER,
     duration_ms REAL,
     time_ms INTEGER NOT NULL,
     PRIMARY KEY (instance_id, step_key, call_index)
   );
   CREATE INDEX actions_by_tenant ON actions (tenant, instance_id);`,
  'ALTER TABLE actions ADD COLUMN output_truncated_at INTEGER',
];

/** One recorded action of a run: a guarded tool call, a claim, an upload or a release. */
export interface ActionRecord {
  tenant: string;
  instanceId: string;
  stepKey: string;
  callIndex: number;
  kind: 'tool' | 'claim' | 'upload' | 'release';
  tool: string;
  /** The call's input with secrets redacted. */
  input: Record<string, unknown>;
  verdict: 'allow' | 'deny' | 'ask';
  reason: string;
  category?: string | undefined;
  rule?: string | undefined;
  stage?: string | undefined;
  tier?: number | undefined;
  sandboxId?: string | undefined;
  exitCode?: number | undefined;
  durationMs?: number | undefined;
  /** Byte limit at which the command's output returned to the workflow was cut, if it was. */
  outputTruncatedAt?: number | undefined;
  timeMs: number;
}

interface ActionRow {
  tenant: string;
  instance_id: string;
  step_key: string;
  call_index: number;
  kind: ActionRecord['kind'];
  tool: string;
  input: string;
  verdict: ActionRecord['verdict'];
  reason: string;
  category: string | null;
  rule: string | null;
  stage: string | null;
  tier: number | null;
  sandbox_id: string | null;
  exit_code: number | null;
  duration_ms: number | null;
  output_truncated_at: number | null;
  time_ms: number;
}

/**
 * Durable record of every action a run took and every guard decision behind it. Records are
 * keyed by instance, step and call index, so a step that runs again after a crash replaces
 * its earlier record instead of counting twice.
 */
export class ActionLog {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    migrate(db, 'actions', MIGRATIONS);
  }

  record(action: ActionRecord): void {
    this.#db
      .prepare(
        `INSERT OR REPLACE INTO actions (tenant, instance_id, step_key, call_index, kind, tool, input, verdict,
           reason, category, rule, stage, tier, sandbox_id, exit_code, duration_ms,
           output_truncated_at, time_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        action.tenant,
        action.instanceId,
        action.stepKey,
        action.callIndex,
        action.kind,
        action.tool,
        JSON.stringify(action.input),
        action.verdict,
        action.reason,
        action.category ?? null,
        action.rule ?? null,
        action.stage ?? null,
        action.tier ?? null,
        action.sandboxId ?? null,
        action.exitCode ?? null,
        action.durationMs ?? null,
        action.outputTruncatedAt ?? null,
        action.timeMs,
      );
  }

  /** Returns the recorded action at one position, if any. */
  find(instanceId: string, stepKey: string, callIndex: number): ActionRecord | undefined {
    const row = this.#db
      .prepare('SELECT * FROM actions WHERE instance_id = ? AND step_key = ? AND call_index = ?')
      .get(instanceId, stepKey, callIndex) as ActionRow | undefined;
    return row === undefined ? undefined : toRecord(row);
  }

  /** Returns one tenant's instance's actions in the order they happened. */
  list(tenant: string, instanceId: string): ActionRecord[] {
    const rows = this.#db
      .prepare(
        'SELECT * FROM actions WHERE tenant = ? AND instance_id = ? ORDER BY time_ms, step_key, call_index',
      )
      .all(tenant, instanceId) as ActionRow[];
    return rows.map(toRecord);
  }
}

function toRecord(row: ActionRow): ActionRecord {
  return {
    tenant: row.tenant,
    instanceId: row.instance_id,
    stepKey: row.step_key,
    callIndex: row.call_index,
    kind: row.kind,
    tool: row.tool,
    input: JSON.parse(row.input) as Record<string, unknown>,
    verdict: row.verdict,
    reason: row.reason,
    category: row.category ?? undefined,
    rule: row.rule ?? undefined,
    stage: row.stage ?? undefined,
    tier: row.tier ?? undefined,
    sandboxId: row.sandbox_id ?? undefined,
    exitCode: row.exit_code ?? undefined,
    durationMs: row.duration_ms ?? undefined,
    outputTruncatedAt: row.output_truncated_at ?? undefined,
    timeMs: row.time_ms,
  };
}
