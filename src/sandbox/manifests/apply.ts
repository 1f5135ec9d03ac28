import { SandstackError, isSandstackError } from '../../core/errors.js';
import type { ClaimObjectSpec } from '../claim-objects.js';
import { MAX_POOL_REPLICAS, type ApplyAction, type SandboxController } from '../controller.js';
import type { PoolUpdateStrategy } from '../controller-store.js';
import { applyClaimEnv } from '../lifetime.js';
import { checkRootfs } from '../rootfs-check.js';
import { resolveTemplate } from '../templates.js';
import type { OperatingMode, SandboxTemplate } from '../types.js';
import {
  manifestError,
  parseManifests,
  type ManifestObject,
  type ManifestProblem,
} from './parse.js';
import {
  toTemplateInput,
  type MappedTemplate,
  type SandboxTemplateObject,
} from './template-object.js';

/** Outcome of applying one object. */
export interface AppliedObject {
  kind: ManifestObject['kind'];
  name: string;
  action: ApplyAction;
  /** Fields of the object that are not honoured locally, each a sentence. */
  notes: string[];
  /** For a SandboxClaim: the sandbox it is bound to, and whether it came from the pool. */
  sandbox?: { id: string; warm: boolean };
}

/** Options for {@link applyManifests}. */
export interface ApplyManifestsOptions {
  /** Name of the input in messages, such as the file name or `stdin`. */
  source: string;
  /** Called while pools fill, with each pool's ready and wanted counts. @default none */
  onPoolProgress?: (pools: { name: string; ready: number; replicas: number }[]) => void;
  /** Namespace of objects whose `metadata.namespace` is left out. @default 'default' */
  defaultNamespace?: string;
  /**
   * Extra checks of each object, run with the others before anything changes; each problem
   * names the field it is about. @default none
   */
  checkObject?: (item: ManifestObject) => { path: string[]; message: string }[];
  /**
   * Whether a template's root filesystem folder is looked up on this host. A server turns it
   * off for tenants, who may not name host folders, so an error does not tell them which
   * folders exist. @default true
   */
  checkHostPaths?: boolean;
  /** Called once every document has passed its checks, before the first change. @default none */
  beforeApply?: () => Promise<void>;
}

interface SpecOfPool {
  replicas: number;
  sandboxTemplateRef: { name: string };
  updateStrategy?: { type?: PoolUpdateStrategy };
}

const KIND_ORDER = ['SandboxTemplate', 'SandboxWarmPool', 'SandboxClaim', 'Sandbox'] as const;

/**
 * Applies SandboxTemplate, SandboxWarmPool and SandboxClaim documents to the local controller:
 * templates first, then pools (waiting until they are full), then claims, each in file
 * order. Every document is validated, and every reference checked, before anything changes.
 *
 * @example
 * const applied = await applyManifests(controller, readFileSync('sandboxes.yaml', 'utf8'), { source: 'sandboxes.yaml' });
 * @throws SandstackError `INVALID_CONFIG` listing each problem with its document, line and
 *   field; or the error of the first object that failed to apply, naming it
 */
export async function applyManifests(
  controller: SandboxController,
  text: string,
  options: ApplyManifestsOptions,
): Promise<AppliedObject[]> {
  const objects = parseManifests(text, options.source).map((item) =>
    options.defaultNamespace === undefined || typeof item.object.metadata.namespace === 'string'
      ? item
      : { ...item, namespace: options.defaultNamespace },
  );
  const ordered = KIND_ORDER.flatMap((kind) => objects.filter((item) => item.kind === kind));
  const { templates, problems } = mapTemplates(ordered, options.source, {
    checkHostPaths: options.checkHostPaths ?? true,
  });
  problems.push(
    ...checkReferences(controller, ordered, {
      source: options.source,
      templates,
      ownNamespace: options.defaultNamespace,
    }),
  );
  const checkObject = options.checkObject ?? (() => []);
  for (const item of ordered) {
    for (const problem of checkObject(item)) {
      problems.push(problemOf(item, options.source, problem.path, problem.message));
    }
  }
  if (problems.length > 0) {
    throw manifestError(problems);
  }
  await options.beforeApply?.();

  const applied: AppliedObject[] = [];
  const pools: string[] = [];
  for (const item of ordered) {
    if ((item.kind === 'SandboxClaim' || item.kind === 'Sandbox') && pools.length > 0) {
      // Claims after the pools are full bind ready sandboxes instead of cold-starting.
      await waitForPools(controller, pools, options);
    }
    applied.push(await applyOne(controller, item, { ...options, templates }));
    if (item.kind === 'SandboxWarmPool') {
      pools.push(item.name);
    }
  }
  // Claims took ready sandboxes; wait for the refills so this process does not exit mid-start.
  await waitForPools(controller, pools, options);
  return applied;
}

