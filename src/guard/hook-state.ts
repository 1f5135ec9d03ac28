/**
 * Denial backstop kept in a SQLite file, so that the counts of a Claude Code session survive
 * between hook calls, each of which may be a new process.
 */
import { migrate, openDatabase, type SqliteDatabase } from '../core/store.js';
import {
  haltedDecision,
  type Backstop,
  type BackstopOptions,
  type BackstopState,
} from './backstop.js';
import type { Decision } from './types.js';

const MIGRATIONS = [
  `CREATE TABLE guard_sessions (
     session_id TEXT PRIMARY KEY,
     consecutive INTEGER NOT NULL DEFAULT 0,
     total INTEGER NOT NULL DEFAULT 0,
     halted INTEGER NOT NULL DEFAULT 0,
     updated_at TEXT NOT NULL
   )`,
  `CREATE TABLE guard_pending_asks (
     session_id TEXT NOT NULL,
     tool_use_id TEXT NOT NULL,
     created_at TEXT NOT NULL,
     PRIMARY KEY (session_id, tool_use_id)
   )`,
];

/** Denial counts of one session, with the time of the last change. */
export interface SessionRecord extends BackstopState {
  sessionId: string;
  /** ISO 8601 time of the last recorded decision. */
  updatedAt: string;
}

/** A backstop whose counts live in a SQLite database. */
export interface PersistentBackstop extends Backstop {
  /** Sessions with at least one recorded decision, most recently changed first. */
  list(): SessionRecord[];
}

interface SessionRow {
  session_id: string;
  consecutive: number;
  total: number;
  halted: number;
  updated_at: string;
}

/**
 * Opens the SQLite state file at `path` (created when missing) and returns it.
 *
 * @throws SandstackError `STORE_FAILED` when the file cannot be opened.
 */
export function openGuardState(path: string): SqliteDatabase {
  const db = openDatabase(path);
  migrate(db, 'guard', MIGRATIONS);
  return db;
}

/**
 * Creates a backstop that stores per-session counts in `db`. Each update is one SQL
 * statement, so hook processes that run in parallel for one session never lose a count.
 *
 * @example
 * const backstop = createSqliteBackstop(openGuardState('.sandstack/guard.db'));
 * const guard = createGuard({ backstop, sessionId: 'session-1' });
 */
export function createSqliteBackstop(
  db: SqliteDatabase,
  options: BackstopOptions = {},
): PersistentBackstop {
  const maxConsecutive = options.maxConsecutive ?? 3;
  const maxTotal = options.maxTotal ?? 20;

  const select = db.prepare('SELECT * FROM guard_sessions WHERE session_id = ?');
  const recordDenial = db.prepare(
    `INSERT INTO guard_sessions (session_id, consecutive, total, halted, updated_at)
     VALUES (@id, 1, 1, CASE WHEN 1 >= @maxConsecutive OR 1 >= @maxTotal THEN 1 ELSE 0 END, @now)
     ON CONFLICT (session_id) DO UPDATE SET
       consecutive = consecutive + 1,
       total = total + 1,
       halted = CASE WHEN halted = 1 OR consecutive + 1 >= @maxConsecutive OR total + 1 >= @maxTotal
                THEN 1 ELSE 0 END,
       updated_at = @now`,
  );
  const recordAllow = db.prepare(
    `INSERT INTO guard_sessions (session_id, consecutive, total, halted, updated_at)
     VALUES (@id, 0, 0, 0, @now)
     ON CONFLICT (session_id) DO UPDATE SET consecutive = 0, updated_at = @now`,
  );
  const remove = db.prepare('DELETE FROM guard_sessions WHERE session_id = ?');
  const listAll = db.prepare('SELECT * FROM guard_sessions ORDER BY updated_at DESC');

  const stateOf = (sessionId: string): BackstopState => {
    const row = select.get(sessionId) as SessionRow | undefined;
    return {
      consecutive: row?.consecutive ?? 0,
      total: row?.total ?? 0,
      halted: row?.halted === 1,
    };
  };

  return {
    check(sessionId) {
      const state = stateOf(sessionId);
      if (!state.halted) {
        return undefined;
      }
      return haltedDecision(
        sessionId,
        state,
        maxConsecutive,
        maxTotal,
        `review it and run "sandstack guard session reset ${sessionId}"`,
      );
    },
    record(sessionId, decision: Decision) {
      const parameters = { id: sessionId, now: new Date().toISOString(), maxConsecutive, maxTotal };
      if (decision.verdict === 'allow') {
        recordAllow.run(parameters);
        return;
      }
      recordDenial.run(parameters);
    },
    state: stateOf,
    reset(sessionId) {
      remove.run(sessionId);
    },
    list() {
      return (listAll.all() as SessionRow[]).map((row) => ({
        sessionId: row.session_id,
        consecutive: row.consecutive,
        total: row.total,
        halted: row.halted === 1,
        updatedAt: row.updated_at,
      }));
    },
  };
}

/**
 * Wraps `backstop` so that it does not count `ask`. Use it where a human answers each `ask`
 * (Claude Code's prompt, an approval queue): the caller records the human's decision
 * instead, so an approved call resets the run of denials and a denied one counts.
 */
export function deferAsk<T extends Backstop>(backstop: T): T {
  return {
    ...backstop,
    record(sessionId: string, decision: Decision) {
      if (decision.verdict !== 'ask') {
        backstop.record(sessionId, decision);
      }
    },
  };
}

/**
 * Calls that the guard sent to Claude Code's own permission prompt, by `tool_use_id`, until
 * a `PostToolUse` or `PostToolUseFailure` event shows that the user approved and the call ran.
 */
export interface PendingAsks {
  add(sessionId: string, toolUseId: string): void;
  /** Removes the call and returns whether it was pending. */
  take(sessionId: string, toolUseId: string): boolean;
}

/** Creates the store of pending `ask` decisions in `db`, a state file from {@link openGuardState}. */
export function createPendingAsks(db: SqliteDatabase): PendingAsks {
  const insert = db.prepare(
    `INSERT OR IGNORE INTO guard_pending_asks (session_id, tool_use_id, created_at)
     VALUES (?, ?, ?)`,
  );
  const remove = db.prepare(
    'DELETE FROM guard_pending_asks WHERE session_id = ? AND tool_use_id = ?',
  );
  return {
    add(sessionId, toolUseId) {
      insert.run(sessionId, toolUseId, new Date().toISOString());
    },
    take(sessionId, toolUseId) {
      return remove.run(sessionId, toolUseId).changes > 0;
    },
  };
}
