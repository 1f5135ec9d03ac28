/**
 * Workflow instances: create (runs in the background), get, list, lifecycle changes,
 * events, and the run's trace and guarded actions.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRoute, z } from '@hono/zod-openapi';
import { SandstackError } from '../../../core/errors.js';
import type { WorkflowEngine } from '../../../workflows/engine.js';
import type { JsonValue } from '../../../workflows/types.js';
import { actorOf, requireTenant, tenantOf } from '../auth.js';
import { BEARER, createRouter, type ServerContext } from '../context.js';
import { ERROR_RESPONSES } from '../errors.js';
import { inputsDir, traceKey } from '../runner.js';
import { JsonObjectSchema, nameSchema } from '../schemas.js';

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

const ERRORS = {
  400: ERROR_RESPONSES[400],
  401: ERROR_RESPONSES[401],
  403: ERROR_RESPONSES[403],
  404: ERROR_RESPONSES[404],
};

function json<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } };
}

type Instance = z.infer<typeof InstanceSchema>;

function toInstance(info: ReturnType<WorkflowEngine['list']>[number]): Instance {
  return {
    id: info.id,
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

/** Routes under `/v1/instances`, for tenant tokens. */
export function instanceRoutes(server: ServerContext): ReturnType<typeof createRouter> {
  const router = createRouter();
  router.use('*', requireTenant);
  const tag = { tags: ['instances'], security: BEARER };
  const engine = server.runner.engine;

  const detail = (tenant: string, id: string): z.infer<typeof InstanceDetailSchema> => {
    const found = engine.get(tenant, id);
    return {
      ...toInstance(found.info),
      steps: found.steps.map((step) => ({ ...step, durationMs: step.durationMs ?? null })),
      traceId: server.stack.spans.traceIdOf(traceKey(tenant, id)) ?? null,
    };
  };

  router.openapi(
    createRoute({
      ...tag,
      method: 'post',
      path: '/',
      summary: 'Create an instance and run it in the background',
      request: {
        body: { required: true, content: { 'application/json': { schema: CreateSchema } } },
      },
      responses: {
        202: json(InstanceSchema, 'The queued instance'),
        409: ERROR_RESPONSES[409],
        ...ERRORS,
      },
    }),
    (c) => {
      const tenant = tenantOf(c);
      const body = c.req.valid('json');
      const id = engine.create(tenant, body.workflow, {
        ...(body.id === undefined ? {} : { id: body.id }),
        params: (body.params ?? {}) as JsonValue,
      });
      writeInputs(server, tenant, id, body.inputs ?? {});
      server.tenants.audit({
        actor: actorOf(c),
        tenant,
        action: 'instance.create',
        target: id,
        detail: { workflow: body.workflow, inputs: Object.keys(body.inputs ?? {}) },
      });
      server.runner.schedule(tenant, id);
      return c.json(toInstance(engine.get(tenant, id).info), 202);
    },
  );

  router.openapi(
    createRoute({
      ...tag,
      method: 'get',
      path: '/',
      summary: 'List instances, newest first',
      request: {
        query: z.object({
          workflow: nameSchema('workflow name').optional(),
          status: z
            .enum(STATUSES, { error: `status must be one of ${STATUSES.join(', ')}` })
            .optional(),
        }),
      },
      responses: {
        200: json(z.object({ instances: z.array(InstanceSchema) }), 'Instances'),
        ...ERRORS,
      },
    }),
    (c) => {
      const query = c.req.valid('query');
      const instances = engine.list(tenantOf(c), {
        ...(query.workflow === undefined ? {} : { workflow: query.workflow }),
        ...(query.status === undefined ? {} : { status: query.status }),
      });
      return c.json({ instances: instances.map(toInstance) }, 200);
    },
  );

  router.openapi(
    createRoute({
      ...tag,
      method: 'get',
      path: '/{id}',
      summary: 'Get an instance with its steps',
      request: { params: InstanceParam },
      responses: { 200: json(InstanceDetailSchema, 'The instance'), ...ERRORS },
    }),
    (c) => c.json(detail(tenantOf(c), c.req.valid('param').id), 200),
  );

  const lifecycle = (
    action: 'terminate' | 'pause' | 'resume' | 'restart',
    summary: string,
    apply: (tenant: string, id: string) => void,
  ): void => {
    router.openapi(
      createRoute({
        ...tag,
        method: 'post',
        path: `/{id}/${action}`,
        summary,
        request: { params: InstanceParam },
        responses: { 200: json(InstanceDetailSchema, 'The instance after the change'), ...ERRORS },
      }),
      (c) => {
        const tenant = tenantOf(c);
        const { id } = c.req.valid('param');
        apply(tenant, id);
        server.tenants.audit({
          actor: actorOf(c),
          tenant,
          action: `instance.${action}`,
          target: id,
        });
        return c.json(detail(tenant, id), 200);
      },
    );
  };

  lifecycle('terminate', 'End an instance for good', (tenant, id) =>
    server.runner.terminate(tenant, id),
  );
  lifecycle('pause', 'Pause an instance', (tenant, id) => server.runner.pause(tenant, id));
  lifecycle('resume', 'Resume a paused instance', (tenant, id) => {
    engine.resume(tenant, id);
    server.runner.schedule(tenant, id);
  });
  lifecycle('restart', 'Start an instance over on its version', (tenant, id) => {
    engine.get(tenant, id);
    if (server.runner.isRunning(tenant, id)) {
      throw new SandstackError(
        'INVALID_ARGUMENT',
        `Instance "${id}" is running; pause or terminate it before restarting`,
      );
    }
    engine.restart(tenant, id);
    server.runner.schedule(tenant, id);
  });

  router.openapi(
    createRoute({
      ...tag,
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
        202: json(InstanceDetailSchema, 'The instance; the event is stored'),
        ...ERRORS,
      },
    }),
    (c) => {
      const tenant = tenantOf(c);
      const { id } = c.req.valid('param');
      const event = c.req.valid('json');
      engine.sendEvent(tenant, id, {
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
      server.runner.schedule(tenant, id);
      return c.json(detail(tenant, id), 202);
    },
  );

  router.openapi(
    createRoute({
      ...tag,
      method: 'get',
      path: '/{id}/trace',
      summary: "The run's spans, oldest first",
      request: { params: InstanceParam },
      responses: {
        200: json(
          z.object({ traceId: z.string().nullable(), spans: z.array(SpanSchema) }),
          'The trace; empty until the run starts',
        ),
        ...ERRORS,
      },
    }),
    (c) => {
      const tenant = tenantOf(c);
      const { id } = c.req.valid('param');
      engine.get(tenant, id);
      const traceId = server.stack.spans.traceIdOf(traceKey(tenant, id));
      // Spans carry the tenant, so a trace never shows another tenant's spans.
      const spans =
        traceId === undefined
          ? []
          : server.stack.spans
              .getTrace(traceId)
              .filter((span) => span.attributes['sandstack.tenant'] === tenant);
      const body = spans.map((span) => ({
        ...span,
        parentSpanId: span.parentSpanId ?? null,
        statusMessage: span.statusMessage ?? null,
      }));
      return c.json({ traceId: traceId ?? null, spans: body }, 200);
    },
  );

  router.openapi(
    createRoute({
      ...tag,
      method: 'get',
      path: '/{id}/actions',
      summary: "The run's sandbox actions and the guard decision on each",
      request: { params: InstanceParam },
      responses: {
        200: json(z.object({ actions: z.array(JsonObjectSchema) }), 'Actions'),
        ...ERRORS,
      },
    }),
    (c) => {
      const tenant = tenantOf(c);
      const { id } = c.req.valid('param');
      engine.get(tenant, id);
      const actions = server.stack.actions.list(tenant, id).map((action) => ({ ...action }));
      return c.json({ actions }, 200);
    },
  );

  return router;
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
  mkdirSync(dir, { recursive: true });
  const index: Record<string, { type: string; fileName: string; source: string }> = {};
  for (const [name, input] of Object.entries(inputs)) {
    writeFileSync(join(dir, `${name}.file`), Buffer.from(input.content, input.encoding));
    index[name] = { type: 'file', fileName: input.fileName ?? name, source: 'upload' };
  }
  writeFileSync(join(dir, 'inputs.json'), JSON.stringify(index, null, 2));
}
