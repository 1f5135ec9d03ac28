/**
 * Sandboxes claimed directly by a tenant: claim, exec, read and write files, release.
 */
import { createRoute, z, type RouteHandler } from '@hono/zod-openapi';
import { SandstackError } from '../../../core/errors.js';
import { redactSecrets } from '../../../guard/redact.js';
import type { SandboxRecord } from '../../../sandbox/controller.js';
import type { SandboxInstance } from '../../../sandbox/types.js';
import { actorOf, requireTenant, tenantOf } from '../auth.js';
import { BEARER, createRouter, type ServerContext, type ServerEnv } from '../context.js';
import { CLIENT_ERRORS, ERROR_RESPONSES } from '../errors.js';
import { checkCpuQuota, reserveSandboxClaim } from '../limits.js';
import { jsonContent, nameSchema } from '../schemas.js';

const SandboxSchema = z
  .object({
    id: z.string(),
    template: z.string(),
    runtime: z.string(),
    pool: z.string().nullable(),
    state: z.enum(['warm', 'claimed', 'released']),
    runId: z.string().nullable().openapi({ description: 'Instance that claimed it, if any' }),
    warm: z.boolean().openapi({ description: 'Taken ready from a pool rather than started' }),
    claimLatencyMs: z.number().nullable(),
    createdAt: z.number(),
    claimedAt: z.number().nullable(),
    releasedAt: z.number().nullable(),
    usage: z.object({ cpuSeconds: z.number(), memoryPeakBytes: z.number() }).nullable(),
  })
  .openapi('Sandbox');

const ExecSchema = z
  .object({
    command: z
      .string({ error: 'command must be a shell command as a string' })
      .min(1, { error: 'command is empty; send a shell command such as "ls -la"' }),
    cwd: z.string().optional(),
    env: z.record(z.string(), z.string()).optional(),
    stdin: z.string().optional(),
    timeoutMs: z.number().int().positive().optional(),
  })
  .openapi('ExecRequest');

const ExecResultSchema = z
  .object({
    exitCode: z.number(),
    stdout: z.string(),
    stderr: z.string(),
    timedOut: z.boolean(),
    outputTruncated: z.boolean(),
    durationMs: z.number(),
  })
  .openapi('ExecResult');

const SandboxParam = z.object({
  id: nameSchema('sandbox id').openapi({
    param: { name: 'id', in: 'path' },
    example: 'sbx_k3v9x0c2m1q8',
  }),
});

const PathQuery = z.object({
  path: z
    .string({ error: 'path is missing; pass ?path=<file>, relative to the workdir or absolute' })
    .min(1, { error: 'path is empty; pass ?path=<file>' }),
});

function toSandbox(record: SandboxRecord): z.infer<typeof SandboxSchema> {
  return {
    id: record.id,
    template: record.template,
    runtime: record.runtime,
    pool: record.pool,
    state: record.state,
    runId: record.runId,
    warm: record.warm,
    claimLatencyMs: record.claimLatencyMs,
    createdAt: record.createdAt,
    claimedAt: record.claimedAt,
    releasedAt: record.releasedAt,
    usage: record.usage,
  };
}

function notFound(id: string): SandstackError {
  return new SandstackError(
    'SANDBOX_NOT_FOUND',
    `Sandbox "${id}" not found or released; claim one with POST /v1/sandboxes`,
  );
}

/** Returns the tenant's sandbox record in any state. @throws SandstackError `SANDBOX_NOT_FOUND` */
function ownedRecord(server: ServerContext, tenant: string, id: string): SandboxRecord {
  const record = server.stack.controller.record(id);
  // Another tenant's sandbox gets the same 404 as one that does not exist.
  if (record === undefined || record.tenant !== tenant) {
    throw notFound(id);
  }
  return record;
}

