/**
 * Shared state of the control plane server that every route handler can reach: the
 * embedded stack, the tenant store, the instance runner, and the caller found by the auth
 * middleware.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { ApprovalQueue } from '../../guard/approvals.js';
import type { Principal, TenantStore } from '../tenants.js';
import type { Stack } from '../stack.js';
import type { TenantLimits } from './limits.js';
import type { InstanceRunner } from './runner.js';
import type { TenantTemplatePolicy } from './tenant-templates.js';
import { validationHook } from './errors.js';

/** Shared state of one server. */
export interface ServerContext {
  stack: Stack;
  tenants: TenantStore;
  runner: InstanceRunner;
  limits: TenantLimits;
  /** Runtimes and egress domains that a tenant's template may choose. */
  tenantTemplates: TenantTemplatePolicy;
  /** The guard's queue of `ask` decisions waiting for a human. */
  approvals: ApprovalQueue;
  /** SHA-256 of the admin token given in the environment, which replaces the stored one. */
  adminTokenHash: string | undefined;
}

/** Hono environment of the server's routes. */
export interface ServerEnv {
  Variables: {
    principal: Principal;
  };
}

/** Creates a router whose request validation failures become 400s naming each field. */
export function createRouter(): OpenAPIHono<ServerEnv> {
  return new OpenAPIHono<ServerEnv>({ defaultHook: validationHook });
}

/** Security requirement of routes that take a bearer token, for the OpenAPI document. */
export const BEARER = [{ bearerAuth: [] }];
