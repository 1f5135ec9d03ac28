import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { ObjectStore, StoredObject } from './object-store.js';

/** How a sandbox pod of one template behaves when started. */
export type PodBehaviour = { ready: true } | { ready: false; reason: string; message: string };

/** Options for {@link FakeSandboxController}. */
export interface FakeSandboxControllerOptions {
  store: ObjectStore;
  namespace: string;
  /** Delay between creating a sandbox and its pod reporting ready. @default 20 */
  podStartMs?: number;
  /** Behaviour per SandboxTemplate name. @default every pod becomes ready */
  podBehaviour?: (templateName: string) => PodBehaviour;
}

const SANDBOX_API = 'agents.x-k8s.io/v1beta1';
const EXTENSIONS_API = 'extensions.agents.x-k8s.io/v1beta1';
const CLAIM_PLURAL = 'sandboxclaims';
const POOL_PLURAL = 'sandboxwarmpools';
const TEMPLATE_PLURAL = 'sandboxtemplates';
const SANDBOX_PLURAL = 'sandboxes';

function condition(
  status: 'True' | 'False',
  reason: string,
  message: string,
  type: 'Ready' | 'Suspended' = 'Ready',
): Record<string, unknown> {
  return {
    type,
    status,
    reason,
    message,
    lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    observedGeneration: 1,
  };
}

function readyOf(
  object: StoredObject | undefined,
): { status?: string; reason?: string } | undefined {
  return conditionOf(object, 'Ready');
}

function conditionOf(
  object: StoredObject | undefined,
  type: string,
): { status?: string; reason?: string } | undefined {
  const conditions = object?.status?.conditions as
    { type: string; status: string; reason: string }[] | undefined;
  return conditions?.find((entry) => entry.type === type);
}

const NOT_SUSPENDED = (): Record<string, unknown> =>
  condition('False', 'NotSuspended', 'Sandbox is not suspended', 'Suspended');

/**
 * Plays the agent-sandbox controller's documented status transitions on the fake API.
 * Warm pools keep `replicas` sandboxes started. A claim adopts a ready, unclaimed pool
 * sandbox (launch type `warm`), or else cold-starts one from the pool's template (launch
 * type `cold`). A claim's Ready condition forwards its sandbox's. A missing pool or template
 * gives Ready=False with reason `WarmPoolNotFound` or `TemplateNotFound`. At
 * `lifecycle.shutdownTime` the claim expires per its shutdownPolicy. Each started pod gets a
 * temp folder that the fake router runs commands in.
 *
 * A Sandbox set to `operatingMode: Suspended` goes through Suspended=False reason
 * `SuspendedPodTerminating` to Suspended=True reason `SuspendedPodTerminated`, with Ready=False
 * reason `Suspended`, and loses its pod folder unless it has `volumeClaimTemplates`, which
 * stand for volumes that outlive the pod. Set back to `Running`, it starts a new pod.
 */
export class FakeSandboxController {
  /** Pod folder per Sandbox name, for the fake router. */
  readonly podDirs = new Map<string, string>();
  readonly #options: Required<FakeSandboxControllerOptions>;
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #expiryTimers = new Map<string, { timer: NodeJS.Timeout; shutdownTime: string }>();
  /** Sandboxes whose pod is being stopped or started for an operatingMode change. */
  readonly #modeChanging = new Set<string>();
  #scheduled = false;
  #stopped = false;

