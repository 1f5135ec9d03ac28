import type { SqliteDatabase } from '../core/store.js';
import { migrate } from '../core/store.js';
import type { OperatingMode, RuntimeName, SandboxTemplate } from './types.js';

/**
 * Lifecycle of a sandbox record: `warm` (ready in a pool) → `claimed` (bound to a tenant) →
 * `released` (destroyed, usage stored). A cold claim starts at `claimed`.
 */
export type SandboxState = 'warm' | 'claimed' | 'released';

/** One sandbox as stored. */
export interface SandboxRecord {
  id: string;
  template: string;
  runtime: RuntimeName;
  pool: string | null;
  state: SandboxState;
  tenant: string | null;
  runId: string | null;
  /** The claim bound a ready sandbox from a pool instead of starting one. */
  warm: boolean;
  /** Time from the claim call to a usable sandbox, in milliseconds. */
  claimLatencyMs: number | null;
  stateDir: string;
  /** Process that created the sandbox; warm sandboxes of a dead process are orphans. */
  processId: number;
  createdAt: number;
  claimedAt: number | null;
  releasedAt: number | null;
  /** Final usage, stored on release. */
  usage: RecordedUsage | null;
  /** Hash of the template the sandbox was started from, to find stale pool sandboxes. */
  templateHash: string | null;
  /** Epoch milliseconds after which the controller destroys the sandbox. */
  expiresAt: number | null;
  /** Reason the sandbox ended, when something other than a release call ended it. */
  endReason: SandboxEndReason | null;
  /** Name of the SandboxClaim object the sandbox is bound to, if any. */
  claimName: string | null;
  /** `Suspended` while the sandbox's processes are checkpointed to disk. */
  operatingMode: OperatingMode;
  /** Epoch milliseconds of the last change of `operatingMode`, if it ever changed. */
  operatingModeChangedAt: number | null;
}

/** Usage of one sandbox as its record stores it on release. */
export interface RecordedUsage {
  /** CPU time of the sandbox's processes, from cgroup accounting. */
  cpuSeconds: number;
  memoryPeakBytes: number;
  /**
   * Provisioned memory over the claim: the template's memory limit in GiB times the seconds
   * from claim to release. 0 for records stored before it was metered.
   */
  gibSeconds: number;
  /**
   * Measured memory over the claim: the cgroup's sampled memory usage in GiB integrated over
   * the seconds from claim to release. Null where no local cgroup was sampled (Kubernetes,
   * records stored before it was measured).
   */
  measuredGibSeconds: number | null;
}

/** One stored snapshot: a checkpoint of a sandbox that new sandboxes can start from. */
export interface SnapshotRecord {
  /** Unique among the snapshots of one tenant. */
  name: string;
  /** Tenant of the sandbox it was taken from; only that tenant reaches it over HTTP. */
  tenant: string | null;
  sandboxId: string;
  template: string;
  runtime: RuntimeName;
  /** Host folder of the snapshot's image and files. */
  dir: string;
  imageBytes: number;
  filesBytes: number;
  createdAt: number;
}

/**
 * Why a sandbox ended without a release call: `ClaimExpired` when its claim's
 * `shutdownTime` passed, `SandboxExpired` when its template's `lifetimeSeconds` ran out.
 * The names are the Ready condition reasons the upstream claim controller reports.
 */
export type SandboxEndReason = 'ClaimExpired' | 'SandboxExpired';

/** Handling of a pool's ready sandboxes when its template changes. */
export type PoolUpdateStrategy = 'OnReplenish' | 'Recreate';

/** One warm pool as stored. */
export interface PoolRecord {
  name: string;
  template: string;
  replicas: number;
  /** @default 'OnReplenish' */
  updateStrategy: PoolUpdateStrategy;
}

/** Failed starts of a pool's sandboxes since its last fill that succeeded. */
export interface PoolStartFailure {
  /** Fills in a row whose first start failed. */
  failures: number;
  /** Message of the last failed start. */
  error: string;
  /** Epoch milliseconds of the last failed start. */
  failedAt: number;
}

