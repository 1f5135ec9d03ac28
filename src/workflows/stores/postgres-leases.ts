/**
 * Instance leases in PostgreSQL. A lease is the pair (`lease_owner`, `lease_expires_at_ms`)
 * on the instance row. Nodes claim with `SELECT … FOR UPDATE SKIP LOCKED`, so two nodes
 * polling at once take disjoint instances instead of waiting on each other's row locks.
 */
import type pg from 'pg';
import type { InstanceKey, LeaseStore, LeaseTiming } from './store.js';

/** Condition on `workflow_instances AS instance` (with `$1` the time now): no live lease. */
const LEASE_FREE = '(instance.lease_owner IS NULL OR instance.lease_expires_at_ms <= $1)';

/** {@link LEASE_FREE}, or the node `$2` holds the lease. */
const LEASE_FREE_OR_MINE = `(${LEASE_FREE} OR instance.lease_owner = $2)`;

/**
 * Condition on `workflow_instances AS instance` (with `$1` the time now) of the instances a
 * run can move on, running ones aside: queued, due to wake, or holding an undelivered event.
 */
export const RUNNABLE_WHERE = `(instance.status = 'queued'
  OR (instance.status = 'waiting' AND (instance.wake_at_ms <= $1 OR EXISTS (
    SELECT 1 FROM workflow_events AS event
    WHERE event.tenant = instance.tenant AND event.instance_id = instance.id
      AND event.consumed_by IS NULL))))`;

/** Condition of the instances a claim can take: runnable ones and running ones. */
const CLAIMABLE = `(${RUNNABLE_WHERE} OR instance.status = 'running')`;

/** Leases of the PostgreSQL workflow store; see {@link LeaseStore}. */
export class PostgresLeases implements LeaseStore {
  readonly #pool: pg.Pool;
  readonly nodeId: string;

  constructor(pool: pg.Pool, nodeId: string) {
    this.#pool = pool;
    this.nodeId = nodeId;
  }

  async claimRunnable(options: LeaseTiming & { limit: number }): Promise<InstanceKey[]> {
    // Ranked without locks first, because PostgreSQL allows no FOR UPDATE beside a window
    // function. The locking step then skips rows another node is claiming right now, and
    // READ COMMITTED checks the lease condition again on rows that changed meanwhile.
    // A running instance is claimable only once its lease expired: its node died.
    const { rows } = await this.#pool.query<InstanceKey & { turn: number; row_id: number }>(
      `WITH ranked AS (
         SELECT tenant, id, turn, row_id FROM (
           SELECT tenant, id, updated_at_ms, row_id,
             ROW_NUMBER() OVER (PARTITION BY tenant ORDER BY updated_at_ms, row_id) AS turn
           FROM workflow_instances AS instance
           WHERE ${CLAIMABLE} AND ${LEASE_FREE}) AS candidates
         ORDER BY turn, updated_at_ms, row_id LIMIT $3),
       locked AS (
         SELECT instance.tenant, instance.id, ranked.turn FROM workflow_instances AS instance
         JOIN ranked ON ranked.tenant = instance.tenant AND ranked.id = instance.id
         WHERE ${CLAIMABLE} AND ${LEASE_FREE}
         FOR UPDATE OF instance SKIP LOCKED)
       UPDATE workflow_instances AS instance
       SET lease_owner = $2, lease_expires_at_ms = $4
       FROM locked WHERE instance.tenant = locked.tenant AND instance.id = locked.id
       RETURNING instance.tenant, instance.id, locked.turn, instance.row_id`,
      [options.nowMs, this.nodeId, options.limit, options.nowMs + options.leaseMs],
    );
    rows.sort((a, b) => a.turn - b.turn || a.row_id - b.row_id);
    return rows.map(({ tenant, id }) => ({ tenant, id }));
  }

  async claimInstance(tenant: string, id: string, timing: LeaseTiming): Promise<boolean> {
    const result = await this.#pool.query(
      `UPDATE workflow_instances AS instance SET lease_owner = $2, lease_expires_at_ms = $5
       WHERE tenant = $3 AND id = $4 AND ${LEASE_FREE_OR_MINE}`,
      [timing.nowMs, this.nodeId, tenant, id, timing.nowMs + timing.leaseMs],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async renewLeases(instances: InstanceKey[], timing: LeaseTiming): Promise<InstanceKey[]> {
    if (instances.length === 0) {
      return [];
    }
    const { rows } = await this.#pool.query<InstanceKey>(
      `UPDATE workflow_instances AS instance SET lease_expires_at_ms = $2
       FROM UNNEST($3::text[], $4::text[]) AS held (tenant, id)
       WHERE instance.tenant = held.tenant AND instance.id = held.id
         AND instance.lease_owner = $1
       RETURNING instance.tenant, instance.id`,
      [
        this.nodeId,
        timing.nowMs + timing.leaseMs,
        instances.map((instance) => instance.tenant),
        instances.map((instance) => instance.id),
      ],
    );
    return rows;
  }

  async leaseOwner(tenant: string, id: string, nowMs: number): Promise<string | undefined> {
    const { rows } = await this.#pool.query<{ lease_owner: string }>(
      `SELECT lease_owner FROM workflow_instances
       WHERE tenant = $1 AND id = $2 AND lease_owner IS NOT NULL AND lease_expires_at_ms > $3`,
      [tenant, id, nowMs],
    );
    return rows[0]?.lease_owner;
  }

  async releaseLease(tenant: string, id: string): Promise<void> {
    await this.#pool.query(
      `UPDATE workflow_instances SET lease_owner = NULL, lease_expires_at_ms = NULL
       WHERE tenant = $1 AND id = $2 AND lease_owner = $3`,
      [tenant, id, this.nodeId],
    );
  }
}
