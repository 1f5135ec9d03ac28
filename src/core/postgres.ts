/**
 * The PostgreSQL side of {@link SqlClient}: a connection pool that several nodes share, and
 * schema migrations that nodes starting at the same time apply exactly once.
 */
import type { PoolClient, PoolConfig } from 'pg';
import pg from 'pg';
import { SandstackError } from './errors.js';
import type { SqlClient, SqlDatabase, SqlMigrations } from './sql.js';
import { toNumberedPlaceholders } from './sql.js';

/**
 * Key of the advisory lock held while migrations run: the first 8 bytes of
 * SHA-256("sandstack.workflows.migrations"), as a signed 64-bit integer. The workflow store
 * and every other component take the same lock, so no two nodes migrate at once.
 */
export const MIGRATION_LOCK_KEY = '-2717862430860384181';

const INT8_OID = 20;

/**
 * Reads BIGINT columns as numbers: the stores keep epoch milliseconds, nanoseconds and
 * serial numbers there. Nanoseconds since 1970 pass 2^53, so they lose up to 256 ns.
 */
export const PG_TYPES: NonNullable<PoolConfig['types']> = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format ?? 'text')) as NonNullable<
    PoolConfig['types']
  >['getTypeParser'],
};

/** Replaces the password in a connection URL, so it can go in messages and logs. */
export function redactPostgresUrl(url: string): string {
  return url.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:***@');
}

/**
 * Opens a pool on `url` and checks that the server answers.
 *
 * @throws SandstackError `STORE_FAILED` when the database cannot be reached.
 */
export async function openPostgres(
  url: string,
  options: { maxConnections?: number } = {},
): Promise<SqlDatabase> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    types: PG_TYPES,
    options: '-c synchronous_commit=on',
  });
  // An idle client that loses its connection emits an error; without a listener that
  // would crash the process. The next query reconnects.
  pool.on('error', () => undefined);
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end();
    throw new SandstackError(
      'STORE_FAILED',
      `Could not connect to PostgreSQL at ${redactPostgresUrl(url)}: ${String(error)}; check that the server runs and the URL, user and database are right`,
      { cause: error },
    );
  }
  return postgresDatabase(pool);
}

function postgresDatabase(pool: pg.Pool): SqlDatabase {
  return {
    ...queryClient(pool),
    transaction: async (work) => {
      const connection = await pool.connect();
      try {
        await connection.query('BEGIN');
        const result = await work(queryClient(connection));
        await connection.query('COMMIT');
        return result;
      } catch (error) {
        await connection.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        connection.release();
      }
    },
    migrate: (component, migrations) => migrateComponent(pool, component, migrations),
    close: () => pool.end(),
  };
}

function queryClient(target: pg.Pool | PoolClient): SqlClient {
  const query = async (sql: string, params: readonly unknown[]): Promise<pg.QueryResult> =>
    target.query(toNumberedPlaceholders(sql), [...params]);
  const client: SqlClient = {
    dialect: 'postgres',
    all: async <T>(sql: string, params: readonly unknown[] = []) =>
      (await query(sql, params)).rows as T[],
    get: async <T>(sql: string, params: readonly unknown[] = []) =>
      (await query(sql, params)).rows[0] as T | undefined,
    run: async (sql, params = []) => (await query(sql, params)).rowCount ?? 0,
    transaction: (work) => {
      if (target instanceof pg.Pool) {
        throw new SandstackError('INTERNAL', 'A pool client has no transaction of its own');
      }
      // Already inside a transaction: PostgreSQL has no nested BEGIN, so run in this one.
      return work(client);
    },
  };
  return client;
}

/**
 * Applies one component's migrations that the database has not recorded in
 * `schema_migrations`, each in its own transaction, while holding the migration lock.
 */
async function migrateComponent(
  pool: pg.Pool,
  component: string,
  migrations: SqlMigrations,
): Promise<void> {
  const client = await pool.connect();
  try {
    // A session lock, not a transaction one, so it spans the migrations' own transactions.
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await applyPending(client, component, migrations.postgres);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
}

async function applyPending(
  client: PoolClient,
  component: string,
  migrations: readonly string[],
): Promise<void> {
  await client.query(
    `CREATE TABLE IF NOT EXISTS schema_migrations (
       component TEXT NOT NULL, version INTEGER NOT NULL,
       applied_at TIMESTAMPTZ NOT NULL DEFAULT now(), PRIMARY KEY (component, version))`,
  );
  const { rows } = await client.query<{ version: number | null }>(
    'SELECT MAX(version) AS version FROM schema_migrations WHERE component = $1',
    [component],
  );
  const current = rows[0]?.version ?? 0;
  for (const [index, sql] of migrations.entries()) {
    const version = index + 1;
    if (version <= current) {
      continue;
    }
    await client.query('BEGIN');
    try {
      await client.query(sql);
      await client.query('INSERT INTO schema_migrations (component, version) VALUES ($1, $2)', [
        component,
        version,
      ]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    }
  }
}
