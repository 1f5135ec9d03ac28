/**
 * Cost of metered sandbox usage under the public list prices, grouped by tenant, run or
 * sandbox. The admin token reads every tenant's cost, and a tenant token only its own.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { SandstackError } from '../../../core/errors.js';
import { LIST_PRICES, summarizeCost, type CostGrouping } from '../../../telemetry/cost.js';
import { sandboxUsageItems } from '../../sandbox-usage.js';
import { BEARER, createRouter, type ServerContext } from '../context.js';
import { CLIENT_ERRORS } from '../errors.js';
import { jsonContent, nameSchema } from '../schemas.js';

const GROUPINGS = ['tenant', 'run', 'sandbox'] as const satisfies readonly CostGrouping[];

const PriceModelSchema = z
  .object({
    name: z.string().openapi({ example: 'active-cpu' }),
    description: z.string(),
    source: z.string().openapi({ description: 'Where the prices were published' }),
    perCpuSecond: z.number(),
    perVcpuSecond: z.number(),
    perGibSecond: z.number(),
  })
  .openapi('PriceModel');

const CostLineSchema = z
  .object({
    key: z.string().openapi({ description: 'Tenant, run or sandbox id, or "total"' }),
    sandboxes: z.number(),
    cpuSeconds: z.number().openapi({ description: 'CPU time used, from cgroup accounting' }),
    vcpuSeconds: z.number().openapi({ description: 'Allocated vCPUs times seconds claimed' }),
    gibSeconds: z.number().openapi({ description: 'Allocated GiB of memory times seconds' }),
    cost: z.record(z.string(), z.number()).openapi({ description: 'US dollars by model name' }),
  })
  .openapi('CostLine');

const CostReportSchema = z
  .object({
    groupBy: z.enum(GROUPINGS),
    models: z.array(PriceModelSchema),
    lines: z.array(CostLineSchema).openapi({ description: 'One line per group, then "total"' }),
  })
  .openapi('CostReport');

export const costRoute = createRoute({
  tags: ['usage'],
  security: BEARER,
  method: 'get',
  path: '/',
  summary: 'Sandbox usage priced under each list-price model',
  request: {
    query: z.object({
      by: z
        .enum(GROUPINGS, { error: `by must be one of ${GROUPINGS.join(', ')}` })
        .default('tenant'),
      tenant: nameSchema('tenant id').optional().openapi({
        description: 'Only this tenant; a tenant token may name only itself',
      }),
      run: nameSchema('instance id').optional().openapi({ description: 'Only this run' }),
    }),
  },
  responses: { 200: jsonContent(CostReportSchema, 'The cost report'), ...CLIENT_ERRORS },
});

/** Routes under `/v1/cost`, for the admin token and tenant tokens. */
export function costRoutes(server: ServerContext): ReturnType<typeof createRouter> {
  const router = createRouter();

  router.openapi(costRoute, async (c) => {
    const query = c.req.valid('query');
    const principal = c.get('principal');
    let tenant = query.tenant;
    if (principal.role === 'tenant') {
      if (tenant !== undefined && tenant !== principal.tenant) {
        // Another tenant's id returns the same 404 as an unknown one.
        throw new SandstackError('NOT_FOUND', `Tenant "${tenant}" not found`);
      }
      tenant = principal.tenant;
    } else if (tenant !== undefined) {
      await server.tenants.require(tenant);
    }
    const items = sandboxUsageItems(server.stack.controller, {
      ...(tenant === undefined ? {} : { tenant }),
      ...(query.run === undefined ? {} : { run: query.run }),
    });
    const lines = summarizeCost(items, LIST_PRICES, query.by);
    return c.json({ groupBy: query.by, models: [...LIST_PRICES], lines }, 200);
  });

  return router;
}
