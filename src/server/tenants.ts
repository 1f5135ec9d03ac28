/**
 * Tenants, their API tokens, the admin token and the audit log of the control plane server,
 * stored in the state database. Tokens are random 32-byte secrets; only their SHA-256 is
 * stored, so a copy of the database does not let anyone call the API.
 */
import { createHash, randomBytes } from 'node:crypto';
import { SandstackError } from '../core/errors.js';
import { isValidName, newId } from '../core/ids.js';
import type { Logger } from '../core/logger.js';
import { noopLogger } from '../core/logger.js';
import type { SqlClient, SqlDatabase, SqlMigrations } from '../core/sql.js';

const SQLITE_MIGRATIONS = [
  `CREATE TABLE server_tenants (
     id TEXT PRIMARY KEY,
     display_name TEXT NOT NULL,
     created_at_ms INTEGER NOT NULL,
     deleted_at_ms INTEGER
   );
   CREATE TABLE server_tokens (
     id TEXT PRIMARY KEY,
     role TEXT NOT NULL,
     tenant TEXT,
     token_hash TEXT NOT NULL UNIQUE,
     label TEXT NOT NULL,
     created_at_ms INTEGER NOT NULL,
     revoked_at_ms INTEGER
   );
   CREATE INDEX server_tokens_by_tenant ON server_tokens (tenant);
   CREATE TABLE server_audit (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     time_ms INTEGER NOT NULL,
     actor TEXT NOT NULL,
     tenant TEXT,
     action TEXT NOT NULL,
     target TEXT,
     detail TEXT NOT NULL
   );
   CREATE INDEX server_audit_by_tenant ON server_audit (tenant, seq);`,
  `CREATE TABLE server_cpu_quotas (
     tenant TEXT PRIMARY KEY,
     cpu_seconds REAL NOT NULL,
     window_seconds INTEGER NOT NULL,
     updated_at_ms INTEGER NOT NULL
   );`,
];

/** The same tables in PostgreSQL, so every node that shares the database sees them. */
const POSTGRES_MIGRATIONS = [
  `CREATE TABLE server_tenants (
     id TEXT PRIMARY KEY, display_name TEXT NOT NULL, created_at_ms BIGINT NOT NULL,
     deleted_at_ms BIGINT);
   CREATE TABLE server_tokens (
     id TEXT PRIMARY KEY, role TEXT NOT NULL, tenant TEXT, token_hash TEXT NOT NULL UNIQUE,
     label TEXT NOT NULL, created_at_ms BIGINT NOT NULL, revoked_at_ms BIGINT);
   CREATE INDEX server_tokens_by_tenant ON server_tokens (tenant);
   CREATE TABLE server_audit (
     seq BIGSERIAL PRIMARY KEY, time_ms BIGINT NOT NULL, actor TEXT NOT NULL, tenant TEXT,
     action TEXT NOT NULL, target TEXT, detail TEXT NOT NULL);
   CREATE INDEX server_audit_by_tenant ON server_audit (tenant, seq);
   CREATE TABLE server_cpu_quotas (
     tenant TEXT PRIMARY KEY, cpu_seconds DOUBLE PRECISION NOT NULL,
     window_seconds INTEGER NOT NULL, updated_at_ms BIGINT NOT NULL);`,
];

const MIGRATIONS: SqlMigrations = { sqlite: SQLITE_MIGRATIONS, postgres: POSTGRES_MIGRATIONS };

/** Prefix of tenant tokens, so a leaked token is recognisable in logs and secret scanners. */
const TENANT_TOKEN_PREFIX = 'sst_';
/** Prefix of admin tokens. */
const ADMIN_TOKEN_PREFIX = 'ssa_';

/** A tenant as stored. Deleted tenants keep their row, so their id is never reused. */
export interface TenantRecord {
  id: string;
  displayName: string;
  createdAtMs: number;
}

/** A token's metadata; the secret itself is shown once, when the token is created. */
export interface TokenRecord {
  id: string;
  tenant: string;
  label: string;
  createdAtMs: number;
  revokedAtMs: number | null;
}

