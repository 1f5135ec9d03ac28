/**
 * Sandboxes claimed directly by a tenant: claim, exec (whole or streamed), read and write
 * files, suspend, resume, snapshot, release.
 */
import { StringDecoder } from 'node:string_decoder';
import { createRoute, z, type RouteHandler } from '@hono/zod-openapi';
import { SandstackError, isSandstackError } from '../../../core/errors.js';
import { redactSecrets } from '../../../guard/redact.js';
import type { SandboxRecord, SnapshotRecord } from '../../../sandbox/controller.js';
import { sandboxConditions } from '../../../sandbox/controller-snapshots.js';
import type { ExecRequest, ExecResult, SandboxInstance } from '../../../sandbox/types.js';
import { actorOf, listedTenants, requireTenantOrAdminList, tenantOf } from '../auth.js';
import { BEARER, createRouter, type ServerContext, type ServerEnv } from '../context.js';
import { CLIENT_ERRORS, ERROR_RESPONSES, ErrorSchema, HttpError } from '../errors.js';
import { checkRequestedLimits } from '../../../sandbox/process.js';
import { MAX_COMMAND_TIMEOUT_MS } from '../../../sandbox/timers.js';
import { checkCpuQuota, reserveSandboxClaim } from '../limits.js';
import { sandboxOwners } from '../sandbox-owners.js';
import { jsonContent, nameSchema } from '../schemas.js';

const SandboxSchema = z
  .object({
    id: z.string(),
    tenant: z.string().nullable(),
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
    usage: z
      .object({
        cpuSeconds: z.number(),
        memoryPeakBytes: z.number(),
        gibSeconds: z.number().openapi({
          description: 'Memory limit in GiB times seconds from claim to release',
        }),
        measuredGibSeconds: z.number().nullable().openapi({
          description:
            'Sampled cgroup memory usage in GiB integrated over the seconds from claim to release; null when not measured',
        }),
      })
      .nullable(),
    operatingMode: z.enum(['Running', 'Suspended']).openapi({
      description:
        'As upstream Sandbox spec.operatingMode: Suspended while the processes are checkpointed to disk and stopped',
    }),
    conditions: z
      .array(
        z.object({
          type: z.string().openapi({ example: 'Suspended' }),
          status: z.enum(['True', 'False', 'Unknown']),
          reason: z.string(),
          message: z.string(),
          lastTransitionTime: z.string(),
        }),
      )
      .openapi({ description: 'Ready and Suspended conditions with upstream reasons' }),
  })
  .openapi('Sandbox');

const SnapshotSchema = z
  .object({
    name: z.string(),
    sandboxId: z.string().openapi({ description: 'Sandbox the snapshot was taken from' }),
    template: z.string(),
    imageBytes: z.number().openapi({ description: 'Bytes of the memory and kernel checkpoint' }),
    filesBytes: z.number().openapi({ description: 'Bytes of the copied workspace and /tmp' }),
    createdAt: z.number(),
  })
  .openapi('Snapshot');

/** Builds the schema of an exec request's optional output limit in bytes; each sandbox checks it against its template. */
function outputLimitField(description: string) {
  return z
    .number({ error: 'output limits must be a number of bytes' })
    .int({ error: 'output limits must be a whole number of bytes' })
    .min(1, { error: 'output limits must be at least 1 byte' })
    .optional()
    .openapi({ description });
}

const ExecSchema = z
  .object({
    command: z
      .string({ error: 'command must be a shell command as a string' })
      .min(1, { error: 'command is empty; send a shell command such as "ls -la"' }),
    cwd: z.string().optional(),
    env: z.record(z.string(), z.string()).optional(),
    stdin: z.string().optional(),
    timeoutMs: z
      .number({ error: 'timeoutMs must be a number of milliseconds' })
      .int({ error: 'timeoutMs must be a whole number of milliseconds' })
      .min(1, { error: 'timeoutMs must be at least 1 ms' })
      // Exec rejects a timeout past MAX_COMMAND_TIMEOUT_MS, so the route checks it first and
      // names the field. The template's own command timeout is checked per sandbox.
      .max(MAX_COMMAND_TIMEOUT_MS, {
        error: `timeoutMs must be at most ${MAX_COMMAND_TIMEOUT_MS} ms (24 days)`,
      })
      .optional()
      .openapi({
        description:
          "Time limit of the command. At most the sandbox template's commandTimeoutMs, which is also the default; a larger value gets a 400.",
      }),
    maxOutputBytes: outputLimitField(
      "Bytes kept of each of stdout and stderr. At most the template's limit of that stream, which is also the default; a larger value gets a 400.",
    ),
    maxStdoutBytes: outputLimitField(
      "Bytes of stdout kept, in place of maxOutputBytes. At most the template's stdout limit; a larger value gets a 400.",
    ),
    maxStderrBytes: outputLimitField(
      "Bytes of stderr kept, in place of maxOutputBytes. At most the template's stderr limit; a larger value gets a 400.",
    ),
  })
  .openapi('ExecRequest');

