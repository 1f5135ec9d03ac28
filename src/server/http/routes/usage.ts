/**
 * Usage per tenant: sandbox CPU-seconds and memory from the controller's metering, and
 * instance counts by status.
 */
import { createRoute, type z } from '@hono/zod-openapi';
import { requireTenant, tenantOf } from '../auth.js';
import { BEARER, createRouter, type ServerContext } from '../context.js';
import { ERROR_RESPONSES } from '../errors.js';
import { UsageSchema } from '../schemas.js';

/** Sums a tenant's usage. */
export async function usageOf(
  server: ServerContext,
  tenant: string,
): Promise<z.infer<typeof UsageSchema>> {
  const totals = await server.stack.controller.usageFor({ tenant });
  const instances: Record<string, number> = {};
  for (const instance of server.runner.engine.list(tenant)) {
    instances[instance.status] = (instances[instance.status] ?? 0) + 1;
  }
  return {
    tenant,
    cpuSeconds: totals.cpuSeconds,
    memoryPeakBytes: totals.memoryPeakBytes,
    sandboxes: totals.sandboxes,
    activeSandboxes: server.stack.controller.list({ tenant }).length,
    instances,
  };
}

/** Routes under `/v1/usage`, for tenant tokens. */
export function usageRoutes(server: ServerContext): ReturnType<typeof createRouter> {
  const router = createRouter();
  router.use('*', requireTenant);

  router.openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['usage'],
      summary: "The caller's usage",
      security: BEARER,
      responses: {
        200: {
          description: 'Usage so far',
          content: { 'application/json': { schema: UsageSchema } },
        },
        401: ERROR_RESPONSES[401],
        403: ERROR_RESPONSES[403],
      },
    }),
    async (c) => c.json(await usageOf(server, tenantOf(c)), 200),
  );

  return router;
}