/**
 * A CPU-seconds quota: the sandbox CPU-seconds a tenant may use, over a sliding window of
 * `windowSeconds` or, when that is 0, in total. A `cpuSeconds` of 0 means no quota.
 */
export interface CpuQuota {
  cpuSeconds: number;
  windowSeconds: number;
}

/** The owner of a request's bearer token: the admin or one tenant. */
export type Principal =
  { role: 'admin'; tokenId: string } | { role: 'tenant'; tokenId: string; tenant: string };

/** One audit log entry. */
export interface AuditEntry {
  seq: number;
  timeMs: number;
  /** Token id of the caller, or `system`. */
  actor: string;
  tenant: string | null;
  action: string;
  target: string | null;
  detail: Record<string, unknown>;
}

interface TokenRow {
  id: string;
  role: 'admin' | 'tenant';
  tenant: string | null;
  label: string;
  created_at_ms: number;
  revoked_at_ms: number | null;
}

interface AuditRow {
  seq: number;
  time_ms: number;
  actor: string;
  tenant: string | null;
  action: string;
  target: string | null;
  detail: string;
}

/** Returns the hex SHA-256 of a token, the only form in which tokens are stored. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function newSecret(prefix: string): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

/** Fields of a new audit log entry. */
export interface AuditInput {
  actor: string;
  tenant: string | null;
  action: string;
  target: string | null;
  detail?: Record<string, unknown>;
}

/**
 * Stores tenants, tokens and the audit log, in the node's state database or in the
 * PostgreSQL database that all nodes share.
 *
 * @example
 * const tenants = await TenantStore.open(sqliteClient(db));
 * await tenants.create({ id: 'acme' }, 'system');
 * const { token } = await tenants.createToken('acme', { label: 'ci' }, 'system');
 * await tenants.authenticate(token); // { role: 'tenant', tenant: 'acme', tokenId: 'tok_…' }
 */
export class TenantStore {
  readonly #sql: SqlClient;
  readonly #logger: Logger;
  /** Audit appends started by {@link audit} and not finished yet. */
  #pendingAudit: Promise<void> = Promise.resolve();

  private constructor(sql: SqlClient, logger: Logger) {
    this.#sql = sql;
    this.#logger = logger;
  }

  /** Applies the schema migrations on `sql` and returns the store. */
  static async open(sql: SqlDatabase, options: { logger?: Logger } = {}): Promise<TenantStore> {
    await sql.migrate('server', MIGRATIONS);
    return new TenantStore(sql, options.logger ?? noopLogger);
  }