async function applyOne(
  controller: SandboxController,
  item: ManifestObject,
  context: ApplyManifestsOptions & { templates: Map<string, MappedTemplate> },
): Promise<AppliedObject> {
  try {
    if (item.kind === 'SandboxTemplate') {
      const mapped = context.templates.get(item.name);
      const { action } = await controller.applyTemplate(mapped?.input ?? { name: item.name });
      return { kind: item.kind, name: item.name, action, notes: mapped?.notes ?? [] };
    }
    if (item.kind === 'SandboxWarmPool') {
      const spec = item.object.spec as unknown as SpecOfPool;
      const action = await controller.applyPool({
        name: item.name,
        template: spec.sandboxTemplateRef.name,
        replicas: spec.replicas,
        updateStrategy: spec.updateStrategy?.type ?? 'OnReplenish',
      });
      return { kind: item.kind, name: item.name, action, notes: [] };
    }
    if (item.kind === 'Sandbox') {
      return await applySandbox(controller, item);
    }
    const spec = item.object.spec as unknown as ClaimObjectSpec;
    const { action, claim } = await controller.claimObjects.apply({
      name: item.name,
      tenant: item.namespace,
      spec,
    });
    const record = claim.sandboxId === null ? undefined : controller.record(claim.sandboxId);
    return {
      kind: item.kind,
      name: item.name,
      action,
      notes: claimNotes(spec),
      ...(record === undefined ? {} : { sandbox: { id: record.id, warm: record.warm } }),
    };
  } catch (error) {
    if (!isSandstackError(error)) {
      throw error;
    }
    // Name the object that failed; the ones before it stay applied.
    throw new SandstackError(
      error.code,
      `${context.source} (document ${item.index}, ${item.kind} "${item.name}"): ${error.message}. Objects before it were applied`,
      {
        cause: error,
        retryable: error.retryable,
        ...(error.details === undefined ? {} : { details: error.details }),
      },
    );
  }
}

function mapTemplates(
  objects: ManifestObject[],
  source: string,
  options: { checkHostPaths: boolean },
): { templates: Map<string, MappedTemplate>; problems: ManifestProblem[] } {
  const templates = new Map<string, MappedTemplate>();
  const problems: ManifestProblem[] = [];
  for (const item of objects.filter((object) => object.kind === 'SandboxTemplate')) {
    const mapped = toTemplateInput(item.object as unknown as SandboxTemplateObject, options);
    // A bare snapshot name means the snapshot of the object's namespace, as names are
    // unique per tenant only.
    const snapshot = mapped.input.snapshot;
    if (snapshot !== undefined && !snapshot.includes('/')) {
      mapped.input.snapshot = `${item.namespace}/${snapshot}`;
    }
    problems.push(
      ...mapped.problems.map((problem) => problemOf(item, source, problem.path, problem.message)),
    );
    try {
      const template = resolveTemplate(mapped.input);
      if (mapped.problems.length === 0 && options.checkHostPaths) {
        checkRootfs(template, template.runtime);
      }
    } catch (error) {
      problems.push(problemOf(item, source, [], (error as Error).message));
    }
    templates.set(item.name, mapped);
  }
  return { templates, problems };
}

/** Checks names, pool sizes, and references to templates and pools, before any change. */
function checkReferences(
  controller: SandboxController,
  objects: ManifestObject[],
  context: { source: string; templates: Map<string, MappedTemplate>; ownNamespace?: string },
): ManifestProblem[] {
  const problems: ManifestProblem[] = [];
  const seen = new Map<string, ManifestObject>();
  const poolTemplates = new Map<string, string>();
  for (const item of objects) {
    const key = `${item.kind}/${item.name}`;
    const first = seen.get(key);
    if (first !== undefined) {
      problems.push(
        problemOf(
          item,
          context.source,
          ['metadata', 'name'],
          `duplicate of document ${first.index}; give each object its own name`,
        ),
      );
    }
    seen.set(key, item);
    if (item.kind === 'SandboxWarmPool') {
      const spec = item.object.spec as unknown as SpecOfPool;
      poolTemplates.set(item.name, spec.sandboxTemplateRef.name);
      const templateName = spec.sandboxTemplateRef.name;
      const known = controller.listTemplates().some((template) => template.name === templateName);
      if (!context.templates.has(templateName) && !known) {
        problems.push(
          problemOf(
            item,
            context.source,
            ['spec', 'sandboxTemplateRef', 'name'],
            `SandboxTemplate "${spec.sandboxTemplateRef.name}" not found (reason TemplateNotFound); apply it first or fix the name`,
          ),
        );
      }
      if (spec.replicas > MAX_POOL_REPLICAS) {
        problems.push(
          problemOf(
            item,
            context.source,
            ['spec', 'replicas'],
            `${spec.replicas} is over the local limit of ${MAX_POOL_REPLICAS} sandboxes per pool; lower it`,
          ),
        );
      }
    }
    if (item.kind === 'SandboxClaim') {
      problems.push(...checkClaim(controller, item, { ...context, poolTemplates }));
    }
    // A tenant's Sandbox in another namespace is rejected by the caller's access check, and
    // looking it up here would tell whether that tenant has such a sandbox.
    const foreign = context.ownNamespace !== undefined && item.namespace !== context.ownNamespace;
    if (item.kind === 'Sandbox' && !foreign) {
      problems.push(...checkSandbox(controller, item, context.source));
    }
  }
  return problems;
}

