import { SandstackError } from '../../core/errors.js';
import type { KubernetesDriverOptions } from './driver.js';

/**
 * Reads Kubernetes driver options from environment variables, the way `deploy/sandstack.yaml`
 * sets them: `SANDSTACK_SANDBOX_ROUTER_URL` (required), `SANDSTACK_KUBERNETES_NAMESPACE`,
 * `SANDSTACK_KUBECONFIG` (a file path, or `in-cluster`; unset means the client's default
 * search) and `SANDSTACK_SANDBOX_READY_TIMEOUT_MS`.
 *
 * @throws {SandstackError} INVALID_CONFIG naming the variable that is missing or invalid.
 */
export function kubernetesDriverOptionsFromEnv(
  env: Record<string, string | undefined>,
): KubernetesDriverOptions {
  const routerUrl = env.SANDSTACK_SANDBOX_ROUTER_URL;
  if (routerUrl === undefined || routerUrl === '') {
    throw new SandstackError(
      'INVALID_CONFIG',
      'Environment variable SANDSTACK_SANDBOX_ROUTER_URL is missing; set it to the sandbox router Service URL, e.g. http://sandbox-router-svc.sandstack.svc.cluster.local:8080',
    );
  }
  if (!/^https?:\/\//.test(routerUrl)) {
    throw new SandstackError(
      'INVALID_CONFIG',
      `Environment variable SANDSTACK_SANDBOX_ROUTER_URL "${routerUrl}" is not an http(s) URL; set it to the sandbox router Service URL, e.g. http://sandbox-router-svc.sandstack.svc.cluster.local:8080`,
    );
  }
  const options: KubernetesDriverOptions = { routerUrl };

  const namespace = env.SANDSTACK_KUBERNETES_NAMESPACE;
  if (namespace !== undefined && namespace !== '') {
    options.namespace = namespace;
  }
  const kubeConfig = env.SANDSTACK_KUBECONFIG;
  if (kubeConfig !== undefined && kubeConfig !== '') {
    options.kubeConfig = kubeConfig;
  }
  const timeout = env.SANDSTACK_SANDBOX_READY_TIMEOUT_MS;
  if (timeout !== undefined && timeout !== '') {
    const readyTimeoutMs = Number(timeout);
    if (!Number.isInteger(readyTimeoutMs) || readyTimeoutMs <= 0) {
      throw new SandstackError(
        'INVALID_CONFIG',
        `Environment variable SANDSTACK_SANDBOX_READY_TIMEOUT_MS "${timeout}" is not a positive integer of milliseconds`,
      );
    }
    options.readyTimeoutMs = readyTimeoutMs;
  }
  return options;
}