  /** Returns the principal of a bearer token, or undefined for an unknown or revoked one. */
  async authenticate(token: string): Promise<Principal | undefined> {
    const row = await this.#sql.get<Pick<TokenRow, 'id' | 'role' | 'tenant'>>(
      'SELECT id, role, tenant FROM server_tokens WHERE token_hash = ? AND revoked_at_ms IS NULL',
      [hashToken(token)],
    );
    if (row === undefined) {
      return undefined;
    }
    if (row.role === 'admin') {
      return { role: 'admin', tokenId: row.id };
    }
    if (row.tenant === null || (await this.get(row.tenant)) === undefined) {
      return undefined;
    }
    return { role: 'tenant', tokenId: row.id, tenant: row.tenant };
  }

  /** Checks whether a stored admin token exists that is not revoked. */
  async hasAdminToken(): Promise<boolean> {
    const row = await this.#sql.get(
      "SELECT 1 AS found FROM server_tokens WHERE role = 'admin' AND revoked_at_ms IS NULL",
    );
    return row !== undefined;
  }

  /**
   * Revokes every stored admin token and stores a new one; returns its secret, which is
   * never stored in clear.
   */
  async replaceAdminToken(actor: string): Promise<string> {
    const token = newSecret(ADMIN_TOKEN_PREFIX);
    const now = Date.now();
    await this.#sql.transaction(async (tx) => {
      await tx.run(
        "UPDATE server_tokens SET revoked_at_ms = ? WHERE role = 'admin' AND revoked_at_ms IS NULL",
        [now],
      );
      await tx.run(
        `INSERT INTO server_tokens (id, role, tenant, token_hash, label, created_at_ms)
         VALUES (?, 'admin', NULL, ?, 'admin', ?)`,
        [newId('tok'), hashToken(token), now],
      );
      await appendAudit(tx, { actor, tenant: null, action: 'admin-token.replace', target: null });
    });
    return token;
  }

  /**
   * Creates a tenant.
   * @throws SandstackError `INVALID_ARGUMENT` for a bad id, `ALREADY_EXISTS` for an id in use or used before
   */
  async create(input: { id: string; displayName?: string }, actor: string): Promise<TenantRecord> {
    if (!isValidName(input.id)) {
      throw new SandstackError(
        'INVALID_ARGUMENT',
        `Tenant id "${input.id}" is invalid; use 1-63 letters, digits, ".", "_" or "-", starting with a letter or digit`,
      );
    }
    const record = {
      id: input.id,
      displayName: input.displayName ?? input.id,
      createdAtMs: Date.now(),
    };
    await this.#sql.transaction(async (tx) => {
      const existing = await tx.get<{ deleted_at_ms: number | null }>(
        'SELECT deleted_at_ms FROM server_tenants WHERE id = ?',
        [input.id],
      );
      if (existing !== undefined) {
        const reason = existing.deleted_at_ms === null ? 'exists' : 'belonged to a deleted tenant';
        throw new SandstackError(
          'ALREADY_EXISTS',
          `Tenant id "${input.id}" already ${reason}; pick another id`,
        );
      }
      // Two nodes can pass the check above at once; the primary key rejects the second.
      const inserted = await tx.run(
        `INSERT INTO server_tenants (id, display_name, created_at_ms) VALUES (?, ?, ?)
         ON CONFLICT (id) DO NOTHING`,
        [record.id, record.displayName, record.createdAtMs],
      );
      if (inserted === 0) {
        throw new SandstackError(
          'ALREADY_EXISTS',
          `Tenant id "${input.id}" already exists; pick another id`,
        );
      }
      await appendAudit(tx, {
        actor,
        tenant: record.id,
        action: 'tenant.create',
        target: record.id,
      });
    });
    return record;
  }

  /** Returns a live tenant, or undefined for an unknown or deleted one. */
  async get(id: string): Promise<TenantRecord | undefined> {
    const row = await this.#sql.get<TenantRow>(
      'SELECT id, display_name, created_at_ms FROM server_tenants WHERE id = ? AND deleted_at_ms IS NULL',
      [id],
    );
    return row === undefined ? undefined : toTenantRecord(row);
  }

  /** Lists live tenants, oldest first. */
  async list(): Promise<TenantRecord[]> {
    const rows = await this.#sql.all<TenantRow>(
      'SELECT id, display_name, created_at_ms FROM server_tenants WHERE deleted_at_ms IS NULL ORDER BY created_at_ms, id',
    );
    return rows.map(toTenantRecord);
  }

  /**
   * Marks a tenant deleted and revokes its tokens. Its workflows, instances and usage stay
   * in the database for the record.
   * @throws SandstackError `NOT_FOUND`
   */
  async delete(id: string, actor: string): Promise<void> {
    await this.require(id);
    const now = Date.now();
    await this.#sql.transaction(async (tx) => {
      await tx.run('UPDATE server_tenants SET deleted_at_ms = ? WHERE id = ?', [now, id]);
      await tx.run(
        'UPDATE server_tokens SET revoked_at_ms = ? WHERE tenant = ? AND revoked_at_ms IS NULL',
        [now, id],
      );
      await appendAudit(tx, { actor, tenant: id, action: 'tenant.delete', target: id });
    });
  }

  /**
   * Creates a token for a tenant; returns its record and its secret, shown only this once.
   * @throws SandstackError `NOT_FOUND` for an unknown tenant
   */
  async createToken(
    tenant: string,
    options: { label?: string },
    actor: string,
  ): Promise<{ record: TokenRecord; token: string }> {
    await this.require(tenant);
    return this.#sql.transaction(async (tx) => {
      const created = await insertToken(tx, tenant, options.label ?? 'default');
      await appendAudit(tx, { actor, tenant, action: 'token.create', target: created.record.id });
      return created;
    });
  }

  /** Lists a tenant's tokens, revoked ones included, oldest first. @throws SandstackError `NOT_FOUND` */
  async listTokens(tenant: string): Promise<TokenRecord[]> {
    await this.require(tenant);
    const rows = await this.#sql.all<TokenRow>(
      "SELECT id, role, tenant, label, created_at_ms, revoked_at_ms FROM server_tokens WHERE role = 'tenant' AND tenant = ? ORDER BY created_at_ms, id",
      [tenant],
    );
    return rows.map(toTokenRecord);
  }

  /**
   * Replaces a live token with a new one under the same label; the old secret stops working
   * at once.
   * @throws SandstackError `NOT_FOUND` for an unknown tenant or token, `INVALID_ARGUMENT` for a revoked token
   */
  async rotateToken(
    tenant: string,
    tokenId: string,
    actor: string,
  ): Promise<{ record: TokenRecord; token: string }> {
    const old = await this.#requireToken(tenant, tokenId);
    if (old.revokedAtMs !== null) {
      throw new SandstackError(
        'INVALID_ARGUMENT',
        `Token "${tokenId}" is revoked; create a new token instead of rotating it`,
      );
    }
    return this.#sql.transaction(async (tx) => {
      await revoke(tx, tokenId);
      const created = await insertToken(tx, tenant, old.label);
      await appendAudit(tx, {
        actor,
        tenant,
        action: 'token.rotate',
        target: tokenId,
        detail: { newTokenId: created.record.id },
      });
      return created;
    });
  }

  /** Revokes a token; revoking twice is a no-op. @throws SandstackError `NOT_FOUND` */
  async revokeToken(tenant: string, tokenId: string, actor: string): Promise<TokenRecord> {
    await this.#requireToken(tenant, tokenId);
    await this.#sql.transaction(async (tx) => {
      await revoke(tx, tokenId);
      await appendAudit(tx, { actor, tenant, action: 'token.revoke', target: tokenId });
    });
    return this.#requireToken(tenant, tokenId);
  }

  /**
   * Appends one entry to the audit log without making the caller wait. {@link listAudit}
   * and {@link flushAudit} wait for the appends this process started. A failed append is
   * logged as an error, because the request it records has already been served.
   */
  audit(entry: AuditInput): void {
    this.#pendingAudit = this.#pendingAudit.then(() =>
      appendAudit(this.#sql, entry).catch((error: unknown) => {
        this.#logger.error('Audit log append failed', {
          action: entry.action,
          tenant: entry.tenant,
          error: String(error),
        });
      }),
    );
  }

  /** Waits until every audit append this process started has finished. */
  async flushAudit(): Promise<void> {
    await this.#pendingAudit;
  }

  /** Lists audit entries, newest first, optionally of one tenant and before a sequence number. */
  async listAudit(filter: {
    tenant?: string;
    beforeSeq?: number;
    limit: number;
  }): Promise<AuditEntry[]> {
    await this.flushAudit();
    const tenant = filter.tenant ?? null;
    const before = filter.beforeSeq ?? null;
    const rows = await this.#sql.all<AuditRow>(
      `SELECT * FROM server_audit
       WHERE (CAST(? AS TEXT) IS NULL OR tenant = ?) AND (CAST(? AS BIGINT) IS NULL OR seq < ?)
       ORDER BY seq DESC LIMIT ?`,
      [tenant, tenant, before, before, filter.limit],
    );
    return rows.map((row) => ({
      seq: row.seq,
      timeMs: row.time_ms,
      actor: row.actor,
      tenant: row.tenant,
      action: row.action,
      target: row.target,
      detail: JSON.parse(row.detail) as Record<string, unknown>,
    }));
  }

  /** Returns the tenant's own CPU-seconds quota, or undefined when it uses the server's default. */
  async getCpuQuota(tenant: string): Promise<CpuQuota | undefined> {
    const row = await this.#sql.get<{ cpu_seconds: number; window_seconds: number }>(
      'SELECT cpu_seconds, window_seconds FROM server_cpu_quotas WHERE tenant = ?',
      [tenant],
    );
    return row === undefined
      ? undefined
      : { cpuSeconds: row.cpu_seconds, windowSeconds: row.window_seconds };
  }

  /**
   * Sets the tenant's own CPU-seconds quota, or with `undefined` drops it so the server's
   * default applies again.
   * @throws SandstackError `NOT_FOUND` for an unknown tenant
   */
  async setCpuQuota(tenant: string, quota: CpuQuota | undefined, actor: string): Promise<void> {
    await this.require(tenant);
    await this.#sql.transaction(async (tx) => {
      if (quota === undefined) {
        await tx.run('DELETE FROM server_cpu_quotas WHERE tenant = ?', [tenant]);
      } else {
        await tx.run(
          `INSERT INTO server_cpu_quotas (tenant, cpu_seconds, window_seconds, updated_at_ms)
           VALUES (?, ?, ?, ?)
           ON CONFLICT (tenant) DO UPDATE SET cpu_seconds = excluded.cpu_seconds,
             window_seconds = excluded.window_seconds, updated_at_ms = excluded.updated_at_ms`,
          [tenant, quota.cpuSeconds, quota.windowSeconds, Date.now()],
        );
      }
      await appendAudit(tx, {
        actor,
        tenant,
        action: quota === undefined ? 'quota.reset' : 'quota.set',
        target: tenant,
        detail: quota === undefined ? {} : { ...quota },
      });
    });
  }

  /** Returns a live tenant. @throws SandstackError `NOT_FOUND` */
  async require(id: string): Promise<TenantRecord> {
    const tenant = await this.get(id);
    if (tenant === undefined) {
      throw new SandstackError(
        'NOT_FOUND',
        `Tenant "${id}" not found; list tenants with GET /v1/tenants`,
      );
    }
    return tenant;
  }

  async #requireToken(tenant: string, tokenId: string): Promise<TokenRecord> {
    await this.require(tenant);
    const row = await this.#sql.get<TokenRow>(
      "SELECT id, role, tenant, label, created_at_ms, revoked_at_ms FROM server_tokens WHERE id = ? AND role = 'tenant' AND tenant = ?",
      [tokenId, tenant],
    );
    if (row === undefined) {
      throw new SandstackError(
        'NOT_FOUND',
        `Token "${tokenId}" not found for tenant "${tenant}"; list its tokens with GET /v1/tenants/${tenant}/tokens`,
      );
    }
    return toTokenRecord(row);
  }
}