/** One SandboxClaim object as stored, keyed by its name. */
export interface ClaimObjectRecord {
  name: string;
  /** The claim's namespace, which is the tenant of its sandbox. */
  tenant: string;
  pool: string;
  /** The claim's `spec` as applied, after schema defaults. */
  spec: Record<string, unknown>;
  sandboxId: string | null;
  createdAt: number;
}

/** Schema migrations of the sandbox tables, oldest first. */
export const SANDBOX_MIGRATIONS = [
  `CREATE TABLE sandbox_templates (name TEXT PRIMARY KEY, spec TEXT NOT NULL, created_at INTEGER NOT NULL);
   CREATE TABLE sandbox_pools (name TEXT PRIMARY KEY, template TEXT NOT NULL, replicas INTEGER NOT NULL, created_at INTEGER NOT NULL);
   CREATE TABLE sandboxes (
     id TEXT PRIMARY KEY, template TEXT NOT NULL, runtime TEXT NOT NULL, pool TEXT, state TEXT NOT NULL,
     tenant TEXT, run_id TEXT, warm INTEGER NOT NULL, claim_latency_ms REAL, state_dir TEXT NOT NULL,
     process_id INTEGER NOT NULL, created_at INTEGER NOT NULL, claimed_at INTEGER, released_at INTEGER,
     cpu_seconds REAL, memory_peak_bytes INTEGER);
   CREATE INDEX sandboxes_by_tenant ON sandboxes (tenant, run_id);
   CREATE INDEX sandboxes_by_pool ON sandboxes (pool, state);`,
  `ALTER TABLE sandbox_pools ADD COLUMN update_strategy TEXT NOT NULL DEFAULT 'OnReplenish';
   ALTER TABLE sandboxes ADD COLUMN template_hash TEXT;
   ALTER TABLE sandboxes ADD COLUMN expires_at INTEGER;
   ALTER TABLE sandboxes ADD COLUMN end_reason TEXT;
   ALTER TABLE sandboxes ADD COLUMN claim_name TEXT;
   CREATE TABLE sandbox_claims (
     name TEXT PRIMARY KEY, tenant TEXT NOT NULL, pool TEXT NOT NULL, spec TEXT NOT NULL,
     sandbox_id TEXT, created_at INTEGER NOT NULL);`,
  // A claim takes the oldest ready sandbox of a pool or template. Without these indexes each
  // claim sorted every ready sandbox, so a burst of n claims read n² rows.
  `CREATE INDEX sandboxes_ready_by_pool ON sandboxes (pool, state, created_at);
   CREATE INDEX sandboxes_ready_by_template ON sandboxes (template, state, created_at);`,
  `ALTER TABLE sandboxes ADD COLUMN operating_mode TEXT NOT NULL DEFAULT 'Running';
   ALTER TABLE sandboxes ADD COLUMN operating_mode_changed_at INTEGER;
   CREATE TABLE sandbox_snapshots (
     name TEXT PRIMARY KEY, tenant TEXT, sandbox_id TEXT NOT NULL, template TEXT NOT NULL,
     runtime TEXT NOT NULL, dir TEXT NOT NULL, image_bytes INTEGER NOT NULL,
     files_bytes INTEGER NOT NULL, created_at INTEGER NOT NULL);`,
  `ALTER TABLE sandboxes ADD COLUMN gib_seconds REAL;`,
  `ALTER TABLE sandboxes ADD COLUMN measured_gib_seconds REAL;`,
  // Snapshot names were unique per store, so a taken name revealed that another tenant had
  // used it. Names are now unique per tenant. Templates that named a tenant's snapshot by
  // its bare name now name it as "<tenant>/<name>", which stays unambiguous.
  `CREATE TABLE sandbox_snapshots_by_tenant (
     name TEXT NOT NULL, tenant TEXT, sandbox_id TEXT NOT NULL, template TEXT NOT NULL,
     runtime TEXT NOT NULL, dir TEXT NOT NULL, image_bytes INTEGER NOT NULL,
     files_bytes INTEGER NOT NULL, created_at INTEGER NOT NULL);
   INSERT INTO sandbox_snapshots_by_tenant
     SELECT name, tenant, sandbox_id, template, runtime, dir, image_bytes, files_bytes, created_at
     FROM sandbox_snapshots;
   DROP TABLE sandbox_snapshots;
   ALTER TABLE sandbox_snapshots_by_tenant RENAME TO sandbox_snapshots;
   CREATE UNIQUE INDEX sandbox_snapshots_tenant_name ON sandbox_snapshots (IFNULL(tenant, ''), name);
   UPDATE sandbox_templates
     SET spec = json_set(spec, '$.snapshot', (
       SELECT snapshot.tenant || '/' || snapshot.name FROM sandbox_snapshots AS snapshot
       WHERE snapshot.name = json_extract(sandbox_templates.spec, '$.snapshot')))
     WHERE json_extract(spec, '$.snapshot') IS NOT NULL
       AND instr(json_extract(spec, '$.snapshot'), '/') = 0
       AND EXISTS (
         SELECT 1 FROM sandbox_snapshots AS snapshot
         WHERE snapshot.name = json_extract(sandbox_templates.spec, '$.snapshot')
           AND snapshot.tenant IS NOT NULL);`,
  // A pool's failed starts, so that every process reading the store reports StartFailed, and
  // not only the one that ran the fills.
  `ALTER TABLE sandbox_pools ADD COLUMN start_failures INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE sandbox_pools ADD COLUMN last_start_error TEXT;
   ALTER TABLE sandbox_pools ADD COLUMN last_start_error_at INTEGER;`,
];

