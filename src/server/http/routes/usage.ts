/**
 * Usage per tenant: sandbox CPU-seconds and memory from the controller's metering, instance
 * counts by status, and that usage priced under the built-in list prices.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { LIST_PRICES, summarizeCost, type CostGrouping } from '../../../telemetry/cost.js';
import { collectSandboxUsage } from '../../../telemetry/sandbox-usage.js';
import { requireTenant, tenantOf } from '../auth.js';
import { BEARER, createRouter, type ServerContext } from '../context.js';
import { CLIENT_ERRORS, ERROR_RESPONSES } from '../errors.js';
import { UsageSchema, jsonContent, nameSchema } from '../schemas.js';

const GROUPINGS = ['tenant', 'run', 'sandbox'] as const satisfies readonly CostGrouping[];

const PriceModelSchema = z
  .object({
    name: z.string(),
    description: z.string(),
    source: z.string().openapi({ description: 'Where the prices were published' }),
    perCpuSecond: z.number(),
    perVcpuSecond: z.number(),
    perGibSecond: z.number(),
  })
  .openapi('PriceModel');

const CostLineSchema = z
  .object({
    key: z.string().openapi({ description: 'Tenant, run or sandbox id; `total` on the last line' }),
    sandboxes: z.number(),
    cpuSeconds: z.number(),
    vcpuSeconds: z.number(),
    gibSeconds: z.number(),
    cost: z.record(z.string(), z.number()).openapi({ description: 'US dollars by model name' }),
  })
  .openapi('CostLine');

const CostReportSchema = z
  .object({
    groupBy: z.enum(GROUPINGS),
    models: z.array(PriceModelSchema),
    lines: z.array(CostLineSchema),
  })
  .openapi('CostReport');

export const costRoute = createRoute({
  method: 'get',
  path: '/cost',
  tags: ['usage'],
  summary: 'Metered sandbox usage priced under public list prices',
  description:
    'The admin token sees every tenant (or one with `tenant`); a tenant token sees only its own usage.',
  security: BEARER,
  request: {
    query: z.object({
      by: z.enum(GROUPINGS, { error: 'by must be "tenant", "run" or "sandbox"' }).default('tenant'),
      tenant: nameSchema('tenant id').optional(),
      run: nameSchema('instance id').optional(),
    }),
  },
  responses: {
    200: jsonContent(CostReportSchema, 'One line per group, then the total'),
    ...CLIENT_ERRORS,
  },
});

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

/** Routes under `/v1/usage`: the caller's usage (tenant token) and the cost report (any token). */
export function usageRoutes(server: ServerContext): ReturnType<typeof createRouter> {
  const router = createRouter();
  router.use('/', requireTenant);

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

  router.openapi(costRoute, (c) => {
    const query = c.req.valid('query');
    const principal = c.get('principal');
    // A tenant token asking for another tenant gets an empty report, as for an unknown id.
    const tenant = principal.role === 'tenant' ? principal.tenant : query.tenant;
    const items = collectSandboxUsage(server.stack.controller, {
      ...(tenant === undefined ? {} : { tenant }),
      ...(query.run === undefined ? {} : { runId: query.run }),
    }).filter((item) => query.tenant === undefined || item.tenant === query.tenant);
    const models = [...LIST_PRICES];
    return c.json(
      { groupBy: query.by, models, lines: summarizeCost(items, models, query.by) },
      200,
    );
  });

  return router;
}
