/**
 * Workflow instances: create (runs in the background), get, list, lifecycle changes,
 * events, and the run's trace and guarded actions.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRoute, z, type RouteHandler } from '@hono/zod-openapi';
import { SandstackError } from '../../../core/errors.js';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../../../core/private-files.js';
import type { InstanceInfo } from '../../../workflows/engine.js';
import type { JsonValue } from '../../../workflows/types.js';
import { actorOf, listedTenants, requireTenantOrAdminList, tenantOf } from '../auth.js';
import { BEARER, createRouter, type ServerContext, type ServerEnv } from '../context.js';
import { MAX_DIRECTORY_INPUT_BYTES } from '../../../workflows/inputs.js';
import { CLIENT_ERRORS, ERROR_RESPONSES, HttpError } from '../errors.js';
import { checkInstanceQuota } from '../limits.js';
import { inputsDir, traceKey } from '../runner.js';
import { JsonObjectSchema, jsonContent, nameSchema } from '../schemas.js';

const STATUSES = [
  'queued',
  'running',
  'paused',
  'waiting',
  'waitingForPause',
  'errored',
  'terminated',
  'complete',
] as const;

const InputSchema = z.object({
  type: z
    .enum(['file', 'directory'], { error: 'type must be "file" or "directory"' })
    .default('file')
    .openapi({ description: 'A `directory` input is a tar archive of the folder, base64-encoded' }),
  content: z.string({ error: 'content must be the file contents as a string' }),
  encoding: z.enum(['utf8', 'base64']).default('utf8'),
  fileName: z
    .string()
    .regex(/^[^/\\]{1,255}$/, { error: 'fileName must be a plain file name' })
    .optional(),
});

const CreateSchema = z
  .object({
    workflow: nameSchema('workflow name').openapi({ example: 'greet' }),
    id: nameSchema('instance id').optional().openapi({
      description: 'Instance id; a random one when left out. Ids are unique per tenant.',
    }),
    params: z
      .unknown()
      .optional()
      .openapi({ description: 'JSON passed to run() as event.payload' }),
    inputs: z
      .record(
        z
          .string()
          .regex(/^[A-Za-z0-9_-]{1,63}$/, { error: 'Input names use letters, digits, "_" or "-"' }),
        InputSchema,
      )
      .optional()
      .openapi({
        description: 'Files the run reads with env.INPUTS.text(name) or uploads with env.SANDBOX',
      }),
  })
  .openapi('CreateInstanceRequest');

const StepSchema = z.object({
  key: z.string(),
  kind: z.string(),
  status: z.string(),
  attempt: z.number(),
  durationMs: z.number().nullable(),
});

const InstanceSchema = z
  .object({
    id: z.string(),
    tenant: z.string(),
    workflow: z.string(),
    version: z.string(),
    status: z.enum(STATUSES),
    params: z.unknown(),
    output: z.unknown(),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    wakeAtMs: z.number().nullable(),
    createdAtMs: z.number(),
    updatedAtMs: z.number(),
  })
  .openapi('Instance');

const InstanceDetailSchema = InstanceSchema.extend({
  steps: z.array(StepSchema),
  traceId: z.string().nullable(),
}).openapi('InstanceDetail');

const SpanSchema = z
  .object({
    traceId: z.string(),
    spanId: z.string(),
    parentSpanId: z.string().nullable(),
    name: z.string().openapi({ example: 'workflow.step' }),
    startMs: z.number(),
    endMs: z.number(),
    statusCode: z.number().openapi({ description: '0 unset, 1 ok, 2 error' }),
    statusMessage: z.string().nullable(),
    attributes: z.record(z.string(), z.unknown()),
  })
  .openapi('Span');

const InstanceParam = z.object({
  id: nameSchema('instance id').openapi({
    param: { name: 'id', in: 'path' },
    example: 'run_k3v9x0c2m1q8',
  }),
});

type Instance = z.infer<typeof InstanceSchema>;

function toInstance(info: InstanceInfo): Instance {
  return {
    id: info.id,
    tenant: info.tenant,
    workflow: info.workflow,
    version: info.version,
    status: info.status,
    params: info.params,
    output: info.output ?? null,
    error: info.error === undefined ? null : { code: info.error.code, message: info.error.message },
    wakeAtMs: info.wakeAtMs ?? null,
    createdAtMs: info.createdAtMs,
    updatedAtMs: info.updatedAtMs,
  };
}

const TAG = { tags: ['instances'], security: BEARER };

export const createInstanceRoute = createRoute({
  ...TAG,
  method: 'post',
  path: '/',
  summary: 'Create an instance and run it in the background',
  request: {
    body: { required: true, content: { 'application/json': { schema: CreateSchema } } },
  },
  responses: {
    202: jsonContent(InstanceSchema, 'The queued instance'),
    409: ERROR_RESPONSES[409],
    429: ERROR_RESPONSES[429],
    ...CLIENT_ERRORS,
  },
});

export const listInstancesRoute = createRoute({
  ...TAG,
  method: 'get',
  path: '/',
  summary: 'List instances, newest first',
  description:
    "A tenant token lists its own instances; the admin token lists every tenant's, or one tenant's with `tenant`.",
  request: {
    query: z.object({
      tenant: nameSchema('tenant id').optional().openapi({ description: 'Admin token only' }),
      workflow: nameSchema('workflow name').optional(),
      status: z
        .enum(STATUSES, { error: `status must be one of ${STATUSES.join(', ')}` })
        .optional(),
    }),
  },
  responses: {
    200: jsonContent(z.object({ instances: z.array(InstanceSchema) }), 'Instances'),
    ...CLIENT_ERRORS,
  },
});

export const getInstanceRoute = createRoute({
  ...TAG,
  method: 'get',
  path: '/{id}',
  summary: 'Get an instance with its steps',
  request: { params: InstanceParam },
  responses: { 200: jsonContent(InstanceDetailSchema, 'The instance'), ...CLIENT_ERRORS },
});

/** Lifecycle changes: each takes only the instance id and returns the changed instance. */
const LIFECYCLE_SUMMARIES = {
  terminate: 'End an instance for good',
  pause: 'Pause an instance',
  resume: 'Resume a paused instance',
  restart: 'Start an instance over on its version',
} as const;

