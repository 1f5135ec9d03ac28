/**
 * The `env.STATE` binding: a tenant-scoped key-value store for workflow code, kept in the
 * state SQLite database. Every row is keyed by the tenant the engine runs the code for,
 * never by anything tenant code sends, so one tenant cannot read or change another's keys.
 */
import { SandstackError } from '../../core/errors.js';
import { migrate, type SqliteDatabase } from '../../core/store.js';
import type { HostBinding, JsonValue } from '../types.js';

const MIGRATIONS = [
  `CREATE TABLE workflow_state (
     tenant TEXT NOT NULL,
     key BLOB NOT NULL,
     value TEXT NOT NULL,
     bytes INTEGER NOT NULL,
     updated_at_ms INTEGER NOT NULL,
     PRIMARY KEY (tenant, key)
   ) WITHOUT ROWID;`,
];

/** Size limits of the state store, in bytes of UTF-8. */
export interface StateLimits {
  /** Longest key. @default 512 (as Cloudflare Workers KV) */
  maxKeyBytes: number;
  /** Largest value, as JSON text. @default 131072 (128 KiB) */
  maxValueBytes: number;
  /** Total of one tenant's keys and values. @default 16777216 (16 MiB) */
  maxTenantBytes: number;
  /** Most keys one `list` call returns. @default 1000 (as Cloudflare Workers KV) */
  maxListKeys: number;
}

/** Default limits; see {@link StateLimits}. */
export const DEFAULT_STATE_LIMITS: StateLimits = {
  maxKeyBytes: 512,
  maxValueBytes: 128 * 1024,
  maxTenantBytes: 16 * 1024 * 1024,
  maxListKeys: 1000,
};

/** One page of `list`, in the shape of Cloudflare Workers KV's `list`. */
export interface StateListResult {
  keys: { name: string }[];
  list_complete: boolean;
  /** Pass as `cursor` to get the next page; present when `list_complete` is false. */
  cursor?: string;
}

/**
 * Storage of every tenant's state behind `env.STATE`: {@link SqliteStateStore} in the state
 * database, or `PostgresStateStore` in the database that several nodes share.
 */
export interface StateStore {
  get(tenant: string, key: string): JsonValue | Promise<JsonValue>;
  put(tenant: string, key: string, value: unknown, nowMs: number): void | Promise<void>;
  delete(tenant: string, key: string): boolean | Promise<boolean>;
  list(
    tenant: string,
    options?: { prefix?: string; limit?: number; cursor?: string },
  ): StateListResult | Promise<StateListResult>;
}

interface StateRow {
  key: Buffer;
  value: string;
}

/** SQLite storage of every tenant's state; all methods take the tenant. */
export class SqliteStateStore implements StateStore {
  readonly #db: SqliteDatabase;
  readonly #limits: StateLimits;

  constructor(db: SqliteDatabase, limits: Partial<StateLimits> = {}) {
    migrate(db, 'workflow-state', MIGRATIONS);
    this.#db = db;
    this.#limits = { ...DEFAULT_STATE_LIMITS, ...limits };
  }

