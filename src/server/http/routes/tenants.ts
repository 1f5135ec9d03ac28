/**
 * Admin routes: tenants, their tokens, their usage, and the audit log.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { actorOf, requireAdmin } from '../auth.js';
import { BEARER, createRouter, type ServerContext } from '../context.js';
import { ERROR_RESPONSES } from '../errors.js';
import { TenantSchema, UsageSchema, nameSchema } from '../schemas.js';
import { usageOf } from './usage.js';

const TokenSchema = z
  .object({
    id: z.string(),
    tenant: z.string(),
    label: z.string(),
    createdAtMs: z.number(),
    revokedAtMs: z.number().nullable(),
  })
  .openapi('Token');

const NewTokenSchema = z
  .object({
    token: TokenSchema,
    secret: z.string().openapi({ description: 'The bearer token; shown only in this response' }),
  })
  .openapi('NewToken');

const TenantParam = z.object({
  tenant: nameSchema('tenant id').openapi({
    param: { name: 'tenant', in: 'path' },
    example: 'acme',
  }),
});

const TokenParam = TenantParam.extend({
  tokenId: z
    .string()
    .openapi({ param: { name: 'tokenId', in: 'path' }, example: 'tok_k3v9x0c2m1q8' }),
});

const ADMIN_ERRORS = {
  400: ERROR_RESPONSES[400],
  401: ERROR_RESPONSES[401],
  403: ERROR_RESPONSES[403],
  404: ERROR_RESPONSES[404],
};

function json<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } };
}

/** Routes under `/v1/tenants`, for the admin token. */
export function tenantRoutes(server: ServerContext): ReturnType<typeof createRouter> {
  const router = createRouter();
  router.use('*', requireAdmin);
  const tag = { tags: ['tenants'], security: BEARER };

  router.openapi(
    createRoute({
      ...tag,
      method: 'post',
      path: '/',
      summary: 'Create a tenant',
      request: {
        body: {
          required: true,
          content: {
            'application/json': {
              schema: z.object({
                id: nameSchema('tenant id').openapi({ example: 'acme' }),
                displayName: z.string().min(1).max(200).optional(),
              }),
            },
          },
        },
      },
      responses: {
        201: json(TenantSchema, 'The new tenant'),
        409: ERROR_RESPONSES[409],
        ...ADMIN_ERRORS,
      },
    }),
    (c) => c.json(server.tenants.create(c.req.valid('json'), actorOf(c)), 201),
  );

  router.openapi(
    createRoute({
      ...tag,
      method: 'get',
      path: '/',
      summary: 'List tenants',
      responses: {
        200: json(z.object({ tenants: z.array(TenantSchema) }), 'Live tenants, oldest first'),
        ...ADMIN_ERRORS,
      },
    }),
    (c) => c.json({ tenants: server.tenants.list() }, 200),
  );

  router.openapi(
    createRoute({
      ...tag,
      method: 'get',
      path: '/{tenant}',
      summary: 'Get a tenant',
      request: { params: TenantParam },
      responses: { 200: json(TenantSchema, 'The tenant'), ...ADMIN_ERRORS },
    }),
    (c) => c.json(server.tenants.require(c.req.valid('param').tenant), 200),
  );

  router.openapi(
    createRoute({
      ...tag,
      method: 'delete',
      path: '/{tenant}',
      summary: 'Delete a tenant',
      description:
        'Revokes its tokens, terminates its unfinished instances and releases its sandboxes. Its history stays, and its id cannot be used again.',
      request: { params: TenantParam },
      responses: { 200: json(TenantSchema, 'The deleted tenant'), ...ADMIN_ERRORS },
    }),
    async (c) => {
      const { tenant } = c.req.valid('param');
      const record = server.tenants.require(tenant);
      server.tenants.delete(tenant, actorOf(c));
      await stopTenantWork(server, tenant);
      return c.json(record, 200);
    },
  );

  router.openapi(
    createRoute({
      ...tag,
      method: 'post',
      path: '/{tenant}/tokens',
      summary: 'Create a tenant token',
      request: {
        params: TenantParam,
        body: {
          required: false,
          content: {
            'application/json': {
              schema: z.object({ label: z.string().min(1).max(100).optional() }),
            },
          },
        },
      },
      responses: { 201: json(NewTokenSchema, 'The token and its secret'), ...ADMIN_ERRORS },
    }),
    (c) => {
      const { tenant } = c.req.valid('param');
      const created = server.tenants.createToken(tenant, c.req.valid('json'), actorOf(c));
      return c.json({ token: created.record, secret: created.token }, 201);
    },
  );

  router.openapi(
    createRoute({
      ...tag,
      method: 'get',
      path: '/{tenant}/tokens',
      summary: "List a tenant's tokens",
      request: { params: TenantParam },
      responses: {
        200: json(z.object({ tokens: z.array(TokenSchema) }), 'Tokens, revoked ones included'),
        ...ADMIN_ERRORS,
      },
    }),
    (c) => c.json({ tokens: server.tenants.listTokens(c.req.valid('param').tenant) }, 200),
  );

  router.openapi(
    createRoute({
      ...tag,
      method: 'post',
      path: '/{tenant}/tokens/{tokenId}/rotate',
      summary: 'Rotate a tenant token',
      description: 'Revokes the token and returns a new one with the same label.',
      request: { params: TokenParam },
      responses: { 200: json(NewTokenSchema, 'The new token and its secret'), ...ADMIN_ERRORS },
    }),
    (c) => {
      const { tenant, tokenId } = c.req.valid('param');
      const created = server.tenants.rotateToken(tenant, tokenId, actorOf(c));
      return c.json({ token: created.record, secret: created.token }, 200);
    },
  );

  router.openapi(
    createRoute({
      ...tag,
      method: 'delete',
      path: '/{tenant}/tokens/{tokenId}',
      summary: 'Revoke a tenant token',
      request: { params: TokenParam },
      responses: { 200: json(TokenSchema, 'The revoked token'), ...ADMIN_ERRORS },
    }),
    (c) => {
      const { tenant, tokenId } = c.req.valid('param');
      return c.json(server.tenants.revokeToken(tenant, tokenId, actorOf(c)), 200);
    },
  );

  router.openapi(
    createRoute({
      ...tag,
      method: 'get',
      path: '/{tenant}/usage',
      summary: "A tenant's usage",
      request: { params: TenantParam },
      responses: { 200: json(UsageSchema, 'Usage so far'), ...ADMIN_ERRORS },
    }),
    async (c) => {
      const { tenant } = c.req.valid('param');
      server.tenants.require(tenant);
      return c.json(await usageOf(server, tenant), 200);
    },
  );

  return router;
}

