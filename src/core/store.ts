import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { SandstackError } from './errors.js';

/** An open SQLite database (better-sqlite3). */
export type SqliteDatabase = Database.Database;

/**
 * Opens (and creates) a SQLite file for sandstack state. WAL mode lets readers run beside the
 * writer, and `synchronous = FULL` makes every commit survive power loss before it returns,
 * which the workflow engine's "committed before the next step" contract depends on.
 *
 * @throws SandstackError `STORE_FAILED` when the file cannot be opened.
 */
export function openDatabase(path: string): SqliteDatabase {
  try {
    if (path !== ':memory:') {
      mkdirSync(dirname(path), { recursive: true });
    }
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
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