function checkClaim(
  controller: SandboxController,
  item: ManifestObject,
  context: {
    source: string;
    templates: Map<string, MappedTemplate>;
    poolTemplates: Map<string, string>;
  },
): ManifestProblem[] {
  const spec = item.object.spec as unknown as ClaimObjectSpec;
  const poolName = spec.warmPoolRef.name;
  const stored = controller.listPools().find((pool) => pool.name === poolName);
  const templateName = context.poolTemplates.get(poolName) ?? stored?.template;
  if (templateName === undefined) {
    return [
      problemOf(
        item,
        context.source,
        ['spec', 'warmPoolRef', 'name'],
        `SandboxWarmPool "${poolName}" not found (reason WarmPoolNotFound); apply it first or fix the name`,
      ),
    ];
  }
  const template = templateOf(controller, context.templates, templateName);
  const env = Object.fromEntries((spec.env ?? []).map((entry) => [entry.name, entry.value]));
  if (template === undefined || controller.claimObjects.exists(item.name)) {
    return [];
  }
  try {
    applyClaimEnv(template, env);
    return [];
  } catch (error) {
    return [problemOf(item, context.source, ['spec', 'env'], (error as Error).message)];
  }
}

/** Returns the resolved template of that name, from the file or the controller. */
function templateOf(
  controller: SandboxController,
  templates: Map<string, MappedTemplate>,
  name: string,
): SandboxTemplate | undefined {
  const mapped = templates.get(name);
  if (mapped !== undefined) {
    try {
      return resolveTemplate(mapped.input);
    } catch {
      // Reported with the template's own document.
      return undefined;
    }
  }
  return controller.listTemplates().find((template) => template.name === name);
}

/**
 * Suspends or resumes a claimed sandbox to match the object's `spec.operatingMode`. The
 * object's name is the sandbox id and its namespace the tenant; the rest of its spec is not
 * read, because the sandbox keeps the template it was started from.
 */
async function applySandbox(
  controller: SandboxController,
  item: ManifestObject,
): Promise<AppliedObject> {
  const wanted = (item.object.spec as { operatingMode?: OperatingMode }).operatingMode ?? 'Running';
  const notes = [
    'only spec.operatingMode is applied; the sandbox keeps the template it was started from',
  ];
  const current = controller.record(item.name)?.operatingMode;
  if (current === wanted) {
    return { kind: item.kind, name: item.name, action: 'unchanged', notes };
  }
  const record =
    wanted === 'Suspended'
      ? await controller.suspend(item.name)
      : await controller.resume(item.name);
  return {
    kind: item.kind,
    name: item.name,
    action: 'configured',
    notes,
    sandbox: { id: record.id, warm: record.warm },
  };
}

/** A Sandbox object must name a claimed sandbox of its namespace (the tenant). */
function checkSandbox(
  controller: SandboxController,
  item: ManifestObject,
  source: string,
): ManifestProblem[] {
  const record = controller.record(item.name);
  if (record?.state === 'claimed' && record.tenant === item.namespace) {
    return [];
  }
  return [
    problemOf(
      item,
      source,
      ['metadata', 'name'],
      `no claimed sandbox "${item.name}" in namespace "${item.namespace}"; local Sandbox objects come from claims, so use the id of a claimed sandbox ("sandstack sandbox list", or GET /v1/sandboxes over HTTP) and its tenant as the namespace`,
    ),
  ];
}

function claimNotes(spec: ClaimObjectSpec): string[] {
  const ignored = ['additionalPodMetadata', 'volumeClaimTemplates', 'safeToEvict'].filter(
    (key) => (spec as unknown as Record<string, unknown>)[key] !== undefined,
  );
  return ignored.length === 0
    ? []
    : [`not honoured locally and ignored: ${ignored.map((key) => `spec.${key}`).join(', ')}`];
}

async function waitForPools(
  controller: SandboxController,
  names: string[],
  options: ApplyManifestsOptions,
): Promise<void> {
  const report = (): void =>
    options.onPoolProgress?.(controller.listPools().filter((pool) => names.includes(pool.name)));
  const timer = options.onPoolProgress === undefined ? undefined : setInterval(report, 200);
  try {
    for (const name of names) {
      await controller.waitUntilReady(name);
    }
  } finally {
    clearInterval(timer);
  }
}

function problemOf(
  item: ManifestObject,
  source: string,
  path: readonly string[],
  message: string,
): ManifestProblem {
  return {
    source,
    index: item.index,
    line: item.lineOf(path),
    object: `${item.kind} "${item.name}"`,
    path,
    message,
  };
}
