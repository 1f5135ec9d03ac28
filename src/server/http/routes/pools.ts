/**
 * Warm pools of the sandbox controller. Pools are shared by every tenant, so both token
 * kinds may list them; what a tenant claims from them is listed under `/v1/sandboxes`.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { BEARER, createRouter, type ServerContext } from '../context.js';
import { CLIENT_ERRORS } from '../errors.js';
import { jsonContent } from '../schemas.js';

const PoolSchema = z
  .object({
    name: z.string().openapi({ example: 'python' }),
    template: z.string(),
    replicas: z.number().openapi({ description: 'Ready sandboxes the pool keeps' }),
    ready: z.number().openapi({ description: 'Ready sandboxes now' }),
    updateStrategy: z.enum(['OnReplenish', 'Recreate']),
  })
  .openapi('Pool');

export const listPoolsRoute = createRoute({
  tags: ['sandboxes'],
  security: BEARER,
  method: 'get',
  path: '/',
  summary: 'List warm pools with their ready counts',
  responses: {
    200: jsonContent(z.object({ pools: z.array(PoolSchema) }), 'Pools'),
    ...CLIENT_ERRORS,
  },
});

/** Routes under `/v1/pools`, for the admin token and tenant tokens. */
export function poolRoutes(server: ServerContext): ReturnType<typeof createRouter> {
  const router = createRouter();
  router.openapi(listPoolsRoute, (c) => {
    const pools = server.stack.controller.listPools().map((pool) => ({
      name: pool.name,
      template: pool.template,
      replicas: pool.replicas,
      ready: pool.ready,
      updateStrategy: pool.updateStrategy,
    }));
    return c.json({ pools }, 200);
  });
  return router;
}
