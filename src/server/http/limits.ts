/**
 * Per-tenant quotas and request rate limits of the control plane server. Both return 429
 * with a body that names the limit and what to do.
 */
import type { MiddlewareHandler } from 'hono';
import { SandstackError } from '../../core/errors.js';
import type { ServerContext, ServerEnv } from './context.js';
import type { CpuQuota } from '../tenants.js';
import type { SandboxAdmission } from '../run-bindings.js';
import { HttpError } from './errors.js';
import { sandboxOwners } from './sandbox-owners.js';

/** Limits applied to each tenant. */
export interface TenantLimits {
  /** Claimed sandboxes a tenant may hold, its runs' included, before a direct claim is rejected. */
  maxSandboxes: number;
  /** Unfinished instances (queued, running, waiting or paused) before a create is rejected. */
  maxActiveInstances: number;
  /** Sustained requests per second per tenant, with bursts of twice that; 0 turns it off. */
  requestsPerSecond: number;
  /**
   * Sandbox CPU-seconds a tenant may use before claims and execs are rejected, unless the
   * admin set the tenant's own quota; 0 turns it off.
   */
  maxCpuSeconds: number;
  /** Sliding window of {@link maxCpuSeconds} in seconds; 0 counts all usage ever. */
  cpuWindowSeconds: number;
}

/** Default limits; see {@link TenantLimits}. */
export const DEFAULT_TENANT_LIMITS: TenantLimits = {
  maxSandboxes: 20,
  maxActiveInstances: 1000,
  requestsPerSecond: 0,
  maxCpuSeconds: 0,
  cpuWindowSeconds: 0,
};

const ACTIVE_STATUSES = new Set(['queued', 'running', 'waiting', 'waitingForPause', 'paused']);

/**
 * Resolves limits, checking each one.
 * @throws SandstackError `INVALID_CONFIG` naming the bad limit
 */
export function resolveTenantLimits(limits: Partial<TenantLimits> = {}): TenantLimits {
  const resolved = { ...DEFAULT_TENANT_LIMITS, ...limits };
  for (const [name, value] of Object.entries(resolved)) {
    if (!Number.isFinite(value) || value < 0) {
      throw new SandstackError(
        'INVALID_CONFIG',
        `Invalid tenant limit ${name} ${String(value)}; use a number of 0 or more`,
      );
    }
  }
  return resolved;
}

/** Direct claims in progress per tenant, per server, which the store does not show yet. */
const pendingClaims = new WeakMap<ServerContext, Map<string, number>>();

/**
 * Reserves one of the tenant's sandbox slots for a claim, direct or through a run's
 * `env.SANDBOX`, or rejects the claim when the tenant already has its maximum. Call the
 * returned function once the claim has finished or failed.
 */
export async function reserveSandboxClaim(
  server: ServerContext,
  tenant: string,
): Promise<() => void> {
  // Read before the synchronous part below, so that no await splits the check from the
  // reservation. NOTE: two nodes that admit claims at the same moment can each see the
  // other's count from before, so a tenant can pass the limit by the claims in flight.
  const elsewhere = await server.stack.sandboxDirectory?.usageElsewhere(tenant);
  let pending = pendingClaims.get(server);
  if (pending === undefined) {
    pending = new Map();
    pendingClaims.set(server, pending);
  }
  const inFlight = pending.get(tenant) ?? 0;
  const records = server.stack.controller.list({ tenant });
  // A cold claim stores its record (with no latency yet) while its sandbox starts, so the
  // claims in flight and the records still starting are mostly the same claims.
  const starting = records.filter((record) => record.claimLatencyMs === null).length;
  const claimed =
    records.length - starting + Math.max(inFlight, starting) + (elsewhere?.claimed ?? 0);
  const max = server.limits.maxSandboxes;
  if (claimed >= max) {
    throw new HttpError(
      429,
      'QUOTA_EXCEEDED',
      `Tenant "${tenant}" has ${claimed} claimed sandboxes and the limit is ${max}; release one with DELETE /v1/sandboxes/{id}, or ask the admin to raise --max-sandboxes-per-tenant`,
      { name: 'sandboxes', limit: max, used: claimed, windowSeconds: null },
    );
  }
  pending.set(tenant, inFlight + 1);
  const claims = pending;
  return () => {
    const left = (claims.get(tenant) ?? 1) - 1;
    if (left === 0) {
      claims.delete(tenant);
    } else {
      claims.set(tenant, left);
    }
  };
}

/**
 * Creates the checks of runs' `env.SANDBOX` calls: the sandbox count and CPU-seconds quotas
 * of direct claims, and the tenant's visibility of the template. A failed check is a
 * `SANDBOX_LIMIT` error (or `TEMPLATE_NOT_FOUND`) in the workflow, with the 429's message.
 */
export function runSandboxAdmission(server: ServerContext): SandboxAdmission {
  return {
    admitClaim: async (tenant, template) => {
      // A missing template is rejected here too, because the controller's own message lists
      // the templates of every tenant.
      const exists = server.stack.controller
        .listTemplates()
        .some((candidate) => candidate.name === template);
      if (!exists || !sandboxOwners(server.stack.db).visible('SandboxTemplate', template, tenant)) {
        throw new SandstackError(
          'TEMPLATE_NOT_FOUND',
          `Template "${template}" not found; claim one of the templates that "sandstack get templates" (GET /v1/templates over HTTP) lists`,
        );
      }
      await asSandboxLimit(() => checkCpuQuota(server, tenant));
      return asSandboxLimit(() => reserveSandboxClaim(server, tenant));
    },
    admitExec: (tenant) => asSandboxLimit(() => checkCpuQuota(server, tenant)),
  };
}

