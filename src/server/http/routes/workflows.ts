/**
 * Workflow deploys and versions. Code is uploaded as source text (TypeScript or
 * JavaScript, one file) and bundled on the server.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRoute, z } from '@hono/zod-openapi';
import { SandstackError } from '../../../core/errors.js';
import { actorOf, requireTenant, tenantOf } from '../auth.js';
import { BEARER, createRouter, type ServerContext } from '../context.js';
import { CLIENT_ERRORS } from '../errors.js';
import { jsonContent, nameSchema } from '../schemas.js';
import { manifestSchema } from '../../../workflows/inputs.js';

const DeploySchema = z
  .object({
    name: nameSchema('workflow name').openapi({ example: 'greet' }),
    source: z
      .string({ error: 'source must be the workflow code as a string' })
      .min(1, { error: 'source is empty; send the workflow code' })
      .openapi({
        description:
          'Workflow code; it may import only "sandstack/workflows" (or cloudflare:workers)',
      }),
    language: z
      .enum(['typescript', 'javascript'], {
        error: 'language must be "typescript" or "javascript"',
      })
      .default('typescript'),
    className: z
      .string()
      .optional()
      .openapi({ description: 'Exported WorkflowEntrypoint subclass; the first one by default' }),
    filename: z
      .string()
      .min(1, { error: 'filename is empty; omit it or send the name of the uploaded file' })
      .max(255, { error: 'filename is over 255 characters; send a shorter name' })
      // eslint-disable-next-line no-control-regex
      .regex(/^[^\u0000-\u001f\u007f]*$/, {
        error: 'filename contains control characters; send a plain file name',
      })
      .optional()
      .openapi({
        description:
          'Name of the uploaded file, used in error messages; workflow.ts or workflow.js by default',
        example: 'greet.ts',
      }),
    manifest: manifestSchema
      .pick({ params: true, inputs: true })
      .optional()
      .openapi({
        description:
          'The "params" and "inputs" of the workflow\'s sandstack.json. With "params", creating an instance rejects params that are undeclared, missing when required, or of another type',
        example: { params: { name: { type: 'string', required: true } }, inputs: {} },
      }),
  })
  .openapi('DeployRequest');

const VersionSchema = z
  .object({
    workflow: z.string(),
    version: z.string().openapi({ description: 'SHA-256 of the bundle' }),
    className: z.string(),
    createdAtMs: z.number(),
  })
  .openapi('WorkflowVersion');

const DeployResultSchema = z
  .object({
    workflow: z.string(),
    version: z.string(),
    className: z.string(),
    created: z.boolean().openapi({ description: 'False when this exact code was deployed before' }),
  })
  .openapi('DeployResult');

const WorkflowParam = z.object({
  name: nameSchema('workflow name').openapi({
    param: { name: 'name', in: 'path' },
    example: 'greet',
  }),
});

const TAG = { tags: ['workflows'], security: BEARER };

export const deployRoute = createRoute({
  ...TAG,
  method: 'post',
  path: '/',
  summary: 'Deploy a workflow version',
  description: 'Bundles the code and makes it the version new instances start on.',
  request: {
    body: { required: true, content: { 'application/json': { schema: DeploySchema } } },
  },
  responses: { 201: jsonContent(DeployResultSchema, 'The deployed version'), ...CLIENT_ERRORS },
});

export const listWorkflowsRoute = createRoute({
  ...TAG,
  method: 'get',
  path: '/',
  summary: 'List workflows with their latest version',
  responses: {
    200: jsonContent(z.object({ workflows: z.array(VersionSchema) }), 'Workflows'),
    ...CLIENT_ERRORS,
  },
});

export const listVersionsRoute = createRoute({
  ...TAG,
  method: 'get',
  path: '/{name}/versions',
  summary: "List a workflow's versions, newest first",
  request: { params: WorkflowParam },
  responses: {
    200: jsonContent(z.object({ versions: z.array(VersionSchema) }), 'Versions'),
    ...CLIENT_ERRORS,
  },
});

/** Routes under `/v1/workflows`, for tenant tokens. */
export function workflowRoutes(server: ServerContext): ReturnType<typeof createRouter> {
  const router = createRouter();
  router.use('*', requireTenant);
  const { registry } = server.runner.engine;

  router.openapi(deployRoute, async (c) => {
    const tenant = tenantOf(c);
    const body = c.req.valid('json');
    const result = await deploySource(server, tenant, body);
    server.tenants.audit({
      actor: actorOf(c),
      tenant,
      action: 'workflow.deploy',
      target: body.name,
      detail: { version: result.version, created: result.created },
    });
    return c.json(result, 201);
  });

  router.openapi(listWorkflowsRoute, async (c) => {
    // Versions come newest first, so the first one seen of each workflow is its latest.
    const latest = new Map<string, z.infer<typeof VersionSchema>>();
    for (const version of await registry.list(tenantOf(c))) {
      if (!latest.has(version.workflow)) {
        latest.set(version.workflow, toVersion(version));
      }
    }
    return c.json({ workflows: [...latest.values()] }, 200);
  });

  router.openapi(listVersionsRoute, async (c) => {
    const { name } = c.req.valid('param');
    const versions = await registry.list(tenantOf(c), name);
    if (versions.length === 0) {
      throw new SandstackError(
        'NOT_FOUND',
        `Workflow "${name}" not found; deploy it with POST /v1/workflows`,
      );
    }
    return c.json({ versions: versions.map(toVersion) }, 200);
  });

  return router;
}

function toVersion(version: {
  workflow: string;
  hash: string;
  className: string;
  createdAtMs: number;
}): z.infer<typeof VersionSchema> {
  return {
    workflow: version.workflow,
    version: version.hash,
    className: version.className,
    createdAtMs: version.createdAtMs,
  };
}

/**
 * Bundles uploaded source. The bundler lets a workflow import files next to its entry, so
 * the entry is placed in an empty temporary folder: nothing on the server's disk can be
 * pulled into a tenant's bundle.
 */
async function deploySource(
  server: ServerContext,
  tenant: string,
  body: z.infer<typeof DeploySchema>,
): Promise<z.infer<typeof DeployResultSchema>> {
  const dir = await mkdtemp(join(tmpdir(), 'sandstack-deploy-'));
  try {
    const name = body.language === 'typescript' ? 'workflow.ts' : 'workflow.js';
    const result = await server.runner.engine.deploy(
      tenant,
      body.name,
      {
        source: body.source,
        filename: join(dir, name),
        uploadedAs: body.filename ?? name,
        ...(body.className === undefined ? {} : { className: body.className }),
      },
      body.manifest === undefined ? {} : { manifest: body.manifest },
    );
    return {
      workflow: result.workflow,
      version: result.version,
      className: result.className,
      created: result.created,
    };
  } catch (error) {
    throw hideTempPath(error, dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Removes the temporary folder from a message that still names it, such as one from a file
 * the bundler reads, so no server path reaches the caller.
 */
function hideTempPath(error: unknown, dir: string): unknown {
  if (error instanceof SandstackError && error.message.includes(dir)) {
    const message = error.message.split(`${dir}/`).join('').split(dir).join('(upload)');
    return new SandstackError(error.code, message, {
      cause: error,
      ...(error.details === undefined ? {} : { details: error.details }),
    });
  }
  return error;
}
