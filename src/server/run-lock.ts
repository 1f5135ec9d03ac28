/**
 * One process at a time per instance. A lock row in the state database names the process
 * that runs an instance. A second `sandstack run --id` for that instance then stops, instead
 * of running its steps a second time alongside the first. A `sandstack serve` process owns
 * one row for the whole state folder, because it runs every instance stored there.
 */
import { hostname } from 'node:os';
import { migrate, type SqliteDatabase } from '../core/store.js';
import { SandstackError } from '../core/errors.js';

const MIGRATIONS = [
  `CREATE TABLE run_locks (
     tenant TEXT NOT NULL, instance_id TEXT NOT NULL, pid INTEGER NOT NULL, host TEXT NOT NULL,
     acquired_at_ms INTEGER NOT NULL, PRIMARY KEY (tenant, instance_id));`,
];

interface LockRow {
  pid: number;
  host: string;
  acquired_at_ms: number;
}

/** A held lock; `release` is safe to call more than once. */
export interface RunLock {
  release(): void;
}

/**
 * Takes the run lock of an instance for this process. A lock whose process has exited (on
 * this host) is taken over.
 * @throws SandstackError `ALREADY_EXISTS` when a live process holds the lock, or when a
 *   `sandstack serve` process holds the state folder, because it runs every instance there
 */
export function acquireRunLock(db: SqliteDatabase, tenant: string, instanceId: string): RunLock {
  migrate(db, 'run_locks', MIGRATIONS);
  const server = readLiveLock(db, SERVER_KEY);
  if (server !== undefined) {
    throw new SandstackError(
      'ALREADY_EXISTS',
      `The state folder is in use by sandstack serve (process ${server.pid} on ${server.host}), which runs its instances; run through it with --server, or stop it and run this again`,
    );
  }
  return takeLock(
    db,
    { tenant, instanceId },
    (row) =>
      `Instance "${instanceId}" of tenant "${tenant}" is being run by process ${row.pid} on ${row.host} since ${new Date(row.acquired_at_ms).toISOString()}; wait for it to end, or stop that process and run this again`,
  );
}

/**
 * Takes the state folder for one `sandstack serve` process. Its engine runs every instance
 * in the folder's database, so a second server on the same folder would run the same
 * steps twice.
 * @throws SandstackError `ALREADY_EXISTS` when another live process has it
 */
export function acquireServerLock(db: SqliteDatabase): RunLock {
  migrate(db, 'run_locks', MIGRATIONS);
  return takeLock(
    db,
    SERVER_KEY,
    (row) =>
      `The state folder is in use by another sandstack serve (process ${row.pid} on ${row.host}, since ${new Date(row.acquired_at_ms).toISOString()}); stop it, or give this server its own --state-dir (several servers share work only through a PostgreSQL --store)`,
  );
}

/**
 * Lock key of the server that owns a state folder. Tenant and instance ids are never empty,
 * so this key cannot clash with a run lock.
 */
const SERVER_KEY = { tenant: '', instanceId: '' };

function readLiveLock(
  db: SqliteDatabase,
  key: { tenant: string; instanceId: string },
): LockRow | undefined {
  const row = db
    .prepare('SELECT pid, host, acquired_at_ms FROM run_locks WHERE tenant = ? AND instance_id = ?')
    .get(key.tenant, key.instanceId) as LockRow | undefined;
  return row !== undefined && row.pid !== process.pid && isHeld(row, hostname()) ? row : undefined;
}

function takeLock(
  db: SqliteDatabase,
  key: { tenant: string; instanceId: string },
  conflict: (row: LockRow) => string,
): RunLock {
  const take = db.transaction(() => {
    const row = readLiveLock(db, key);
    if (row !== undefined) {
      throw new SandstackError('ALREADY_EXISTS', conflict(row));
    }
    db.prepare(
      `INSERT INTO run_locks (tenant, instance_id, pid, host, acquired_at_ms) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (tenant, instance_id) DO UPDATE SET pid = excluded.pid, host = excluded.host,
         acquired_at_ms = excluded.acquired_at_ms`,
    ).run(key.tenant, key.instanceId, process.pid, hostname(), Date.now());
  });
  take.immediate();
  let released = false;
  return {
    release: () => {
      if (released) {
        return;
      }
      released = true;
      db.prepare('DELETE FROM run_locks WHERE tenant = ? AND instance_id = ? AND pid = ?').run(
        key.tenant,
        key.instanceId,
        process.pid,
      );
    },
  };
}

/**
 * Returns whether the lock's process still runs. A lock from another host cannot be checked,
 * so it counts as held.
 * NOTE: a reused pid on this host keeps a stale lock held until that process exits.
 */
function isHeld(row: LockRow, host: string): boolean {
  if (row.host !== host) {
    return true;
  }
  try {
    process.kill(row.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
