/**
 * Names of deployment environments as infrastructure paths, plan files, kube contexts,
 * namespaces and values files carry them (`envs/dev`, `tfplan-staging`, `values-prd.yaml`).
 * Every structural consent that compares a call's environment with the one a request names
 * reads this one list, so a name known to one check is known to all.
 */
export const ENVIRONMENT_NAMES: ReadonlySet<string> = new Set([
  'dev',
  'development',
  'staging',
  'stage',
  'test',
  'qa',
  'sandbox',
  'local',
  'preview',
  'prod',
  'production',
  'prd',
]);

/** The names in {@link ENVIRONMENT_NAMES} that mean production. */
export const PRODUCTION_NAMES: ReadonlySet<string> = new Set(['prod', 'production', 'prd']);