interface TenantRow {
  id: string;
  display_name: string;
  created_at_ms: number;
}

function toTenantRecord(row: TenantRow): TenantRecord {
  return { id: row.id, displayName: row.display_name, createdAtMs: row.created_at_ms };
}

async function appendAudit(sql: SqlClient, entry: AuditInput): Promise<void> {
  await sql.run(
    'INSERT INTO server_audit (time_ms, actor, tenant, action, target, detail) VALUES (?, ?, ?, ?, ?, ?)',
    [
      Date.now(),
      entry.actor,
      entry.tenant,
      entry.action,
      entry.target,
      JSON.stringify(entry.detail ?? {}),
    ],
  );
}

async function insertToken(
  sql: SqlClient,
  tenant: string,
  label: string,
): Promise<{ record: TokenRecord; token: string }> {
  const token = newSecret(TENANT_TOKEN_PREFIX);
  const record: TokenRecord = {
    id: newId('tok'),
    tenant,
    label,
    createdAtMs: Date.now(),
    revokedAtMs: null,
  };
  await sql.run(
    `INSERT INTO server_tokens (id, role, tenant, token_hash, label, created_at_ms)
     VALUES (?, 'tenant', ?, ?, ?, ?)`,
    [record.id, tenant, hashToken(token), label, record.createdAtMs],
  );
  return { record, token };
}

async function revoke(sql: SqlClient, tokenId: string): Promise<void> {
  await sql.run(
    'UPDATE server_tokens SET revoked_at_ms = ? WHERE id = ? AND revoked_at_ms IS NULL',
    [Date.now(), tokenId],
  );
}

function toTokenRecord(row: TokenRow): TokenRecord {
  return {
    id: row.id,
    tenant: row.tenant ?? '',
    label: row.label,
    createdAtMs: row.created_at_ms,
    revokedAtMs: row.revoked_at_ms,
  };
}
