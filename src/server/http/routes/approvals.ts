/**
 * The guard's approval queue over HTTP. The admin token reaches every request in the queue.
 * A tenant token reaches only the requests its own runs made, whose session id is
 * `<tenant>/<instance id>`; any other id returns 404.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { SandstackError } from '../../../core/errors.js';
import { APPROVAL_SCHEMA, DECISION_BODY, STATUS } from '../../../guard/approvals-http.js';
import type { ApprovalRequest } from '../../../guard/approvals.js';
import { actorOf } from '../auth.js';
import { BEARER, createRouter, type ServerContext, type ServerEnv } from '../context.js';
import { CLIENT_ERRORS, ERROR_RESPONSES } from '../errors.js';
import { jsonContent } from '../schemas.js';

const TAG = { tags: ['approvals'], security: BEARER };

const ApprovalParam = z.object({
  id: z
    .string()
    .min(1)
    .openapi({ param: { name: 'id', in: 'path' }, example: 'apr_k3v9x0c2m1q8' }),
});

export const listApprovalsRoute = createRoute({
  ...TAG,
  method: 'get',
  path: '/',
  summary: "List approval requests, newest first; a tenant sees only its runs' requests",
  request: {
    query: z.object({
      status: STATUS.optional(),
      limit: z.coerce.number().int().min(1).max(1000).default(100),
    }),
  },
  responses: { 200: jsonContent(z.array(APPROVAL_SCHEMA), 'The requests'), ...CLIENT_ERRORS },
});

export const getApprovalRoute = createRoute({
  ...TAG,
  method: 'get',
  path: '/{id}',
  summary: 'Get one approval request',
  request: { params: ApprovalParam },
  responses: { 200: jsonContent(APPROVAL_SCHEMA, 'The request'), ...CLIENT_ERRORS },
});

function decideRoute(verdict: 'approve' | 'deny') {
  return createRoute({
    ...TAG,
    method: 'post',
    path: `/{id}/${verdict}`,
    summary: verdict === 'approve' ? 'Approve a pending request' : 'Deny a pending request',
    request: {
      params: ApprovalParam,
      body: { content: { 'application/json': { schema: DECISION_BODY } }, required: false },
    },
    responses: {
      200: jsonContent(APPROVAL_SCHEMA, 'The decided request'),
      409: ERROR_RESPONSES[409],
      ...CLIENT_ERRORS,
    },
  });
}

/**
 * Returns the session prefix the caller may see: none for the admin, `<tenant>/` for a tenant.
 * NOTE: the queue stores no tenant, so a hook or MCP proxy started with a session id such as
 * `acme/x` would put its requests within reach of tenant acme's token.
 */
function sessionPrefixOf(c: Context<ServerEnv>): string | undefined {
  const principal = c.get('principal');
  return principal.role === 'admin' ? undefined : `${principal.tenant}/`;
}

function principalTenant(c: Context<ServerEnv>): string | null {
  const principal = c.get('principal');
  return principal.role === 'admin' ? null : principal.tenant;
}

/** Routes under `/v1/approvals`, for the admin token and tenant tokens. */
export function approvalRoutes(server: ServerContext): ReturnType<typeof createRouter> {
  const router = createRouter();
  const queue = server.approvals;

  // Returns 404 for a request outside the caller's scope, exactly as for an unknown id.
  const visible = async (c: Context<ServerEnv>, id: string): Promise<ApprovalRequest> => {
    const request = await queue.get(id);
    const prefix = sessionPrefixOf(c);
    if (
      request === undefined ||
      (prefix !== undefined && request.sessionId?.startsWith(prefix) !== true)
    ) {
      throw new SandstackError(
        'NOT_FOUND',
        `Approval request "${id}" not found; list them with GET /v1/approvals`,
      );
    }
    return request;
  };

  router.openapi(listApprovalsRoute, async (c) => {
    const { status, limit } = c.req.valid('query');
    const prefix = sessionPrefixOf(c);
    const requests = await queue.list({
      limit,
      ...(status === undefined ? {} : { status }),
      ...(prefix === undefined ? {} : { sessionPrefix: prefix }),
    });
    return c.json(requests, 200);
  });

  router.openapi(getApprovalRoute, async (c) =>
    c.json(await visible(c, c.req.valid('param').id), 200),
  );

  for (const verdict of ['approve', 'deny'] as const) {
    router.openapi(decideRoute(verdict), async (c) => {
      const { id } = c.req.valid('param');
      await visible(c, id);
      const body = c.req.valid('json');
      const tenant = principalTenant(c);
      const options = {
        by: tenant === null ? actorOf(c) : `${tenant}/${actorOf(c)}`,
        ...(body.by === undefined ? {} : { label: body.by }),
        ...(body.note === undefined ? {} : { note: body.note }),
      };
      const decided =
        verdict === 'approve' ? await queue.approve(id, options) : await queue.deny(id, options);
      server.tenants.audit({
        actor: actorOf(c),
        tenant: principalTenant(c),
        action: `approval.${verdict}`,
        target: id,
      });
      return c.json(decided, 200);
    });
  }

  return router;
}