const ExecEndFields = {
  exitCode: z.number(),
  timedOut: z.boolean(),
  outputTruncated: z.boolean().openapi({ description: 'Stdout or stderr was cut at its limit' }),
  stdoutTruncated: z.boolean(),
  stderrTruncated: z.boolean(),
  durationMs: z.number(),
};

const ExecResultSchema = z
  .object({ ...ExecEndFields, stdout: z.string(), stderr: z.string() })
  .openapi('ExecResult');

/** One line of a streamed exec's NDJSON body. */
const ExecStreamLineSchema = z
  .union([
    z
      .object({
        stream: z.enum(['stdout', 'stderr']),
        data: z.string().openapi({ description: 'Output as UTF-8 text, in the order written' }),
      })
      .openapi('ExecOutputLine', {
        description: 'A piece of output, sent as the command writes it',
      }),
    z
      .object(ExecEndFields)
      .openapi('ExecEndLine', { description: 'The last line when the command ran to its end' }),
    ErrorSchema.openapi('ExecErrorLine', {
      description: 'The last line when the sandbox failed during the command',
    }),
  ])
  .openapi('ExecStreamLine');

/** Path parameter of routes on one sandbox. */
export const SandboxParam = z.object({
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
    tenant: record.tenant,
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
    operatingMode: record.operatingMode,
    conditions: sandboxConditions(record),
  };
}

