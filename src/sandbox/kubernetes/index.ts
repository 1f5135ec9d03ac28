/**
 * Kubernetes sandbox driver: runs sandboxes as agent-sandbox SandboxClaims (API version
 * v1beta1) and reaches them through the agent-sandbox router.
 *
 * @example
 * import { KubernetesDriver } from './sandbox/kubernetes/index.js';
 *
 * const driver = new KubernetesDriver({ routerUrl: 'http://sandbox-router-svc:8080' });
 * await driver.applyTemplate({ name: 'python', image: 'python-runtime-sandbox:latest' });
 * await driver.applyPool({ name: 'python', templateName: 'python', replicas: 2 });
 * const sandbox = await driver.create({ id: 'sbx_1', template, stateDir: '/tmp/sbx_1' });
 * const result = await sandbox.exec({ command: 'python3 -V' });
 * await sandbox.destroy();
 */
export {
  KubernetesDriver,
  resolveKubernetesDriverOptions,
  type ApplyPoolOptions,
  type KubernetesDriverOptions,
  type ResolvedKubernetesDriverOptions,
} from './driver.js';
export { kubernetesDriverOptionsFromEnv } from './env.js';
export { KubernetesSandbox } from './instance.js';
export { DRIVER_PERMISSIONS, type ApiPermission } from './rbac.js';
export type { ApplyTemplateOptions } from './template-spec.js';
export {
  SANDBOX,
  SANDBOX_CLAIM,
  SANDBOX_TEMPLATE,
  SANDBOX_WARM_POOL,
  type SandboxClaimObject,
  type SandboxObject,
  type SandboxTemplateObject,
  type SandboxWarmPoolObject,
} from './resources.js';
