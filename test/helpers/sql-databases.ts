/**
 * Both databases a shared-state store runs on, for one contract suite per store: a SQLite
 * file in a temporary folder, and a fresh database on a throwaway PostgreSQL server.
 *
 * @example
 * const databases = useSqlDatabases();
 * describe.each(databases.cases)('$name', ({ open }) => { … await open() … });
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { openPostgres } from '../../src/core/postgres.js';
import { sqliteClient, type SqlDatabase } from '../../src/core/sql.js';
import { openDatabase, type SqliteDatabase } from '../../src/core/store.js';
import { startTestPostgres, type TestPostgres } from './postgres.js';

/** An opened database under test; `close` drops it. */
export interface OpenedSqlDatabase {
  sql: SqlDatabase;
  /** The SQLite file's connection, for stores that take it; undefined on PostgreSQL. */
  sqlite: SqliteDatabase | undefined;
  /** Opens a second connection to the same database, as another process or node would. */
  connectAgain(): Promise<SqlDatabase>;
  /** Closes every connection and drops the database. */
  close(): Promise<void>;
}

/** One database kind to run a suite on. */
export interface SqlDatabaseCase {
  name: 'sqlite' | 'postgres';
  open(): Promise<OpenedSqlDatabase>;
}

/**
 * Registers `beforeAll` and `afterAll` hooks that start and stop the PostgreSQL server, and
 * returns the two cases. A PostgreSQL case fails its tests when the server did not start.
 */
export function useSqlDatabases(): { cases: SqlDatabaseCase[] } {
  let postgres: TestPostgres | undefined;
  let startError: unknown;
  let databases = 0;

  beforeAll(async () => {
    try {
      postgres = await startTestPostgres();
    } catch (error) {
      startError = error;
    }
  }, 60_000);
  afterAll(async () => {
    await postgres?.stop();
  });

  const openSqlite = async (): Promise<OpenedSqlDatabase> => {
    const dir = await mkdtemp(join(tmpdir(), 'sandstack-sql-'));
    const db = openDatabase(join(dir, 'state.db'));
    const others: SqliteDatabase[] = [];
    return {
      sql: sqliteClient(db),
      sqlite: db,
      connectAgain: () => {
        const other = openDatabase(join(dir, 'state.db'));
        others.push(other);
        return Promise.resolve(sqliteClient(other));
      },
      close: async () => {
        for (const other of others) {
          other.close();
        }
        db.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  };
  const openPostgresCase = async (): Promise<OpenedSqlDatabase> => {
    if (postgres === undefined) {
      throw new Error(`The test PostgreSQL server did not start: ${String(startError)}`);
    }
    databases += 1;
    const url = await postgres.createDatabase(`shared_${databases}`);
    const sql = await openPostgres(url);
    const others: SqlDatabase[] = [];
    return {
      sql,
      sqlite: undefined,
      connectAgain: async () => {
        const other = await openPostgres(url);
        others.push(other);
        return other;
      },
      close: async () => {
        await Promise.all(others.map((other) => other.close()));
        await sql.close();
      },
    };
  };
  return {
    cases: [
      { name: 'sqlite', open: openSqlite },
      { name: 'postgres', open: openPostgresCase },
    ],
  };
}
