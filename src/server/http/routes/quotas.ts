/**
 * Admin routes for a tenant's CPU-seconds quota: read it with the usage it counts, set the
 * tenant's own, or drop it so the server's default applies again.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { actorOf } from '../auth.js';
import { BEARER, type createRouter, type ServerContext } from '../context.js';
import { CLIENT_ERRORS } from '../errors.js';
import { cpuQuotaOf, cpuSecondsUsed } from '../limits.js';
import { jsonContent, nameSchema } from '../schemas.js';

const QuotaSchema = z
  .object({
    tenant: z.string(),
    cpuSeconds: z.number().openapi({ description: 'Sandbox CPU-seconds allowed; 0 means none' }),
    windowSeconds: z
      .number()
      .openapi({ description: 'Sliding window of the quota in seconds; 0 counts all usage' }),
    source: z.enum(['tenant', 'server']).openapi({
      description: "`tenant` when set for this tenant, `server` for the server's default",
    }),
    usedCpuSeconds: z.number().openapi({ description: 'Usage that counts toward the quota now' }),
  })
  .openapi('CpuQuota');

const SetQuotaSchema = z
  .object({
    cpuSeconds: z
      .number({ error: 'cpuSeconds must be a number of CPU-seconds' })
      .min(0, { error: 'cpuSeconds must be 0 (no quota) or more' }),
    windowSeconds: z
      .number({ error: 'windowSeconds must be a whole number of seconds' })
      .int({ error: 'windowSeconds must be a whole number of seconds' })
      .min(0, { error: 'windowSeconds must be 0 (all usage) or more' })
      .default(0),
  })
  .openapi('SetCpuQuotaRequest');

const TenantParam = z.object({
  tenant: nameSchema('tenant id').openapi({
    param: { name: 'tenant', in: 'path' },
    example: 'acme',
  }),
});

const TAG = { tags: ['tenants'], security: BEARER };

export const getQuotaRoute = createRoute({
  ...TAG,
  method: 'get',
  path: '/{tenant}/quota',
  summary: "A tenant's CPU-seconds quota and the usage it counts",
  request: { params: TenantParam },
  responses: { 200: jsonContent(QuotaSchema, 'The quota in force'), ...CLIENT_ERRORS },
});

export const setQuotaRoute = createRoute({
  ...TAG,
  method: 'put',
  path: '/{tenant}/quota',
  summary: "Set a tenant's own CPU-seconds quota",
  description:
    'Claims and execs get a 429 once the sandbox CPU-seconds of the tenant reach `cpuSeconds` within the last `windowSeconds` (0: in total).',
  request: {
    params: TenantParam,
    body: { required: true, content: { 'application/json': { schema: SetQuotaSchema } } },
  },
  responses: { 200: jsonContent(QuotaSchema, 'The quota in force'), ...CLIENT_ERRORS },
});

export const resetQuotaRoute = createRoute({
  ...TAG,
  method: 'delete',
  path: '/{tenant}/quota',
  summary: "Drop a tenant's own quota, so the server's default applies",
  request: { params: TenantParam },
  responses: { 200: jsonContent(QuotaSchema, 'The quota in force'), ...CLIENT_ERRORS },
});

async function quotaBody(
  server: ServerContext,
  tenant: string,
): Promise<z.infer<typeof QuotaSchema>> {
  const quota = await cpuQuotaOf(server, tenant);
  const used = await cpuSecondsUsed(server, tenant, quota.windowSeconds);
  return { tenant, ...quota, usedCpuSeconds: Math.round(used * 1000) / 1000 };
}

/** Adds the quota routes to the admin's `/v1/tenants` router. */
export function addQuotaRoutes(
  router: ReturnType<typeof createRouter>,
  server: ServerContext,
): void {
  router.openapi(getQuotaRoute, async (c) => {
    const { tenant } = c.req.valid('param');
    await server.tenants.require(tenant);
    return c.json(await quotaBody(server, tenant), 200);
  });

  router.openapi(setQuotaRoute, async (c) => {
    const { tenant } = c.req.valid('param');
    await server.tenants.setCpuQuota(tenant, c.req.valid('json'), actorOf(c));
    return c.json(await quotaBody(server, tenant), 200);
  });

  router.openapi(resetQuotaRoute, async (c) => {
    const { tenant } = c.req.valid('param');
    await server.tenants.setCpuQuota(tenant, undefined, actorOf(c));
    return c.json(await quotaBody(server, tenant), 200);
  });
}
