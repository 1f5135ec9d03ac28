/**
 * The caller's own identity, so a client such as the dashboard can tell an admin token from
 * a tenant token without probing routes it may not call.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { BEARER, createRouter } from '../context.js';
import { ERROR_RESPONSES } from '../errors.js';
import { jsonContent } from '../schemas.js';

const WhoamiSchema = z
  .object({
    role: z.enum(['admin', 'tenant']),
    tenant: z.string().nullable().openapi({ description: "The tenant token's tenant" }),
    tokenId: z.string().openapi({ description: 'Id the audit log records as the actor' }),
  })
  .openapi('Whoami');

export const whoamiRoute = createRoute({
  tags: ['tenants'],
  security: BEARER,
  method: 'get',
  path: '/',
  summary: "The caller's role, tenant and token id",
  responses: {
    200: jsonContent(WhoamiSchema, 'The caller'),
    401: ERROR_RESPONSES[401],
  },
});

/** Routes under `/v1/whoami`, for any valid token. */
export function whoamiRoutes(): ReturnType<typeof createRouter> {
  const router = createRouter();
  router.openapi(whoamiRoute, (c) => {
    const principal = c.get('principal');
    return c.json(
      {
        role: principal.role,
        tenant: principal.role === 'tenant' ? principal.tenant : null,
        tokenId: principal.tokenId,
      },
      200,
    );
  });
  return router;
}
