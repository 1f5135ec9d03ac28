import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { SandstackError } from './errors.js';
import { noopLogger, type Logger } from './logger.js';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, tightenMode } from './private-files.js';

/** An open SQLite database (better-sqlite3). */
export type SqliteDatabase = Database.Database;

/**
 * Opens (and creates) a SQLite file for sandstack state. WAL mode lets readers run beside the
 * writer, and `synchronous = FULL` makes every commit survive power loss before it returns,
 * which the workflow engine's "committed before the next step" contract depends on.
 * A new file gets mode 0600, and an existing one that its group or others may access is set
 * to 0600 with a warning on `options.logger`. SQLite gives the `-wal` and `-shm` files the
 * mode of the database.
 *
 * @throws SandstackError `STORE_FAILED` when the file cannot be opened.
 */
export function openDatabase(
  path: string,
  options: {
    logger?: Logger;
    /**
     * `NORMAL` commits without waiting for the disk: in WAL mode a commit then survives a
     * killed process but not a power loss. Only for data that a power loss makes moot.
     * @default 'FULL'
     */
    synchronous?: 'FULL' | 'NORMAL';
  } = {},
): SqliteDatabase {
  try {
    if (path !== ':memory:') {
      createPrivateFile(path, options.logger ?? noopLogger);
    }
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    return db;
  } catch (error) {
    throw new SandstackError(
      'STORE_FAILED',
      `Could not open the state database "${path}"; check the path and its permissions`,
      {
        cause: error,
      },
    );
  }
}

/**
 * Creates an empty database file with mode 0600 unless it exists (SQLite reads an empty file
 * as an empty database), and tightens the modes of an existing one and its WAL files.
 */
function createPrivateFile(path: string, logger: Logger): void {
  mkdirSync(dirname(path), { recursive: true, mode: PRIVATE_DIR_MODE });
  closeSync(openSync(path, 'a', PRIVATE_FILE_MODE));
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    tightenMode(file, PRIVATE_FILE_MODE, logger);
  }
}

/**
 * Applies the not-yet-applied migrations of one component, in order, each in a transaction.
 * A component's migrations are append-only: never edit one that has shipped.
 */
export function migrate(
  db: SqliteDatabase,
  component: string,
  migrations: readonly string[],
): void {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (component TEXT NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (component, version))',
  );
  const row = db
    .prepare('SELECT MAX(version) AS version FROM schema_migrations WHERE component = ?')
    .get(component) as { version: number | null };
  const applied = row.version ?? 0;

  migrations.forEach((sql, index) => {
    const version = index + 1;
    if (version <= applied) {
      return;
    }
    db.transaction(() => {
      db.exec(sql);
      db.prepare('INSERT INTO schema_migrations (component, version) VALUES (?, ?)').run(
        component,
        version,
      );
    })();
  });
}
