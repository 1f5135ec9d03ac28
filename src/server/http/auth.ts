/**
 * Bearer-token authentication. Every `/v1` route needs a token: the admin token for tenant
 * and token management, a tenant token for everything that acts on a tenant's resources.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import type { Principal } from '../tenants.js';
import { hashToken } from '../tenants.js';
import type { ServerContext, ServerEnv } from './context.js';
import { HttpError } from './errors.js';

/** Finds the caller from the `Authorization: Bearer` header; throws a 401 when it is missing or unknown. */
export function authenticate(server: ServerContext): MiddlewareHandler<ServerEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (match?.[1] === undefined) {
      throw new HttpError(
        401,
        'UNAUTHENTICATED',
        'Missing bearer token; send "Authorization: Bearer <token>" with an admin or tenant token',
      );
    }
    const principal = await findPrincipal(server, match[1]);
    if (principal === undefined) {
      throw new HttpError(
        401,
        'UNAUTHENTICATED',
        'Unknown or revoked token; ask the admin for a new tenant token',
      );
    }
    c.set('principal', principal);
    await next();
  };
}

async function findPrincipal(server: ServerContext, token: string): Promise<Principal | undefined> {
  if (server.adminTokenHash !== undefined) {
    // The environment's admin token replaces any stored one.
    const presented = Buffer.from(hashToken(token), 'hex');
    if (timingSafeEqual(presented, Buffer.from(server.adminTokenHash, 'hex'))) {
      return { role: 'admin', tokenId: 'admin-env' };
    }
    const found = await server.tenants.authenticate(token);
    return found?.role === 'tenant' ? found : undefined;
  }
  return server.tenants.authenticate(token);
}

/** Lets only the admin token through. */
export const requireAdmin: MiddlewareHandler<ServerEnv> = async (c, next) => {
  if (c.get('principal').role !== 'admin') {
    throw new HttpError(403, 'FORBIDDEN', 'This route needs the admin token');
  }
  await next();
};

/** Lets only tenant tokens through. */
export const requireTenant: MiddlewareHandler<ServerEnv> = async (c, next) => {
  if (c.get('principal').role !== 'tenant') {
    throw new HttpError(
      403,
      'FORBIDDEN',
      'This route acts for one tenant; use a tenant token (create one with POST /v1/tenants/{id}/tokens)',
    );
  }
  await next();
};

/**
 * Lets tenant tokens through, and the admin token too for `GET` of the group's list route
 * (`listPath`), where the admin sees every tenant's items.
 */
export function requireTenantOrAdminList(listPath: string): MiddlewareHandler<ServerEnv> {
  return async (c, next) => {
    const adminList =
      c.get('principal').role === 'admin' &&
      c.req.method === 'GET' &&
      c.req.path.replace(/\/+$/, '') === listPath;
    if (adminList) {
      await next();
      return;
    }
    await requireTenant(c, next);
  };
}

/**
 * Returns the tenants a list route covers: the caller's own for a tenant token, else the
 * `tenant` filter or every tenant for the admin token.
 * @throws HttpError 400 when a tenant token filters by another tenant
 */
export async function listedTenants(
  c: Context<ServerEnv>,
  filter: string | undefined,
  allTenants: () => Promise<string[]>,
): Promise<string[]> {
  const principal = c.get('principal');
  if (principal.role === 'admin') {
    return filter === undefined ? allTenants() : [filter];
  }
  if (filter !== undefined && filter !== principal.tenant) {
    throw new HttpError(
      400,
      'INVALID_ARGUMENT',
      `A tenant token lists only its own tenant "${principal.tenant}"; leave out ?tenant=${filter}`,
    );
  }
  return [principal.tenant];
}

/** Returns the tenant of the caller; call only behind {@link requireTenant}. */
export function tenantOf(c: Context<ServerEnv>): string {
  const principal = c.get('principal');
  if (principal.role !== 'tenant') {
    throw new HttpError(403, 'FORBIDDEN', 'This route acts for one tenant; use a tenant token');
  }
  return principal.tenant;
}

/** Returns the caller's token id, the actor recorded in the audit log. */
export function actorOf(c: Context<ServerEnv>): string {
  return c.get('principal').tokenId;
}
