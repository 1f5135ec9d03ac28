import { SANDBOX, SANDBOX_CLAIM, SANDBOX_TEMPLATE, SANDBOX_WARM_POOL } from './resources.js';

/** One Kubernetes API permission: a verb on a resource of an API group. */
export interface ApiPermission {
  group: string;
  resource: string;
  verb: string;
}

/**
 * Every API call the Kubernetes driver makes, as RBAC permissions. `deploy/rbac.yaml`
 * grants exactly these, and a test checks the two agree.
 */
export const DRIVER_PERMISSIONS: readonly ApiPermission[] = [
  ...['get', 'list', 'watch', 'create', 'delete'].map((verb) => ({
    group: SANDBOX_CLAIM.group,
    resource: SANDBOX_CLAIM.plural,
    verb,
  })),
  ...[SANDBOX_TEMPLATE, SANDBOX_WARM_POOL].flatMap((resource) =>
    ['get', 'list', 'watch', 'create', 'update'].map((verb) => ({
      group: resource.group,
      resource: resource.plural,
      verb,
    })),
  ),
  ...['get', 'list', 'watch', 'patch'].map((verb) => ({
    group: SANDBOX.group,
    resource: SANDBOX.plural,
    verb,
  })),
];