const SNAPSHOT_COLUMNS =
  'name, tenant, sandbox_id AS sandboxId, template, runtime, dir, image_bytes AS imageBytes, files_bytes AS filesBytes, created_at AS createdAt';

const POOL_COLUMNS = 'name, template, replicas, update_strategy AS updateStrategy';

interface SandboxRow {
  id: string;
  template: string;
  runtime: RuntimeName;
  pool: string | null;
  state: SandboxState;
  tenant: string | null;
  run_id: string | null;
  warm: number;
  claim_latency_ms: number | null;
  state_dir: string;
  process_id: number;
  created_at: number;
  claimed_at: number | null;
  released_at: number | null;
  cpu_seconds: number | null;
  memory_peak_bytes: number | null;
  gib_seconds: number | null;
  measured_gib_seconds: number | null;
  template_hash: string | null;
  expires_at: number | null;
  end_reason: SandboxEndReason | null;
  claim_name: string | null;
  operating_mode: OperatingMode;
  operating_mode_changed_at: number | null;
}

/** New sandbox row fields. */
export type NewSandbox = Pick<
  SandboxRecord,
  | 'id'
  | 'template'
  | 'runtime'
  | 'pool'
  | 'state'
  | 'tenant'
  | 'runId'
  | 'warm'
  | 'stateDir'
  | 'processId'
  | 'templateHash'
  | 'expiresAt'
  | 'claimName'
>;

/** One claim of a ready sandbox, as {@link SandboxStore.bindWarmBatch} binds it. */
export interface WarmBindRequest {
  /** Pool to take from; without it, any ready sandbox of `template`. */
  pool: string | undefined;
  template: string;
  tenant: string;
  runId: string | null;
  processId: number;
  /** Epoch milliseconds of the claim, from which the lifetime in `expiresAt` counts. */
  claimedAt: number;
  expiresAt: number;
  claimName: string | null;
  /** `performance.now()` when the claim began, for the stored claim latency. */
  startedAt: number;
}

/** SQLite tables of the sandbox controller. */
export class SandboxStore {
  constructor(private readonly db: SqliteDatabase) {
    migrate(db, 'sandbox', SANDBOX_MIGRATIONS);
  }

