/**
 * Admin routes: tenants, their tokens, their usage, and the audit log.
 */
import { createRoute, z, type RouteHandler } from '@hono/zod-openapi';
import { actorOf, requireAdmin } from '../auth.js';
import { sandboxOwners } from '../sandbox-owners.js';
import { BEARER, createRouter, type ServerContext, type ServerEnv } from '../context.js';
import { CLIENT_ERRORS, ERROR_RESPONSES } from '../errors.js';
import { TenantSchema, UsageSchema, jsonContent, nameSchema } from '../schemas.js';
import { addQuotaRoutes } from './quotas.js';
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

const TAG = { tags: ['tenants'], security: BEARER };

export const createTenantRoute = createRoute({
  ...TAG,
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
    201: jsonContent(TenantSchema, 'The new tenant'),
    409: ERROR_RESPONSES[409],
    ...CLIENT_ERRORS,
  },
});

export const listTenantsRoute = createRoute({
  ...TAG,
  method: 'get',
  path: '/',
  summary: 'List tenants',
  responses: {
    200: jsonContent(z.object({ tenants: z.array(TenantSchema) }), 'Live tenants, oldest first'),
    ...CLIENT_ERRORS,
  },
});

export const getTenantRoute = createRoute({
  ...TAG,
  method: 'get',
  path: '/{tenant}',
  summary: 'Get a tenant',
  request: { params: TenantParam },
  responses: { 200: jsonContent(TenantSchema, 'The tenant'), ...CLIENT_ERRORS },
});

export const deleteTenantRoute = createRoute({
  ...TAG,
  method: 'delete',
  path: '/{tenant}',
  summary: 'Delete a tenant',
  description:
    'Revokes its tokens, terminates its unfinished instances, releases its sandboxes, and deletes its claims, pools, templates and snapshots (with their files on disk). Its history stays, and its id cannot be used again.',
  request: { params: TenantParam },
  responses: { 200: jsonContent(TenantSchema, 'The deleted tenant'), ...CLIENT_ERRORS },
});

export const createTokenRoute = createRoute({
  ...TAG,
  method: 'post',
  path: '/{tenant}/tokens',
  summary: 'Create a tenant token',
  request: {
    params: TenantParam,
    body: {
      required: false,
      content: {
        'application/json': { schema: z.object({ label: z.string().min(1).max(100).optional() }) },
      },
    },
  },
  responses: { 201: jsonContent(NewTokenSchema, 'The token and its secret'), ...CLIENT_ERRORS },
});

export const listTokensRoute = createRoute({
  ...TAG,
  method: 'get',
  path: '/{tenant}/tokens',
  summary: "List a tenant's tokens",
  request: { params: TenantParam },
  responses: {
    200: jsonContent(z.object({ tokens: z.array(TokenSchema) }), 'Tokens, revoked ones included'),
    ...CLIENT_ERRORS,
  },
});

export const rotateTokenRoute = createRoute({
  ...TAG,
  method: 'post',
  path: '/{tenant}/tokens/{tokenId}/rotate',
  summary: 'Rotate a tenant token',
  description: 'Revokes the token and returns a new one with the same label.',
  request: { params: TokenParam },
  responses: { 200: jsonContent(NewTokenSchema, 'The new token and its secret'), ...CLIENT_ERRORS },
});

export const revokeTokenRoute = createRoute({
  ...TAG,
  method: 'delete',
  path: '/{tenant}/tokens/{tokenId}',
  summary: 'Revoke a tenant token',
  request: { params: TokenParam },
  responses: { 200: jsonContent(TokenSchema, 'The revoked token'), ...CLIENT_ERRORS },
});

export const tenantUsageRoute = createRoute({
  ...TAG,
  method: 'get',
  path: '/{tenant}/usage',
  summary: "A tenant's usage",
  request: { params: TenantParam },
  responses: { 200: jsonContent(UsageSchema, 'Usage so far'), ...CLIENT_ERRORS },
});

export const listAuditRoute = createRoute({
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
    200: jsonContent(z.object({ entries: z.array(AuditEntrySchema) }), 'Audit entries'),
    ...CLIENT_ERRORS,
  },
});