type LifecycleAction = keyof typeof LIFECYCLE_SUMMARIES;

function lifecycleRoute(action: LifecycleAction) {
  return createRoute({
    ...TAG,
    method: 'post',
    path: `/{id}/${action}`,
    summary: LIFECYCLE_SUMMARIES[action],
    request: { params: InstanceParam },
    responses: {
      200: jsonContent(InstanceDetailSchema, 'The instance after the change'),
      ...CLIENT_ERRORS,
    },
  });
}

export const sendEventRoute = createRoute({
  ...TAG,
  method: 'post',
  path: '/{id}/events',
  summary: "Send an event to the instance's step.waitForEvent",
  request: {
    params: InstanceParam,
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z.object({
            type: z.string().min(1).max(100),
            payload: z.unknown().optional(),
          }),
        },
      },
    },
  },
  responses: {
    202: jsonContent(InstanceDetailSchema, 'The instance; the event is stored'),
    ...CLIENT_ERRORS,
    429: ERROR_RESPONSES[429],
  },
});

export const traceRoute = createRoute({
  ...TAG,
  method: 'get',
  path: '/{id}/trace',
  summary: "The run's spans, oldest first",
  request: { params: InstanceParam },
  responses: {
    200: jsonContent(
      z.object({ traceId: z.string().nullable(), spans: z.array(SpanSchema) }),
      'The trace; empty until the run starts',
    ),
    ...CLIENT_ERRORS,
  },
});

export const actionsRoute = createRoute({
  ...TAG,
  method: 'get',
  path: '/{id}/actions',
  summary: "The run's sandbox actions and the guard decision on each",
  request: { params: InstanceParam },
  responses: {
    200: jsonContent(z.object({ actions: z.array(JsonObjectSchema) }), 'Actions'),
    ...CLIENT_ERRORS,
  },
});