/** Routes under `/v1/audit`, for the admin token. */
export function auditRoutes(server: ServerContext): ReturnType<typeof createRouter> {
  const router = createRouter();
  router.use('*', requireAdmin);

  const AuditEntrySchema = z
    .object({
      seq: z.number(),
      timeMs: z.number(),
      actor: z.string().openapi({ description: 'Token id of the caller' }),
      tenant: z.string().nullable(),
      action: z.string().openapi({ example: 'instance.create' }),
      target: z.string().nullable(),
      detail: z.record(z.string(), z.unknown()),
    })
    .openapi('AuditEntry');

  router.openapi(
    createRoute({
      tags: ['audit'],
      security: BEARER,
      method: 'get',
      path: '/',
      summary: 'List audit entries, newest first',
      request: {
        query: z.object({
          tenant: nameSchema('tenant id').optional(),
          before: z.coerce.number().int().positive().optional().openapi({
            description: 'Only entries with a smaller seq, for paging',
          }),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
      },
      responses: {
        200: json(z.object({ entries: z.array(AuditEntrySchema) }), 'Audit entries'),
        ...ADMIN_ERRORS,
      },
    }),
    (c) => {
      const query = c.req.valid('query');
      const entries = server.tenants.listAudit({
        limit: query.limit,
        ...(query.tenant === undefined ? {} : { tenant: query.tenant }),
        ...(query.before === undefined ? {} : { beforeSeq: query.before }),
      });
      return c.json({ entries }, 200);
    },
  );

  return router;
}

/** Terminates a deleted tenant's unfinished instances and releases its sandboxes. */
async function stopTenantWork(server: ServerContext, tenant: string): Promise<void> {
  for (const instance of server.runner.engine.list(tenant)) {
    if (!['complete', 'errored', 'terminated'].includes(instance.status)) {
      server.runner.terminate(tenant, instance.id);
    }
  }
  for (const record of server.stack.controller.list({ tenant })) {
    await server.stack.controller.release(record.id);
  }
}
