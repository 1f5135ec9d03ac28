/**
 * The PostgreSQL workflow store, for several engine processes on several machines sharing
 * one database. It has the SQLite store's contract: every statement filters by tenant, and
 * every primary key starts with the tenant. Leases come on top, so each instance runs on
 * one node at a time and the other nodes pick up a dead node's instances.
 */
import { hostname } from 'node:os';
import type { PoolClient, PoolConfig, QueryResultRow } from 'pg';
import pg from 'pg';
import { SandstackError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { InstanceStatus, JsonValue } from '../types.js';
import { PostgresLeases, RUNNABLE_WHERE } from './postgres-leases.js';
import { migratePostgres } from './postgres-schema.js';
import type { EventRow, InstanceRow, StepRow, VersionRow } from './rows.js';
import {
  instanceValues,
  jsonOrNull,
  stepValues,
  toEvent,
  toInstance,
  toStep,
  toVersion,
  manifestJson,
} from './rows.js';
import {
  deletedIdError,
  eventFits,
  type AddEventResult,
  type EndedInstance,
  type EventBounds,
  type EventRecord,
  type EventTotals,
  type InstanceKey,
  type InstancePatch,
  type InstanceRecord,
  type StepRecord,
  type StoppedStatus,
  type VersionRecord,
  type WorkflowStore,
} from './store.js';

/** Options for {@link PostgresWorkflowStore.open}. */
export interface PostgresWorkflowStoreOptions {
  /** Id this process writes as the owner of its leases. @default `<hostname>-<random id>` */
  nodeId?: string;
  /** Connections in this process's pool. @default 10 */
  maxConnections?: number;
}

const INT8_OID = 20;

/**
 * Reads BIGINT columns as numbers: the store keeps epoch milliseconds and serial numbers
 * there, which stay far below 2^53.
 */
const TYPES: NonNullable<PoolConfig['types']> = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format ?? 'text')) as NonNullable<
    PoolConfig['types']
  >['getTypeParser'],
};

/**
 * Workflow store on a PostgreSQL database. Each write is one autocommit statement or one
 * transaction, and every connection sets `synchronous_commit = on`, so a write's promise
 * settles only after PostgreSQL has flushed its commit to the write-ahead log.
 *
 * @example
 * const store = await PostgresWorkflowStore.open('postgres://sandstack@db/sandstack');
 * const engine = new WorkflowEngine({ store });
 * await engine.runDue({ concurrency: 8 });
 * await store.close();
 */
export class PostgresWorkflowStore implements WorkflowStore {
  readonly #pool: pg.Pool;
  readonly leases: PostgresLeases;

  private constructor(pool: pg.Pool, nodeId: string) {
    this.#pool = pool;
    this.leases = new PostgresLeases(pool, nodeId);
  }

  /**
   * Connects to `url`, applies pending schema migrations and returns the store.
   *
   * @throws SandstackError `STORE_FAILED` when the database cannot be reached or migrated.
   */
  static async open(
    url: string,
    options: PostgresWorkflowStoreOptions = {},
  ): Promise<PostgresWorkflowStore> {
    const pool = new pg.Pool({
      connectionString: url,
      max: options.maxConnections ?? 10,
      types: TYPES,
      options: '-c synchronous_commit=on',
    });
    // An idle client that loses its connection emits an error; without a listener that
    // would crash the process. The next query reconnects.
    pool.on('error', () => undefined);
    try {
      await migratePostgres(pool);
    } catch (error) {
      await pool.end();
      throw new SandstackError(
        'STORE_FAILED',
        `Could not open the PostgreSQL workflow store at ${redactUrl(url)}: ${String(error)}; check that the server runs and the URL, user and database are right`,
        { cause: error },
      );
    }
    return new PostgresWorkflowStore(pool, options.nodeId ?? `${hostname()}-${newId('node')}`);
  }

  /** Closes the connection pool. */
  async close(): Promise<void> {
    await this.#pool.end();
  }

  async #rows<T extends QueryResultRow>(sql: string, values: unknown[]): Promise<T[]> {
    return (await this.#pool.query<T>(sql, values)).rows;
  }

