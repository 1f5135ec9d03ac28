/**
 * Starts and stops the control plane server: the embedded stack, the tenant store, the
 * background instance runner and the HTTP listener, in one process.
 */
import type { AddressInfo } from 'node:net';
import type { Policy } from '../../guard/policy.js';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { SandstackError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { openDatabase } from '../../core/store.js';
import { ApprovalQueue } from '../../guard/approvals.js';
import { sqliteClient } from '../../core/sql.js';
import { openStack, type Stack } from '../stack.js';
import { acquireServerLock, type RunLock } from '../run-lock.js';
import { PUBLISH_INTERVAL_MS } from '../sandbox-directory.js';
import { TenantStore, hashToken } from '../tenants.js';
import { createServerApp } from './app.js';
import type { ServerContext, ServerEnv } from './context.js';
import { resolveTenantLimits, runSandboxAdmission, type TenantLimits } from './limits.js';
import { InstanceRunner } from './runner.js';
import { resolveTenantTemplatePolicy, type TenantTemplatePolicy } from './tenant-templates.js';
import type { EngineLimits } from '../../workflows/engine.js';
import type { RetentionOptions } from '../../workflows/retention.js';
import type { StateLimits } from '../../workflows/bindings/state-binding.js';

/** Options for {@link startServer}. */
export interface StartServerOptions {
  /** Folder for the state database, sandboxes and run inputs. @default '.sandstack' */
  stateDir?: string;
  /** Workflow store: `sqlite`, or a `postgres://` URL of a database several nodes share. @default 'sqlite' */
  store?: string;
  /** Address to listen on. @default '127.0.0.1' */
  host?: string;
  /** Port to listen on; 0 picks a free one. @default 7420 */
  port?: number;
  /** Admin token to accept instead of the stored one, such as `SANDSTACK_ADMIN_TOKEN`. */
  adminToken?: string;
  /** Revoke the stored admin token and make a new one. @default false */
  rotateAdminToken?: boolean;
  /** @default 8388608 (8 MiB) */
  maxBodyBytes?: number;
  /** @default 4 */
  maxConcurrentRuns?: number;
  /** Instances of one tenant run at the same time. @default 2 */
  maxRunsPerTenant?: number;
  /**
   * Spare writable layers kept per disk size for cold starts, 0 to 8 (see
   * `SandboxControllerOptions.spareLayers`). @default 2
   */
  spareLayers?: number;
  /** Per-tenant quotas and rate limit. @default 20 sandboxes, 1000 unfinished instances, no rate limit */
  limits?: Partial<TenantLimits>;
  /**
   * Runtimes and egress domains a tenant's template may choose; shared templates are not
   * limited. @default gVisor only, no egress
   */
  /** Guard policy of every run, such as {@link policyWithFile}'s. @default the default policy */
  policy?: Policy;
  tenantTemplates?: Partial<TenantTemplatePolicy>;
  /** Time `close()` waits for runs in progress before stopping anyway. @default 10000 */
  shutdownGraceMs?: number;
  /** How long ended instances are kept. @default complete and terminated 7 days, errored 30 days */
  retention?: RetentionOptions;
  /** Time between retention sweeps. @default 3600000 (one hour) */
  retentionSweepIntervalMs?: number;
  /** Limits of the workflow engine, such as `maxInstanceStateBytes`. @default DEFAULT_ENGINE_LIMITS */
  engineLimits?: Partial<EngineLimits>;
  /** Size limits of `env.STATE`, such as `maxTenantBytes`. @default DEFAULT_STATE_LIMITS */
  stateLimits?: Partial<StateLimits>;
  logger?: Logger;
}

/** A running server. */
export interface RunningServer {
  /** Base URL, such as `http://127.0.0.1:7420`. */
  url: string;
  port: number;
  app: OpenAPIHono<ServerEnv>;
  context: ServerContext;
  /** The admin token made at this start (first start or rotation); shown once, never stored in clear. */
  newAdminToken: string | undefined;
  /** Stops listening, waits for runs up to the grace time, and closes the controller and database. */
  close(): Promise<void>;
}

/** Default port of `sandstack serve`. */
export const DEFAULT_PORT = 7420;
const MIN_ADMIN_TOKEN_LENGTH = 32;

/**
 * Opens the stack under `stateDir` and starts serving the API.
 *
 * @example
 * const server = await startServer({ stateDir: '.sandstack', port: 0 });
 * console.log(server.url, server.newAdminToken);
 * await server.close();
 * @throws SandstackError `INVALID_CONFIG` for an admin token shorter than 32 characters, or
 *   an unknown runtime or invalid domain in `tenantTemplates`
 */
export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  if (options.adminToken !== undefined && options.adminToken.length < MIN_ADMIN_TOKEN_LENGTH) {
    throw new SandstackError(
      'INVALID_CONFIG',
      `SANDSTACK_ADMIN_TOKEN is ${options.adminToken.length} characters; use at least ${MIN_ADMIN_TOKEN_LENGTH} random characters, such as the output of "openssl rand -hex 32"`,
    );
  }
  const limits = resolveTenantLimits(options.limits);
  const tenantTemplates = resolveTenantTemplatePolicy(options.tenantTemplates);
  const stack = await openStack({
    ...(options.stateDir === undefined ? {} : { stateDir: options.stateDir }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.store === undefined ? {} : { store: options.store }),
    ...(options.stateLimits === undefined ? {} : { stateLimits: options.stateLimits }),
    ...(options.policy === undefined ? {} : { policy: options.policy }),
    ...(options.spareLayers === undefined ? {} : { spareLayers: options.spareLayers }),
    tenantRuntimes: tenantTemplates.allowedRuntimes,
  });
  let serverLock: RunLock;
  try {
    serverLock = acquireServerLock(stack.db);
  } catch (error) {
    await stack.close();
    throw error;
  }
  let shared: SharedStores;
  try {
    shared = await openSharedStores(stack, options);
  } catch (error) {
    serverLock.release();
    await stack.close();
    throw error;
  }
  const { tenants, approvals, newAdminToken } = shared;
  const runner = new InstanceRunner({
    stack,
    approvals,
    ...(options.maxConcurrentRuns === undefined
      ? {}
      : { maxConcurrentRuns: options.maxConcurrentRuns }),
    ...(options.maxRunsPerTenant === undefined
      ? {}
      : { maxRunsPerTenant: options.maxRunsPerTenant }),
    ...(options.retention === undefined ? {} : { retention: options.retention }),
    ...(options.retentionSweepIntervalMs === undefined
      ? {}
      : { retentionSweepIntervalMs: options.retentionSweepIntervalMs }),
    ...(options.engineLimits === undefined ? {} : { limits: options.engineLimits }),
  });
  const context: ServerContext = {
    stack,
    tenants,
    runner,
    limits,
    tenantTemplates,
    approvals,
    adminTokenHash: options.adminToken === undefined ? undefined : hashToken(options.adminToken),
  };
  runner.useSandboxAdmission(runSandboxAdmission(context));
  const app = createServerApp(context, {
    ...(options.maxBodyBytes === undefined ? {} : { maxBodyBytes: options.maxBodyBytes }),
  });

  let http: Server;
  try {
    http = await listen(app, options.host ?? '127.0.0.1', options.port ?? DEFAULT_PORT);
  } catch (error) {
    await shared.close();
    serverLock.release();
    await stack.close();
    throw error;
  }
  await runner.start();
  const address = http.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  // NOTE: the URL is the listen address, which other nodes' clients may not reach (0.0.0.0,
  // a pod IP behind a Service); errors quote it as a hint.
  await stack.sandboxDirectory?.registerNode(`http://${host}:${address.port}`);
  const publisher = startUsagePublisher(stack);
  stack.logger.info('Server listening', { host: address.address, port: address.port });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      await closeHttp(http);
      await publisher.stop();
      await runner.close(options.shutdownGraceMs ?? 10_000);
      await tenants.flushAudit();
      await shared.close();
      serverLock.release();
      await stack.close();
      stack.logger.info('Server stopped');
    })();
    return closing;
  };

  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    app,
    context,
    newAdminToken,
    close,
  };
}

