/**
 * HTTP routes of the approval queue, as a Hono sub-app with its OpenAPI description. It has
 * no authentication of its own: the server that mounts it must add it.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { isSandstackError } from '../core/errors.js';
import type { ApprovalQueue, ApprovalRequest } from './approvals.js';

export const STATUS = z.enum(['pending', 'approved', 'denied', 'expired']);

export const APPROVAL_SCHEMA = z
  .object({
    id: z.string().openapi({ example: 'apr_k3v9x0c2m1q8' }),
    status: STATUS,
    tool: z.string().openapi({ example: 'Bash' }),
    input: z
      .record(z.string(), z.unknown())
      .openapi({ description: 'Tool input, secrets redacted' }),
    reason: z.string(),
    category: z.string().nullable(),
    rule: z.string().nullable(),
    sessionId: z.string().nullable(),
    createdAt: z.string(),
    expiresAt: z.string(),
    decidedAt: z.string().nullable(),
    decidedBy: z.string().nullable().openapi({ description: 'Who decided' }),
    decidedByLabel: z
      .string()
      .nullable()
      .openapi({ description: 'Name the decider gave in `by`, when they gave one' }),
    note: z.string().nullable(),
  })
  .openapi('ApprovalRequest');

const ERROR_SCHEMA = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      issues: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
    }),
  })
  .openapi('ApprovalError');

export const DECISION_BODY = z
  .object({
    by: z.string().min(1).max(200).optional().openapi({
      description:
        'Name of the decider. The sandstack server keeps it as decidedByLabel and records the authenticated caller as decidedBy',
    }),
    note: z.string().max(2000).optional(),
  })
  .strict();

const ID_PARAM = z.object({
  id: z
    .string()
    .min(1)
    .openapi({ param: { name: 'id', in: 'path' }, example: 'apr_k3v9x0c2m1q8' }),
});

const ERROR_RESPONSE = (description: string): { description: string; content: object } => ({
  description,
  content: { 'application/json': { schema: ERROR_SCHEMA } },
});

/**
 * Creates the routes `GET /`, `GET /{id}`, `POST /{id}/approve` and `POST /{id}/deny` over
 * `queue`. Mount them under a prefix of your choice; errors have the body
 * `{ error: { code, message, issues? } }`.
 *
 * @example
 * app.route('/v1/approvals', createApprovalRoutes(ApprovalQueue.open('.sandstack/approvals.db')));
 */
export function createApprovalRoutes(queue: ApprovalQueue): OpenAPIHono {
  const app = new OpenAPIHono({ defaultHook: validationHook });
  app.openapi(listRoute(), async (c) => {
    const { status } = c.req.valid('query');
    return c.json(await queue.list(status === undefined ? {} : { status }), 200);
  });
  app.openapi(getRoute(), async (c) => {
    const request = await queue.get(c.req.valid('param').id);
    if (request === undefined) {
      const id = c.req.valid('param').id;
      return c.json(
        errorBody('NOT_FOUND', `Approval request "${id}" not found; list them with GET /`),
        404,
      );
    }
    return c.json(request, 200);
  });
  for (const verdict of ['approve', 'deny'] as const) {
    app.openapi(decideRoute(verdict), async (c) => {
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      const options = {
        by: body.by ?? 'http',
        ...(body.note === undefined ? {} : { note: body.note }),
      };
      try {
        const decided: ApprovalRequest =
          verdict === 'approve' ? await queue.approve(id, options) : await queue.deny(id, options);
        return c.json(decided, 200);
      } catch (error) {
        // Other errors go to the mounting server's error handler, which logs them.
        if (isSandstackError(error, 'NOT_FOUND')) {
          return c.json(errorBody(error.code, error.message), 404);
        }
        if (isSandstackError(error, 'ALREADY_EXISTS')) {
          return c.json(errorBody(error.code, error.message), 409);
        }
        throw error;
      }
    });
  }
  return app;
}

function listRoute() {
  return createRoute({
    method: 'get',
    path: '/',
    tags: ['approvals'],
    summary: 'List approval requests, newest first',
    request: { query: z.object({ status: STATUS.optional() }) },
    responses: {
      200: {
        description: 'The requests',
        content: { 'application/json': { schema: z.array(APPROVAL_SCHEMA) } },
      },
      400: ERROR_RESPONSE('Invalid status'),
    },
  });
}

function getRoute() {
  return createRoute({
    method: 'get',
    path: '/{id}',
    tags: ['approvals'],
    summary: 'One approval request',
    request: { params: ID_PARAM },
    responses: {
      200: {
        description: 'The request',
        content: { 'application/json': { schema: APPROVAL_SCHEMA } },
      },
      404: ERROR_RESPONSE('No request with this id'),
    },
  });
}

function decideRoute(verdict: 'approve' | 'deny') {
  return createRoute({
    method: 'post',
    path: `/{id}/${verdict}`,
    tags: ['approvals'],
    summary: verdict === 'approve' ? 'Approve a pending request' : 'Deny a pending request',
    request: {
      params: ID_PARAM,
      body: { content: { 'application/json': { schema: DECISION_BODY } }, required: false },
    },
    responses: {
      200: {
        description: 'The decided request',
        content: { 'application/json': { schema: APPROVAL_SCHEMA } },
      },
      400: ERROR_RESPONSE('Invalid body'),
      404: ERROR_RESPONSE('No request with this id'),
      409: ERROR_RESPONSE('The request was already decided or expired'),
    },
  });
}

function errorBody(code: string, message: string): z.infer<typeof ERROR_SCHEMA> {
  return { error: { code, message } };
}

function validationHook(
  result: { target: string } & ({ success: true } | { success: false; error: z.ZodError }),
  c: Context,
): Response | undefined {
  if (result.success) {
    return undefined;
  }
  const target = result.target === 'json' ? 'body' : result.target;
  const issues = result.error.issues.map((issue) => {
    const field = issue.path.map(String).join('.');
    return { field: field === '' ? target : `${target}.${field}`, message: issue.message };
  });
  const summary = issues.map((issue) => `${issue.field}: ${issue.message}`).join('; ');
  return c.json(
    { error: { code: 'INVALID_ARGUMENT', message: `Invalid request: ${summary}`, issues } },
    400,
  );
}