/** Returns the tenant's claimed sandbox, re-attached if needed. @throws SandstackError `SANDBOX_NOT_FOUND` */
async function liveSandbox(
  server: ServerContext,
  tenant: string,
  id: string,
): Promise<SandboxInstance> {
  ownedRecord(server, tenant, id);
  const found = await server.stack.controller.get(id);
  if (found === undefined) {
    throw notFound(id);
  }
  return found.sandbox;
}

const TAG = { tags: ['sandboxes'], security: BEARER };
const BINARY = { schema: z.string().openapi({ format: 'binary' }) };

export const claimRoute = createRoute({
  ...TAG,
  method: 'post',
  path: '/',
  summary: 'Claim a sandbox',
  description: 'Takes a ready sandbox from the pool when one is given and ready, else starts one.',
  request: {
    body: {
      required: false,
      content: {
        'application/json': {
          schema: z.object({
            template: nameSchema('template name').optional().openapi({ example: 'default' }),
            pool: nameSchema('pool name').optional(),
          }),
        },
      },
    },
  },
  responses: {
    201: jsonContent(SandboxSchema, 'The claimed sandbox'),
    429: ERROR_RESPONSES[429],
    ...CLIENT_ERRORS,
  },
});

export const listRoute = createRoute({
  ...TAG,
  method: 'get',
  path: '/',
  summary: 'List sandboxes',
  request: {
    query: z.object({
      all: z
        .enum(['true', 'false'], { error: 'all must be "true" or "false"' })
        .optional()
        .openapi({ description: 'Include released sandboxes' }),
    }),
  },
  responses: {
    200: jsonContent(z.object({ sandboxes: z.array(SandboxSchema) }), 'Sandboxes'),
    ...CLIENT_ERRORS,
  },
});

export const getRoute = createRoute({
  ...TAG,
  method: 'get',
  path: '/{id}',
  summary: 'Get a sandbox',
  request: { params: SandboxParam },
  responses: { 200: jsonContent(SandboxSchema, 'The sandbox'), ...CLIENT_ERRORS },
});

export const execRoute = createRoute({
  ...TAG,
  method: 'post',
  path: '/{id}/exec',
  summary: 'Run a shell command in the sandbox',
  description: 'A non-zero exit code is a result (200), not an error.',
  request: {
    params: SandboxParam,
    body: { required: true, content: { 'application/json': { schema: ExecSchema } } },
  },
  responses: {
    200: jsonContent(ExecResultSchema, 'The command result'),
    429: ERROR_RESPONSES[429],
    ...CLIENT_ERRORS,
  },
});

export const readFileRoute = createRoute({
  ...TAG,
  method: 'get',
  path: '/{id}/files',
  summary: 'Read a file from the sandbox',
  request: { params: SandboxParam, query: PathQuery },
  responses: {
    200: { description: 'The file contents', content: { 'application/octet-stream': BINARY } },
    ...CLIENT_ERRORS,
  },
});

export const writeFileRoute = createRoute({
  ...TAG,
  method: 'put',
  path: '/{id}/files',
  summary: 'Write a file in the sandbox',
  description: 'The raw request body becomes the file, and parent folders are created.',
  request: {
    params: SandboxParam,
    query: PathQuery,
    body: { required: true, content: { 'application/octet-stream': BINARY } },
  },
  responses: {
    200: jsonContent(z.object({ path: z.string(), bytes: z.number() }), 'The file was written'),
    ...CLIENT_ERRORS,
  },
});

export const releaseRoute = createRoute({
  ...TAG,
  method: 'delete',
  path: '/{id}',
  summary: 'Release a sandbox',
  description: 'Destroys it and stores its final usage. Releasing twice returns the same record.',
  request: { params: SandboxParam },
  responses: {
    200: jsonContent(SandboxSchema, 'The released sandbox with its usage'),
    ...CLIENT_ERRORS,
  },
});