/** Routes under `/v1/tenants`, for the admin token. */
export function tenantRoutes(server: ServerContext): ReturnType<typeof createRouter> {
  const router = createRouter();
  router.use('*', requireAdmin);
  const { tenants } = server;

  router.openapi(createTenantRoute, async (c) =>
    c.json(await tenants.create(c.req.valid('json'), actorOf(c)), 201),
  );
  router.openapi(listTenantsRoute, async (c) => c.json({ tenants: await tenants.list() }, 200));
  router.openapi(getTenantRoute, async (c) =>
    c.json(await tenants.require(c.req.valid('param').tenant), 200),
  );
  router.openapi(deleteTenantRoute, deleteTenant(server));

  router.openapi(createTokenRoute, async (c) => {
    const { tenant } = c.req.valid('param');
    const created = await tenants.createToken(tenant, c.req.valid('json') ?? {}, actorOf(c));
    return c.json({ token: created.record, secret: created.token }, 201);
  });
  router.openapi(listTokensRoute, async (c) =>
    c.json({ tokens: await tenants.listTokens(c.req.valid('param').tenant) }, 200),
  );
  router.openapi(rotateTokenRoute, async (c) => {
    const { tenant, tokenId } = c.req.valid('param');
    const created = await tenants.rotateToken(tenant, tokenId, actorOf(c));
    return c.json({ token: created.record, secret: created.token }, 200);
  });
  router.openapi(revokeTokenRoute, async (c) => {
    const { tenant, tokenId } = c.req.valid('param');
    return c.json(await tenants.revokeToken(tenant, tokenId, actorOf(c)), 200);
  });

  router.openapi(tenantUsageRoute, async (c) => {
    const { tenant } = c.req.valid('param');
    await tenants.require(tenant);
    return c.json(await usageOf(server, tenant), 200);
  });
  addQuotaRoutes(router, server);

  return router;
}

/** Routes under `/v1/audit`, for the admin token. */
export function auditRoutes(server: ServerContext): ReturnType<typeof createRouter> {
  const router = createRouter();
  router.use('*', requireAdmin);
  router.openapi(listAuditRoute, async (c) => {
    const query = c.req.valid('query');
    const entries = await server.tenants.listAudit({
      limit: query.limit,
      ...(query.tenant === undefined ? {} : { tenant: query.tenant }),
      ...(query.before === undefined ? {} : { beforeSeq: query.before }),
    });
    return c.json({ entries }, 200);
  });
  return router;
}

/** Deletes a tenant, then stops what it still had running. */
function deleteTenant(server: ServerContext): RouteHandler<typeof deleteTenantRoute, ServerEnv> {
  return async (c) => {
    const { tenant } = c.req.valid('param');
    const record = await server.tenants.require(tenant);
    await server.tenants.delete(tenant, actorOf(c));
    await stopTenantWork(server, tenant);
    return c.json(record, 200);
  };
}

/**
 * Terminates a deleted tenant's unfinished instances, releases its sandboxes, and deletes
 * its claims, pools (destroying their ready sandboxes), templates and snapshots.
 */
async function stopTenantWork(server: ServerContext, tenant: string): Promise<void> {
  for (const instance of await server.runner.engine.list(tenant)) {
    if (!['complete', 'errored', 'terminated'].includes(instance.status)) {
      await server.runner.terminate(tenant, instance.id);
    }
  }
  const { controller } = server.stack;
  for (const record of controller.list({ tenant })) {
    await controller.release(record.id);
  }
  for (const claim of controller.claimObjects.list().filter((item) => item.tenant === tenant)) {
    controller.claimObjects.delete(claim.name);
  }
  const owners = sandboxOwners(server.stack.db);
  for (const pool of controller.listPools()) {
    if (owners.ownerOf('SandboxWarmPool', pool.name) === tenant) {
      await controller.deletePool(pool.name);
      owners.remove('SandboxWarmPool', pool.name);
    }
  }
  for (const template of controller.listTemplates()) {
    if (owners.ownerOf('SandboxTemplate', template.name) === tenant) {
      controller.deleteTemplate(template.name);
      owners.remove('SandboxTemplate', template.name);
    }
  }
  // Snapshots hold the tenant's files and memory, so they go even when a shared template
  // still names one; that template's claims then fail with SNAPSHOT_NOT_FOUND.
  for (const snapshot of controller.listSnapshots({ tenant })) {
    const ref = `${tenant}/${snapshot.name}`;
    const naming = controller.templatesNamingSnapshot(ref);
    controller.deleteSnapshot(ref, { force: true });
    server.stack.logger.info('Deleted snapshot of deleted tenant', {
      tenant,
      snapshot: snapshot.name,
      ...(naming.length === 0 ? {} : { namedByTemplates: naming }),
    });
  }
}
