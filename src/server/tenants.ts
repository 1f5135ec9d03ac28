/**
 * Tenants, their API tokens, the admin token and the audit log of the control plane server,
 * stored in the state database. Tokens are random 32-byte secrets; only their SHA-256 is
 * stored, so a copy of the database does not let anyone call the API.
 */
import { createHash, randomBytes } from 'node:crypto';
import { SandstackError } from '../core/errors.js';
import { isValidName, newId } from '../core/ids.js';
import { migrate, type SqliteDatabase } from '../core/store.js';

const MIGRATIONS = [
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

/**
 * Stores tenants, tokens and the audit log in the state database.
 *
 * @example
 * const tenants = new TenantStore(db);
 * tenants.create({ id: 'acme' }, 'system');
 * const { token } = tenants.createToken('acme', { label: 'ci' }, 'system');
 * tenants.authenticate(token); // { role: 'tenant', tenant: 'acme', tokenId: 'tok_…' }
 */
export class TenantStore {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    migrate(db, 'server', MIGRATIONS);
  }

  /** Returns the principal of a bearer token, or undefined for an unknown or revoked one. */
  authenticate(token: string): Principal | undefined {
    const row = this.#db
      .prepare(
        'SELECT id, role, tenant FROM server_tokens WHERE token_hash = ? AND revoked_at_ms IS NULL',
      )
      .get(hashToken(token)) as Pick<TokenRow, 'id' | 'role' | 'tenant'> | undefined;
    if (row === undefined) {
      return undefined;
    }
    if (row.role === 'admin') {
      return { role: 'admin', tokenId: row.id };
    }
    if (row.tenant === null || this.get(row.tenant) === undefined) {
      return undefined;
    }
    return { role: 'tenant', tokenId: row.id, tenant: row.tenant };
  }

  /** Checks whether a stored admin token exists that is not revoked. */
  hasAdminToken(): boolean {
    const row = this.#db
      .prepare("SELECT 1 FROM server_tokens WHERE role = 'admin' AND revoked_at_ms IS NULL")
      .get();
    return row !== undefined;
  }

  /**
   * Revokes every stored admin token and stores a new one; returns its secret, which is
   * never stored in clear.
   */
  replaceAdminToken(actor: string): string {
    const token = newSecret(ADMIN_TOKEN_PREFIX);
    const now = Date.now();
    this.#db.transaction(() => {
      this.#db
        .prepare(
          "UPDATE server_tokens SET revoked_at_ms = ? WHERE role = 'admin' AND revoked_at_ms IS NULL",
        )
        .run(now);
      this.#db
        .prepare(
          `INSERT INTO server_tokens (id, role, tenant, token_hash, label, created_at_ms)
           VALUES (?, 'admin', NULL, ?, 'admin', ?)`,
        )
        .run(newId('tok'), hashToken(token), now);
      this.audit({ actor, tenant: null, action: 'admin-token.replace', target: null });
    })();
    return token;
  }

  /**
   * Creates a tenant.
   * @throws SandstackError `INVALID_ARGUMENT` for a bad id, `ALREADY_EXISTS` for an id in use or used before
   */
  create(input: { id: string; displayName?: string }, actor: string): TenantRecord {
    if (!isValidName(input.id)) {
      throw new SandstackError(
        'INVALID_ARGUMENT',
        `Tenant id "${input.id}" is invalid; use 1-63 letters, digits, ".", "_" or "-", starting with a letter or digit`,
      );
    }
    const existing = this.#db
      .prepare('SELECT deleted_at_ms FROM server_tenants WHERE id = ?')
      .get(input.id) as { deleted_at_ms: number | null } | undefined;
    if (existing !== undefined) {
      const reason = existing.deleted_at_ms === null ? 'exists' : 'belonged to a deleted tenant';
      throw new SandstackError(
        'ALREADY_EXISTS',
        `Tenant id "${input.id}" already ${reason}; pick another id`,
      );
    }
    const record = {
      id: input.id,
      displayName: input.displayName ?? input.id,
      createdAtMs: Date.now(),
    };
    this.#db.transaction(() => {
      this.#db
        .prepare('INSERT INTO server_tenants (id, display_name, created_at_ms) VALUES (?, ?, ?)')
        .run(record.id, record.displayName, record.createdAtMs);
      this.audit({ actor, tenant: record.id, action: 'tenant.create', target: record.id });
    })();
    return record;
  }

  /** Returns a live tenant, or undefined for an unknown or deleted one. */
  get(id: string): TenantRecord | undefined {
    const row = this.#db
      .prepare(
        'SELECT id, display_name, created_at_ms FROM server_tenants WHERE id = ? AND deleted_at_ms IS NULL',
      )
      .get(id) as { id: string; display_name: string; created_at_ms: number } | undefined;
    return row === undefined
      ? undefined
      : { id: row.id, displayName: row.display_name, createdAtMs: row.created_at_ms };
  }

  /** Lists live tenants, oldest first. */
  list(): TenantRecord[] {
    const rows = this.#db
      .prepare(
        'SELECT id, display_name, created_at_ms FROM server_tenants WHERE deleted_at_ms IS NULL ORDER BY created_at_ms, id',
      )
      .all() as { id: string; display_name: string; created_at_ms: number }[];
    return rows.map((row) => ({
      id: row.id,
      displayName: row.display_name,
      createdAtMs: row.created_at_ms,
    }));
  }

  /**
   * Marks a tenant deleted and revokes its tokens. Its workflows, instances and usage stay
   * in the database for the record.
   * @throws SandstackError `NOT_FOUND`
   */
  delete(id: string, actor: string): void {
    this.require(id);
    const now = Date.now();
    this.#db.transaction(() => {
      this.#db.prepare('UPDATE server_tenants SET deleted_at_ms = ? WHERE id = ?').run(now, id);
      this.#db
        .prepare(
          'UPDATE server_tokens SET revoked_at_ms = ? WHERE tenant = ? AND revoked_at_ms IS NULL',
        )
        .run(now, id);
      this.audit({ actor, tenant: id, action: 'tenant.delete', target: id });
    })();
  }

  /**
   * Creates a token for a tenant; returns its record and its secret, shown only this once.
   * @throws SandstackError `NOT_FOUND` for an unknown tenant
   */
  createToken(
    tenant: string,
    options: { label?: string },
    actor: string,
  ): { record: TokenRecord; token: string } {
    this.require(tenant);
    return this.#db.transaction(() => {
      const created = this.#insertToken(tenant, options.label ?? 'default');
      this.audit({ actor, tenant, action: 'token.create', target: created.record.id });
      return created;
    })();
  }

  /** Lists a tenant's tokens, revoked ones included, oldest first. @throws SandstackError `NOT_FOUND` */
  listTokens(tenant: string): TokenRecord[] {
    this.require(tenant);
    const rows = this.#db
      .prepare(
        "SELECT id, role, tenant, label, created_at_ms, revoked_at_ms FROM server_tokens WHERE role = 'tenant' AND tenant = ? ORDER BY created_at_ms, id",
      )
      .all(tenant) as TokenRow[];
    return rows.map(toTokenRecord);
  }

  /**
   * Replaces a live token with a new one under the same label; the old secret stops working
   * at once.
   * @throws SandstackError `NOT_FOUND` for an unknown tenant or token, `INVALID_ARGUMENT` for a revoked token
   */
  rotateToken(
    tenant: string,
    tokenId: string,
    actor: string,
  ): { record: TokenRecord; token: string } {
    const old = this.#requireToken(tenant, tokenId);
    if (old.revokedAtMs !== null) {
      throw new SandstackError(
        'INVALID_ARGUMENT',
        `Token "${tokenId}" is revoked; create a new token instead of rotating it`,
      );
    }
    return this.#db.transaction(() => {
      this.#revoke(tokenId);
      const created = this.#insertToken(tenant, old.label);
      this.audit({
        actor,
        tenant,
        action: 'token.rotate',
        target: tokenId,
        detail: { newTokenId: created.record.id },
      });
      return created;
    })();
  }

  /** Revokes a token; revoking twice is a no-op. @throws SandstackError `NOT_FOUND` */
  revokeToken(tenant: string, tokenId: string, actor: string): TokenRecord {
    this.#requireToken(tenant, tokenId);
    this.#db.transaction(() => {
      this.#revoke(tokenId);
      this.audit({ actor, tenant, action: 'token.revoke', target: tokenId });
    })();
    return this.#requireToken(tenant, tokenId);
  }

  /** Appends one entry to the audit log. */
  audit(entry: {
    actor: string;
    tenant: string | null;
    action: string;
    target: string | null;
    detail?: Record<string, unknown>;
  }): void {
    this.#db
      .prepare(
        'INSERT INTO server_audit (time_ms, actor, tenant, action, target, detail) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(
        Date.now(),
        entry.actor,
        entry.tenant,
        entry.action,
        entry.target,
        JSON.stringify(entry.detail ?? {}),
      );
  }

  /** Lists audit entries, newest first, optionally of one tenant and before a sequence number. */
  listAudit(filter: { tenant?: string; beforeSeq?: number; limit: number }): AuditEntry[] {
    const rows = this.#db
      .prepare(
        `SELECT * FROM server_audit
         WHERE (@tenant IS NULL OR tenant = @tenant) AND (@before IS NULL OR seq < @before)
         ORDER BY seq DESC LIMIT @limit`,
      )
      .all({
        tenant: filter.tenant ?? null,
        before: filter.beforeSeq ?? null,
        limit: filter.limit,
      }) as AuditRow[];
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
  getCpuQuota(tenant: string): CpuQuota | undefined {
    const row = this.#db
      .prepare('SELECT cpu_seconds, window_seconds FROM server_cpu_quotas WHERE tenant = ?')
      .get(tenant) as { cpu_seconds: number; window_seconds: number } | undefined;
    return row === undefined
      ? undefined
      : { cpuSeconds: row.cpu_seconds, windowSeconds: row.window_seconds };
  }

  /**
   * Sets the tenant's own CPU-seconds quota, or with `undefined` drops it so the server's
   * default applies again.
   * @throws SandstackError `NOT_FOUND` for an unknown tenant
   */
  setCpuQuota(tenant: string, quota: CpuQuota | undefined, actor: string): void {
    this.require(tenant);
    this.#db.transaction(() => {
      if (quota === undefined) {
        this.#db.prepare('DELETE FROM server_cpu_quotas WHERE tenant = ?').run(tenant);
      } else {
        this.#db
          .prepare(
            `INSERT INTO server_cpu_quotas (tenant, cpu_seconds, window_seconds, updated_at_ms)
             VALUES (?, ?, ?, ?)
             ON CONFLICT (tenant) DO UPDATE SET cpu_seconds = excluded.cpu_seconds,
               window_seconds = excluded.window_seconds, updated_at_ms = excluded.updated_at_ms`,
          )
          .run(tenant, quota.cpuSeconds, quota.windowSeconds, Date.now());
      }
      this.audit({
        actor,
        tenant,
        action: quota === undefined ? 'quota.reset' : 'quota.set',
        target: tenant,
        detail: quota === undefined ? {} : { ...quota },
      });
    })();
  }

  /** Returns a live tenant. @throws SandstackError `NOT_FOUND` */
  require(id: string): TenantRecord {
    const tenant = this.get(id);
    if (tenant === undefined) {
      throw new SandstackError(
        'NOT_FOUND',
        `Tenant "${id}" not found; list tenants with GET /v1/tenants`,
      );
    }
    return tenant;
  }

  #insertToken(tenant: string, label: string): { record: TokenRecord; token: string } {
    const token = newSecret(TENANT_TOKEN_PREFIX);
    const record: TokenRecord = {
      id: newId('tok'),
      tenant,
      label,
      createdAtMs: Date.now(),
      revokedAtMs: null,
    };
    this.#db
      .prepare(
        `INSERT INTO server_tokens (id, role, tenant, token_hash, label, created_at_ms)
         VALUES (?, 'tenant', ?, ?, ?, ?)`,
      )
      .run(record.id, tenant, hashToken(token), label, record.createdAtMs);
    return { record, token };
  }

  #revoke(tokenId: string): void {
    this.#db
      .prepare('UPDATE server_tokens SET revoked_at_ms = ? WHERE id = ? AND revoked_at_ms IS NULL')
      .run(Date.now(), tokenId);
  }

  #requireToken(tenant: string, tokenId: string): TokenRecord {
    this.require(tenant);
    const row = this.#db
      .prepare(
        "SELECT id, role, tenant, label, created_at_ms, revoked_at_ms FROM server_tokens WHERE id = ? AND role = 'tenant' AND tenant = ?",
      )
      .get(tokenId, tenant) as TokenRow | undefined;
    if (row === undefined) {
      throw new SandstackError(
        'NOT_FOUND',
        `Token "${tokenId}" not found for tenant "${tenant}"; list its tokens with GET /v1/tenants/${tenant}/tokens`,
      );
    }
    return toTokenRecord(row);
  }
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
