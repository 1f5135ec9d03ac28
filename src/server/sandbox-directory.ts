/**
 * Which node claimed each sandbox, for servers that share a PostgreSQL database. A sandbox
 * is processes and files on the host that claimed it, so no other node can run commands in
 * it. A request for it on another node gets an error naming the node that has it, instead
 * of a bare "not found".
 */
import type { MiddlewareHandler } from 'hono';
import { SandstackError } from '../core/errors.js';
import type { SqlClient, SqlDatabase } from '../core/sql.js';
import type { SandboxRecord } from '../sandbox/controller-store.js';
import type { ServerEnv } from './http/context.js';

const MIGRATIONS = {
  sqlite: [],
  postgres: [
    `CREATE TABLE cluster_nodes (
       node_id TEXT PRIMARY KEY, url TEXT, started_at_ms BIGINT NOT NULL);
     CREATE TABLE cluster_sandboxes (
       id TEXT PRIMARY KEY, tenant TEXT NOT NULL, node_id TEXT NOT NULL,
       claimed_at_ms BIGINT NOT NULL);`,
    // Usage that each node publishes, so that quotas count a tenant's sandboxes on all nodes.
    `ALTER TABLE cluster_nodes ADD COLUMN seen_at_ms BIGINT;
     ALTER TABLE cluster_sandboxes ADD COLUMN released_at_ms BIGINT;
     ALTER TABLE cluster_sandboxes ADD COLUMN cpu_seconds DOUBLE PRECISION NOT NULL DEFAULT 0;
     CREATE INDEX cluster_sandboxes_by_tenant ON cluster_sandboxes (tenant, node_id);`,
  ],
};

/** Interval at which a node publishes the usage of its claimed sandboxes. */
export const PUBLISH_INTERVAL_MS = 10_000;

/**
 * How long a node may go without publishing before other nodes stop counting its claimed
 * sandboxes toward quotas: three missed rounds.
 */
const STALE_NODE_MS = 3 * PUBLISH_INTERVAL_MS;

/** Sandbox usage of one tenant on the other nodes, as they last published it. */
export interface UsageElsewhere {
  /** Sandboxes claimed and not released on nodes that published recently. */
  claimed: number;
  /** CPU-seconds of sandboxes still claimed and of those released since the given time. */
  cpuSeconds: number;
}

/** One sandbox's usage as this node publishes it. */
export interface PublishedUsage {
  id: string;
  cpuSeconds: number;
  /** Release time, or null while the sandbox is claimed. */
  releasedAtMs: number | null;
}

/** The node that claimed a sandbox, and that node's API URL when it serves one. */
export interface SandboxLocation {
  nodeId: string;
  url: string | null;
}

/** Records and finds the node of each sandbox claimed by nodes that share the database. */
export class SandboxDirectory {
  readonly #sql: SqlClient;
  /** Id of this node, as its workflow leases name it. */
  readonly nodeId: string;

  private constructor(sql: SqlClient, nodeId: string) {
    this.#sql = sql;
    this.nodeId = nodeId;
  }

  /** Applies the schema migrations on `sql` and returns the directory. */
  static async open(sql: SqlDatabase, nodeId: string): Promise<SandboxDirectory> {
    await sql.migrate('cluster', MIGRATIONS);
    return new SandboxDirectory(sql, nodeId);
  }

