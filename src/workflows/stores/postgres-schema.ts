/**
 * Schema of the PostgreSQL workflow store and its migrations. Nodes that start at the same
 * time take turns through a PostgreSQL advisory lock, so each migration runs exactly once.
 */
import type { Pool, PoolClient } from 'pg';

/**
 * Key of the advisory lock held while migrations run: the first 8 bytes of
 * SHA-256("sandstack.workflows.migrations"), as a signed 64-bit integer.
 */
export const MIGRATION_LOCK_KEY = '-2717862430860384181';

/**
 * Migrations by version, from 1. Append only: never edit one that has shipped, because
 * databases record the versions they applied and skip them on the next start.
 */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE workflow_versions (
     tenant TEXT NOT NULL, workflow TEXT NOT NULL, hash TEXT NOT NULL, class_name TEXT NOT NULL,
     code TEXT NOT NULL, created_at_ms BIGINT NOT NULL, seq BIGSERIAL NOT NULL,
     PRIMARY KEY (tenant, workflow, hash));
   CREATE TABLE workflow_instances (
     tenant TEXT NOT NULL, id TEXT NOT NULL, workflow TEXT NOT NULL, version TEXT NOT NULL,
     params TEXT NOT NULL, status TEXT NOT NULL, output TEXT, error TEXT, wake_at_ms BIGINT,
     created_at_ms BIGINT NOT NULL, updated_at_ms BIGINT NOT NULL, row_id BIGSERIAL NOT NULL,
     lease_owner TEXT, lease_expires_at_ms BIGINT,
     PRIMARY KEY (tenant, id));
   CREATE INDEX workflow_instances_runnable ON workflow_instances (status, updated_at_ms)
     WHERE status IN ('queued', 'running', 'waiting');
   CREATE INDEX workflow_instances_by_lease_owner ON workflow_instances (lease_owner)
     WHERE lease_owner IS NOT NULL;
   CREATE TABLE workflow_steps (
     tenant TEXT NOT NULL, instance_id TEXT NOT NULL, step_key TEXT NOT NULL, kind TEXT NOT NULL,
     seq INTEGER NOT NULL, status TEXT NOT NULL, attempt INTEGER NOT NULL, result TEXT,
     error TEXT, wake_at_ms BIGINT, started_at_ms BIGINT NOT NULL, ended_at_ms BIGINT,
     PRIMARY KEY (tenant, instance_id, step_key));
   CREATE TABLE workflow_events (
     seq BIGSERIAL PRIMARY KEY, tenant TEXT NOT NULL, instance_id TEXT NOT NULL,
     type TEXT NOT NULL, payload TEXT NOT NULL, created_at_ms BIGINT NOT NULL, consumed_by TEXT);
   CREATE INDEX workflow_events_by_instance ON workflow_events (tenant, instance_id, type);
   CREATE INDEX workflow_events_unconsumed ON workflow_events (tenant, instance_id)
     WHERE consumed_by IS NULL;`,
  // Retention sweeps page through ended instances by end time.
  `CREATE INDEX workflow_instances_ended ON workflow_instances (updated_at_ms, tenant, id)
     WHERE status IN ('complete', 'errored', 'terminated');`,
  // Ids of instances that retention deleted, which createInstance rejects.
  `CREATE TABLE workflow_deleted_instances (
     tenant TEXT NOT NULL, id TEXT NOT NULL, deleted_at_ms BIGINT NOT NULL,
     PRIMARY KEY (tenant, id));`,
  // The params and inputs a deployment declared, as JSON; NULL when it declared none.
  `ALTER TABLE workflow_versions ADD COLUMN manifest TEXT;`,
  // Retention sweeps release reserved ids by the time their instance was deleted.
  `CREATE INDEX workflow_deleted_instances_by_time ON workflow_deleted_instances (deleted_at_ms);`,
];

/**
 * Applies the migrations this database has not recorded yet, each in its own transaction,
 * while holding the migration advisory lock. Returns the versions it applied.
 */
export async function migratePostgres(
  pool: Pool,
  migrations: readonly string[] = MIGRATIONS,
): Promise<number[]> {
  const client = await pool.connect();
  try {
    // A session lock, not a transaction one, so it spans the migrations' own transactions.
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      return await applyPending(client, migrations);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
}

async function applyPending(client: PoolClient, migrations: readonly string[]): Promise<number[]> {
  await client.query(
    `CREATE TABLE IF NOT EXISTS workflow_migrations (
       version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`,
  );
  const { rows } = await client.query<{ version: number | null }>(
    'SELECT MAX(version) AS version FROM workflow_migrations',
  );
  const current = rows[0]?.version ?? 0;
  const applied: number[] = [];
  for (const [index, sql] of migrations.entries()) {
    const version = index + 1;
    if (version <= current) {
      continue;
    }
    await client.query('BEGIN');
    try {
      await client.query(sql);
      await client.query('INSERT INTO workflow_migrations (version) VALUES ($1)', [version]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    }
    applied.push(version);
  }
  return applied;
}