/** Routes under `/v1/sandboxes`, for tenant tokens. */
export function sandboxRoutes(server: ServerContext): ReturnType<typeof createRouter> {
  const router = createRouter();
  router.use('*', requireTenant);

  router.openapi(claimRoute, claimSandbox(server));

  router.openapi(listRoute, (c) => {
    const includeReleased = c.req.valid('query').all === 'true';
    const records = server.stack.controller.list({ tenant: tenantOf(c), includeReleased });
    return c.json({ sandboxes: records.map(toSandbox) }, 200);
  });

  router.openapi(getRoute, (c) =>
    c.json(toSandbox(ownedRecord(server, tenantOf(c), c.req.valid('param').id)), 200),
  );

  router.openapi(execRoute, execInSandbox(server));

  router.openapi(readFileRoute, async (c) => {
    const sandbox = await liveSandbox(server, tenantOf(c), c.req.valid('param').id);
    const data = await sandbox.readFile(c.req.valid('query').path);
    return c.body(new Uint8Array(data), 200, { 'content-type': 'application/octet-stream' });
  });

  router.openapi(writeFileRoute, writeSandboxFile(server));

  router.openapi(releaseRoute, async (c) => {
    const tenant = tenantOf(c);
    const { id } = c.req.valid('param');
    ownedRecord(server, tenant, id);
    const record = await server.stack.controller.release(id);
    server.tenants.audit({ actor: actorOf(c), tenant, action: 'sandbox.release', target: id });
    return c.json(toSandbox(record), 200);
  });

  return router;
}

/** Claims a sandbox of a template or from a pool for the caller. */
function claimSandbox(server: ServerContext): RouteHandler<typeof claimRoute, ServerEnv> {
  return async (c) => {
    const tenant = tenantOf(c);
    const body = c.req.valid('json') ?? {};
    await checkCpuQuota(server, tenant);
    // Claims that are still starting are not in the store yet, so they hold a reservation.
    const releaseReservation = reserveSandboxClaim(server, tenant);
    let record: SandboxRecord;
    try {
      ({ record } = await server.stack.controller.claim({
        tenant,
        ...(body.pool === undefined
          ? { template: body.template ?? 'default' }
          : { pool: body.pool }),
      }));
    } finally {
      releaseReservation();
    }
    server.tenants.audit({
      actor: actorOf(c),
      tenant,
      action: 'sandbox.claim',
      target: record.id,
      detail: { template: record.template, pool: record.pool, warm: record.warm },
    });
    return c.json(toSandbox(record), 201);
  };
}

/** Runs one command; the audit entry gets the command with secrets redacted. */
function execInSandbox(server: ServerContext): RouteHandler<typeof execRoute, ServerEnv> {
  return async (c) => {
    const tenant = tenantOf(c);
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const sandbox = await liveSandbox(server, tenant, id);
    await checkCpuQuota(server, tenant);
    server.tenants.audit({
      actor: actorOf(c),
      tenant,
      action: 'sandbox.exec',
      target: id,
      detail: { command: redactSecrets(body.command) },
    });
    const result = await sandbox.exec({
      command: body.command,
      ...(body.cwd === undefined ? {} : { cwd: body.cwd }),
      ...(body.env === undefined ? {} : { env: body.env }),
      ...(body.stdin === undefined ? {} : { stdin: body.stdin }),
      ...(body.timeoutMs === undefined ? {} : { timeoutMs: body.timeoutMs }),
    });
    return c.json(result, 200);
  };
}

/** Writes the raw request body to a file in the sandbox. */
function writeSandboxFile(server: ServerContext): RouteHandler<typeof writeFileRoute, ServerEnv> {
  return async (c) => {
    const tenant = tenantOf(c);
    const { id } = c.req.valid('param');
    const { path } = c.req.valid('query');
    const sandbox = await liveSandbox(server, tenant, id);
    const data = new Uint8Array(await c.req.arrayBuffer());
    await sandbox.writeFile(path, data);
    server.tenants.audit({
      actor: actorOf(c),
      tenant,
      action: 'sandbox.write',
      target: id,
      detail: { path, bytes: data.byteLength },
    });
    return c.json({ path, bytes: data.byteLength }, 200);
  };
}
