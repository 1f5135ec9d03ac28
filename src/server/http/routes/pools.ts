/**
 * Sandbox templates, warm pools and claims as objects: list, get and delete. They are
 * created and updated with `POST /v1/apply`. A tenant token reaches its own objects and the
 * shared ones; another tenant's answer 404. The admin token reaches all of them.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { actorOf } from '../auth.js';
import { BEARER, createRouter, type ServerContext, type ServerEnv } from '../context.js';
import { CLIENT_ERRORS, ERROR_RESPONSES, HttpError } from '../errors.js';
import { sandboxOwners, type OwnedKind, type Viewer } from '../sandbox-owners.js';
import { jsonContent, nameSchema } from '../schemas.js';

const OWNER = z
  .string()
  .nullable()
  .openapi({ description: 'Tenant the object belongs to; null when it is shared' });

const TemplateSchema = z
  .looseObject({
    name: z.string().openapi({ example: 'python' }),
    tenant: OWNER,
    runtime: z.enum(['gvisor', 'bubblewrap', 'kubernetes', 'auto']),
    rootfs: z.union([
      z.object({ kind: z.literal('host') }),
      z.object({ kind: z.literal('directory'), path: z.string() }),
    ]),
    resources: z.object({
      cpu: z.number(),
      memoryBytes: z.number(),
      pids: z.number(),
      diskBytes: z.number(),
    }),
    lifetimeSeconds: z.number(),
  })
  .openapi('SandboxTemplate', { description: 'A resolved template, every default filled in' });

const PoolSchema = z
  .object({
    name: z.string().openapi({ example: 'python' }),
    tenant: OWNER,
    template: z.string(),
    replicas: z.number().openapi({ description: 'Ready sandboxes the pool keeps' }),
    ready: z.number().openapi({ description: 'Ready sandboxes now' }),
    updateStrategy: z.enum(['OnReplenish', 'Recreate']),
    conditions: z
      .array(
        z.object({
          type: z.literal('Ready'),
          status: z.enum(['True', 'False']),
          reason: z.enum(['ReplicasReady', 'Filling', 'StartFailed']),
          message: z.string(),
        }),
      )
      .openapi({
        description:
          'Ready is False with reason StartFailed after failed starts until a fill succeeds; the message has the last error and its time',
      }),
  })
  .openapi('Pool');

const ClaimSchema = z
  .looseObject({
    name: z.string(),
    tenant: z.string().openapi({ description: "The claim's namespace" }),
    pool: z.string(),
    sandboxId: z.string().nullable(),
    conditions: z.array(
      z.object({
        type: z.string(),
        status: z.enum(['True', 'False', 'Unknown']),
        reason: z.string(),
        message: z.string(),
        lastTransitionTime: z.string(),
      }),
    ),
  })
  .openapi('SandboxClaim');

const TAG = { tags: ['sandboxes'], security: BEARER };
const nameParam = (label: string, example: string) =>
  z.object({ name: nameSchema(label).openapi({ param: { name: 'name', in: 'path' }, example }) });
const TemplateParam = nameParam('template name', 'python');
const PoolParam = nameParam('pool name', 'python');
const ClaimParam = nameParam('claim name', 'job-1');

export const listTemplatesRoute = createRoute({
  ...TAG,
  method: 'get',
  path: '/templates',
  summary: 'List sandbox templates',
  responses: {
    200: jsonContent(z.object({ templates: z.array(TemplateSchema) }), 'Templates'),
    ...CLIENT_ERRORS,
  },
});

export const getTemplateRoute = createRoute({
  ...TAG,
  method: 'get',
  path: '/templates/{name}',
  summary: 'Get a sandbox template',
  request: { params: TemplateParam },
  responses: { 200: jsonContent(TemplateSchema, 'The template'), ...CLIENT_ERRORS },
});

export const deleteTemplateRoute = createRoute({
  ...TAG,
  method: 'delete',
  path: '/templates/{name}',
  summary: 'Delete a sandbox template',
  description: 'Sandboxes started from it keep running. A template that a pool uses answers 409.',
  request: { params: TemplateParam },
  responses: {
    200: jsonContent(TemplateSchema, 'The deleted template'),
    409: ERROR_RESPONSES[409],
    ...CLIENT_ERRORS,
  },
});

export const listPoolsRoute = createRoute({
  ...TAG,
  method: 'get',
  path: '/pools',
  summary: 'List warm pools with their ready counts',
  responses: {
    200: jsonContent(z.object({ pools: z.array(PoolSchema) }), 'Pools'),
    ...CLIENT_ERRORS,
  },
});

export const getPoolRoute = createRoute({
  ...TAG,
  method: 'get',
  path: '/pools/{name}',
  summary: 'Get a warm pool',
  request: { params: PoolParam },
  responses: { 200: jsonContent(PoolSchema, 'The pool'), ...CLIENT_ERRORS },
});

export const deletePoolRoute = createRoute({
  ...TAG,
  method: 'delete',
  path: '/pools/{name}',
  summary: 'Delete a warm pool',
  description: 'Destroys its ready sandboxes; sandboxes already claimed from it stay.',
  request: { params: PoolParam },
  responses: { 200: jsonContent(PoolSchema, 'The deleted pool'), ...CLIENT_ERRORS },
});

export const listClaimsRoute = createRoute({
  ...TAG,
  method: 'get',
  path: '/claims',
  summary: 'List SandboxClaim objects with their conditions',
  responses: {
    200: jsonContent(z.object({ claims: z.array(ClaimSchema) }), 'Claims'),
    ...CLIENT_ERRORS,
  },
});

export const getClaimRoute = createRoute({
  ...TAG,
  method: 'get',
  path: '/claims/{name}',
  summary: 'Get a SandboxClaim object',
  request: { params: ClaimParam },
  responses: { 200: jsonContent(ClaimSchema, 'The claim'), ...CLIENT_ERRORS },
});

/** Returns the tenant of the caller, or null for the admin token. */
export function viewerOf(c: Context<ServerEnv>): Viewer {
  const principal = c.get('principal');
  return principal.role === 'tenant' ? principal.tenant : null;
}