  insertTemplate(template: SandboxTemplate): void {
    this.db
      .prepare('INSERT INTO sandbox_templates (name, spec, created_at) VALUES (?, ?, ?)')
      .run(template.name, JSON.stringify(template), Date.now());
  }

  deleteTemplate(name: string): void {
    this.db.prepare('DELETE FROM sandbox_templates WHERE name = ?').run(name);
  }

  updateTemplate(template: SandboxTemplate): void {
    this.db
      .prepare('UPDATE sandbox_templates SET spec = ? WHERE name = ?')
      .run(JSON.stringify(template), template.name);
  }

  getTemplate(name: string): SandboxTemplate | undefined {
    const row = this.db.prepare('SELECT spec FROM sandbox_templates WHERE name = ?').get(name) as
      { spec: string } | undefined;
    return row === undefined ? undefined : (JSON.parse(row.spec) as SandboxTemplate);
  }

  listTemplates(): SandboxTemplate[] {
    const rows = this.db.prepare('SELECT spec FROM sandbox_templates ORDER BY name').all() as {
      spec: string;
    }[];
    return rows.map((row) => JSON.parse(row.spec) as SandboxTemplate);
  }

  insertPool(pool: PoolRecord): void {
    this.db
      .prepare(
        'INSERT INTO sandbox_pools (name, template, replicas, update_strategy, created_at) VALUES (?, ?, ?, ?, ?)',
      )
      .run(pool.name, pool.template, pool.replicas, pool.updateStrategy, Date.now());
  }

  updatePool(pool: PoolRecord): void {
    this.db
      .prepare(
        'UPDATE sandbox_pools SET template = ?, replicas = ?, update_strategy = ? WHERE name = ?',
      )
      .run(pool.template, pool.replicas, pool.updateStrategy, pool.name);
  }

  deletePool(name: string): void {
    this.db.prepare('DELETE FROM sandbox_pools WHERE name = ?').run(name);
  }

  getPool(name: string): PoolRecord | undefined {
    return this.db.prepare(`SELECT ${POOL_COLUMNS} FROM sandbox_pools WHERE name = ?`).get(name) as
      PoolRecord | undefined;
  }

  /** Stores a pool's failed starts; does nothing when the pool was deleted meanwhile. */
  recordPoolFailure(name: string, failure: PoolStartFailure): void {
    this.db
      .prepare(
        'UPDATE sandbox_pools SET start_failures = ?, last_start_error = ?, last_start_error_at = ? WHERE name = ?',
      )
      .run(failure.failures, failure.error, failure.failedAt, name);
  }

  /** Forgets a pool's failed starts after a fill that succeeded. */
  clearPoolFailure(name: string): void {
    this.db
      .prepare(
        'UPDATE sandbox_pools SET start_failures = 0, last_start_error = NULL, last_start_error_at = NULL WHERE name = ? AND last_start_error IS NOT NULL',
      )
      .run(name);
  }

  /** Returns a pool's failed starts since its last fill that succeeded, if any. */
  getPoolFailure(name: string): PoolStartFailure | undefined {
    return this.db
      .prepare(
        'SELECT start_failures AS failures, last_start_error AS error, last_start_error_at AS failedAt FROM sandbox_pools WHERE name = ? AND last_start_error IS NOT NULL',
      )
      .get(name) as PoolStartFailure | undefined;
  }

  listPools(): PoolRecord[] {
    return this.db
      .prepare(`SELECT ${POOL_COLUMNS} FROM sandbox_pools ORDER BY name`)
      .all() as PoolRecord[];
  }

  /** Records of a pool's ready sandboxes, oldest first. */
  listWarm(pool: string): SandboxRecord[] {
    const rows = this.db
      .prepare("SELECT * FROM sandboxes WHERE pool = ? AND state = 'warm' ORDER BY created_at, id")
      .all(pool) as SandboxRow[];
    return rows.map(toRecord);
  }

