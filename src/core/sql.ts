/**
 * One small asynchronous SQL interface over the two databases sandstack keeps state in: a
 * node's SQLite file, and a PostgreSQL database that several nodes share. Stores written
 * against it (tenants, approvals, spans, `env.STATE`) work on either, so `--store
 * postgres://…` moves them to PostgreSQL with the workflow store.
 *
 * Statements use `?` placeholders. The PostgreSQL client rewrites them to `$1`, `$2`, …, so
 * a statement must not contain a literal `?` itself.
 */
import { migrate, type SqliteDatabase } from './store.js';

/** Which database a {@link SqlClient} talks to; schema migrations differ between the two. */
export type SqlDialect = 'sqlite' | 'postgres';

/** A connection (or pool) that runs statements; see the module comment for placeholders. */
export interface SqlClient {
  readonly dialect: SqlDialect;
  /** Runs a query and returns its rows. */
  all<T>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs a query and returns its first row, or undefined. */
  get<T>(sql: string, params?: readonly unknown[]): Promise<T | undefined>;
  /** Runs a statement and returns the number of rows it changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
  /**
   * Runs `work` in one transaction: committed when it resolves, rolled back when it throws.
   * Statements inside must go through the `tx` client that `work` receives.
   */
  transaction<T>(work: (tx: SqlClient) => Promise<T>): Promise<T>;
}

/** Schema migrations of one component for both dialects, each list append-only. */
export interface SqlMigrations {
  sqlite: readonly string[];
  postgres: readonly string[];
}

/** A client that can also apply migrations and be closed. */
export interface SqlDatabase extends SqlClient {
  /** Applies the component's migrations that this database has not recorded yet. */
  migrate(component: string, migrations: SqlMigrations): Promise<void>;
  /** Closes the client; a SQLite client leaves the shared file open for its owner. */
  close(): Promise<void>;
}

/**
 * Wraps an open SQLite database. Its statements run synchronously underneath, so each
 * promise is already settled when it is returned.
 */
export function sqliteClient(db: SqliteDatabase): SqlDatabase {
  let queue: Promise<unknown> = Promise.resolve();
  const client: SqlDatabase = {
    dialect: 'sqlite',
    all: <T>(sql: string, params: readonly unknown[] = []) =>
      attempt(() => db.prepare(sql).all(...params) as T[]),
    get: <T>(sql: string, params: readonly unknown[] = []) =>
      attempt(() => db.prepare(sql).get(...params) as T | undefined),
    run: (sql, params = []) => attempt(() => db.prepare(sql).run(...params).changes),
    transaction: <T>(work: (tx: SqlClient) => Promise<T>): Promise<T> => {
      // better-sqlite3 transactions cannot span an await, and SQLite has no nested BEGIN, so
      // transactions on one connection take turns. NOTE: a statement outside a transaction
      // that runs while one is open becomes part of it.
      const result = queue.then(() => sqliteTransaction(db, client, work));
      queue = result.catch(() => undefined);
      return result;
    },
    migrate: (component, migrations) => attempt(() => migrate(db, component, migrations.sqlite)),
    close: () => Promise.resolve(),
  };
  return client;
}

async function sqliteTransaction<T>(
  db: SqliteDatabase,
  client: SqlClient,
  work: (tx: SqlClient) => Promise<T>,
): Promise<T> {
  // IMMEDIATE takes the write lock at once, so a read inside the transaction that decides
  // a write (a quota check) sees no other process's concurrent write.
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = await work(client);
    db.exec('COMMIT');
    return result;
  } catch (error) {
    if (db.inTransaction) {
      db.exec('ROLLBACK');
    }
    throw error;
  }
}

function attempt<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

/** Rewrites `?` placeholders to PostgreSQL's numbered `$1`, `$2`, … */
export function toNumberedPlaceholders(sql: string): string {
  let index = 0;
  return sql.replace(/\?/g, () => {
    index += 1;
    return `$${index}`;
  });
}