const LABELS: Record<OwnedKind, { noun: string; list: string }> = {
  SandboxTemplate: { noun: 'Template', list: 'GET /v1/templates' },
  SandboxWarmPool: { noun: 'Pool', list: 'GET /v1/pools' },
};

function notFound(kind: OwnedKind, name: string): HttpError {
  const { noun, list } = LABELS[kind];
  return new HttpError(404, 'NOT_FOUND', `${noun} "${name}" not found; list them with ${list}`);
}

/**
 * Rejects a change of a shared object by a tenant token.
 * @throws HttpError 403
 */
function requireChangeable(kind: OwnedKind, name: string, owner: string | null, viewer: Viewer) {
  if (viewer !== null && owner === null) {
    throw new HttpError(
      403,
      'FORBIDDEN',
      `${LABELS[kind].noun} "${name}" is shared by every tenant; only the admin token may change or delete it`,
    );
  }
}

function templatesOf(server: ServerContext, viewer: Viewer): z.infer<typeof TemplateSchema>[] {
  const owners = sandboxOwners(server.stack.db);
  return server.stack.controller
    .listTemplates()
    .filter((template) => owners.visible('SandboxTemplate', template.name, viewer))
    .map((template) => ({
      ...template,
      tenant: owners.ownerOf('SandboxTemplate', template.name),
    }));
}