/** Routes under `/v1/instances`, for tenant tokens. */
export function instanceRoutes(server: ServerContext): ReturnType<typeof createRouter> {
  const router = createRouter();
  router.use('*', requireTenantOrAdminList('/v1/instances'));
  const engine = server.runner.engine;

  router.openapi(createInstanceRoute, createInstance(server));

  router.openapi(listInstancesRoute, async (c) => {
    const query = c.req.valid('query');
    const filter = {
      ...(query.workflow === undefined ? {} : { workflow: query.workflow }),
      ...(query.status === undefined ? {} : { status: query.status }),
    };
    const tenants = await listedTenants(c, query.tenant, async () =>
      (await server.tenants.list()).map((tenant) => tenant.id),
    );
    const instances = (await Promise.all(tenants.map((tenant) => engine.list(tenant, filter))))
      .flat()
      .sort((a, b) => b.createdAtMs - a.createdAtMs);
    return c.json({ instances: instances.map(toInstance) }, 200);
  });

  router.openapi(getInstanceRoute, async (c) =>
    c.json(await instanceDetail(server, tenantOf(c), c.req.valid('param').id), 200),
  );

  const changes = lifecycleChanges(server);
  for (const action of Object.keys(LIFECYCLE_SUMMARIES) as LifecycleAction[]) {
    router.openapi(lifecycleRoute(action), async (c) => {
      const tenant = tenantOf(c);
      const { id } = c.req.valid('param');
      await changes[action](tenant, id);
      server.tenants.audit({ actor: actorOf(c), tenant, action: `instance.${action}`, target: id });
      return c.json(await instanceDetail(server, tenant, id), 200);
    });
  }

  router.openapi(sendEventRoute, sendEvent(server));

  router.openapi(traceRoute, async (c) =>
    c.json(await tenantTrace(server, tenantOf(c), c.req.valid('param').id), 200),
  );

  router.openapi(actionsRoute, async (c) => {
    const tenant = tenantOf(c);
    const { id } = c.req.valid('param');
    await engine.get(tenant, id);
    const actions = server.stack.actions.list(tenant, id).map((action) => ({ ...action }));
    return c.json({ actions }, 200);
  });

  return router;
}

/**
 * Rejects a `directory` input that is not a tar archive or is over the folder input limit,
 * before the instance is created.
 * @throws HttpError 400 naming the input
 */
function checkDirectoryInputs(inputs: Record<string, z.infer<typeof InputSchema>>): void {
  for (const [name, input] of Object.entries(inputs)) {
    if (input.type !== 'directory') {
      continue;
    }
    const data = Buffer.from(input.content, input.encoding);
    if (data.length > MAX_DIRECTORY_INPUT_BYTES) {
      throw new HttpError(
        400,
        'INVALID_ARGUMENT',
        `Input "${name}" is ${data.length} bytes as a tar archive; the limit for folder inputs is ${MAX_DIRECTORY_INPUT_BYTES}`,
      );
    }
    // A POSIX tar archive has "ustar" at offset 257 of its first header.
    if (data.length < 512 || data.subarray(257, 262).toString('latin1') !== 'ustar') {
      throw new HttpError(
        400,
        'INVALID_ARGUMENT',
        `Input "${name}" has type "directory" but its content is not a tar archive; send the folder as "tar -cf - ." encoded in base64`,
      );
    }
  }
}

/** Creates an instance, stores its inputs and queues it. */
function createInstance(
  server: ServerContext,
): RouteHandler<typeof createInstanceRoute, ServerEnv> {
  const { engine } = server.runner;
  return async (c) => {
    const tenant = tenantOf(c);
    const body = c.req.valid('json');
    checkDirectoryInputs(body.inputs ?? {});
    await checkInstanceQuota(server, tenant);
    const id = await engine.create(tenant, body.workflow, {
      ...(body.id === undefined ? {} : { id: body.id }),
      params: (body.params ?? {}) as JsonValue,
    });
    writeInputs(server, tenant, id, body.inputs ?? {});
    await server.stack.runInputs?.save(tenant, id, inputsDir(server.stack, tenant, id));
    server.tenants.audit({
      actor: actorOf(c),
      tenant,
      action: 'instance.create',
      target: id,
      detail: { workflow: body.workflow, inputs: Object.keys(body.inputs ?? {}) },
    });
    await server.runner.schedule(tenant, id);
    return c.json(toInstance((await engine.get(tenant, id)).info), 202);
  };
}