  insertClaimObject(claim: ClaimObjectRecord): void {
    this.db
      .prepare(
        'INSERT INTO sandbox_claims (name, tenant, pool, spec, sandbox_id, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(
        claim.name,
        claim.tenant,
        claim.pool,
        JSON.stringify(claim.spec),
        claim.sandboxId,
        claim.createdAt,
      );
  }

  updateClaimObject(name: string, fields: { spec: Record<string, unknown> }): void {
    this.db
      .prepare('UPDATE sandbox_claims SET spec = ? WHERE name = ?')
      .run(JSON.stringify(fields.spec), name);
  }

  getClaimObject(name: string): ClaimObjectRecord | undefined {
    const row = this.db.prepare('SELECT * FROM sandbox_claims WHERE name = ?').get(name) as
      ClaimRow | undefined;
    return row === undefined ? undefined : toClaim(row);
  }

  listClaimObjects(): ClaimObjectRecord[] {
    const rows = this.db.prepare('SELECT * FROM sandbox_claims ORDER BY name').all() as ClaimRow[];
    return rows.map(toClaim);
  }

  deleteClaimObject(name: string): void {
    this.db.prepare('DELETE FROM sandbox_claims WHERE name = ?').run(name);
  }

  countWarm(pool: string): number {
    const row = this.db
      .prepare("SELECT COUNT(*) AS count FROM sandboxes WHERE pool = ? AND state = 'warm'")
      .get(pool) as { count: number };
    return row.count;
  }