interface SharedStores {
  tenants: TenantStore;
  approvals: ApprovalQueue;
  newAdminToken: string | undefined;
  close(): Promise<void>;
}

/**
 * Opens the tenant store and the approval queue: in the stack's SQLite file and the
 * state folder's `approvals.db`, or in PostgreSQL when the workflow store is there, so
 * that every node sees the same tenants, tokens and approval requests.
 */
async function openSharedStores(stack: Stack, options: StartServerOptions): Promise<SharedStores> {
  const tenants = await TenantStore.open(stack.sql, { logger: stack.logger });
  let newAdminToken: string | undefined;
  if (
    options.adminToken === undefined &&
    (options.rotateAdminToken === true || !(await tenants.hasAdminToken()))
  ) {
    newAdminToken = await tenants.replaceAdminToken('system');
  }
  if (stack.sql.dialect === 'postgres') {
    const approvals = await ApprovalQueue.openOn(stack.sql);
    return { tenants, approvals, newAdminToken, close: () => Promise.resolve() };
  }
  // The same file `sandstack guard approvals` and the hook use by default.
  const approvalsDb = openDatabase(join(stack.stateDir, 'approvals.db'));
  const approvals = await ApprovalQueue.openOn(sqliteClient(approvalsDb));
  const close = (): Promise<void> => {
    approvalsDb.close();
    return Promise.resolve();
  };
  return { tenants, approvals, newAdminToken, close };
}

function listen(app: OpenAPIHono<ServerEnv>, hostname: string, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname, port }) as Server;
    const onError = (error: NodeJS.ErrnoException): void => {
      const message =
        error.code === 'EADDRINUSE'
          ? `Port ${port} on ${hostname} is in use; pick another with --port`
          : `Could not listen on ${hostname}:${port}: ${error.message}`;
      reject(new SandstackError('INVALID_CONFIG', message, { cause: error }));
    };
    server.once('error', onError);
    server.once('listening', () => {
      server.off('error', onError);
      resolve(server);
    });
  });
}

/** Stops accepting connections and ends idle keep-alive ones, so `close` does not hang. */
function closeHttp(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
    // Requests still in flight after this long (a long exec) are cut off.
    setTimeout(() => server.closeAllConnections(), 5000).unref();
  });
}

/**
 * Publishes the usage of this node's claimed sandboxes every {@link PUBLISH_INTERVAL_MS}
 * when nodes share a database, so that other nodes' quota checks count them.
 */
function startUsagePublisher(stack: Stack): { stop: () => Promise<void> } {
  const directory = stack.sandboxDirectory;
  if (directory === undefined) {
    return { stop: async () => {} };
  }
  let round: Promise<void> = Promise.resolve();
  const publish = async (): Promise<void> => {
    try {
      const listedAtMs = Date.now();
      await directory.publish(await stack.controller.claimedUsage(), listedAtMs);
    } catch (error) {
      stack.logger.warn('Sandbox usage not published', { error: String(error) });
    }
  };
  const timer = setInterval(() => {
    round = round.then(publish);
  }, PUBLISH_INTERVAL_MS);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await round;
    },
  };
}
