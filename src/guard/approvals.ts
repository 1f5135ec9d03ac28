/**
 * The approval queue: tool calls the guard decided `ask` wait here until a human approves or
 * denies them, or until their timeout denies them. The queue lives in a SQLite file, so the
 * waiting hook, the CLI and the HTTP server can be different processes, or in the
 * PostgreSQL database that several server nodes share, so a call asked on one node can be
 * decided on another.
 */
import { SandstackError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { sqliteClient, type SqlClient, type SqlDatabase, type SqlMigrations } from '../core/sql.js';
import { migrate, openDatabase } from '../core/store.js';
import { redactSecrets } from './redact.js';
import type { Decision, ToolCall } from './types.js';

/**
 * State of an approval request. Allowed transitions: `pending` → `approved`, `denied` or
 * `expired`. The other three are final.
 */
export type ApprovalStatus = 'pending' | 'approved' | 'denied' | 'expired';

/** A tool call waiting for, or decided by, a human. */
export interface ApprovalRequest {
  id: string;
  status: ApprovalStatus;
  tool: string;
  /** Tool input with secrets redacted. */
  input: Record<string, unknown>;
  /** The guard's reason for asking, such as the stage-1 reason. */
  reason: string;
  category: string | null;
  rule: string | null;
  sessionId: string | null;
  /** ISO 8601 times. */
  createdAt: string;
  expiresAt: string;
  decidedAt: string | null;
  /**
   * Decider of the request, as given to `approve` or `deny` in `by`. The server sets it to
   * the authenticated caller (`tenant/tokenId`, or the admin token's id).
   */
  decidedBy: string | null;
  /** Free-text name that the decider gave for themselves, kept beside `decidedBy`. */
  decidedByLabel: string | null;
  note: string | null;
}

/** The call to put in the queue. */
export interface EnqueueOptions {
  tool: string;
  input: Record<string, unknown>;
  reason: string;
  category?: string;
  rule?: string;
  sessionId?: string;
  /** Time after which the request expires, which denies it. @default 300000 */
  timeoutMs?: number;
}

/** Name of the decider and an optional note. */
export interface ResolveOptions {
  /** Name of the person or system that decided. @default 'unknown' */
  by?: string;
  /** Free-text name that the decider gave for themselves, stored as `decidedByLabel`. */
  label?: string;
  note?: string;
}

/** Options for {@link ApprovalQueue}. */
export interface ApprovalQueueOptions {
  /** How often `wait` reads the database for a decision made by another process. @default 200 */
  pollIntervalMs?: number;
  /** Clock for `createdAt` and expiry. @default Date.now */
  now?: () => number;
}

/** Filter for {@link ApprovalQueue.list}. */
export interface ListApprovalsOptions {
  status?: ApprovalStatus;
  /** Only requests whose session id starts with this text, such as `acme/` for one tenant's runs. */
  sessionPrefix?: string;
  /** @default 100 */
  limit?: number;
}

const SQLITE_MIGRATIONS = [
  `CREATE TABLE guard_approvals (
     id TEXT PRIMARY KEY,
     status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'expired')),
     tool TEXT NOT NULL,
     input TEXT NOT NULL,
     reason TEXT NOT NULL,
     category TEXT,
     rule TEXT,
     session_id TEXT,
     created_at TEXT NOT NULL,
     expires_at TEXT NOT NULL,
     decided_at TEXT,
     decided_by TEXT,
     note TEXT
   );
   CREATE INDEX guard_approvals_status ON guard_approvals (status, created_at)`,
  `ALTER TABLE guard_approvals ADD COLUMN decided_by_label TEXT`,
];

const MIGRATIONS: SqlMigrations = {
  sqlite: SQLITE_MIGRATIONS,
  // Times stay ISO 8601 text, so they compare as in SQLite.
  postgres: SQLITE_MIGRATIONS,
};

interface ApprovalRow {
  id: string;
  status: ApprovalStatus;
  tool: string;
  input: string;
  reason: string;
  category: string | null;
  rule: string | null;
  session_id: string | null;
  created_at: string;
  expires_at: string;
  decided_at: string | null;
  decided_by: string | null;
  decided_by_label: string | null;
  note: string | null;
}

const STATUSES: readonly ApprovalStatus[] = ['pending', 'approved', 'denied', 'expired'];

/**
 * An approval queue in a SQLite file or a PostgreSQL database.
 *
 * @example
 * const queue = ApprovalQueue.open('.sandstack/approvals.db');
 * const request = await queue.enqueue({ tool: 'Bash', input: { command: 'gh pr merge 12' }, reason: 'Merges a PR' });
 * const decided = await queue.wait(request.id, { timeoutMs: 45_000 });
 * decided.status; // 'approved', 'denied' or 'expired'
 */
export class ApprovalQueue {
  readonly #sql: SqlClient;
  readonly #pollIntervalMs: number;
  readonly #now: () => number;

  private constructor(sql: SqlClient, options: ApprovalQueueOptions) {
    this.#pollIntervalMs = options.pollIntervalMs ?? 200;
    if (!(this.#pollIntervalMs > 0)) {
      throw new SandstackError(
        'INVALID_CONFIG',
        `Invalid pollIntervalMs ${this.#pollIntervalMs}; give a positive number of milliseconds`,
      );
    }
    this.#now = options.now ?? Date.now;
    this.#sql = sql;
  }

  /**
   * Opens (and creates) the queue in the SQLite file at `path`.
   *
   * @throws SandstackError `STORE_FAILED` when the file cannot be opened, `INVALID_CONFIG`
   * when `pollIntervalMs` is not positive.
   */
  static open(path: string, options: ApprovalQueueOptions = {}): ApprovalQueue {
    const db = openDatabase(path);
    migrate(db, 'guard-approvals', SQLITE_MIGRATIONS);
    return new ApprovalQueue(sqliteClient(db), options);
  }

  /**
   * Applies the schema migrations on `sql` and returns the queue stored there.
   *
   * @throws SandstackError `INVALID_CONFIG` when `pollIntervalMs` is not positive.
   */
  static async openOn(
    sql: SqlDatabase,
    options: ApprovalQueueOptions = {},
  ): Promise<ApprovalQueue> {
    const queue = new ApprovalQueue(sql, options);
    await sql.migrate('guard-approvals', MIGRATIONS);
    return queue;
  }

  /**
   * Adds a pending request and returns it. Secrets in the input are redacted before it is
   * stored, because the queue is shown to people and over HTTP.
   *
   * @throws SandstackError `INVALID_ARGUMENT` when `timeoutMs` is not positive.
   */
  async enqueue(options: EnqueueOptions): Promise<ApprovalRequest> {
    const timeoutMs = options.timeoutMs ?? 300_000;
    if (!(timeoutMs > 0)) {
      throw new SandstackError(
        'INVALID_ARGUMENT',
        `Invalid approval timeoutMs ${timeoutMs}; give a positive number of milliseconds`,
      );
    }
    const now = this.#now();
    const id = newId('apr');
    await this.#sql.run(
      `INSERT INTO guard_approvals
         (id, status, tool, input, reason, category, rule, session_id, created_at, expires_at)
       VALUES (?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        id,
        options.tool,
        JSON.stringify(redactValue(options.input)),
        redactSecrets(options.reason),
        options.category ?? null,
        options.rule ?? null,
        options.sessionId ?? null,
        new Date(now).toISOString(),
        new Date(now + timeoutMs).toISOString(),
      ],
    );
    return this.#require(id);
  }

  /** Returns the request with `id`, or undefined. Overdue pending requests read as expired. */
  async get(id: string): Promise<ApprovalRequest | undefined> {
    await this.#expireOverdue();
    const row = await this.#sql.get<ApprovalRow>('SELECT * FROM guard_approvals WHERE id = ?', [
      id,
    ]);
    return row === undefined ? undefined : toRequest(row);
  }

  /**
   * Lists requests, newest first.
   *
   * @throws SandstackError `INVALID_ARGUMENT` for an unknown status.
   */
  async list(options: ListApprovalsOptions = {}): Promise<ApprovalRequest[]> {
    const limit = options.limit ?? 100;
    if (options.status !== undefined && !STATUSES.includes(options.status)) {
      throw new SandstackError(
        'INVALID_ARGUMENT',
        `Invalid approval status ${JSON.stringify(options.status)}; use one of ${STATUSES.join(', ')}`,
      );
    }
    await this.#expireOverdue();
    // substr() rather than LIKE, because "_" in a tenant id is a LIKE wildcard.
    const prefix = options.sessionPrefix ?? '';
    const rows = await this.#sql.all<ApprovalRow>(
      `SELECT * FROM guard_approvals
       WHERE (CAST(? AS TEXT) IS NULL OR status = ?) AND substr(coalesce(session_id, ''), 1, ?) = ?
       ORDER BY created_at DESC, id LIMIT ?`,
      [options.status ?? null, options.status ?? null, prefix.length, prefix, limit],
    );
    return rows.map(toRequest);
  }

  /**
   * Approves a pending request.
   *
   * @throws SandstackError `NOT_FOUND` for an unknown id, `ALREADY_EXISTS` when it was already decided or expired.
   */
  approve(id: string, options: ResolveOptions = {}): Promise<ApprovalRequest> {
    return this.#resolve(id, 'approved', options);
  }

  /**
   * Denies a pending request.
   *
   * @throws SandstackError `NOT_FOUND` for an unknown id, `ALREADY_EXISTS` when it was already decided or expired.
   */
  deny(id: string, options: ResolveOptions = {}): Promise<ApprovalRequest> {
    return this.#resolve(id, 'denied', options);
  }

  /**
   * Expires every pending request of `sessionId`, which denies each one, with `note` as the
   * reason, as when the run that waits for them is terminated. Resolves to how many expired.
   */
  expireSession(sessionId: string, note: string): Promise<number> {
    return this.#sql.run(
      `UPDATE guard_approvals SET status = 'expired', decided_at = ?, note = ?
       WHERE status = 'pending' AND session_id = ?`,
      [new Date(this.#now()).toISOString(), note, sessionId],
    );
  }

  /**
   * Waits until the request is decided, by this process or another one. When `timeoutMs`
   * passes first, the request's own expiry does or `signal` aborts, the request is marked
   * `expired`, which denies it.
   *
   * @throws SandstackError `NOT_FOUND` for an unknown id.
   */
  async wait(
    id: string,
    options: { timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<ApprovalRequest> {
    const started = this.#now();
    for (;;) {
      const request = await this.get(id);
      if (request === undefined) {
        throw new SandstackError('NOT_FOUND', `Approval request "${id}" not found`, {
          remedy: {
            cli: 'list them with "sandstack guard approvals list"',
            http: 'list them with GET /v1/approvals',
          },
        });
      }
      if (request.status !== 'pending') {
        return request;
      }
      const waitedMs = this.#now() - started;
      const timedOut = options.timeoutMs !== undefined && waitedMs >= options.timeoutMs;
      if (timedOut || options.signal?.aborted === true) {
        return this.#expire(id);
      }
      await sleepUnlessAborted(this.#pollIntervalMs, options.signal);
    }
  }

  async #resolve(
    id: string,
    status: 'approved' | 'denied',
    options: ResolveOptions,
  ): Promise<ApprovalRequest> {
    await this.#expireOverdue();
    const changed = await this.#sql.run(
      `UPDATE guard_approvals SET status = ?, decided_at = ?, decided_by = ?,
         decided_by_label = ?, note = ?
       WHERE id = ? AND status = 'pending'`,
      [
        status,
        new Date(this.#now()).toISOString(),
        options.by ?? 'unknown',
        options.label ?? null,
        options.note ?? null,
        id,
      ],
    );
    const request = await this.get(id);
    if (request === undefined) {
      throw new SandstackError('NOT_FOUND', `Approval request "${id}" not found`, {
        remedy: {
          cli: 'list the pending ones with "sandstack guard approvals list"',
          http: 'list the pending ones with GET /v1/approvals',
        },
      });
    }
    if (changed === 0) {
      throw new SandstackError(
        'ALREADY_EXISTS',
        `Approval request "${id}" is already ${request.status}; only pending requests can be approved or denied`,
      );
    }
    return request;
  }

  async #expire(id: string): Promise<ApprovalRequest> {
    // Only a still-pending request expires, so a decision made at the last moment is kept.
    await this.#sql.run(
      `UPDATE guard_approvals SET status = 'expired', decided_at = ? WHERE id = ? AND status = 'pending'`,
      [new Date(this.#now()).toISOString(), id],
    );
    return this.#require(id);
  }

  async #expireOverdue(): Promise<void> {
    const now = new Date(this.#now()).toISOString();
    await this.#sql.run(
      `UPDATE guard_approvals SET status = 'expired', decided_at = ?
       WHERE status = 'pending' AND expires_at <= ?`,
      [now, now],
    );
  }

  async #require(id: string): Promise<ApprovalRequest> {
    const request = await this.get(id);
    if (request === undefined) {
      throw new SandstackError('INTERNAL', `Approval request "${id}" vanished from the queue`);
    }
    return request;
  }
}

/** Options for {@link waitForApproval}. */
export interface ApprovalWaitOptions {
  call: ToolCall;
  /** The guard's `ask` decision. */
  decision: Decision;
  sessionId?: string;
  /** Time to wait for a human before the request expires and the call is denied. */
  timeoutMs: number;
  /** Expires the request at once, which denies the call, such as when the caller stops. */
  signal?: AbortSignal;
}

/**
 * Puts an `ask` decision in `queue`, waits for a human, and returns the decision as
 * `allow` when approved or `deny` when denied or expired. The reason names who decided.
 *
 * @example
 * const final = await waitForApproval(queue, { call, decision, timeoutMs: 45_000 });
 */
export async function waitForApproval(
  queue: ApprovalQueue,
  options: ApprovalWaitOptions,
): Promise<Decision> {
  const { call, decision, timeoutMs } = options;
  const request = await queue.enqueue({
    tool: call.tool,
    input: call.input,
    reason: decision.reason,
    timeoutMs,
    ...(options.sessionId === undefined ? {} : { sessionId: options.sessionId }),
    ...(decision.category === undefined ? {} : { category: decision.category }),
    ...(decision.rule === undefined ? {} : { rule: decision.rule }),
  });
  const decided = await queue.wait(request.id, {
    timeoutMs,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  const by = decided.decidedBy ?? 'unknown';
  const note = decided.note === null ? '' : ` (${decided.note})`;
  if (decided.status === 'approved') {
    return {
      ...decision,
      verdict: 'allow',
      reason: `${by} approved request ${decided.id}${note}, which the guard had flagged: ${decision.reason}`,
    };
  }
  const why =
    decided.status === 'denied'
      ? `${by} denied request ${decided.id}${note}`
      : decided.note !== null
        ? `Request ${decided.id} expired before a decision${note}, so it is denied`
        : `No one approved request ${decided.id} within ${timeoutMs / 1000} s, so it is denied`;
  return { ...decision, verdict: 'deny', reason: `${why}: ${decision.reason}` };
}

/** Resolves after `ms`, or as soon as `signal` aborts. */
function sleepUnlessAborted(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Redacts every string inside `value`; redacting the JSON text could break its escapes. */
function redactValue(value: unknown): unknown {
  if (typeof value === 'string') {
    return redactSecrets(value);
  }
  if (Array.isArray(value)) {
    return value.map(redactValue);
  }
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactValue(item)]));
  }
  return value;
}

function toRequest(row: ApprovalRow): ApprovalRequest {
  return {
    id: row.id,
    status: row.status,
    tool: row.tool,
    input: JSON.parse(row.input) as Record<string, unknown>,
    reason: row.reason,
    category: row.category,
    rule: row.rule,
    sessionId: row.session_id,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    decidedAt: row.decided_at,
    decidedBy: row.decided_by,
    decidedByLabel: row.decided_by_label ?? null,
    note: row.note,
  };
}