  insertSandbox(sandbox: NewSandbox): void {
    const now = Date.now();
    this.db
      .prepare(
        `INSERT INTO sandboxes (id, template, runtime, pool, state, tenant, run_id, warm, state_dir, process_id, created_at, claimed_at, template_hash, expires_at, claim_name)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        sandbox.id,
        sandbox.template,
        sandbox.runtime,
        sandbox.pool,
        sandbox.state,
        sandbox.tenant,
        sandbox.runId,
        sandbox.warm ? 1 : 0,
        sandbox.stateDir,
        sandbox.processId,
        now,
        sandbox.state === 'claimed' ? now : null,
        sandbox.templateHash,
        sandbox.expiresAt,
        sandbox.claimName,
      );
  }

  /**
   * Binds one ready sandbox of this process to each request, in one transaction, so a burst
   * of claims pays for one commit. The claim fields are written in the same update. Returns
   * each request's sandbox id, or undefined where no ready sandbox was left.
   */
  bindWarmBatch(requests: readonly WarmBindRequest[]): (string | undefined)[] {
    const byPool = this.db.prepare(
      "SELECT id FROM sandboxes WHERE state = 'warm' AND pool = ? AND process_id = ? ORDER BY created_at LIMIT 1",
    );
    const byTemplate = this.db.prepare(
      "SELECT id FROM sandboxes WHERE state = 'warm' AND template = ? AND process_id = ? ORDER BY created_at LIMIT 1",
    );
    const bind = this.db.prepare(
      "UPDATE sandboxes SET state = 'claimed', tenant = ?, run_id = ?, claimed_at = ?, expires_at = ?, claim_name = ?, claim_latency_ms = ? WHERE id = ? AND state = 'warm'",
    );
    return this.db.transaction(() =>
      requests.map((request) => {
        const row = (
          request.pool === undefined
            ? byTemplate.get(request.template, request.processId)
            : byPool.get(request.pool, request.processId)
        ) as { id: string } | undefined;
        if (row === undefined) {
          return undefined;
        }
        // The latency runs to the bind; the commit that follows is shared by the batch.
        const latencyMs = Math.round((performance.now() - request.startedAt) * 1000) / 1000;
        const changes = bind.run(
          request.tenant,
          request.runId,
          request.claimedAt,
          request.expiresAt,
          request.claimName,
          latencyMs,
          row.id,
        ).changes;
        return changes === 1 ? row.id : undefined;
      }),
    )();
  }

  /** Moves a warm sandbox to a new owner process; false when another process won. */
  adopt(id: string, fromProcessId: number, toProcessId: number): boolean {
    const changes = this.db
      .prepare(
        "UPDATE sandboxes SET process_id = ? WHERE id = ? AND process_id = ? AND state = 'warm'",
      )
      .run(toProcessId, id, fromProcessId).changes;
    return changes === 1;
  }

  /**
   * Sets when a claimed sandbox expires and which SandboxClaim object it serves, and, when
   * given, its claim time and claim latency.
   */
  setClaimFields(
    id: string,
    fields: {
      expiresAt: number | null;
      claimName: string | null;
      claimedAt?: number;
      latencyMs?: number;
    },
  ): void {
    this.db
      .prepare(
        'UPDATE sandboxes SET expires_at = ?, claim_name = ?, claimed_at = coalesce(?, claimed_at), claim_latency_ms = coalesce(?, claim_latency_ms) WHERE id = ?',
      )
      .run(
        fields.expiresAt,
        fields.claimName,
        fields.claimedAt ?? null,
        fields.latencyMs ?? null,
        id,
      );
  }

  setOperatingMode(id: string, mode: OperatingMode): void {
    this.db
      .prepare(
        'UPDATE sandboxes SET operating_mode = ?, operating_mode_changed_at = ? WHERE id = ?',
      )
      .run(mode, Date.now(), id);
  }

  insertSnapshot(snapshot: SnapshotRecord): void {
    this.db
      .prepare(
        'INSERT INTO sandbox_snapshots (name, tenant, sandbox_id, template, runtime, dir, image_bytes, files_bytes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        snapshot.name,
        snapshot.tenant,
        snapshot.sandboxId,
        snapshot.template,
        snapshot.runtime,
        snapshot.dir,
        snapshot.imageBytes,
        snapshot.filesBytes,
        snapshot.createdAt,
      );
  }

  getSnapshot(tenant: string | null, name: string): SnapshotRecord | undefined {
    return this.db
      .prepare(
        `SELECT ${SNAPSHOT_COLUMNS} FROM sandbox_snapshots WHERE IFNULL(tenant, '') = ? AND name = ?`,
      )
      .get(tenant ?? '', name) as SnapshotRecord | undefined;
  }

  /** Lists the snapshots of every tenant that have this name. */
  findSnapshots(name: string): SnapshotRecord[] {
    return this.db
      .prepare(
        `SELECT ${SNAPSHOT_COLUMNS} FROM sandbox_snapshots WHERE name = ? ORDER BY IFNULL(tenant, '')`,
      )
      .all(name) as SnapshotRecord[];
  }

  /** Lists snapshots, newest first, of one tenant when `tenant` is given. */
  listSnapshots(tenant?: string): SnapshotRecord[] {
    const where = tenant === undefined ? '' : 'WHERE tenant = ?';
    return this.db
      .prepare(
        `SELECT ${SNAPSHOT_COLUMNS} FROM sandbox_snapshots ${where} ORDER BY created_at DESC`,
      )
      .all(...(tenant === undefined ? [] : [tenant])) as SnapshotRecord[];
  }

  deleteSnapshot(tenant: string | null, name: string): void {
    this.db
      .prepare("DELETE FROM sandbox_snapshots WHERE IFNULL(tenant, '') = ? AND name = ?")
      .run(tenant ?? '', name);
  }

  setEndReason(id: string, reason: SandboxEndReason): void {
    this.db.prepare('UPDATE sandboxes SET end_reason = ? WHERE id = ?').run(reason, id);
  }

  /**
   * Marks a sandbox released with its final usage, once: a later release (another process
   * that raced this one) keeps the usage the first one stored. GiB-seconds are the provisioned memory
   * (`memoryBytes`) times the seconds from claim to now, and `measuredGibSeconds` the
   * sampled usage integrated over that time, when it was measured.
   */
  markReleased(
    id: string,
    usage: {
      cpuSeconds: number;
      memoryPeakBytes: number;
      memoryBytes: number;
      measuredGibSeconds?: number | null;
    },
  ): void {
    const now = Date.now();
    const claimedAt = this.get(id)?.claimedAt ?? null;
    const gibSeconds = provisionedGibSeconds(usage.memoryBytes, claimedAt, now);
    this.db
      .prepare(
        "UPDATE sandboxes SET state = 'released', released_at = ?, cpu_seconds = ?, memory_peak_bytes = ?, gib_seconds = ?, measured_gib_seconds = ? WHERE id = ? AND state != 'released'",
      )
      .run(
        now,
        usage.cpuSeconds,
        Math.round(usage.memoryPeakBytes),
        gibSeconds,
        usage.measuredGibSeconds ?? null,
        id,
      );
  }

  /** Deletes a ready sandbox's record; false when a claim bound it first. */
  removeWarm(id: string): boolean {
    return (
      this.db.prepare("DELETE FROM sandboxes WHERE id = ? AND state = 'warm'").run(id).changes === 1
    );
  }

  delete(id: string): void {
    this.db.prepare('DELETE FROM sandboxes WHERE id = ?').run(id);
  }

  get(id: string): SandboxRecord | undefined {
    const row = this.db.prepare('SELECT * FROM sandboxes WHERE id = ?').get(id) as
      SandboxRow | undefined;
    return row === undefined ? undefined : toRecord(row);
  }

  /** Lists records, newest first; released ones only when asked. */
  list(filter: { tenant?: string; runId?: string; includeReleased?: boolean }): SandboxRecord[] {
    const clauses: string[] = [];
    const params: unknown[] = [];
    if (filter.tenant !== undefined) {
      clauses.push('tenant = ?');
      params.push(filter.tenant);
    }
    if (filter.runId !== undefined) {
      clauses.push('run_id = ?');
      params.push(filter.runId);
    }
    if (filter.includeReleased !== true) {
      clauses.push("state != 'released'");
    }
    const where = clauses.length === 0 ? '' : `WHERE ${clauses.join(' AND ')}`;
    const rows = this.db
      .prepare(`SELECT * FROM sandboxes ${where} ORDER BY created_at DESC, id`)
      .all(...params) as SandboxRow[];
    return rows.map(toRecord);
  }
}

function toRecord(row: SandboxRow): SandboxRecord {
  return {
    id: row.id,
    template: row.template,
    runtime: row.runtime,
    pool: row.pool,
    state: row.state,
    tenant: row.tenant,
    runId: row.run_id,
    warm: row.warm === 1,
    claimLatencyMs: row.claim_latency_ms,
    stateDir: row.state_dir,
    processId: row.process_id,
    createdAt: row.created_at,
    claimedAt: row.claimed_at,
    releasedAt: row.released_at,
    usage:
      row.cpu_seconds === null
        ? null
        : {
            cpuSeconds: row.cpu_seconds,
            memoryPeakBytes: row.memory_peak_bytes ?? 0,
            gibSeconds: row.gib_seconds ?? 0,
            measuredGibSeconds: row.measured_gib_seconds,
          },
    templateHash: row.template_hash,
    expiresAt: row.expires_at,
    endReason: row.end_reason,
    claimName: row.claim_name,
    operatingMode: row.operating_mode,
    operatingModeChangedAt: row.operating_mode_changed_at,
  };
}

interface ClaimRow {
  name: string;
  tenant: string;
  pool: string;
  spec: string;
  sandbox_id: string | null;
  created_at: number;
}

function toClaim(row: ClaimRow): ClaimObjectRecord {
  return {
    name: row.name,
    tenant: row.tenant,
    pool: row.pool,
    spec: JSON.parse(row.spec) as Record<string, unknown>,
    sandboxId: row.sandbox_id,
    createdAt: row.created_at,
  };
}

/** Memory limit in GiB times the seconds from claim to `endMs`; 0 for a never-claimed sandbox. */
export function provisionedGibSeconds(
  memoryBytes: number,
  claimedAt: number | null,
  endMs: number,
): number {
  if (claimedAt === null) {
    return 0;
  }
  return (memoryBytes / 2 ** 30) * (Math.max(0, endMs - claimedAt) / 1000);
}
