/**
 * Shapes and names of the agent-sandbox custom resources (kubernetes-sigs/agent-sandbox,
 * API version v1beta1) that the Kubernetes driver creates and reads. The field names follow
 * the upstream Go types in `api/v1beta1/sandbox_types.go` and
 * `extensions/api/v1beta1/*_types.go`; the vendored CRDs in `schemas/agent-sandbox/` are the
 * schemas the API server enforces.
 */

/** Group, version and plural name of one custom resource. */
export interface ResourceRef {
  group: string;
  version: string;
  plural: string;
  kind: string;
}

/** The core Sandbox: one pod plus a headless Service of the same name. */
export const SANDBOX: ResourceRef = {
  group: 'agents.x-k8s.io',
  version: 'v1beta1',
  plural: 'sandboxes',
  kind: 'Sandbox',
};

/** A request for one Sandbox, served from a warm pool or cold-started from its template. */
export const SANDBOX_CLAIM: ResourceRef = {
  group: 'extensions.agents.x-k8s.io',
  version: 'v1beta1',
  plural: 'sandboxclaims',
  kind: 'SandboxClaim',
};

/** A reusable pod template that warm pools and claims start sandboxes from. */
export const SANDBOX_TEMPLATE: ResourceRef = {
  group: 'extensions.agents.x-k8s.io',
  version: 'v1beta1',
  plural: 'sandboxtemplates',
  kind: 'SandboxTemplate',
};

/** A set of pre-started sandboxes of one template, adopted by claims. */
export const SANDBOX_WARM_POOL: ResourceRef = {
  group: 'extensions.agents.x-k8s.io',
  version: 'v1beta1',
  plural: 'sandboxwarmpools',
  kind: 'SandboxWarmPool',
};

/** Annotation the claim controller sets on a claim to name the Sandbox it adopted or created. */
export const ASSIGNED_SANDBOX_ANNOTATION = 'agents.x-k8s.io/sandbox-name';

/** Label the controller sets on a Sandbox: `warm` when adopted from a pool, `cold` otherwise. */
export const LAUNCH_TYPE_LABEL = 'agents.x-k8s.io/launch-type';

/** Label recording which component created a resource; the claim controller reads it. */
export const CREATED_BY_LABEL = 'agents.x-k8s.io/created-by';

/** Label sandstack puts on every claim it creates, with the sandstack sandbox id as value. */
export const SANDBOX_ID_LABEL = 'sandstack.dev/sandbox-id';

/**
 * Ready=False reasons the claim controller does not recover from on its own. Upstream's Python
 * client fails fast on the same set (`TERMINAL_CLAIM_READY_REASONS` in
 * `k8s_agent_sandbox/constants.py`); transient reasons such as `SandboxNotReady`,
 * `AdoptionPending`, `SandboxMissing`, `WarmPoolNotFound` and `ReconcilerError` are retried.
 */
export const TERMINAL_CLAIM_REASONS: ReadonlySet<string> = new Set([
  'InvalidMetadata',
  'EnvVarsInjectionRejected',
  'VolumeClaimTemplatesError',
  'ClaimExpired',
  'SandboxExpired',
  'InvalidConfiguration',
]);

/** Object metadata fields the driver reads or writes. */
export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
}

/** A controller or owner link, used by garbage collection to delete dependants. */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** A `metav1.Condition`, as found in every status of these resources. */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

/** Lifecycle of a claim: when it expires and what happens then. */
export interface ClaimLifecycle {
  /** RFC 3339 time at which the claim controller expires the claim. */
  shutdownTime?: string;
  /** `Retain` keeps the expired claim with Ready=False/ClaimExpired. @default 'Retain' */
  shutdownPolicy?: 'Delete' | 'DeleteForeground' | 'Retain';
  ttlSecondsAfterFinished?: number;
}

/** A SandboxClaim. In v1beta1 every claim names a warm pool; there is no template reference. */
export interface SandboxClaimObject {
  apiVersion: string;
  kind: 'SandboxClaim';
  metadata: ObjectMeta;
  spec: {
    warmPoolRef: { name: string };
    lifecycle?: ClaimLifecycle;
    additionalPodMetadata?: { labels?: Record<string, string> };
    env?: { name: string; value: string; containerName?: string }[];
  };
  status?: {
    conditions?: Condition[];
    sandbox?: { name?: string; podIPs?: string[] };
  };
}

/** A Sandbox as the driver reads it; the pod template is opaque here. */
export interface SandboxObject {
  apiVersion: string;
  kind: 'Sandbox';
  metadata: ObjectMeta;
  spec: {
    podTemplate: unknown;
    operatingMode?: 'Running' | 'Suspended';
    shutdownTime?: string;
    shutdownPolicy?: 'Delete' | 'Retain';
  };
  status?: {
    conditions?: Condition[];
    service?: string;
    serviceFQDN?: string;
    podIPs?: string[];
    nodeName?: string;
  };
}

/** A SandboxTemplate; `podTemplate.spec` is a core/v1 PodSpec. */
export interface SandboxTemplateObject {
  apiVersion: string;
  kind: 'SandboxTemplate';
  metadata: ObjectMeta;
  spec: {
    podTemplate: { metadata?: { labels?: Record<string, string> }; spec: Record<string, unknown> };
    networkPolicyManagement?: 'Managed' | 'Unmanaged';
    envVarsInjectionPolicy?: 'Allowed' | 'Overrides' | 'Disallowed';
    service?: boolean;
  } & Record<string, unknown>;
}

/** A SandboxWarmPool. */
export interface SandboxWarmPoolObject {
  apiVersion: string;
  kind: 'SandboxWarmPool';
  metadata: ObjectMeta;
  spec: {
    replicas?: number;
    sandboxTemplateRef: { name: string };
    updateStrategy?: { type: 'Recreate' | 'OnReplenish' };
  };
  status?: { replicas?: number; readyReplicas?: number; selector?: string };
}

/** Returns `group/version`, the `apiVersion` of objects of `resource`. */
export function apiVersionOf(resource: ResourceRef): string {
  return `${resource.group}/${resource.version}`;
}

/** Finds the condition of `type` in a status, if any. */
export function findCondition(
  conditions: readonly Condition[] | undefined,
  type: string,
): Condition | undefined {
  return conditions?.find((condition) => condition.type === type);
}

/**
 * Converts a sandstack sandbox id (`sbx_k3v9x0c2m1q8`) to a claim name. Kubernetes names are
 * DNS-1123 subdomains, which allow neither `_` nor upper case.
 */
export function claimNameFor(sandboxId: string): string {
  return sandboxId.toLowerCase().replace(/[^a-z0-9.-]/g, '-');
}