  /** Stores the URL other nodes' errors name for this node's sandboxes. */
  async registerNode(url: string | null): Promise<void> {
    await this.#sql.run(
      `INSERT INTO cluster_nodes (node_id, url, started_at_ms, seen_at_ms) VALUES (?, ?, ?, ?)
       ON CONFLICT (node_id) DO UPDATE SET url = excluded.url,
         started_at_ms = excluded.started_at_ms, seen_at_ms = excluded.seen_at_ms`,
      [this.nodeId, url, Date.now(), Date.now()],
    );
  }

  /** Records that this node claimed the sandbox. */
  async recordClaim(record: Pick<SandboxRecord, 'id' | 'tenant'>): Promise<void> {
    await this.#sql.run(
      `INSERT INTO cluster_sandboxes (id, tenant, node_id, claimed_at_ms) VALUES (?, ?, ?, ?)
       ON CONFLICT (id) DO NOTHING`,
      [record.id, record.tenant ?? '', this.nodeId, Date.now()],
    );
  }

  /** Stores a released sandbox's final usage. */
  async recordRelease(usage: PublishedUsage): Promise<void> {
    await this.#sql.run(
      `UPDATE cluster_sandboxes SET cpu_seconds = ?, released_at_ms = ? WHERE id = ? AND node_id = ?`,
      [usage.cpuSeconds, usage.releasedAtMs ?? Date.now(), usage.id, this.nodeId],
    );
  }

  /**
   * Publishes the usage of this node's claimed sandboxes and marks this node seen. A
   * sandbox this node recorded before `listedAtMs` that is not in `claimed` (destroyed
   * while the node was down, or released without the hook) is marked released.
   */
  async publish(
    claimed: readonly Omit<PublishedUsage, 'releasedAtMs'>[],
    listedAtMs: number,
  ): Promise<void> {
    const now = Date.now();
    await this.#sql.transaction(async (tx) => {
      for (const usage of claimed) {
        await tx.run(`UPDATE cluster_sandboxes SET cpu_seconds = ? WHERE id = ? AND node_id = ?`, [
          usage.cpuSeconds,
          usage.id,
          this.nodeId,
        ]);
      }
      const ids = claimed.map((usage) => usage.id);
      const notIn = ids.length === 0 ? '' : ` AND id NOT IN (${ids.map(() => '?').join(', ')})`;
      // A claim recorded after `claimed` was listed is missing from it but still claimed.
      await tx.run(
        `UPDATE cluster_sandboxes SET released_at_ms = ?
         WHERE node_id = ? AND released_at_ms IS NULL AND claimed_at_ms <= ?${notIn}`,
        [now, this.nodeId, listedAtMs, ...ids],
      );
      await tx.run(`UPDATE cluster_nodes SET seen_at_ms = ? WHERE node_id = ?`, [now, this.nodeId]);
    });
  }

  /**
   * Sums a tenant's sandboxes and CPU-seconds on the other nodes. A node that has not
   * published for {@link STALE_NODE_MS} is taken as down: its claimed sandboxes no longer
   * count, but their CPU-seconds do.
   */
  async usageElsewhere(tenant: string, releasedSinceMs?: number): Promise<UsageElsewhere> {
    const now = Date.now();
    const row = await this.#sql.get<{ claimed: number | string | null; cpu: number | null }>(
      `SELECT
         SUM(CASE WHEN sandbox.released_at_ms IS NULL AND node.seen_at_ms >= ? THEN 1 ELSE 0 END)
           AS claimed,
         SUM(CASE WHEN sandbox.released_at_ms IS NULL OR sandbox.released_at_ms >= ?
           THEN sandbox.cpu_seconds ELSE 0 END) AS cpu
       FROM cluster_sandboxes AS sandbox
       LEFT JOIN cluster_nodes AS node ON node.node_id = sandbox.node_id
       WHERE sandbox.tenant = ? AND sandbox.node_id <> ?`,
      [now - STALE_NODE_MS, releasedSinceMs ?? 0, tenant, this.nodeId],
    );
    return { claimed: Number(row?.claimed ?? 0), cpuSeconds: Number(row?.cpu ?? 0) };
  }

  /** Returns the node that claimed the tenant's sandbox, or undefined when none did. */
  async find(tenant: string, id: string): Promise<SandboxLocation | undefined> {
    const row = await this.#sql.get<{ node_id: string; url: string | null }>(
      `SELECT sandbox.node_id, node.url FROM cluster_sandboxes AS sandbox
       LEFT JOIN cluster_nodes AS node ON node.node_id = sandbox.node_id
       WHERE sandbox.id = ? AND sandbox.tenant = ?`,
      [id, tenant],
    );
    return row === undefined ? undefined : { nodeId: row.node_id, url: row.url };
  }

  /**
   * Throws when another node claimed the tenant's sandbox, naming that node; returns
   * quietly otherwise, so the caller reports its own "not found".
   *
   * @throws SandstackError `SANDBOX_NOT_FOUND` naming the node that has the sandbox.
   */
  async rejectIfElsewhere(tenant: string, id: string): Promise<void> {
    const location = await this.find(tenant, id);
    if (location === undefined || location.nodeId === this.nodeId) {
      return;
    }
    const where = location.url === null ? '' : ` (${location.url})`;
    throw new SandstackError(
      'SANDBOX_NOT_FOUND',
      `Sandbox "${id}" was claimed on node "${location.nodeId}"${where}, not on this node; a sandbox stays on the node that claimed it, so send requests for it to that node`,
    );
  }
}

/**
 * Middleware for `/v1/sandboxes/:id/*` that turns a request for another node's sandbox into
 * a 404 naming that node. It reads the directory only when this node has no such sandbox.
 */
export function sandboxElsewhere(
  directory: SandboxDirectory,
  hasLocally: (id: string) => boolean,
): MiddlewareHandler<ServerEnv> {
  return async (c, next) => {
    const id = c.req.param('id');
    const principal = c.get('principal');
    if (id?.startsWith('sbx_') === true && principal.role === 'tenant' && !hasLocally(id)) {
      await directory.rejectIfElsewhere(principal.tenant, id);
    }
    await next();
  };
}
