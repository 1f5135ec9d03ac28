import {
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';

import { SandstackError, isSandstackError } from '../../core/errors.js';
import { noopLogger, type Logger } from '../../core/logger.js';
import type {
  DriverCreateOptions,
  OperatingMode,
  RuntimeCheck,
  SandboxDriver,
  SandboxInstance,
  SandboxTemplate,
} from '../types.js';
import { statusCodeOf, toSandstackError } from './api-errors.js';
import { waitForClaimReady } from './claim-watch.js';
import { KubernetesSandbox } from './instance.js';
import { watchUntil } from './object-watch.js';
import {
  LAUNCH_TYPE_LABEL,
  CREATED_BY_LABEL,
  SANDBOX,
  SANDBOX_CLAIM,
  SANDBOX_ID_LABEL,
  SANDBOX_TEMPLATE,
  SANDBOX_WARM_POOL,
  apiVersionOf,
  claimNameFor,
  findCondition,
  type ResourceRef,
  type SandboxClaimObject,
  type SandboxObject,
  type SandboxTemplateObject,
  type SandboxWarmPoolObject,
} from './resources.js';
import { RouterClient } from './router-client.js';
import { buildTemplateObject, type ApplyTemplateOptions } from './template-spec.js';

/** Options for {@link KubernetesDriver}. */
export interface KubernetesDriverOptions {
  /** Base URL of the agent-sandbox router Service, e.g. `http://sandbox-router-svc.agent-sandbox-system:8080`. */
  routerUrl: string;
  /**
   * A loaded KubeConfig, a kubeconfig file path, or `in-cluster` for the pod's service
   * account. @default the client's default search: `$KUBECONFIG`, `~/.kube/config`, then
   * the in-cluster service account
   */
  kubeConfig?: KubeConfig | string;
  /** Kubeconfig context to use. @default the kubeconfig's current context */
  context?: string;
  /** Namespace of claims, templates and pools. @default the context's namespace, else `default` */
  namespace?: string;
  /** Port of the runtime server inside sandbox pods. @default 8888 */
  serverPort?: number;
  /** Picks the warm pool a claim names for a sandstack template. @default the template's name */
  warmPoolFor?: (template: SandboxTemplate) => string;
  /** Time a claim may take to become Ready. @default 180000 */
  readyTimeoutMs?: number;
  /** Working directory of the runtime server in the pod. @default '/app' */
  podWorkdir?: string;
  /** @default noopLogger */
  logger?: Logger;
}

/** {@link KubernetesDriverOptions} after defaults. */
export interface ResolvedKubernetesDriverOptions {
  routerUrl: string;
  kubeConfig: KubeConfig;
  namespace: string;
  serverPort: number;
  warmPoolFor: (template: SandboxTemplate) => string;
  readyTimeoutMs: number;
  podWorkdir: string;
  logger: Logger;
}

/** Options for {@link KubernetesDriver.applyPool}. */
export interface ApplyPoolOptions {
  name: string;
  /** Name of the SandboxTemplate the pool starts sandboxes from. */
  templateName: string;
  /** Sandboxes kept started and unclaimed. 0 makes every claim a cold start. @default 1 */
  replicas?: number;
}

/**
 * Resolves driver options once: validates them and loads the kubeconfig.
 *
 * @throws {SandstackError} INVALID_CONFIG naming the option that is wrong.
 */
export function resolveKubernetesDriverOptions(
  options: KubernetesDriverOptions,
): ResolvedKubernetesDriverOptions {
  if (!/^https?:\/\//.test(options.routerUrl)) {
    throw new SandstackError(
      'INVALID_CONFIG',
      `Option routerUrl "${options.routerUrl}" is not an http(s) URL; set it to the sandbox router Service URL`,
    );
  }
  const serverPort = options.serverPort ?? 8888;
  if (!Number.isInteger(serverPort) || serverPort < 1 || serverPort > 65535) {
    throw new SandstackError(
      'INVALID_CONFIG',
      `Option serverPort ${serverPort} is not a TCP port; use 1-65535`,
    );
  }
  const readyTimeoutMs = options.readyTimeoutMs ?? 180_000;
  if (!(readyTimeoutMs > 0)) {
    throw new SandstackError(
      'INVALID_CONFIG',
      `Option readyTimeoutMs ${readyTimeoutMs} must be positive`,
    );
  }

  const kubeConfig = loadKubeConfig(options.kubeConfig, options.context);
  const contextNamespace = kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace;
  return {
    routerUrl: options.routerUrl,
    kubeConfig,
    namespace: options.namespace ?? contextNamespace ?? 'default',
    serverPort,
    warmPoolFor: options.warmPoolFor ?? ((template) => template.name),
    readyTimeoutMs,
    podWorkdir: options.podWorkdir ?? '/app',
    logger: options.logger ?? noopLogger,
  };
}

/** Label values allow `_`, unlike names, so the sandbox id fits unless it is unusual. */
function labelValueFor(id: string): string {
  return /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(id)
    ? id
    : claimNameFor(id).slice(0, 63);
}

function loadKubeConfig(source: KubeConfig | string | undefined, context?: string): KubeConfig {
  if (source instanceof KubeConfig) {
    return source;
  }
  const kubeConfig = new KubeConfig();
  try {
    if (source === undefined) {
      kubeConfig.loadFromDefault();
    } else if (source === 'in-cluster') {
      kubeConfig.loadFromCluster();
    } else {
      kubeConfig.loadFromFile(source);
    }
    if (context !== undefined) {
      kubeConfig.setCurrentContext(context);
    }
  } catch (error) {
    throw new SandstackError(
      'INVALID_CONFIG',
      `Cannot load kubeconfig ${source === undefined ? '(default search)' : `"${source}"`}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  if (kubeConfig.getCurrentCluster() === null) {
    throw new SandstackError(
      'INVALID_CONFIG',
      `Kubeconfig context "${kubeConfig.getCurrentContext()}" names no cluster; pick another context or fix the kubeconfig`,
    );
  }
  return kubeConfig;
}

/**
 * Sandbox driver that runs each sandbox as an agent-sandbox SandboxClaim on a Kubernetes
 * cluster, and runs commands and moves files through the agent-sandbox router.
 *
 * @example
 * const driver = new KubernetesDriver({ routerUrl: 'http://sandbox-router-svc:8080' });
 * await driver.applyTemplate({ name: 'python', image: 'python:3.13-slim' });
 * await driver.applyPool({ name: 'python', templateName: 'python', replicas: 2 });
 * const sandbox = await driver.create({ id: 'sbx_1', template, stateDir });
 */
export class KubernetesDriver implements SandboxDriver {
  readonly name = 'kubernetes' as const;
  readonly options: ResolvedKubernetesDriverOptions;
  readonly #api: CustomObjectsApi;

  constructor(options: KubernetesDriverOptions) {
    this.options = resolveKubernetesDriverOptions(options);
    this.#api = this.options.kubeConfig.makeApiClient(CustomObjectsApi);
  }

  /** Checks that the API server responds and that the agent-sandbox CRDs are installed. */
  async check(): Promise<RuntimeCheck> {
    try {
      await this.#call('list', SANDBOX_CLAIM, undefined, () =>
        this.#api.listNamespacedCustomObject({ ...this.#path(SANDBOX_CLAIM), limit: 1 }),
      );
      return { runtime: 'kubernetes', available: true, version: SANDBOX_CLAIM.version };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return {
        runtime: 'kubernetes',
        available: false,
        reason: message,
        fix: 'Check the kubeconfig, install the agent-sandbox controller and CRDs, and grant the RBAC in deploy/rbac.yaml',
      };
    }
  }

  /**
   * Creates a SandboxClaim for the template's warm pool, waits for it to become Ready and
   * returns the bound sandbox.
   *
   * @throws {SandstackError} SANDBOX_TIMEOUT when the claim is not Ready in time; the claim is
   *   deleted first so no pod is left behind.
   */
  async create(options: DriverCreateOptions): Promise<SandboxInstance> {
    const claimName = claimNameFor(options.id);
    const body = this.#claimBody(claimName, options);
    const created = (await this.#call('create', SANDBOX_CLAIM, claimName, () =>
      this.#api.createNamespacedCustomObject({ ...this.#path(SANDBOX_CLAIM), body }),
    )) as SandboxClaimObject;
    this.options.logger.info('Created sandbox claim', {
      sandboxId: options.id,
      claim: claimName,
      warmPool: body.spec.warmPoolRef.name,
    });

    try {
      return await this.#bind(created, options);
    } catch (error) {
      await this.#deleteClaim(claimName).catch((cleanupError: unknown) => {
        this.options.logger.warn('Failed to delete claim after a failed create', {
          claim: claimName,
          error: String(cleanupError),
        });
      });
      throw error;
    }
  }

  async attach(options: DriverCreateOptions): Promise<SandboxInstance | undefined> {
    const claimName = claimNameFor(options.id);
    let claim: SandboxClaimObject;
    try {
      claim = await this.#getClaim(claimName);
    } catch (error) {
      if (isSandstackError(error, 'SANDBOX_NOT_FOUND')) {
        return undefined;
      }
      throw error;
    }
    const sandbox = await this.#suspendedSandboxOf(claim);
    if (sandbox !== undefined) {
      // A suspended Sandbox has no pod, so its claim is not Ready until it is resumed.
      return this.#instanceFor(claim, sandbox, options);
    }
    return this.#bind(claim, options);
  }

  /** Creates or replaces a SandboxTemplate. */
  async applyTemplate(options: ApplyTemplateOptions): Promise<SandboxTemplateObject> {
    const body = buildTemplateObject({ serverPort: this.options.serverPort, ...options });
    return (await this.#apply(SANDBOX_TEMPLATE, body)) as SandboxTemplateObject;
  }

  /** Creates or replaces a SandboxWarmPool. */
  async applyPool(options: ApplyPoolOptions): Promise<SandboxWarmPoolObject> {
    const body: SandboxWarmPoolObject = {
      apiVersion: apiVersionOf(SANDBOX_WARM_POOL),
      kind: 'SandboxWarmPool',
      metadata: { name: options.name, namespace: this.options.namespace },
      spec: { replicas: options.replicas ?? 1, sandboxTemplateRef: { name: options.templateName } },
    };
    return (await this.#apply(SANDBOX_WARM_POOL, body)) as SandboxWarmPoolObject;
  }

  #claimBody(claimName: string, options: DriverCreateOptions): SandboxClaimObject {
    const lifetimeMs = options.template.lifetimeSeconds * 1000;
    return {
      apiVersion: apiVersionOf(SANDBOX_CLAIM),
      kind: 'SandboxClaim',
      metadata: {
        name: claimName,
        namespace: this.options.namespace,
        labels: { [SANDBOX_ID_LABEL]: labelValueFor(options.id), [CREATED_BY_LABEL]: 'sandstack' },
      },
      spec: {
        warmPoolRef: { name: this.options.warmPoolFor(options.template) },
        // The claim controller enforces the lifetime; Delete removes the claim with the pod.
        lifecycle: {
          shutdownTime: new Date(Date.now() + lifetimeMs).toISOString(),
          shutdownPolicy: 'Delete',
        },
      },
    };
  }

  async #bind(claim: SandboxClaimObject, options: DriverCreateOptions): Promise<KubernetesSandbox> {
    const claimName = claim.metadata.name ?? claimNameFor(options.id);
    const ready = await waitForClaimReady({
      kubeConfig: this.options.kubeConfig,
      namespace: this.options.namespace,
      claim,
      getClaim: () => this.#getClaim(claimName),
      timeoutMs: this.options.readyTimeoutMs,
      logger: this.options.logger,
    });
    const sandboxName = ready.status?.sandbox?.name;
    if (sandboxName === undefined || sandboxName === '') {
      throw new SandstackError(
        'SANDBOX_FAILED',
        `SandboxClaim "${claimName}" is Ready but status.sandbox.name is empty; the agent-sandbox controller may be older than v1beta1`,
      );
    }
    const sandbox = await this.#getSandbox(sandboxName);
    this.options.logger.info('Sandbox claim is ready', {
      sandboxId: options.id,
      claim: claimName,
      sandbox: sandboxName,
      launchType: sandbox.metadata.labels?.[LAUNCH_TYPE_LABEL],
    });
    return this.#instanceFor(ready, sandbox, options);
  }

  #instanceFor(
    claim: SandboxClaimObject,
    sandbox: SandboxObject,
    options: DriverCreateOptions,
  ): KubernetesSandbox {
    const sandboxName = sandbox.metadata.name ?? '';
    const launchType = sandbox.metadata.labels?.[LAUNCH_TYPE_LABEL];
    return new KubernetesSandbox({
      id: options.id,
      claimName: claim.metadata.name ?? claimNameFor(options.id),
      sandboxName,
      launchType: launchType === 'warm' || launchType === 'cold' ? launchType : 'unknown',
      template: options.template,
      podWorkdir: this.options.podWorkdir,
      router: new RouterClient({
        routerUrl: this.options.routerUrl,
        sandboxName,
        namespace: this.options.namespace,
        serverPort: this.options.serverPort,
      }),
      cluster: {
        isSandboxAlive: (name) => this.#isSandboxAlive(name),
        setOperatingMode: (name, mode) => this.#setOperatingMode(name, mode),
        deleteClaim: (name) => this.#deleteClaim(name),
      },
      createdAtMs: Date.parse(claim.metadata.creationTimestamp ?? '') || Date.now(),
      operatingMode: sandbox.spec.operatingMode ?? 'Running',
      logger: this.options.logger,
    });
  }

  /** Returns the claim's Sandbox when it exists and is set to Suspended, else undefined. */
  async #suspendedSandboxOf(claim: SandboxClaimObject): Promise<SandboxObject | undefined> {
    const sandboxName = claim.status?.sandbox?.name;
    if (sandboxName === undefined || sandboxName === '') {
      return undefined;
    }
    try {
      const sandbox = await this.#getSandbox(sandboxName);
      return sandbox.spec.operatingMode === 'Suspended' ? sandbox : undefined;
    } catch (error) {
      if (isSandstackError(error, 'SANDBOX_NOT_FOUND')) {
        return undefined;
      }
      throw error;
    }
  }

  async #getSandbox(name: string): Promise<SandboxObject> {
    return (await this.#call('get', SANDBOX, name, () =>
      this.#api.getNamespacedCustomObject({ ...this.#path(SANDBOX), name }),
    )) as SandboxObject;
  }

  /**
   * Merge-patches the Sandbox's `spec.operatingMode`, then watches it until the controller
   * reports the change: Suspended=True (the pod is gone) or Ready=True (a new pod runs).
   *
   * @throws {SandstackError} SANDBOX_TIMEOUT when that takes longer than `readyTimeoutMs`,
   *   SANDBOX_NOT_FOUND when the Sandbox is deleted meanwhile.
   */
  async #setOperatingMode(name: string, mode: OperatingMode): Promise<void> {
    const patched = (await this.#call('patch', SANDBOX, name, () =>
      this.#api.patchNamespacedCustomObject(
        { ...this.#path(SANDBOX), name, body: { spec: { operatingMode: mode } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    )) as SandboxObject;
    const awaited = mode === 'Suspended' ? 'Suspended' : 'Ready';
    const { namespace, readyTimeoutMs } = this.options;
    await watchUntil({
      kubeConfig: this.options.kubeConfig,
      namespace,
      resource: SANDBOX,
      object: patched,
      getObject: () => this.#getSandbox(name),
      timeoutMs: readyTimeoutMs,
      logger: this.options.logger,
      isDone: (sandbox) => findCondition(sandbox.status?.conditions, awaited)?.status === 'True',
      deletedError: () =>
        new SandstackError(
          'SANDBOX_NOT_FOUND',
          `Sandbox "${name}" in namespace "${namespace}" was deleted while waiting for operatingMode ${mode} to apply`,
        ),
      timeoutError: (sandbox) => {
        const condition = findCondition(sandbox.status?.conditions, awaited);
        const last =
          condition === undefined
            ? `no ${awaited} condition`
            : `${awaited}=${condition.status} reason ${condition.reason}: ${condition.message}`;
        return new SandstackError(
          'SANDBOX_TIMEOUT',
          `Sandbox "${name}" in namespace "${namespace}" did not reach ${awaited}=True within ${readyTimeoutMs}ms after operatingMode was set to ${mode}; last ${last}; inspect it with \`kubectl describe sandbox ${name}\``,
          { retryable: true, details: { sandbox: name } },
        );
      },
    });
    this.options.logger.info(mode === 'Suspended' ? 'Sandbox suspended' : 'Sandbox resumed', {
      sandbox: name,
    });
  }

  async #getClaim(name: string): Promise<SandboxClaimObject> {
    return (await this.#call('get', SANDBOX_CLAIM, name, () =>
      this.#api.getNamespacedCustomObject({ ...this.#path(SANDBOX_CLAIM), name }),
    )) as SandboxClaimObject;
  }

  async #isSandboxAlive(name: string): Promise<boolean> {
    try {
      const sandbox = await this.#getSandbox(name);
      return (
        sandbox.spec.operatingMode === 'Suspended' ||
        findCondition(sandbox.status?.conditions, 'Ready')?.status === 'True'
      );
    } catch (error) {
      if (isSandstackError(error, 'SANDBOX_NOT_FOUND')) {
        return false;
      }
      throw error;
    }
  }

  async #deleteClaim(name: string): Promise<void> {
    try {
      await this.#call('delete', SANDBOX_CLAIM, name, () =>
        this.#api.deleteNamespacedCustomObject({
          ...this.#path(SANDBOX_CLAIM),
          name,
          propagationPolicy: 'Background',
        }),
      );
    } catch (error) {
      if (isSandstackError(error, 'SANDBOX_NOT_FOUND')) {
        return;
      }
      throw error;
    }
  }

  async #apply(resource: ResourceRef, body: { metadata: { name?: string } }): Promise<unknown> {
    const name = body.metadata.name ?? '';
    try {
      return await this.#call('create', resource, name, () =>
        this.#api.createNamespacedCustomObject({ ...this.#path(resource), body }),
      );
    } catch (error) {
      if (!isSandstackError(error, 'ALREADY_EXISTS')) {
        throw error;
      }
    }
    const existing = (await this.#call('get', resource, name, () =>
      this.#api.getNamespacedCustomObject({ ...this.#path(resource), name }),
    )) as { metadata: { resourceVersion?: string } };
    const replacement = {
      ...body,
      metadata: { ...body.metadata, resourceVersion: existing.metadata.resourceVersion },
    };
    return this.#call('update', resource, name, () =>
      this.#api.replaceNamespacedCustomObject({ ...this.#path(resource), name, body: replacement }),
    );
  }

  #path(resource: ResourceRef): {
    group: string;
    version: string;
    namespace: string;
    plural: string;
  } {
    return {
      group: resource.group,
      version: resource.version,
      namespace: this.options.namespace,
      plural: resource.plural,
    };
  }

  async #call<T>(
    verb: string,
    resource: ResourceRef,
    name: string | undefined,
    request: () => Promise<T>,
  ): Promise<T> {
    try {
      return await request();
    } catch (error) {
      const context = { verb, resource, namespace: this.options.namespace };
      this.options.logger.debug('Kubernetes API call failed', {
        verb,
        resource: resource.plural,
        name,
        status: statusCodeOf(error),
      });
      throw toSandstackError(error, name === undefined ? context : { ...context, name });
    }
  }
}