/** Turns a quota's 429 into an error a workflow step receives as data. */
async function asSandboxLimit<T>(check: () => Promise<T>): Promise<T> {
  try {
    return await check();
  } catch (error) {
    if (error instanceof HttpError && error.code === 'QUOTA_EXCEEDED') {
      throw new SandstackError('SANDBOX_LIMIT', error.message, {
        cause: error,
        ...(error.quota === undefined ? {} : { details: { quota: error.quota } }),
      });
    }
    throw error;
  }
}

/** Rejects an instance create when the tenant has its maximum of unfinished instances. */
export async function checkInstanceQuota(server: ServerContext, tenant: string): Promise<void> {
  const instances = await server.runner.engine.list(tenant);
  const active = instances.filter((instance) => ACTIVE_STATUSES.has(instance.status)).length;
  const max = server.limits.maxActiveInstances;
  if (active >= max) {
    throw new HttpError(
      429,
      'QUOTA_EXCEEDED',
      `Tenant "${tenant}" has ${active} unfinished instances and the limit is ${max}; wait for some to finish or terminate them, or ask the admin to raise --max-active-instances-per-tenant`,
      { name: 'activeInstances', limit: max, used: active, windowSeconds: null },
    );
  }
}

/** A tenant's CPU-seconds quota in force, and where it comes from. */
export interface EffectiveCpuQuota extends CpuQuota {
  /** `tenant` when the admin set one for this tenant, `server` for the server's default. */
  source: 'tenant' | 'server';
}

/** Returns the tenant's CPU-seconds quota: its own if the admin set one, else the server's. */
export async function cpuQuotaOf(
  server: ServerContext,
  tenant: string,
): Promise<EffectiveCpuQuota> {
  const own = await server.tenants.getCpuQuota(tenant);
  if (own !== undefined) {
    return { ...own, source: 'tenant' };
  }
  return {
    cpuSeconds: server.limits.maxCpuSeconds,
    windowSeconds: server.limits.cpuWindowSeconds,
    source: 'server',
  };
}

/**
 * Sums the tenant's metered sandbox CPU-seconds that count toward a quota: every sandbox
 * still claimed, and those released inside the window. With nodes that share a database,
 * other nodes' sandboxes count with the usage those nodes last published. NOTE: a sandbox's usage is one
 * total, so a sandbox released inside the window counts in full even if it used most of
 * its CPU before the window began. The quota errs on the strict side.
 */
export async function cpuSecondsUsed(
  server: ServerContext,
  tenant: string,
  windowSeconds: number,
): Promise<number> {
  const releasedSinceMs = windowSeconds === 0 ? undefined : Date.now() - windowSeconds * 1000;
  const totals = await server.stack.controller.usageFor({
    tenant,
    ...(releasedSinceMs === undefined ? {} : { releasedSinceMs }),
  });
  const elsewhere = await server.stack.sandboxDirectory?.usageElsewhere(tenant, releasedSinceMs);
  return totals.cpuSeconds + (elsewhere?.cpuSeconds ?? 0);
}

/**
 * Rejects a sandbox claim or exec once the tenant's metered CPU-seconds have reached its
 * quota. A command that starts under the quota runs to its end, so usage can pass the
 * quota by up to one command's worth per sandbox.
 */
export async function checkCpuQuota(server: ServerContext, tenant: string): Promise<void> {
  const quota = await cpuQuotaOf(server, tenant);
  if (quota.cpuSeconds === 0) {
    return;
  }
  const used = await cpuSecondsUsed(server, tenant, quota.windowSeconds);
  if (used < quota.cpuSeconds) {
    return;
  }
  const span = quota.windowSeconds === 0 ? 'in total' : `in the last ${quota.windowSeconds} s`;
  const wait = quota.windowSeconds === 0 ? '' : 'wait for older usage to leave the window, or ';
  throw new HttpError(
    429,
    'QUOTA_EXCEEDED',
    `Tenant "${tenant}" has used ${used.toFixed(2)} sandbox CPU-seconds ${span} and its CPU-seconds quota is ${quota.cpuSeconds}; ${wait}ask the admin to raise it with PUT /v1/tenants/${tenant}/quota`,
    {
      name: 'cpuSeconds',
      limit: quota.cpuSeconds,
      used: Math.round(used * 1000) / 1000,
      windowSeconds: quota.windowSeconds === 0 ? null : quota.windowSeconds,
    },
  );
}

/**
 * Creates a token-bucket rate limiter per tenant: `requestsPerSecond` sustained, bursts of
 * twice that. The admin token is not limited. Buckets live in memory, so a restart refills
 * them.
 */
export function rateLimit(requestsPerSecond: number): MiddlewareHandler<ServerEnv> {
  const burst = requestsPerSecond * 2;
  const buckets = new Map<string, { tokens: number; updatedMs: number }>();
  return async (c, next) => {
    const principal = c.get('principal');
    if (requestsPerSecond === 0 || principal.role !== 'tenant') {
      await next();
      return;
    }
    const now = Date.now();
    const bucket = buckets.get(principal.tenant) ?? { tokens: burst, updatedMs: now };
    bucket.tokens = Math.min(
      burst,
      bucket.tokens + ((now - bucket.updatedMs) / 1000) * requestsPerSecond,
    );
    bucket.updatedMs = now;
    buckets.set(principal.tenant, bucket);
    if (bucket.tokens < 1) {
      const retryAfterSeconds = Math.ceil((1 - bucket.tokens) / requestsPerSecond);
      c.header('retry-after', String(retryAfterSeconds));
      throw new HttpError(
        429,
        'RATE_LIMITED',
        `Tenant "${principal.tenant}" is over ${requestsPerSecond} requests per second; retry after ${retryAfterSeconds} s`,
      );
    }
    bucket.tokens -= 1;
    await next();
  };
}
