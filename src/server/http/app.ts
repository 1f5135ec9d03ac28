/**
 * The control plane's HTTP application: auth, body limit, route groups, the OpenAPI
 * document, the health check and the web dashboard. It needs no socket: `app.request()`
 * serves in memory.
 */
import { sandboxElsewhere } from '../sandbox-directory.js';
import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { createMetricsRegistry } from '../../telemetry/metrics.js';
import { dashboardRoutes } from '../dashboard/routes.js';
import { authenticate, requireAdmin } from './auth.js';
import type { ServerContext, ServerEnv } from './context.js';
import { createErrorHandler, errorResponse } from './errors.js';
import { rateLimit } from './limits.js';
import { applyRoutes } from './routes/apply.js';
import { approvalRoutes } from './routes/approvals.js';
import { costRoutes } from './routes/cost.js';
import { instanceRoutes } from './routes/instances.js';
import { poolRoutes } from './routes/pools.js';
import { sandboxFileRoutes } from './routes/sandbox-files.js';
import { sandboxRoutes } from './routes/sandboxes.js';
import { auditRoutes, tenantRoutes } from './routes/tenants.js';
import { usageRoutes } from './routes/usage.js';
import { whoamiRoutes } from './routes/whoami.js';
import { workflowRoutes } from './routes/workflows.js';

/** Options for {@link createServerApp}. */
export interface ServerAppOptions {
  /** Largest request body accepted; larger ones get a 413. @default 8388608 (8 MiB) */
  maxBodyBytes?: number;
  /** Version shown in the OpenAPI document. @default '0.1.0' */
  version?: string;
}

/** Default request body limit: room for a bundled workflow or a file upload. */
export const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;

/**
 * Creates the application over a server context.
 *
 * @example
 * const app = createServerApp(context);
 * const response = await app.request('/healthz');
 */
export function createServerApp(
  server: ServerContext,
  options: ServerAppOptions = {},
): OpenAPIHono<ServerEnv> {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const app = new OpenAPIHono<ServerEnv>();
  app.onError(createErrorHandler(server.stack.logger));
  app.notFound((c) =>
    errorResponse(
      c,
      404,
      'NOT_FOUND',
      `No route for ${c.req.method} ${c.req.path}; see GET /openapi.json for the routes`,
    ),
  );

  app.use(
    '*',
    bodyLimit({
      maxSize: maxBodyBytes,
      onError: (c) => {
        // The rest of the body is never read, so the connection cannot carry another request.
        c.header('connection', 'close');
        return errorResponse(
          c,
          413,
          'BODY_TOO_LARGE',
          `Request body is over the ${maxBodyBytes}-byte limit; send less data, or start the server with a larger --max-body-bytes`,
        );
      },
    }),
  );

  app.get('/healthz', (c) => c.json({ status: 'ok', ...server.runner.counts() }));
  app.route('/', dashboardRoutes());

  app.use('/v1/*', authenticate(server));
  app.use('/v1/*', rateLimit(server.limits.requestsPerSecond));
  app.route('/v1/tenants', tenantRoutes(server));
  app.route('/v1/audit', auditRoutes(server));
  app.route('/v1/workflows', workflowRoutes(server));
  app.route('/v1/instances', instanceRoutes(server));
  const directory = server.stack.sandboxDirectory;
  if (directory !== undefined) {
    const elsewhere = sandboxElsewhere(
      directory,
      (id) => server.stack.controller.record(id) !== undefined,
    );
    app.use('/v1/sandboxes/:id', elsewhere);
    app.use('/v1/sandboxes/:id/*', elsewhere);
  }
  app.route('/v1/sandboxes', sandboxRoutes(server));
  app.route('/v1/sandboxes', sandboxFileRoutes(server));
  app.route('/v1/usage', usageRoutes(server));
  app.route('/v1/cost', costRoutes(server));
  app.route('/v1', poolRoutes(server));
  app.route('/v1/apply', applyRoutes(server));
  app.route('/v1/whoami', whoamiRoutes());
  app.route('/v1/approvals', approvalRoutes(server));
  mountMetrics(app, server);

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description: 'The admin token, or a tenant token the admin created',
  });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'sandstack control plane',
      version: options.version ?? '0.1.0',
      description:
        'Tenants and tokens, workflow deploys and instances, sandboxes, traces and usage.',
    },
  });
  return app;
}

/**
 * Serves Prometheus metrics to the admin token only, because their labels name every
 * tenant. Scrapers send it as `Authorization: Bearer <token>`.
 */
function mountMetrics(app: OpenAPIHono<ServerEnv>, server: ServerContext): void {
  const registry = createMetricsRegistry(server.stack.db);
  app.use('/v1/metrics', requireAdmin);
  app.get('/v1/metrics', async (c) =>
    c.body(await registry.metrics(), 200, { 'content-type': registry.contentType }),
  );
}