  constructor(options: FakeSandboxControllerOptions) {
    this.#options = { podStartMs: 20, podBehaviour: () => ({ ready: true }), ...options };
    options.store.events.on('change', this.#onChange);
  }

  stop(): void {
    this.#stopped = true;
    this.#options.store.events.off('change', this.#onChange);
    for (const timer of this.#timers) {
      clearTimeout(timer);
    }
    for (const dir of this.podDirs.values()) {
      rmSync(dir, { recursive: true, force: true });
    }
    this.podDirs.clear();
  }

  readonly #onChange = (event: { type: string; plural: string; object: StoredObject }): void => {
    if (event.type === 'DELETED' && event.plural === SANDBOX_PLURAL) {
      const dir = this.podDirs.get(event.object.metadata.name);
      if (dir !== undefined) {
        rmSync(dir, { recursive: true, force: true });
        this.podDirs.delete(event.object.metadata.name);
      }
    }
    if (event.type === 'DELETED' && event.plural === CLAIM_PLURAL) {
      clearTimeout(this.#expiryTimers.get(event.object.metadata.name)?.timer);
      this.#expiryTimers.delete(event.object.metadata.name);
    }
    this.#schedule();
  };

  /** Batches reconciles: many store changes in one tick give one pass. */
  #schedule(): void {
    if (this.#scheduled || this.#stopped) {
      return;
    }
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      if (!this.#stopped) {
        this.#reconcile();
      }
    });
  }

  #after(delayMs: number, action: () => void): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (!this.#stopped) {
        action();
      }
    }, delayMs);
    this.#timers.add(timer);
    return timer;
  }

  #reconcile(): void {
    const { store, namespace } = this.#options;
    for (const pool of store.list(POOL_PLURAL, namespace)) {
      this.#reconcilePool(pool);
    }
    for (const sandbox of store.list(SANDBOX_PLURAL, namespace)) {
      this.#reconcileOperatingMode(sandbox);
    }
    for (const claim of store.list(CLAIM_PLURAL, namespace)) {
      this.#reconcileClaim(claim);
    }
  }

  /** Stops the pod of a Sandbox set to Suspended, and starts one for a resumed Sandbox. */
  #reconcileOperatingMode(sandbox: StoredObject): void {
    const name = sandbox.metadata.name;
    if (this.#modeChanging.has(name)) {
      return;
    }
    const spec = sandbox.spec as { operatingMode?: string; volumeClaimTemplates?: unknown[] };
    const suspended = conditionOf(sandbox, 'Suspended')?.status === 'True';
    if (spec.operatingMode === 'Suspended' && !suspended) {
      this.#modeChanging.add(name);
      this.#setSandboxStatus(name, {
        conditions: [
          condition('False', 'Suspended', 'Sandbox is suspending'),
          condition(
            'False',
            'SuspendedPodTerminating',
            'Pod is terminating. Sandbox is suspending',
            'Suspended',
          ),
        ],
      });
      this.#after(this.#options.podStartMs, () => {
        this.#modeChanging.delete(name);
        if ((spec.volumeClaimTemplates ?? []).length === 0) {
          const dir = this.podDirs.get(name);
          if (dir !== undefined) {
            rmSync(dir, { recursive: true, force: true });
            this.podDirs.delete(name);
          }
        }
        this.#setSandboxStatus(name, {
          conditions: [
            condition('False', 'Suspended', 'Sandbox is suspended'),
            condition(
              'True',
              'SuspendedPodTerminated',
              'Pod has been terminated. Sandbox is suspended',
              'Suspended',
            ),
          ],
        });
      });
      return;
    }
    if (spec.operatingMode !== 'Suspended' && suspended) {
      this.#modeChanging.add(name);
      this.#setSandboxStatus(name, {
        conditions: [
          condition('False', 'DependenciesNotReady', 'Pod does not exist'),
          NOT_SUSPENDED(),
        ],
      });
      const templateName =
        sandbox.metadata.annotations?.['agents.x-k8s.io/sandbox-template-ref'] ?? '';
      this.#after(this.#options.podStartMs, () => {
        this.#modeChanging.delete(name);
        this.#startPod(name, templateName);
      });
    }
  }

  #setSandboxStatus(name: string, status: Record<string, unknown>): void {
    const { store, namespace } = this.#options;
    const sandbox = store.get(SANDBOX_PLURAL, namespace, name);
    if (sandbox === undefined) {
      return;
    }
    store.replace(
      store.schemaFor('agents.x-k8s.io', 'v1beta1', SANDBOX_PLURAL),
      namespace,
      { ...sandbox, status },
      { status: true },
    );
  }

  #ownedBy(owner: StoredObject): StoredObject[] {
    return this.#options.store
      .list(SANDBOX_PLURAL, this.#options.namespace)
      .filter(
        (sandbox) =>
          sandbox.metadata.ownerReferences?.some((ref) => ref.uid === owner.metadata.uid) === true,
      );
  }

  #reconcilePool(pool: StoredObject): void {
    const { store, namespace } = this.#options;
    const spec = pool.spec as { replicas?: number; sandboxTemplateRef: { name: string } };
    const template = store.get(TEMPLATE_PLURAL, namespace, spec.sandboxTemplateRef.name);
    const owned = this.#ownedBy(pool);
    if (template !== undefined) {
      for (let index = owned.length; index < (spec.replicas ?? 1); index += 1) {
        this.#createSandbox(
          `${pool.metadata.name}-${randomBytes(3).toString('hex')}`,
          pool,
          template,
          'warm',
        );
      }
    }
    const readyCount = owned.filter((sandbox) => readyOf(sandbox)?.status === 'True').length;
    const status = {
      replicas: owned.length,
      readyReplicas: readyCount,
      selector: `agents.x-k8s.io/pool=${pool.metadata.name}`,
    };
    if (JSON.stringify(pool.status ?? {}) !== JSON.stringify(status)) {
      store.replace(
        store.schemaFor('extensions.agents.x-k8s.io', 'v1beta1', POOL_PLURAL),
        namespace,
        { ...pool, status },
        { status: true },
      );
    }
  }

  #createSandbox(
    name: string,
    owner: StoredObject,
    template: StoredObject,
    launchType: 'warm' | 'cold',
  ): void {
    const { store, namespace } = this.#options;
    const templateSpec = template.spec as { podTemplate: unknown };
    store.create(store.schemaFor('agents.x-k8s.io', 'v1beta1', SANDBOX_PLURAL), namespace, {
      apiVersion: SANDBOX_API,
      kind: 'Sandbox',
      metadata: {
        name,
        labels: { 'agents.x-k8s.io/launch-type': launchType },
        annotations: { 'agents.x-k8s.io/sandbox-template-ref': template.metadata.name },
        ownerReferences: [
          {
            apiVersion: owner.apiVersion,
            kind: owner.kind,
            name: owner.metadata.name,
            uid: owner.metadata.uid,
            controller: true,
          },
        ],
      },
      spec: { podTemplate: templateSpec.podTemplate },
    });
    this.#after(this.#options.podStartMs, () => this.#startPod(name, template.metadata.name));
  }

  #startPod(name: string, templateName: string): void {
    const { store, namespace } = this.#options;
    const sandbox = store.get(SANDBOX_PLURAL, namespace, name);
    if (sandbox === undefined) {
      return;
    }
    const behaviour = this.#options.podBehaviour(templateName);
    let status: Record<string, unknown>;
    if (behaviour.ready) {
      if (!this.podDirs.has(name)) {
        this.podDirs.set(name, mkdtempSync(join(tmpdir(), 'sandstack-fake-pod-')));
      }
      status = {
        conditions: [
          condition('True', 'DependenciesReady', 'Pod is Ready; Service Exists'),
          NOT_SUSPENDED(),
        ],
        service: name,
        serviceFQDN: `${name}.${namespace}.svc.cluster.local`,
        podIPs: ['127.0.0.1'],
      };
    } else {
      status = {
        conditions: [condition('False', behaviour.reason, behaviour.message), NOT_SUSPENDED()],
      };
    }
    this.#setSandboxStatus(name, status);
  }

  #reconcileClaim(claim: StoredObject): void {
    const { store, namespace } = this.#options;
    const claimSchema = store.schemaFor('extensions.agents.x-k8s.io', 'v1beta1', CLAIM_PLURAL);
    const spec = claim.spec as {
      warmPoolRef: { name: string };
      lifecycle?: { shutdownTime?: string; shutdownPolicy?: string };
    };
    const setStatus = (status: Record<string, unknown>): void => {
      if (JSON.stringify(stripTimes(claim.status)) !== JSON.stringify(stripTimes(status))) {
        store.replace(claimSchema, namespace, { ...claim, status }, { status: true });
      }
    };

    if (readyOf(claim)?.reason === 'ClaimExpired') {
      return;
    }
    this.#armExpiry(claim, spec.lifecycle);

    let sandbox = this.#ownedBy(claim)[0];
    if (sandbox === undefined) {
      const pool = store.get(POOL_PLURAL, namespace, spec.warmPoolRef.name);
      if (pool === undefined) {
        setStatus({
          conditions: [
            condition(
              'False',
              'WarmPoolNotFound',
              `SandboxWarmPool "${spec.warmPoolRef.name}" not found`,
            ),
          ],
        });
        return;
      }
      const templateName = (pool.spec as { sandboxTemplateRef: { name: string } })
        .sandboxTemplateRef.name;
      const template = store.get(TEMPLATE_PLURAL, namespace, templateName);
      if (template === undefined) {
        setStatus({
          conditions: [
            condition('False', 'TemplateNotFound', `SandboxTemplate "${templateName}" not found`),
          ],
        });
        return;
      }
      sandbox = this.#adopt(claim, pool);
      if (sandbox === undefined) {
        this.#createSandbox(claim.metadata.name, claim, template, 'cold');
        setStatus({
          conditions: [condition('False', 'SandboxNotReady', 'Sandbox is not ready')],
          sandbox: { name: claim.metadata.name },
        });
        return;
      }
    }

    const sandboxReady = readyOf(sandbox);
    const forwarded =
      sandboxReady?.status === 'True'
        ? condition('True', 'SandboxReady', 'Sandbox is ready')
        : condition(
            'False',
            sandboxReady?.reason ?? 'SandboxNotReady',
            (sandbox.status?.conditions as { message?: string }[] | undefined)?.[0]?.message ??
              'Sandbox is not ready',
          );
    setStatus({
      conditions: [forwarded],
      sandbox: { name: sandbox.metadata.name, podIPs: sandbox.status?.podIPs ?? [] },
    });
    if (claim.metadata.annotations?.['agents.x-k8s.io/sandbox-name'] !== sandbox.metadata.name) {
      const latest = store.get(CLAIM_PLURAL, namespace, claim.metadata.name);
      if (latest !== undefined) {
        latest.metadata.annotations = {
          ...latest.metadata.annotations,
          'agents.x-k8s.io/sandbox-name': sandbox.metadata.name,
        };
        store.replace(claimSchema, namespace, latest as unknown as Record<string, unknown>);
      }
    }
  }

  /** Moves a ready pool sandbox to the claim, as warm-pool adoption does; the pool then refills. */
  #adopt(claim: StoredObject, pool: StoredObject): StoredObject | undefined {
    const { store, namespace } = this.#options;
    const candidate = this.#ownedBy(pool).find((sandbox) => readyOf(sandbox)?.status === 'True');
    if (candidate === undefined) {
      return undefined;
    }
    candidate.metadata.ownerReferences = [
      {
        apiVersion: EXTENSIONS_API,
        kind: 'SandboxClaim',
        name: claim.metadata.name,
        uid: claim.metadata.uid,
        controller: true,
      },
    ];
    return store.replace(
      store.schemaFor('agents.x-k8s.io', 'v1beta1', SANDBOX_PLURAL),
      namespace,
      candidate as unknown as Record<string, unknown>,
    );
  }

  #armExpiry(
    claim: StoredObject,
    lifecycle: { shutdownTime?: string; shutdownPolicy?: string } | undefined,
  ): void {
    const armed = this.#expiryTimers.get(claim.metadata.name);
    if (lifecycle?.shutdownTime === undefined || armed?.shutdownTime === lifecycle.shutdownTime) {
      return;
    }
    // A changed shutdownTime replaces the pending expiry, as the controller requeues on it.
    clearTimeout(armed?.timer);
    // setTimeout caps delays at 2^31-1 ms; later expiries are out of any test's reach.
    const delayMs = Math.min(
      Math.max(0, Date.parse(lifecycle.shutdownTime) - Date.now()),
      2 ** 31 - 1,
    );
    const timer = this.#after(delayMs, () =>
      this.#expire(claim.metadata.name, lifecycle.shutdownPolicy ?? 'Retain'),
    );
    this.#expiryTimers.set(claim.metadata.name, { timer, shutdownTime: lifecycle.shutdownTime });
  }

  #expire(name: string, policy: string): void {
    const { store, namespace } = this.#options;
    const claim = store.get(CLAIM_PLURAL, namespace, name);
    if (claim === undefined) {
      return;
    }
    if (policy === 'Delete' || policy === 'DeleteForeground') {
      store.delete(CLAIM_PLURAL, namespace, name);
      return;
    }
    for (const sandbox of this.#ownedBy(claim)) {
      store.delete(SANDBOX_PLURAL, namespace, sandbox.metadata.name);
    }
    const status = {
      conditions: [condition('False', 'ClaimExpired', 'Claim expired. Sandbox cleanup initiated.')],
    };
    store.replace(
      store.schemaFor('extensions.agents.x-k8s.io', 'v1beta1', CLAIM_PLURAL),
      namespace,
      { ...claim, status },
      { status: true },
    );
  }
}

function stripTimes(status: Record<string, unknown> | undefined): unknown {
  return JSON.parse(JSON.stringify(status ?? {}), (key, value: unknown) =>
    key === 'lastTransitionTime' ? undefined : value,
  );
}