function toSnapshot(snapshot: SnapshotRecord): z.infer<typeof SnapshotSchema> {
  return {
    name: snapshot.name,
    sandboxId: snapshot.sandboxId,
    template: snapshot.template,
    imageBytes: snapshot.imageBytes,
    filesBytes: snapshot.filesBytes,
    createdAt: snapshot.createdAt,
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
export async function liveSandbox(
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
  description:
    "A tenant token lists its own sandboxes; the admin token lists every tenant's, or one tenant's with `tenant`.",
  request: {
    query: z.object({
      tenant: nameSchema('tenant id').optional().openapi({ description: 'Admin token only' }),
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

export const execStreamRoute = createRoute({
  ...TAG,
  method: 'post',
  path: '/{id}/exec/stream',
  summary: 'Run a shell command and stream its output',
  description:
    'Answers with `application/x-ndjson`: one `ExecOutputLine` per piece of output as the ' +
    'command writes it, then one `ExecEndLine` (or an `ExecErrorLine` if the sandbox failed). ' +
    "The template limits apply as for `/exec`; output past a stream's limit is dropped and a " +
    'last stderr line names the limit. Closing the connection kills the command.',
  request: {
    params: SandboxParam,
    body: { required: true, content: { 'application/json': { schema: ExecSchema } } },
  },
  responses: {
    200: {
      description: 'The output lines and the final line',
      content: { 'application/x-ndjson': { schema: ExecStreamLineSchema } },
    },
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

export const suspendRoute = createRoute({
  ...TAG,
  method: 'post',
  path: '/{id}/suspend',
  summary: 'Suspend a sandbox',
  description:
    "Checkpoints the sandbox's processes to disk and stops them; commands get 409 until it is resumed. gVisor only: other runtimes get 409 CHECKPOINT_UNSUPPORTED.",
  request: { params: SandboxParam },
  responses: {
    200: jsonContent(SandboxSchema, 'The suspended sandbox'),
    409: ERROR_RESPONSES[409],
    ...CLIENT_ERRORS,
  },
});

export const resumeRoute = createRoute({
  ...TAG,
  method: 'post',
  path: '/{id}/resume',
  summary: 'Resume a suspended sandbox',
  description: 'Restores the processes from the checkpoint; they continue where they stopped.',
  request: { params: SandboxParam },
  responses: {
    200: jsonContent(SandboxSchema, 'The running sandbox'),
    409: ERROR_RESPONSES[409],
    ...CLIENT_ERRORS,
  },
});

export const snapshotRoute = createRoute({
  ...TAG,
  method: 'post',
  path: '/{id}/snapshot',
  summary: 'Take a named snapshot of a sandbox',
  description:
    "Stores its processes and files under a name, without ending it; a template that names the snapshot starts its sandboxes from it. gVisor only. Names are unique among the tenant's own snapshots, so a 409 means the tenant already has one of that name.",
  request: {
    params: SandboxParam,
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z.object({ name: nameSchema('snapshot name').openapi({ example: 'py-warm' }) }),
        },
      },
    },
  },
  responses: {
    201: jsonContent(SnapshotSchema, 'The stored snapshot'),
    409: ERROR_RESPONSES[409],
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

export const listSnapshotsRoute = createRoute({
  ...TAG,
  method: 'get',
  path: '/snapshots',
  summary: "List the tenant's snapshots",
  description: "Newest first; only snapshots taken from the caller's own sandboxes.",
  request: {
    query: z.object({
      template: nameSchema('template name')
        .optional()
        .openapi({ description: 'Only snapshots taken from sandboxes of this template' }),
    }),
  },
  responses: {
    200: jsonContent(z.object({ snapshots: z.array(SnapshotSchema) }), 'Snapshots'),
    ...CLIENT_ERRORS,
  },
});

export const getSnapshotRoute = createRoute({
  ...TAG,
  method: 'get',
  path: '/snapshots/{name}',
  summary: 'Get a snapshot',
  description: "Another tenant's snapshot gets the same 404 as one that does not exist.",
  request: { params: z.object({ name: nameSchema('snapshot name') }) },
  responses: {
    200: jsonContent(SnapshotSchema, 'The snapshot'),
    ...CLIENT_ERRORS,
  },
});

export const deleteSnapshotRoute = createRoute({
  ...TAG,
  method: 'delete',
  path: '/snapshots/{name}',
  summary: 'Delete a snapshot',
  description:
    "Deletes one of the tenant's snapshots with its memory image and files. Sandboxes started from it keep running. While one of the tenant's own templates names the snapshot, the delete gets a 409 that names the template. Another tenant's snapshot gets the same 404 as one that does not exist.",
  request: { params: z.object({ name: nameSchema('snapshot name') }) },
  responses: {
    200: jsonContent(SnapshotSchema, 'The deleted snapshot'),
    409: ERROR_RESPONSES[409],
    ...CLIENT_ERRORS,
  },
});

/** Routes under `/v1/sandboxes`, for tenant tokens. */
export function sandboxRoutes(server: ServerContext): ReturnType<typeof createRouter> {
  const router = createRouter();
  router.use('*', requireTenantOrAdminList('/v1/sandboxes'));

  router.openapi(claimRoute, claimSandbox(server));

  router.openapi(listRoute, async (c) => {
    const query = c.req.valid('query');
    const includeReleased = query.all === 'true';
    const tenants = await listedTenants(c, query.tenant, async () =>
      (await server.tenants.list()).map((tenant) => tenant.id),
    );
    const records = tenants
      .flatMap((tenant) => server.stack.controller.list({ tenant, includeReleased }))
      .sort((a, b) => (b.claimedAt ?? b.createdAt) - (a.claimedAt ?? a.createdAt));
    return c.json({ sandboxes: records.map(toSandbox) }, 200);
  });

  // Registered before GET /{id}, which would otherwise take "snapshots" as a sandbox id.
  router.openapi(listSnapshotsRoute, (c) => {
    const { template } = c.req.valid('query');
    const snapshots = server.stack.controller
      .listSnapshots({ tenant: tenantOf(c) })
      .filter((snapshot) => template === undefined || snapshot.template === template);
    return c.json({ snapshots: snapshots.map(toSnapshot) }, 200);
  });

  router.openapi(getSnapshotRoute, (c) => {
    const found = ownSnapshot(server, tenantOf(c), c.req.valid('param').name);
    return c.json(toSnapshot(found), 200);
  });

  router.openapi(deleteSnapshotRoute, deleteOwnSnapshot(server));

  router.openapi(getRoute, (c) =>
    c.json(toSandbox(ownedRecord(server, tenantOf(c), c.req.valid('param').id)), 200),
  );

  router.openapi(execRoute, execInSandbox(server));

  router.openapi(execStreamRoute, streamExecInSandbox(server));

  router.openapi(readFileRoute, async (c) => {
    const sandbox = await liveSandbox(server, tenantOf(c), c.req.valid('param').id);
    const data = await sandbox.readFile(c.req.valid('query').path);
    return c.body(new Uint8Array(data), 200, { 'content-type': 'application/octet-stream' });
  });

  router.openapi(writeFileRoute, writeSandboxFile(server));

  router.openapi(suspendRoute, changeOperatingMode(server, 'suspend'));
  router.openapi(resumeRoute, changeOperatingMode(server, 'resume'));
  router.openapi(snapshotRoute, snapshotSandbox(server));

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

/**
 * Returns the tenant's snapshot of that name.
 * @throws SandstackError `SNAPSHOT_NOT_FOUND` for a missing one or another tenant's
 */
function ownSnapshot(server: ServerContext, tenant: string, name: string): SnapshotRecord {
  const found = server.stack.controller
    .listSnapshots({ tenant })
    .find((snapshot) => snapshot.name === name);
  if (found === undefined) {
    throw new SandstackError(
      'SNAPSHOT_NOT_FOUND',
      `Snapshot "${name}" not found; list your snapshots with GET /v1/sandboxes/snapshots`,
    );
  }
  return found;
}

/**
 * Deletes one of the caller's snapshots unless one of its own templates names it. A shared
 * template that names it does not stop the delete, because the snapshot contains the tenant's
 * data; that template's claims then fail with `SNAPSHOT_NOT_FOUND`, and the server logs it.
 */
function deleteOwnSnapshot(
  server: ServerContext,
): RouteHandler<typeof deleteSnapshotRoute, ServerEnv> {
  return (c) => {
    const tenant = tenantOf(c);
    const { name } = c.req.valid('param');
    const found = ownSnapshot(server, tenant, name);
    const ref = `${tenant}/${name}`;
    const controller = server.stack.controller;
    const owners = sandboxOwners(server.stack.db);
    const naming = controller.templatesNamingSnapshot(ref);
    const own = naming.filter((template) => owners.ownerOf('SandboxTemplate', template) === tenant);
    if (own.length > 0) {
      throw new HttpError(
        409,
        'SNAPSHOT_IN_USE',
        `Snapshot "${name}" is named by your template ${own.map((template) => `"${template}"`).join(', ')}; remove the sandstack.dev/snapshot annotation from it (or delete the template) first`,
      );
    }
    controller.deleteSnapshot(ref, { force: true });
    if (naming.length > 0) {
      server.stack.logger.warn('Deleted a snapshot that shared templates name', {
        tenant,
        snapshot: name,
        templates: naming,
      });
    }
    server.tenants.audit({
      actor: actorOf(c),
      tenant,
      action: 'sandbox.snapshot.delete',
      target: name,
    });
    return c.json(toSnapshot(found), 200);
  };
}

/** Claims a sandbox of a template or from a pool for the caller. */
function claimSandbox(server: ServerContext): RouteHandler<typeof claimRoute, ServerEnv> {
  return async (c) => {
    const tenant = tenantOf(c);
    const body = c.req.valid('json') ?? {};
    requireVisible(server, tenant, body);
    await checkCpuQuota(server, tenant);
    // Claims that are still starting are not in the store yet, so they hold a reservation.
    const releaseReservation = await reserveSandboxClaim(server, tenant);
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

/**
 * Rejects a claim from another tenant's pool or template, with the message of an unknown one.
 * @throws SandstackError `POOL_NOT_FOUND` or `TEMPLATE_NOT_FOUND`
 */
function requireVisible(
  server: ServerContext,
  tenant: string,
  body: { pool?: string; template?: string },
): void {
  const owners = sandboxOwners(server.stack.db);
  if (body.pool !== undefined && !owners.visible('SandboxWarmPool', body.pool, tenant)) {
    throw new SandstackError(
      'POOL_NOT_FOUND',
      `Pool "${body.pool}" not found; list the pools you can claim from with GET /v1/pools`,
    );
  }
  if (body.template !== undefined && !owners.visible('SandboxTemplate', body.template, tenant)) {
    throw new SandstackError(
      'TEMPLATE_NOT_FOUND',
      `Template "${body.template}" not found; list the templates you can use with GET /v1/templates`,
    );
  }
}

type ExecBody = z.infer<typeof ExecSchema>;

function toExecRequest(body: ExecBody): ExecRequest {
  return {
    command: body.command,
    ...(body.cwd === undefined ? {} : { cwd: body.cwd }),
    ...(body.env === undefined ? {} : { env: body.env }),
    ...(body.stdin === undefined ? {} : { stdin: body.stdin }),
    ...(body.timeoutMs === undefined ? {} : { timeoutMs: body.timeoutMs }),
    ...(body.maxOutputBytes === undefined ? {} : { maxOutputBytes: body.maxOutputBytes }),
    ...(body.maxStdoutBytes === undefined ? {} : { maxStdoutBytes: body.maxStdoutBytes }),
    ...(body.maxStderrBytes === undefined ? {} : { maxStderrBytes: body.maxStderrBytes }),
  };
}

/**
 * Returns the tenant's live sandbox for a command and writes the command's audit entry, with
 * secrets redacted from it. @throws SandstackError `SANDBOX_NOT_FOUND`
 */
async function sandboxForExec(
  server: ServerContext,
  entry: { actor: string; tenant: string; id: string; body: ExecBody },
): Promise<SandboxInstance> {
  const sandbox = await liveSandbox(server, entry.tenant, entry.id);
  const { timeoutMs } = entry.body;
  if (timeoutMs !== undefined && timeoutMs > sandbox.commandTimeoutMs) {
    throw new HttpError(
      400,
      'INVALID_ARGUMENT',
      `timeoutMs ${timeoutMs} is over the command timeout of the sandbox's template, ${sandbox.commandTimeoutMs} ms; send at most ${sandbox.commandTimeoutMs}, or leave timeoutMs out to use it`,
      undefined,
      [
        {
          field: 'body.timeoutMs',
          message: `timeoutMs must be at most ${sandbox.commandTimeoutMs} ms, the template's commandTimeoutMs`,
        },
      ],
    );
  }
  checkOutputLimits(entry.body, sandbox.outputLimits);
  await checkCpuQuota(server, entry.tenant);
  server.tenants.audit({
    actor: entry.actor,
    tenant: entry.tenant,
    action: 'sandbox.exec',
    target: entry.id,
    detail: { command: redactSecrets(entry.body.command) },
  });
  return sandbox;
}

/**
 * Rejects output limits above the template's before a streamed response starts, as a 400
 * that names the field. @throws HttpError 400 `INVALID_ARGUMENT`
 */
function checkOutputLimits(
  body: ExecBody,
  templateLimits: { stdout: number; stderr: number },
): void {
  try {
    checkRequestedLimits(toExecRequest(body), templateLimits);
  } catch (error) {
    if (!isSandstackError(error, 'INVALID_ARGUMENT')) {
      throw error;
    }
    const field = String(error.details?.field);
    throw new HttpError(400, 'INVALID_ARGUMENT', error.message, undefined, [
      {
        field: `body.${field}`,
        message: `${field} must be at most ${String(error.details?.limit)} bytes, the template's limit`,
      },
    ]);
  }
}

/** Runs one command and responds with its whole result. */
function execInSandbox(server: ServerContext): RouteHandler<typeof execRoute, ServerEnv> {
  return async (c) => {
    const tenant = tenantOf(c);
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const sandbox = await sandboxForExec(server, { actor: actorOf(c), tenant, id, body });
    const result = await sandbox.exec(toExecRequest(body));
    return c.json(result, 200);
  };
}

/**
 * Runs one command and streams its output as NDJSON lines. The sandbox is looked up before
 * the response starts, so an unknown or foreign id still gets a 404.
 */
function streamExecInSandbox(
  server: ServerContext,
): RouteHandler<typeof execStreamRoute, ServerEnv> {
  return async (c) => {
    const tenant = tenantOf(c);
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const sandbox = await sandboxForExec(server, { actor: actorOf(c), tenant, id, body });
    const stream = execLineStream(server, {
      sandbox,
      request: toExecRequest(body),
      clientSignal: c.req.raw.signal,
    });
    const response = c.body(stream, 200, {
      'content-type': 'application/x-ndjson; charset=utf-8',
      'cache-control': 'no-store',
    });
    // The route's types expect one parsed body, not a stream of the schema's lines.
    return response as never;
  };
}

/**
 * Starts the command and returns its NDJSON body. A disconnect (the request's signal, or
 * the body being cancelled) aborts the command, and `exec` kills its processes.
 */
function execLineStream(
  server: ServerContext,
  options: { sandbox: SandboxInstance; request: ExecRequest; clientSignal: AbortSignal },
): ReadableStream<Uint8Array> {
  const { sandbox, request, clientSignal } = options;
  const logger = server.stack.logger.child({ sandboxId: sandbox.id });
  const abort = new AbortController();
  const disconnected = (): void => abort.abort(new Error('The client closed the connection'));
  clientSignal.addEventListener('abort', disconnected, { once: true });
  const encoder = new TextEncoder();
  // Decoders keep a UTF-8 character split across two pieces of output whole.
  const decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
  return new ReadableStream<Uint8Array>({
    start: (controller) => {
      const send = (line: z.infer<typeof ExecStreamLineSchema>): void => {
        if (!abort.signal.aborted) {
          controller.enqueue(encoder.encode(`${JSON.stringify(line)}\n`));
        }
      };
      const sendText = (stream: 'stdout' | 'stderr', data: string): void => {
        if (data !== '') {
          send({ stream, data });
        }
      };
      const finish = (): void => {
        clientSignal.removeEventListener('abort', disconnected);
        if (!abort.signal.aborted) {
          controller.close();
        }
      };
      sandbox
        .exec({
          ...request,
          signal: abort.signal,
          onOutput: (chunk) => sendText(chunk.stream, decoders[chunk.stream].write(chunk.data)),
        })
        .then(
          (result) => {
            sendText('stdout', decoders.stdout.end());
            sendText('stderr', decoders.stderr.end());
            send(endLine(result));
          },
          (error: unknown) => {
            if (abort.signal.aborted) {
              logger.info('Streamed command killed after the client disconnected');
              return;
            }
            send({ error: streamError(error, logger) });
          },
        )
        .finally(finish);
    },
    cancel: disconnected,
  });
}

function endLine(result: ExecResult): z.infer<z.ZodObject<typeof ExecEndFields>> {
  const { stdout: _stdout, stderr: _stderr, ...end } = result;
  return end;
}

/**
 * Builds the error line of a command that failed mid-stream. Unknown errors are logged, not
 * sent.
 */
function streamError(
  error: unknown,
  logger: ServerContext['stack']['logger'],
): { code: string; message: string } {
  if (isSandstackError(error)) {
    return { code: error.code, message: error.message };
  }
  logger.error('Streamed command failed', { error: String(error) });
  return { code: 'INTERNAL', message: 'Internal server error; see the server log' };
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

/** Suspends or resumes one of the caller's sandboxes. */
function changeOperatingMode(
  server: ServerContext,
  action: 'suspend' | 'resume',
): RouteHandler<typeof suspendRoute, ServerEnv> {
  return async (c) => {
    const tenant = tenantOf(c);
    const { id } = c.req.valid('param');
    ownedRecord(server, tenant, id);
    const { controller } = server.stack;
    const record =
      action === 'suspend' ? await controller.suspend(id) : await controller.resume(id);
    server.tenants.audit({ actor: actorOf(c), tenant, action: `sandbox.${action}`, target: id });
    return c.json(toSandbox(record), 200);
  };
}

/** Takes a named snapshot of one of the caller's sandboxes. */
function snapshotSandbox(server: ServerContext): RouteHandler<typeof snapshotRoute, ServerEnv> {
  return async (c) => {
    const tenant = tenantOf(c);
    const { id } = c.req.valid('param');
    const { name } = c.req.valid('json');
    ownedRecord(server, tenant, id);
    const snapshot = await server.stack.controller.snapshot(id, name);
    server.tenants.audit({
      actor: actorOf(c),
      tenant,
      action: 'sandbox.snapshot',
      target: id,
      detail: { snapshot: name },
    });
    return c.json(toSnapshot(snapshot), 201);
  };
}
