/**
 * `env.STATE` storage in the PostgreSQL database that several nodes share, so a value a
 * step wrote on one node is there when the instance fails over to another. Keys, limits
 * and errors are those of {@link SqliteStateStore}.
 */
import { SandstackError } from '../../core/errors.js';
import type { SqlClient, SqlDatabase } from '../../core/sql.js';
import type { JsonValue } from '../types.js';
import type { StateLimits, StateListResult, StateStore } from './state-binding.js';
import { DEFAULT_STATE_LIMITS, prefixEnd, stateKeyBytes, toJson } from './state-binding.js';

const MIGRATIONS = {
  sqlite: [],
  postgres: [
    `CREATE TABLE workflow_state (
       tenant TEXT NOT NULL, key BYTEA NOT NULL, value TEXT NOT NULL, bytes INTEGER NOT NULL,
       updated_at_ms BIGINT NOT NULL, PRIMARY KEY (tenant, key));`,
  ],
};

/**
 * First key of the advisory lock a put holds per tenant (the second is a hash of the
 * tenant), so two nodes cannot both pass the tenant limit with the same old total.
 */
const TENANT_LOCK_CLASS = 7_420_001;

/** PostgreSQL storage of every tenant's state; all methods take the tenant. */
export class PostgresStateStore implements StateStore {
  readonly #sql: SqlClient;
  readonly #limits: StateLimits;

  private constructor(sql: SqlClient, limits: StateLimits) {
    this.#sql = sql;
    this.#limits = limits;
  }

  /**
   * Applies the schema migrations on `sql` and returns the store.
   *
   * @throws SandstackError `INVALID_CONFIG` when `sql` is not PostgreSQL.
   */
  static async open(
    sql: SqlDatabase,
    limits: Partial<StateLimits> = {},
  ): Promise<PostgresStateStore> {
    if (sql.dialect !== 'postgres') {
      throw new SandstackError(
        'INVALID_CONFIG',
        'PostgresStateStore needs a PostgreSQL database; use SqliteStateStore for SQLite',
      );
    }
    await sql.migrate('workflow-state', MIGRATIONS);
    return new PostgresStateStore(sql, { ...DEFAULT_STATE_LIMITS, ...limits });
  }

  /** Returns the value stored under `key`, or null when there is none. */
  async get(tenant: string, key: string): Promise<JsonValue> {
    const row = await this.#sql.get<{ value: string }>(
      'SELECT value FROM workflow_state WHERE tenant = ? AND key = ?',
      [tenant, this.#keyBytes(key)],
    );
    return row === undefined ? null : (JSON.parse(row.value) as JsonValue);
  }

  /**
   * Stores `value` under `key`, replacing any earlier value.
   *
   * @throws SandstackError `INVALID_ARGUMENT` for a bad key, a value that is not JSON or too
   * large, or when the tenant's total would pass `maxTenantBytes`.
   */
  async put(tenant: string, key: string, value: unknown, nowMs: number): Promise<void> {
    const keyBytes = this.#keyBytes(key);
    const json = toJson(value, key);
    const valueBytes = Buffer.byteLength(json);
    if (valueBytes > this.#limits.maxValueBytes) {
      throw new SandstackError(
        'INVALID_ARGUMENT',
        `STATE value for key ${JSON.stringify(key)} is ${valueBytes} bytes of JSON, over the ${this.#limits.maxValueBytes}-byte limit; store less data per key`,
      );
    }
    const bytes = keyBytes.length + valueBytes;
    await this.#sql.transaction(async (tx) => {
      await tx.get('SELECT pg_advisory_xact_lock(?, hashtext(?)) AS locked', [
        TENANT_LOCK_CLASS,
        tenant,
      ]);
      const total = await tenantBytes(tx, tenant);
      const old = await tx.get<{ bytes: number }>(
        'SELECT bytes FROM workflow_state WHERE tenant = ? AND key = ?',
        [tenant, keyBytes],
      );
      const after = total - (old?.bytes ?? 0) + bytes;
      if (after > this.#limits.maxTenantBytes) {
        throw new SandstackError(
          'INVALID_ARGUMENT',
          `STATE put of key ${JSON.stringify(key)} would bring the tenant's state to ${after} bytes, over the ${this.#limits.maxTenantBytes}-byte limit; delete keys first`,
        );
      }
      await tx.run(
        `INSERT INTO workflow_state (tenant, key, value, bytes, updated_at_ms) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (tenant, key) DO UPDATE SET value = excluded.value, bytes = excluded.bytes,
           updated_at_ms = excluded.updated_at_ms`,
        [tenant, keyBytes, json, bytes, nowMs],
      );
    });
  }

  /** Deletes `key`; returns whether it existed. */
  async delete(tenant: string, key: string): Promise<boolean> {
    const changed = await this.#sql.run('DELETE FROM workflow_state WHERE tenant = ? AND key = ?', [
      tenant,
      this.#keyBytes(key),
    ]);
    return changed > 0;
  }

  /** Lists the tenant's keys that start with `prefix`, in byte order of their UTF-8 form. */
  async list(
    tenant: string,
    options: { prefix?: string; limit?: number; cursor?: string } = {},
  ): Promise<StateListResult> {
    const limit = options.limit ?? this.#limits.maxListKeys;
    if (!Number.isInteger(limit) || limit < 1 || limit > this.#limits.maxListKeys) {
      throw new SandstackError(
        'INVALID_ARGUMENT',
        `Invalid STATE list limit ${String(limit)}; use a whole number from 1 to ${this.#limits.maxListKeys}`,
      );
    }
    const { clauses, params } = this.#listFilter(tenant, options);
    params.push(limit + 1);
    // BYTEA compares byte by byte, as SQLite compares BLOBs, so pages come in the same order.
    const rows = await this.#sql.all<{ key: Buffer }>(
      `SELECT key FROM workflow_state WHERE ${clauses.join(' AND ')} ORDER BY key LIMIT ?`,
      params,
    );
    const page = rows.slice(0, limit).map((row) => ({ name: row.key.toString('utf8') }));
    if (rows.length <= limit) {
      return { keys: page, list_complete: true };
    }
    return { keys: page, list_complete: false, cursor: page.at(-1)?.name ?? '' };
  }

  /** Bytes of keys and values the tenant stores. */
  async usage(tenant: string): Promise<number> {
    return tenantBytes(this.#sql, tenant);
  }

  #listFilter(
    tenant: string,
    options: { prefix?: string; cursor?: string },
  ): { clauses: string[]; params: unknown[] } {
    const prefix = Buffer.from(options.prefix ?? '', 'utf8');
    const clauses = ['tenant = ?'];
    const params: unknown[] = [tenant];
    if (prefix.length > 0) {
      clauses.push('key >= ?');
      params.push(prefix);
      const end = prefixEnd(prefix);
      if (end !== undefined) {
        clauses.push('key < ?');
        params.push(end);
      }
    }
    if (options.cursor !== undefined) {
      clauses.push('key > ?');
      params.push(this.#keyBytes(options.cursor));
    }
    return { clauses, params };
  }

  #keyBytes(key: unknown): Buffer {
    return stateKeyBytes(key, this.#limits.maxKeyBytes);
  }
}

async function tenantBytes(sql: SqlClient, tenant: string): Promise<number> {
  const row = await sql.get<{ total: number }>(
    'SELECT COALESCE(SUM(bytes), 0) AS total FROM workflow_state WHERE tenant = ?',
    [tenant],
  );
  return row?.total ?? 0;
}