  async #transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async saveVersion(version: VersionRecord): Promise<boolean> {
    // xmax is 0 only in a row that this statement inserted, not in one it updated.
    const [row] = await this.#rows<{ inserted: boolean }>(
      `INSERT INTO workflow_versions (tenant, workflow, hash, class_name, code, created_at_ms, manifest)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (tenant, workflow, hash) DO UPDATE SET manifest = EXCLUDED.manifest
       RETURNING (xmax = 0) AS inserted`,
      [
        version.tenant,
        version.workflow,
        version.hash,
        version.className,
        version.code,
        version.createdAtMs,
        manifestJson(version),
      ],
    );
    return row?.inserted === true;
  }

  async getVersion(
    tenant: string,
    workflow: string,
    hash: string,
  ): Promise<VersionRecord | undefined> {
    const [row] = await this.#rows<VersionRow>(
      'SELECT * FROM workflow_versions WHERE tenant = $1 AND workflow = $2 AND hash = $3',
      [tenant, workflow, hash],
    );
    return row === undefined ? undefined : toVersion(row);
  }

  async latestVersion(tenant: string, workflow: string): Promise<VersionRecord | undefined> {
    const [row] = await this.#rows<VersionRow>(
      `SELECT * FROM workflow_versions WHERE tenant = $1 AND workflow = $2
       ORDER BY seq DESC LIMIT 1`,
      [tenant, workflow],
    );
    return row === undefined ? undefined : toVersion(row);
  }

  async listVersions(tenant: string, workflow?: string): Promise<Omit<VersionRecord, 'code'>[]> {
    const rows = await this.#rows<VersionRow>(
      `SELECT tenant, workflow, hash, class_name, created_at_ms FROM workflow_versions
       WHERE tenant = $1 AND ($2::text IS NULL OR workflow = $2) ORDER BY seq DESC`,
      [tenant, workflow ?? null],
    );
    return rows.map((row) => {
      const { code: _code, ...rest } = toVersion(row);
      return rest;
    });
  }

  async createInstance(instance: InstanceRecord): Promise<void> {
    const result = await this.#pool.query(
      `INSERT INTO workflow_instances (tenant, id, workflow, version, params, status, output,
         error, wake_at_ms, created_at_ms, updated_at_ms)
       SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11
       WHERE NOT EXISTS (
         SELECT 1 FROM workflow_deleted_instances WHERE tenant = $1 AND id = $2)
       ON CONFLICT DO NOTHING`,
      instanceValues(instance),
    );
    if ((result.rowCount ?? 0) === 0) {
      const deleted = await this.#rows(
        'SELECT 1 FROM workflow_deleted_instances WHERE tenant = $1 AND id = $2',
        [instance.tenant, instance.id],
      );
      if (deleted.length > 0) {
        throw deletedIdError(instance.id);
      }
      throw new SandstackError(
        'ALREADY_EXISTS',
        `Instance "${instance.id}" already exists; choose another id or omit it`,
      );
    }
  }

  async tenantStepResultBytes(tenant: string): Promise<number> {
    const [row] = await this.#rows<{ bytes: string }>(
      `SELECT COALESCE(SUM(octet_length(result)), 0) AS bytes FROM workflow_steps
         WHERE tenant = $1 AND status = 'complete'`,
      [tenant],
    );
    return Number(row?.bytes ?? 0);
  }

  async getInstance(tenant: string, id: string): Promise<InstanceRecord | undefined> {
    const [row] = await this.#rows<InstanceRow>(
      'SELECT * FROM workflow_instances WHERE tenant = $1 AND id = $2',
      [tenant, id],
    );
    return row === undefined ? undefined : toInstance(row);
  }

  async listInstances(
    tenant: string,
    filter: { workflow?: string; status?: InstanceStatus } = {},
  ): Promise<InstanceRecord[]> {
    const rows = await this.#rows<InstanceRow>(
      `SELECT * FROM workflow_instances WHERE tenant = $1
         AND ($2::text IS NULL OR workflow = $2) AND ($3::text IS NULL OR status = $3)
       ORDER BY created_at_ms DESC, row_id DESC`,
      [tenant, filter.workflow ?? null, filter.status ?? null],
    );
    return rows.map(toInstance);
  }

  async updateInstance(tenant: string, id: string, patch: InstancePatch): Promise<void> {
    await this.#update(this.#pool, tenant, id, patch);
  }

  async #update(
    client: Pick<pg.Pool, 'query'>,
    tenant: string,
    id: string,
    patch: InstancePatch,
  ): Promise<void> {
    const values: unknown[] = [tenant, id, patch.updatedAtMs];
    const sets = ['updated_at_ms = $3'];
    const set = (column: string, value: unknown): void => {
      values.push(value);
      sets.push(`${column} = $${values.length}`);
    };
    if ('status' in patch) {
      set('status', patch.status);
    }
    if ('output' in patch) {
      set('output', jsonOrNull(patch.output));
    }
    if ('error' in patch) {
      set('error', jsonOrNull(patch.error));
    }
    if ('wakeAtMs' in patch) {
      set('wake_at_ms', patch.wakeAtMs ?? null);
    }
    await client.query(
      `UPDATE workflow_instances SET ${sets.join(', ')} WHERE tenant = $1 AND id = $2`,
      values,
    );
  }

  async listRunnable(options: {
    nowMs: number;
    limit: number;
    includeRunning: boolean;
  }): Promise<InstanceKey[]> {
    // A tenant's turn is the rank of the instance among that tenant's runnable ones, so
    // ordering by turn first takes one instance of each tenant per round.
    return this.#rows<InstanceKey>(
      `SELECT tenant, id FROM (
         SELECT tenant, id, updated_at_ms, row_id,
           ROW_NUMBER() OVER (PARTITION BY tenant ORDER BY updated_at_ms, row_id) AS turn
         FROM workflow_instances AS instance
         WHERE ${RUNNABLE_WHERE} OR (status = 'running' AND $3)) AS ranked
       ORDER BY turn, updated_at_ms, row_id LIMIT $2`,
      [options.nowMs, Math.min(options.limit, Number.MAX_SAFE_INTEGER), options.includeRunning],
    );
  }

  async resetInstance(tenant: string, instanceId: string, updatedAtMs: number): Promise<void> {
    await this.#transaction(async (client) => {
      await client.query('DELETE FROM workflow_steps WHERE tenant = $1 AND instance_id = $2', [
        tenant,
        instanceId,
      ]);
      await client.query('DELETE FROM workflow_events WHERE tenant = $1 AND instance_id = $2', [
        tenant,
        instanceId,
      ]);
      await client.query(
        `UPDATE workflow_instances SET status = 'queued', output = NULL, error = NULL,
           wake_at_ms = NULL, updated_at_ms = $3 WHERE tenant = $1 AND id = $2`,
        [tenant, instanceId, updatedAtMs],
      );
    });
  }

  async upgradeInstance(
    tenant: string,
    instanceId: string,
    change: {
      expected: Pick<InstanceRecord, 'status' | 'version' | 'updatedAtMs'>;
      version: string;
      dropFromSeq: number;
      patch: InstancePatch;
    },
  ): Promise<boolean> {
    return this.#transaction(async (client) => {
      const moved = await client.query(
        `UPDATE workflow_instances SET version = $3
         WHERE tenant = $1 AND id = $2 AND status = $4 AND version = $5 AND updated_at_ms = $6`,
        [
          tenant,
          instanceId,
          change.version,
          change.expected.status,
          change.expected.version,
          change.expected.updatedAtMs,
        ],
      );
      if ((moved.rowCount ?? 0) === 0) {
        return false;
      }
      await client.query(
        'DELETE FROM workflow_steps WHERE tenant = $1 AND instance_id = $2 AND seq >= $3',
        [tenant, instanceId, change.dropFromSeq],
      );
      await this.#update(client, tenant, instanceId, change.patch);
      return true;
    });
  }

  async listEndedInstances(options: {
    endedBeforeMs: number;
    limit: number;
    after?: Pick<EndedInstance, 'tenant' | 'id' | 'updatedAtMs'>;
    tenant?: string;
  }): Promise<EndedInstance[]> {
    const after = options.after;
    return this.#rows<EndedInstance>(
      `SELECT tenant, id, workflow, status, updated_at_ms AS "updatedAtMs" FROM workflow_instances
       WHERE status IN ('complete', 'errored', 'terminated') AND updated_at_ms < $1
         AND ($3::text IS NULL OR tenant = $3)
         AND ($4::bigint IS NULL OR (updated_at_ms, tenant, id) > ($4, $5, $6))
       ORDER BY updated_at_ms, tenant, id LIMIT $2`,
      [
        options.endedBeforeMs,
        options.limit,
        options.tenant ?? null,
        after?.updatedAtMs ?? null,
        after?.tenant ?? null,
        after?.id ?? null,
      ],
    );
  }

  async deleteEndedInstances(
    instances: InstanceKey[],
    deletedAtMs = Date.now(),
  ): Promise<InstanceKey[]> {
    if (instances.length === 0) {
      return [];
    }
    return this.#transaction(async (client) => {
      const { rows } = await client.query<InstanceKey>(
        `DELETE FROM workflow_instances AS instance
         USING UNNEST($1::text[], $2::text[]) AS doomed (tenant, id)
         WHERE instance.tenant = doomed.tenant AND instance.id = doomed.id
           AND instance.status IN ('complete', 'errored', 'terminated')
         RETURNING instance.tenant, instance.id`,
        [instances.map((key) => key.tenant), instances.map((key) => key.id)],
      );
      const tenants = rows.map((key) => key.tenant);
      const ids = rows.map((key) => key.id);
      for (const table of ['workflow_steps', 'workflow_events']) {
        await client.query(
          `DELETE FROM ${table} AS target USING UNNEST($1::text[], $2::text[]) AS doomed (tenant, id)
           WHERE target.tenant = doomed.tenant AND target.instance_id = doomed.id`,
          [tenants, ids],
        );
      }
      await client.query(
        `INSERT INTO workflow_deleted_instances (tenant, id, deleted_at_ms)
         SELECT tenant, id, $3 FROM UNNEST($1::text[], $2::text[]) AS deleted (tenant, id)
         ON CONFLICT DO NOTHING`,
        [tenants, ids, deletedAtMs],
      );
      return rows;
    });
  }

  async releaseDeletedIds(options: {
    deletedBeforeMs: number;
    limit: number;
    tenant?: string;
  }): Promise<number> {
    const result = await this.#pool.query(
      `DELETE FROM workflow_deleted_instances WHERE (tenant, id) IN (
         SELECT tenant, id FROM workflow_deleted_instances
         WHERE deleted_at_ms < $1 AND ($2::text IS NULL OR tenant = $2) LIMIT $3)`,
      [options.deletedBeforeMs, options.tenant ?? null, options.limit],
    );
    return result.rowCount ?? 0;
  }

  async listSteps(tenant: string, instanceId: string): Promise<StepRecord[]> {
    const rows = await this.#rows<StepRow>(
      'SELECT * FROM workflow_steps WHERE tenant = $1 AND instance_id = $2 ORDER BY seq',
      [tenant, instanceId],
    );
    return rows.map(toStep);
  }

  async putStep(
    tenant: string,
    instanceId: string,
    step: StepRecord,
    options: { unlessStopped?: boolean; allowPaused?: boolean; deferrable?: boolean } = {},
  ): Promise<StoppedStatus | undefined> {
    // The share lock on the instance row makes a claim by another node wait for this write,
    // so that node's replay reads the step. Once another node holds the lease, `owner` is
    // empty, so a node that lost it cannot commit a step the new owner may run again. The
    // status check makes the pause and terminate check part of the same statement, so a
    // step commit costs one round trip.
    const result = await this.#pool.query<{ status: InstanceStatus; stored: number }>(
      `WITH owner AS (
         SELECT status FROM workflow_instances
         WHERE tenant = $1 AND id = $2 AND lease_owner = $13 FOR SHARE),
       stored AS (
         INSERT INTO workflow_steps (tenant, instance_id, step_key, kind, seq, status, attempt,
           result, error, wake_at_ms, started_at_ms, ended_at_ms)
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12 FROM owner
         WHERE NOT $14 OR owner.status NOT IN ('terminated', CASE WHEN $15 THEN 'terminated' ELSE 'paused' END)
         ON CONFLICT (tenant, instance_id, step_key) DO UPDATE SET kind = EXCLUDED.kind,
           seq = EXCLUDED.seq, status = EXCLUDED.status, attempt = EXCLUDED.attempt,
           result = EXCLUDED.result, error = EXCLUDED.error, wake_at_ms = EXCLUDED.wake_at_ms,
           started_at_ms = EXCLUDED.started_at_ms, ended_at_ms = EXCLUDED.ended_at_ms
         RETURNING 1)
       SELECT owner.status, (SELECT COUNT(*) FROM stored)::int AS stored FROM owner`,
      [
        ...stepValues(tenant, instanceId, step),
        this.leases.nodeId,
        options.unlessStopped === true,
        options.allowPaused === true,
      ],
    );
    const row = result.rows[0];
    if (row === undefined) {
      throw new SandstackError(
        'LEASE_LOST',
        `Node "${this.leases.nodeId}" no longer holds the lease of instance "${instanceId}", so step "${step.key}" was not stored; another node runs the instance now`,
      );
    }
    if (row.stored === 0 && (row.status === 'paused' || row.status === 'terminated')) {
      return row.status;
    }
    return undefined;
  }

  async addEvent(
    tenant: string,
    instanceId: string,
    event: { type: string; payload: JsonValue; createdAtMs: number },
    bounds?: EventBounds,
  ): Promise<AddEventResult> {
    const payload = JSON.stringify(event.payload);
    const insert = async (client: Pick<PoolClient, 'query'>): Promise<AddEventResult> => {
      await client.query(
        `INSERT INTO workflow_events (tenant, instance_id, type, payload, created_at_ms)
         VALUES ($1, $2, $3, $4, $5)`,
        [tenant, instanceId, event.type, payload, event.createdAtMs],
      );
      return { added: true };
    };
    if (bounds === undefined) {
      return insert(this.#pool);
    }
    return this.#transaction(async (client) => {
      // The row lock makes concurrent sends to one instance check and insert one at a time.
      await client.query(
        'SELECT 1 FROM workflow_instances WHERE tenant = $1 AND id = $2 FOR UPDATE',
        [tenant, instanceId],
      );
      const totals = await eventTotals(client, tenant, instanceId);
      if (!eventFits(totals, Buffer.byteLength(payload), bounds)) {
        return { added: false, totals };
      }
      return insert(client);
    });
  }

  async claimEvent(
    tenant: string,
    instanceId: string,
    type: string,
    stepKey: string,
  ): Promise<EventRecord | undefined> {
    const row = await this.#transaction(async (client): Promise<EventRow | undefined> => {
      const owned = await client.query<EventRow>(
        `SELECT * FROM workflow_events WHERE tenant = $1 AND instance_id = $2
           AND consumed_by = $3`,
        [tenant, instanceId, stepKey],
      );
      if (owned.rows[0] !== undefined) {
        return owned.rows[0];
      }
      // The outer `consumed_by IS NULL` is checked again after the row lock, so of two
      // claims of one event only the first takes it.
      const claimed = await client.query<EventRow>(
        `UPDATE workflow_events SET consumed_by = $4 WHERE consumed_by IS NULL AND seq = (
           SELECT seq FROM workflow_events WHERE tenant = $1 AND instance_id = $2
             AND type = $3 AND consumed_by IS NULL ORDER BY seq LIMIT 1 FOR UPDATE)
         RETURNING *`,
        [tenant, instanceId, type, stepKey],
      );
      return claimed.rows[0];
    });
    return row === undefined ? undefined : toEvent(row);
  }
}

/** Hides the password of a connection URL for messages; text that is no URL is kept. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') {
      parsed.password = '***';
    }
    return parsed.toString();
  } catch {
    return url;
  }
}

/** Sums an instance's pending events and complete step results, in bytes of UTF-8 JSON. */
async function eventTotals(
  client: PoolClient,
  tenant: string,
  instanceId: string,
): Promise<EventTotals> {
  const events = await client.query<{ count: string; bytes: string }>(
    `SELECT COUNT(*) AS count, COALESCE(SUM(octet_length(payload)), 0) AS bytes
       FROM workflow_events WHERE tenant = $1 AND instance_id = $2 AND consumed_by IS NULL`,
    [tenant, instanceId],
  );
  const steps = await client.query<{ bytes: string }>(
    `SELECT COALESCE(SUM(octet_length(result)), 0) AS bytes FROM workflow_steps
       WHERE tenant = $1 AND instance_id = $2 AND status = 'complete'`,
    [tenant, instanceId],
  );
  return {
    pendingEvents: Number(events.rows[0]?.count ?? 0),
    pendingEventBytes: Number(events.rows[0]?.bytes ?? 0),
    stepResultBytes: Number(steps.rows[0]?.bytes ?? 0),
  };
}