/** Stores an event for the instance and queues it so a waiting run receives it. */
function sendEvent(server: ServerContext): RouteHandler<typeof sendEventRoute, ServerEnv> {
  const { engine } = server.runner;
  return async (c) => {
    const tenant = tenantOf(c);
    const { id } = c.req.valid('param');
    const event = c.req.valid('json');
    await engine.sendEvent(tenant, id, {
      type: event.type,
      ...(event.payload === undefined ? {} : { payload: event.payload as JsonValue }),
    });
    server.tenants.audit({
      actor: actorOf(c),
      tenant,
      action: 'instance.event',
      target: id,
      detail: { type: event.type },
    });
    await server.runner.schedule(tenant, id);
    return c.json(await instanceDetail(server, tenant, id), 202);
  };
}

/** Returns an instance with its steps and trace id. @throws SandstackError `NOT_FOUND` */
async function instanceDetail(
  server: ServerContext,
  tenant: string,
  id: string,
): Promise<z.infer<typeof InstanceDetailSchema>> {
  const found = await server.runner.engine.get(tenant, id);
  return {
    ...toInstance(found.info),
    steps: found.steps.map((step) => ({ ...step, durationMs: step.durationMs ?? null })),
    traceId: (await server.stack.spans.traceIdOf(traceKey(tenant, id))) ?? null,
  };
}

/** Applies each lifecycle change, going through the runner where a run may be in progress. */
function lifecycleChanges(
  server: ServerContext,
): Record<LifecycleAction, (tenant: string, id: string) => Promise<void>> {
  const { engine } = server.runner;
  return {
    terminate: (tenant, id) => server.runner.terminate(tenant, id),
    pause: (tenant, id) => server.runner.pause(tenant, id),
    resume: (tenant, id) => server.runner.resume(tenant, id),
    restart: async (tenant, id) => {
      await engine.get(tenant, id);
      if (server.runner.isRunning(tenant, id)) {
        throw new SandstackError(
          'INVALID_ARGUMENT',
          `Instance "${id}" is running; pause or terminate it before restarting`,
        );
      }
      await engine.restart(tenant, id);
      await server.runner.schedule(tenant, id);
    },
  };
}

/** Returns a run's spans. @throws SandstackError `NOT_FOUND` */
async function tenantTrace(
  server: ServerContext,
  tenant: string,
  id: string,
): Promise<{ traceId: string | null; spans: z.infer<typeof SpanSchema>[] }> {
  await server.runner.engine.get(tenant, id);
  const traceId = await server.stack.spans.traceIdOf(traceKey(tenant, id));
  if (traceId === undefined) {
    return { traceId: null, spans: [] };
  }
  // Spans carry the tenant, so a trace never shows another tenant's spans.
  const spans = (await server.stack.spans.getTrace(traceId))
    .filter((span) => span.attributes['sandstack.tenant'] === tenant)
    .map((span) => ({
      ...span,
      parentSpanId: span.parentSpanId ?? null,
      statusMessage: span.statusMessage ?? null,
    }));
  return { traceId, spans };
}

/**
 * Stores the run's inputs in the layout `sandstack run` snapshots them to. Written
 * synchronously right after the instance is created, so the runner cannot start it first.
 */
function writeInputs(
  server: ServerContext,
  tenant: string,
  id: string,
  inputs: Record<string, z.infer<typeof InputSchema>>,
): void {
  const dir = inputsDir(server.stack, tenant, id);
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const index: Record<string, { type: string; fileName: string; source: string }> = {};
  const fileOptions = { mode: PRIVATE_FILE_MODE };
  for (const [name, input] of Object.entries(inputs)) {
    const data = Buffer.from(input.content, input.encoding);
    if (input.type === 'directory') {
      writeFileSync(join(dir, `${name}.tar`), data, fileOptions);
    } else {
      writeFileSync(join(dir, `${name}.file`), data, fileOptions);
    }
    index[name] = { type: input.type, fileName: input.fileName ?? name, source: 'upload' };
  }
  writeFileSync(join(dir, 'inputs.json'), JSON.stringify(index, null, 2), fileOptions);
}
