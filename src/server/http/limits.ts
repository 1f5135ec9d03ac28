/**
 * Per-tenant quotas and request rate limits of the control plane server. Both return 429
 * with a body that names the limit and what to do.
 */
import type { MiddlewareHandler } from 'hono';
import { SandstackError } from '../../core/errors.js';
import type { ServerContext, ServerEnv } from './context.js';
import { HttpError } from './errors.js';

/** Limits applied to each tenant. */
export interface TenantLimits {
  /** Claimed sandboxes a tenant may hold, its runs' included, before a direct claim is rejected. */
  maxSandboxes: number;
  /** Unfinished instances (queued, running, waiting or paused) before a create is rejected. */
  maxActiveInstances: number;
  /** Sustained requests per second per tenant, with bursts of twice that; 0 turns it off. */
  requestsPerSecond: number;
}

/** Default limits; see {@link TenantLimits}. */
export const DEFAULT_TENANT_LIMITS: TenantLimits = {
  maxSandboxes: 20,
  maxActiveInstances: 1000,
  requestsPerSecond: 0,
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
 * Reserves one of the tenant's sandbox slots for a direct claim, or rejects the claim when
 * the tenant already has its maximum. Call the returned function once the claim has
 * finished or failed. A cold claim stores its record before it finishes, so it counts twice
 * for that moment and the limit errs on the strict side. NOTE: claims a run makes through
 * `env.SANDBOX` are counted here but not checked.
 */
export function reserveSandboxClaim(server: ServerContext, tenant: string): () => void {
  let pending = pendingClaims.get(server);
  if (pending === undefined) {
    pending = new Map();
    pendingClaims.set(server, pending);
  }
  const inFlight = pending.get(tenant) ?? 0;
  const claimed = server.stack.controller.list({ tenant }).length + inFlight;
  const max = server.limits.maxSandboxes;
  if (claimed >= max) {
    throw new HttpError(
      429,
      'QUOTA_EXCEEDED',
      `Tenant "${tenant}" has ${claimed} claimed sandboxes and the limit is ${max}; release one with DELETE /v1/sandboxes/{id}, or ask the admin to raise --max-sandboxes-per-tenant`,
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
    );
  }
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