function poolsOf(server: ServerContext, viewer: Viewer): z.infer<typeof PoolSchema>[] {
  const owners = sandboxOwners(server.stack.db);
  return server.stack.controller
    .listPools()
    .filter((pool) => owners.visible('SandboxWarmPool', pool.name, viewer))
    .map((pool) => ({
      name: pool.name,
      tenant: owners.ownerOf('SandboxWarmPool', pool.name),
      template: pool.template,
      replicas: pool.replicas,
      ready: pool.ready,
      updateStrategy: pool.updateStrategy,
      conditions: pool.conditions,
    }));
}

function claimsOf(server: ServerContext, viewer: Viewer): z.infer<typeof ClaimSchema>[] {
  return server.stack.controller.claimObjects
    .list()
    .filter((claim) => viewer === null || claim.tenant === viewer)
    .map((claim) => ({ ...claim }));
}

function findOne<T extends { name: string }>(items: T[], name: string, missing: HttpError): T {
  const found = items.find((item) => item.name === name);
  if (found === undefined) {
    throw missing;
  }
  return found;
}

/** Routes for templates, pools and claims under `/v1`, for both kinds of token. */
export function poolRoutes(server: ServerContext): ReturnType<typeof createRouter> {
  const router = createRouter();
  const owners = sandboxOwners(server.stack.db);

  router.openapi(listTemplatesRoute, (c) =>
    c.json({ templates: templatesOf(server, viewerOf(c)) }, 200),
  );
  router.openapi(getTemplateRoute, (c) => {
    const { name } = c.req.valid('param');
    return c.json(
      findOne(templatesOf(server, viewerOf(c)), name, notFound('SandboxTemplate', name)),
      200,
    );
  });
  router.openapi(deleteTemplateRoute, (c) => {
    const { name } = c.req.valid('param');
    const viewer = viewerOf(c);
    const template = findOne(templatesOf(server, viewer), name, notFound('SandboxTemplate', name));
    requireChangeable('SandboxTemplate', name, template.tenant, viewer);
    const users = server.stack.controller.listPools().filter((pool) => pool.template === name);
    if (users.length > 0) {
      throw new HttpError(
        409,
        'CONFLICT',
        `Template "${name}" is in use by ${users.length} pool(s); delete them first with DELETE /v1/pools/{name}`,
      );
    }
    server.stack.controller.deleteTemplate(name);
    owners.remove('SandboxTemplate', name);
    audit(server, c, 'template.delete', name, template.tenant);
    return c.json(template, 200);
  });

  router.openapi(listPoolsRoute, (c) => c.json({ pools: poolsOf(server, viewerOf(c)) }, 200));
  router.openapi(getPoolRoute, (c) => {
    const { name } = c.req.valid('param');
    return c.json(
      findOne(poolsOf(server, viewerOf(c)), name, notFound('SandboxWarmPool', name)),
      200,
    );
  });
  router.openapi(deletePoolRoute, async (c) => {
    const { name } = c.req.valid('param');
    const viewer = viewerOf(c);
    const pool = findOne(poolsOf(server, viewer), name, notFound('SandboxWarmPool', name));
    requireChangeable('SandboxWarmPool', name, pool.tenant, viewer);
    await server.stack.controller.deletePool(name);
    owners.remove('SandboxWarmPool', name);
    audit(server, c, 'pool.delete', name, pool.tenant);
    return c.json(pool, 200);
  });

  router.openapi(listClaimsRoute, (c) => c.json({ claims: claimsOf(server, viewerOf(c)) }, 200));
  router.openapi(getClaimRoute, (c) => {
    const { name } = c.req.valid('param');
    const missing = new HttpError(
      404,
      'NOT_FOUND',
      `SandboxClaim "${name}" not found; list them with GET /v1/claims`,
    );
    return c.json(findOne(claimsOf(server, viewerOf(c)), name, missing), 200);
  });
  return router;
}

function audit(
  server: ServerContext,
  c: Context<ServerEnv>,
  action: string,
  target: string,
  tenant: string | null,
): void {
  server.tenants.audit({ actor: actorOf(c), tenant, action, target });
}