  /** Returns the value stored under `key`, or null when there is none. */
  get(tenant: string, key: string): JsonValue {
    const row = this.#db
      .prepare('SELECT value FROM workflow_state WHERE tenant = ? AND key = ?')
      .get(tenant, this.#keyBytes(key)) as { value: string } | undefined;
    return row === undefined ? null : (JSON.parse(row.value) as JsonValue);
  }

  /**
   * Stores `value` under `key`, replacing any earlier value.
   *
   * @throws SandstackError `INVALID_ARGUMENT` for a bad key, a value that is not JSON or too
   * large, or when the tenant's total would pass `maxTenantBytes`.
   */
  put(tenant: string, key: string, value: unknown, nowMs: number): void {
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
    // IMMEDIATE takes the write lock before the usage read, so two processes cannot both
    // pass the tenant limit with the same old total.
    this.#db
      .transaction(() => {
        const total = this.#tenantBytes(tenant);
        const old = this.#db
          .prepare('SELECT bytes FROM workflow_state WHERE tenant = ? AND key = ?')
          .get(tenant, keyBytes) as { bytes: number } | undefined;
        const after = total - (old?.bytes ?? 0) + bytes;
        if (after > this.#limits.maxTenantBytes) {
          throw new SandstackError(
            'INVALID_ARGUMENT',
            `STATE put of key ${JSON.stringify(key)} would bring the tenant's state to ${after} bytes, over the ${this.#limits.maxTenantBytes}-byte limit per tenant (maxTenantBytes); delete keys first, or raise the limit (sandstack serve --max-state-bytes-per-tenant)`,
          );
        }
        this.#db
          .prepare(
            'INSERT OR REPLACE INTO workflow_state (tenant, key, value, bytes, updated_at_ms) VALUES (?, ?, ?, ?, ?)',
          )
          .run(tenant, keyBytes, json, bytes, nowMs);
      })
      .immediate();
  }

  /** Deletes `key`; returns whether it existed. */
  delete(tenant: string, key: string): boolean {
    const result = this.#db
      .prepare('DELETE FROM workflow_state WHERE tenant = ? AND key = ?')
      .run(tenant, this.#keyBytes(key));
    return result.changes > 0;
  }

  /** Lists the tenant's keys that start with `prefix`, in byte order of their UTF-8 form. */
  list(
    tenant: string,
    options: { prefix?: string; limit?: number; cursor?: string } = {},
  ): StateListResult {
    const prefix = Buffer.from(options.prefix ?? '', 'utf8');
    const limit = options.limit ?? this.#limits.maxListKeys;
    if (!Number.isInteger(limit) || limit < 1 || limit > this.#limits.maxListKeys) {
      throw new SandstackError(
        'INVALID_ARGUMENT',
        `Invalid STATE list limit ${String(limit)}; use a whole number from 1 to ${this.#limits.maxListKeys}`,
      );
    }
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
    params.push(limit + 1);
    const rows = this.#db
      .prepare(`SELECT key FROM workflow_state WHERE ${clauses.join(' AND ')} ORDER BY key LIMIT ?`)
      .all(...params) as Pick<StateRow, 'key'>[];
    const page = rows.slice(0, limit).map((row) => ({ name: row.key.toString('utf8') }));
    if (rows.length <= limit) {
      return { keys: page, list_complete: true };
    }
    return { keys: page, list_complete: false, cursor: page.at(-1)?.name ?? '' };
  }

  /** Bytes of keys and values the tenant stores. */
  usage(tenant: string): number {
    return this.#tenantBytes(tenant);
  }

  #tenantBytes(tenant: string): number {
    const row = this.#db
      .prepare('SELECT COALESCE(SUM(bytes), 0) AS total FROM workflow_state WHERE tenant = ?')
      .get(tenant) as { total: number };
    return row.total;
  }

  #keyBytes(key: unknown): Buffer {
    return stateKeyBytes(key, this.#limits.maxKeyBytes);
  }
}

/**
 * Checks a key and returns its UTF-8 bytes; keys are compared as bytes, NUL included.
 *
 * @throws SandstackError `INVALID_ARGUMENT` for an empty, non-string or too long key.
 */
export function stateKeyBytes(key: unknown, maxKeyBytes: number): Buffer {
  if (typeof key !== 'string' || key.length === 0) {
    throw new SandstackError(
      'INVALID_ARGUMENT',
      `Invalid STATE key ${JSON.stringify(key) ?? String(key)}; use a non-empty string`,
    );
  }
  const bytes = Buffer.from(key, 'utf8');
  if (bytes.toString('utf8') !== key) {
    throw new SandstackError(
      'INVALID_ARGUMENT',
      `Invalid STATE key ${JSON.stringify(key)}; it contains a lone UTF-16 surrogate, which has no UTF-8 form`,
    );
  }
  if (bytes.length > maxKeyBytes) {
    throw new SandstackError(
      'INVALID_ARGUMENT',
      `STATE key is ${bytes.length} bytes, over the ${maxKeyBytes}-byte limit; use a shorter key`,
    );
  }
  return bytes;
}

/**
 * Creates the `env.STATE` binding over `store`: `get(key)`, `put(key, value)`,
 * `delete(key)` and `list({ prefix, limit, cursor })`. The tenant comes from the engine's
 * call context, so tenant code can only name keys, never tenants.
 */
export function createStateBinding(store: StateStore, now: () => number = Date.now): HostBinding {
  return {
    get: async (context, key) => store.get(context.tenant, key as string),
    put: async (context, key, value) => {
      await store.put(context.tenant, key as string, value, now());
      return null;
    },
    delete: async (context, key) => store.delete(context.tenant, key as string),
    list: async (context, rawOptions) =>
      (await store.list(context.tenant, readListOptions(rawOptions))) as unknown as JsonValue,
  };
}

function readListOptions(raw: JsonValue | undefined): {
  prefix?: string;
  limit?: number;
  cursor?: string;
} {
  if (raw === undefined || raw === null) {
    return {};
  }
  const valid =
    typeof raw === 'object' &&
    !Array.isArray(raw) &&
    (raw.prefix === undefined || typeof raw.prefix === 'string') &&
    (raw.limit === undefined || typeof raw.limit === 'number') &&
    (raw.cursor === undefined || typeof raw.cursor === 'string');
  if (!valid) {
    throw new SandstackError(
      'INVALID_ARGUMENT',
      'STATE.list() takes { prefix?: string, limit?: number, cursor?: string }',
    );
  }
  return raw as { prefix?: string; limit?: number; cursor?: string };
}

/**
 * Returns `value` as JSON text for `STATE.put`.
 *
 * @throws SandstackError `INVALID_ARGUMENT` when there is no value.
 */
export function toJson(value: unknown, key: string): string {
  if (value === undefined) {
    throw new SandstackError(
      'INVALID_ARGUMENT',
      `STATE.put(${JSON.stringify(key)}) got no value; pass a JSON value, or call STATE.delete to remove the key`,
    );
  }
  return JSON.stringify(value);
}

/** Returns the smallest byte string greater than every string that starts with `prefix`. */
export function prefixEnd(prefix: Buffer): Buffer | undefined {
  const end = Buffer.from(prefix);
  for (let index = end.length - 1; index >= 0; index -= 1) {
    if ((end[index] ?? 0) < 0xff) {
      end[index] = (end[index] ?? 0) + 1;
      return end.subarray(0, index + 1);
    }
  }
  return undefined;
}
