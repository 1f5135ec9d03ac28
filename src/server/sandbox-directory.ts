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
  ],
};

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
      `INSERT INTO cluster_nodes (node_id, url, started_at_ms) VALUES (?, ?, ?)
       ON CONFLICT (node_id) DO UPDATE SET url = excluded.url, started_at_ms = excluded.started_at_ms`,
      [this.nodeId, url, Date.now()],
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
