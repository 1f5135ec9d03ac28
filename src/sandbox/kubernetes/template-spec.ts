import type { ResourceLimits } from '../types.js';
import { SANDBOX_TEMPLATE, apiVersionOf, type SandboxTemplateObject } from './resources.js';

/** Options for `KubernetesDriver.applyTemplate`. */
export interface ApplyTemplateOptions {
  name: string;
  /** Container image that runs the sandbox runtime server (`/execute`, `/upload`, `/download`). */
  image: string;
  /** Port the runtime server listens on. @default the driver's serverPort */
  serverPort?: number;
  /** RuntimeClass of the pod, e.g. `gvisor`. @default none (the cluster default) */
  runtimeClassName?: string;
  /** CPU and memory limits of the runtime container. @default none */
  resources?: Pick<ResourceLimits, 'cpu' | 'memoryBytes'>;
  /**
   * Fields merged over the generated core/v1 PodSpec, for settings this helper does not
   * model. @default {}
   */
  podSpec?: Record<string, unknown>;
}

/** Builds a SandboxTemplate object whose pod runs one runtime container. */
export function buildTemplateObject(
  options: ApplyTemplateOptions & { serverPort: number },
): SandboxTemplateObject {
  const container: Record<string, unknown> = {
    name: 'runtime',
    image: options.image,
    ports: [{ containerPort: options.serverPort, protocol: 'TCP' }],
  };
  if (options.resources !== undefined) {
    const limits = {
      cpu: String(options.resources.cpu),
      memory: String(options.resources.memoryBytes),
    };
    container.resources = { limits, requests: limits };
  }

  const podSpec: Record<string, unknown> = {
    containers: [container],
    // Sandboxes talk to no Kubernetes API, so they get no service account token.
    automountServiceAccountToken: false,
    ...(options.runtimeClassName === undefined
      ? {}
      : { runtimeClassName: options.runtimeClassName }),
    ...options.podSpec,
  };
  return {
    apiVersion: apiVersionOf(SANDBOX_TEMPLATE),
    kind: 'SandboxTemplate',
    metadata: { name: options.name },
    spec: { podTemplate: { spec: podSpec } },
  };
}
