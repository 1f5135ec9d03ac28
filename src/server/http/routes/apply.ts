/**
 * `POST /v1/apply`: the HTTP form of `sandstack apply -f`. The body is the same YAML (or
 * JSON) of SandboxTemplate, SandboxWarmPool, SandboxClaim and Sandbox documents, checked
 * against the same schemas, and a bad document gets the same message naming its line and
 * field. Objects are tenant-scoped by `metadata.namespace`: a tenant token applies into its
 * own tenant only, and the admin token into any, or into the shared objects when the
 * namespace is left out.
 */
import { basename } from 'node:path';
import { createRoute, z } from '@hono/zod-openapi';
import { isSandstackError } from '../../../core/errors.js';
import { applyManifests, type AppliedObject } from '../../../sandbox/manifests/apply.js';
import { formatPath, type ManifestObject } from '../../../sandbox/manifests/parse.js';
import {
  ROOTFS_ANNOTATION,
  SNAPSHOT_ANNOTATION,
  toTemplateInput,
  type SandboxTemplateObject,
} from '../../../sandbox/manifests/template-object.js';
import { actorOf } from '../auth.js';
import { BEARER, createRouter, type ServerContext } from '../context.js';
import { CLIENT_ERRORS, ERROR_RESPONSES, HttpError, type FieldIssue } from '../errors.js';
import { checkCpuQuota, reserveSandboxClaim } from '../limits.js';
import { sandboxOwners, type OwnedKind, type Viewer } from '../sandbox-owners.js';
import { jsonContent } from '../schemas.js';
import { viewerOf } from './pools.js';
import { checkTemplatePolicy } from '../tenant-templates.js';
import { parseSnapshotRef } from '../../../sandbox/controller-snapshots.js';
import { DEFAULT_TEMPLATE } from '../../../sandbox/templates.js';
import type { RuntimeName, SandboxTemplate } from '../../../sandbox/types.js';

const AppliedSchema = z
  .object({
    kind: z.enum(['SandboxTemplate', 'SandboxWarmPool', 'SandboxClaim', 'Sandbox']),
    name: z.string(),
    action: z.enum(['created', 'configured', 'unchanged']),
    notes: z.array(z.string()).openapi({ description: 'Fields not honoured here, as sentences' }),
    sandbox: z.object({ id: z.string(), warm: z.boolean() }).optional(),
  })
  .openapi('AppliedObject');

const MANIFEST_TEXT = z.string().openapi({
  description: 'YAML documents separated by `---`, or a `List`',
  example: 'apiVersion: extensions.agents.x-k8s.io/v1beta1\nkind: SandboxTemplate\n…',
});

export const applyRoute = createRoute({
  tags: ['sandboxes'],
  security: BEARER,
  method: 'post',
  path: '/',
  summary: 'Create or update templates, pools and claims from agent-sandbox manifests',
  description:
    'Every document is validated, and every reference checked, before anything changes. Pools are filled before the response is sent.',
  request: {
    query: z.object({
      filename: z
        .string()
        .max(255, { error: 'filename is over 255 characters' })
        .optional()
        .openapi({ description: 'Name of the manifest in error messages', example: 'pools.yaml' }),
    }),
    body: {
      required: true,
      content: {
        'application/yaml': { schema: MANIFEST_TEXT },
        'application/json': { schema: z.unknown() },
      },
    },
  },
  responses: {
    200: jsonContent(z.object({ applied: z.array(AppliedSchema) }), 'What each object became'),
    429: ERROR_RESPONSES[429],
    ...CLIENT_ERRORS,
  },
});

/** Applies of one server, run one after another so owners and quota checks do not race. */
const applyQueues = new WeakMap<ServerContext, Promise<unknown>>();

/** Routes under `/v1/apply`, for both kinds of token. */
export function applyRoutes(server: ServerContext): ReturnType<typeof createRouter> {
  const router = createRouter();
  router.openapi(applyRoute, async (c) => {
    const viewer = viewerOf(c);
    const given = c.req.valid('query').filename;
    const source = given === undefined || given === '' ? 'request body' : basename(given);
    const text = await c.req.text();
    const previous = applyQueues.get(server) ?? Promise.resolve();
    const run = previous
      .catch(() => undefined)
      .then(() => applyAs(server, { viewer, source, text }));
    applyQueues.set(server, run);
    const applied = await run;
    server.tenants.audit({
      actor: actorOf(c),
      tenant: viewer,
      action: 'sandbox.apply',
      target: source,
      detail: { objects: applied.map((item) => `${item.kind}/${item.name} ${item.action}`) },
    });
    return c.json({ applied }, 200);
  });
  return router;
}

interface ApplyRequest {
  viewer: Viewer;
  source: string;
  text: string;
}

async function applyAs(server: ServerContext, request: ApplyRequest): Promise<AppliedObject[]> {
  const { controller } = server.stack;
  const owners = sandboxOwners(server.stack.db);
  const intended = new Map<string, { kind: OwnedKind; name: string; owner: string | null }>();
  const claimTenants: string[] = [];
  const releases: (() => void)[] = [];
  let validated = false;
  const autoRuntime = request.viewer === null ? NO_AUTO_RUNTIME : await autoRuntimes(server);
  try {
    return await applyManifests(controller, request.text, {
      source: request.source,
      ...(request.viewer === null
        ? {}
        : { defaultNamespace: request.viewer, checkHostPaths: false }),
      checkObject: (item) => {
        const problems = checkAccess(server, item, { viewer: request.viewer, autoRuntime });
        if (item.kind === 'SandboxTemplate' || item.kind === 'SandboxWarmPool') {
          const explicit = typeof item.object.metadata.namespace === 'string';
          const owner = explicit || request.viewer !== null ? item.namespace : undefined;
          if (owner !== undefined) {
            intended.set(`${item.kind}/${item.name}`, { kind: item.kind, name: item.name, owner });
          }
        }
        if (item.kind === 'SandboxClaim' && !controller.claimObjects.exists(item.name)) {
          claimTenants.push(item.namespace);
        }
        return problems;
      },
      beforeApply: async () => {
        validated = true;
        for (const tenant of claimTenants) {
          await checkCpuQuota(server, tenant);
          releases.push(await reserveSandboxClaim(server, tenant));
        }
      },
    });
  } catch (error) {
    throw withIssues(error);
  } finally {
    for (const release of releases) {
      release();
    }
    // Objects applied before a failure keep their owner too.
    for (const { kind, name, owner } of validated ? intended.values() : []) {
      if (exists(server, kind, name)) {
        owners.set(kind, name, owner);
      }
    }
  }
}

/** The runtime a template without one gets on this server, without and with egress. */
type AutoRuntime = Parameters<typeof checkTemplatePolicy>[2];

const NO_AUTO_RUNTIME: AutoRuntime = { withoutEgress: undefined, withEgress: undefined };

/**
 * Resolves the runtime that `auto` picks here. It can change later (runsc stops working),
 * so the stack checks each start of a tenant's sandbox against the policy again.
 */
async function autoRuntimes(server: ServerContext): Promise<AutoRuntime> {
  const resolve = async (network: SandboxTemplate['network']): Promise<RuntimeName | undefined> => {
    // No stored template has this name (it is not a valid one), so no owner's check applies.
    const template: SandboxTemplate = { ...DEFAULT_TEMPLATE, name: '(auto runtime)', network };
    try {
      return (await server.stack.controller.runtimeFor(template)).name;
    } catch (error) {
      if (isSandstackError(error) && error.code === 'RUNTIME_UNAVAILABLE') {
        return undefined;
      }
      throw error;
    }
  };
  return {
    withoutEgress: await resolve({ egress: 'none' }),
    // Only whether egress is on changes the runtime, so the domain is a placeholder.
    withEgress: await resolve({ egress: 'proxy', allow: ['example.com'] }),
  };
}

function exists(server: ServerContext, kind: OwnedKind, name: string): boolean {
  const { controller } = server.stack;
  return kind === 'SandboxTemplate'
    ? controller.listTemplates().some((template) => template.name === name)
    : controller.listPools().some((pool) => pool.name === name);
}

/**
 * Checks that the caller may apply the object: a tenant only into its own namespace and
 * never over a shared object or another tenant's, and every template or pool it names is
 * visible to the object's tenant.
 */
function checkAccess(
  server: ServerContext,
  item: ManifestObject,
  caller: { viewer: Viewer; autoRuntime: AutoRuntime },
): { path: string[]; message: string }[] {
  const { viewer } = caller;
  if (viewer !== null && item.namespace !== viewer) {
    return [
      {
        path: ['metadata', 'namespace'],
        message: `"${item.namespace}" is another tenant; use your tenant "${viewer}" or leave the namespace out`,
      },
    ];
  }
  const owners = sandboxOwners(server.stack.db);
  const explicit = typeof item.object.metadata.namespace === 'string';
  const tenant = viewer ?? (explicit ? item.namespace : null);
  const problems: { path: string[]; message: string }[] = [];
  if (
    (item.kind === 'SandboxTemplate' || item.kind === 'SandboxWarmPool') &&
    exists(server, item.kind, item.name) &&
    viewer !== null
  ) {
    const owner = owners.ownerOf(item.kind, item.name);
    if (owner !== viewer) {
      problems.push({
        path: ['metadata', 'name'],
        message:
          owner === null
            ? `${item.kind} "${item.name}" is shared by every tenant and only the admin token may change it; choose another name`
            : `${item.kind} "${item.name}" belongs to another tenant; choose another name`,
      });
    }
  }

  problems.push(...checkAdminOverwrite(server, item, viewer));
  if (item.kind === 'SandboxClaim') {
    problems.push(...checkClaimName(server, item, viewer));
  }
  if (item.kind === 'SandboxTemplate' && tenant !== null) {
    problems.push(...checkTenantTemplate(server, item, tenant, viewer !== null));
  }
  if (item.kind === 'SandboxTemplate' && tenant === null) {
    problems.push(...checkSharedTemplateSnapshot(server, item));
  }
  if (item.kind === 'SandboxTemplate' && viewer !== null) {
    const object = item.object as unknown as SandboxTemplateObject;
    const { input } = toTemplateInput(object, { checkHostPaths: false });
    const runtimeClassName = object.spec.podTemplate.spec.runtimeClassName;
    problems.push(
      ...checkTemplatePolicy(
        input,
        server.tenantTemplates,
        caller.autoRuntime,
        runtimeClassName === undefined ? undefined : String(runtimeClassName),
      ),
    );
  }
  if (item.kind === 'SandboxWarmPool' && viewer !== null) {
    problems.push(...checkTenantPoolSize(server, item, viewer));
  }
  const spec = item.object.spec as {
    sandboxTemplateRef?: { name?: string };
    warmPoolRef?: { name?: string };
  };
  const templateRef = item.kind === 'SandboxWarmPool' ? spec.sandboxTemplateRef?.name : undefined;
  if (templateRef !== undefined && !visibleTo(server, 'SandboxTemplate', templateRef, tenant)) {
    problems.push({
      path: ['spec', 'sandboxTemplateRef', 'name'],
      message: `SandboxTemplate "${templateRef}" not found (reason TemplateNotFound); apply it first or fix the name`,
    });
  }
  const templateOwner =
    templateRef === undefined ? null : owners.ownerOf('SandboxTemplate', templateRef);
  if (tenant === null && templateRef !== undefined && templateOwner !== null) {
    // A shared pool serves every tenant, so its template must not be one a tenant can change.
    problems.push({
      path: ['spec', 'sandboxTemplateRef', 'name'],
      message: `SandboxTemplate "${templateRef}" belongs to tenant "${templateOwner}", and a shared pool may use shared templates only; apply the pool into that tenant's namespace or use a shared template`,
    });
  }
  const poolRef = item.kind === 'SandboxClaim' ? spec.warmPoolRef?.name : undefined;
  if (poolRef !== undefined && !visibleTo(server, 'SandboxWarmPool', poolRef, item.namespace)) {
    problems.push({
      path: ['spec', 'warmPoolRef', 'name'],
      message: `SandboxWarmPool "${poolRef}" not found (reason WarmPoolNotFound); apply it first or fix the name`,
    });
  }
  return problems;
}

/**
 * Rejects an admin apply without a namespace over a tenant's template or pool, which would
 * otherwise change the tenant's object while the admin meant a shared one.
 */
function checkAdminOverwrite(
  server: ServerContext,
  item: ManifestObject,
  viewer: Viewer,
): { path: string[]; message: string }[] {
  const explicit = typeof item.object.metadata.namespace === 'string';
  if (viewer !== null || explicit) {
    return [];
  }
  if (item.kind !== 'SandboxTemplate' && item.kind !== 'SandboxWarmPool') {
    return [];
  }
  const owner = sandboxOwners(server.stack.db).ownerOf(item.kind, item.name);
  if (owner === null || !exists(server, item.kind, item.name)) {
    return [];
  }
  return [
    {
      path: ['metadata', 'name'],
      message: `${item.kind} "${item.name}" belongs to tenant "${owner}"; set metadata.namespace: ${owner} to change it, or choose another name for a shared one`,
    },
  ];
}

/** Rejects a claim name that another tenant's claim has, since claim names are global. */
function checkClaimName(
  server: ServerContext,
  item: ManifestObject,
  viewer: Viewer,
): { path: string[]; message: string }[] {
  const stored = server.stack.controller.claimObjects
    .list()
    .find((claim) => claim.name === item.name);
  if (stored === undefined || stored.tenant === item.namespace) {
    return [];
  }
  const owner = viewer === null ? `tenant "${stored.tenant}"` : 'another tenant';
  return [
    {
      path: ['metadata', 'name'],
      message: `SandboxClaim "${item.name}" belongs to ${owner}; choose another name`,
    },
  ];
}

/**
 * Checks that the snapshot a shared template names exists: a bare name is a snapshot taken
 * outside any tenant, and `tenant/name` one of that tenant's. Without the check every claim
 * of the template would fail instead of the apply.
 */
function checkSharedTemplateSnapshot(
  server: ServerContext,
  item: ManifestObject,
): { path: string[]; message: string }[] {
  const annotations = (item.object.metadata.annotations ?? {}) as Record<string, string>;
  const snapshot = annotations[SNAPSHOT_ANNOTATION];
  if (snapshot === undefined) {
    return [];
  }
  const ref = parseSnapshotRef(snapshot);
  const found = server.stack.controller
    .listSnapshots()
    .some((record) => record.name === ref.name && record.tenant === (ref.tenant ?? null));
  return found
    ? []
    : [
        {
          path: ['metadata', 'annotations', SNAPSHOT_ANNOTATION],
          message: `Snapshot "${snapshot}" not found; a shared template names a snapshot as "tenant/name", or by its bare name when it belongs to no tenant (list them with "sandstack sandbox snapshots")`,
        },
      ];
}

/**
 * Checks a template that a tenant owns: its snapshot must be one of the tenant's own. When a
 * tenant token applies it, it may not name a host folder as root filesystem, nor ask for
 * more CPU, memory, disk, tasks, lifetime, command timeout or kept output than the server's
 * `default` template gives. The admin grants more by changing `default` or applying the
 * template. The runtime and egress domains are checked against `tenantTemplates` by
 * {@link checkTemplatePolicy}.
 */
function checkTenantTemplate(
  server: ServerContext,
  item: ManifestObject,
  tenant: string,
  byTenantToken: boolean,
): { path: string[]; message: string }[] {
  const problems: { path: string[]; message: string }[] = [];
  const annotations = (item.object.metadata.annotations ?? {}) as Record<string, string>;
  const snapshot = annotations[SNAPSHOT_ANNOTATION];
  if (snapshot !== undefined) {
    const ref = parseSnapshotRef(snapshot);
    const owned =
      (ref.tenant === undefined || ref.tenant === tenant) &&
      server.stack.controller.listSnapshots({ tenant }).some((record) => record.name === ref.name);
    if (!owned) {
      problems.push({
        path: ['metadata', 'annotations', SNAPSHOT_ANNOTATION],
        message: `Snapshot "${snapshot}" not found; list the tenant's snapshots with GET /v1/sandboxes/snapshots`,
      });
    }
  }
  if (!byTenantToken) {
    return problems;
  }
  const object = item.object as unknown as SandboxTemplateObject;
  const mapped = toTemplateInput(object, { checkHostPaths: false });
  if (mapped.input.rootfs?.kind === 'directory') {
    const byAnnotation = object.metadata.annotations?.[ROOTFS_ANNOTATION] !== undefined;
    problems.push({
      path: byAnnotation
        ? ['metadata', 'annotations', ROOTFS_ANNOTATION]
        : ['spec', 'podTemplate', 'spec', 'containers', '0', 'image'],
      message: `A tenant's template cannot use host folder "${mapped.input.rootfs.path}" as root filesystem; leave the image and ${ROOTFS_ANNOTATION} unset for the host's read-only root, or ask the admin to apply the template`,
    });
  }
  problems.push(...overCeiling(server, mapped.input));
  return problems;
}

/** Compares a tenant template's limits with those of the server's `default` template. */
function overCeiling(
  server: ServerContext,
  input: ReturnType<typeof toTemplateInput>['input'],
): { path: string[]; message: string }[] {
  const ceiling = server.stack.controller.getTemplate('default');
  const container = ['spec', 'podTemplate', 'spec', 'containers', '0', 'resources', 'limits'];
  const checks: [string[], string, number | undefined, number][] = [
    [[...container, 'cpu'], 'cpu', input.resources?.cpu, ceiling.resources.cpu],
    [
      [...container, 'memory'],
      'memory bytes',
      input.resources?.memoryBytes,
      ceiling.resources.memoryBytes,
    ],
    [
      [...container, 'ephemeral-storage'],
      'disk bytes',
      input.resources?.diskBytes,
      ceiling.resources.diskBytes,
    ],
    [
      ['metadata', 'annotations', 'sandstack.dev/pids'],
      'tasks',
      input.resources?.pids,
      ceiling.resources.pids,
    ],
    [
      ['spec', 'podTemplate', 'spec', 'activeDeadlineSeconds'],
      'lifetime seconds',
      input.lifetimeSeconds,
      ceiling.lifetimeSeconds,
    ],
    [
      ['metadata', 'annotations', 'sandstack.dev/command-timeout-ms'],
      'command timeout ms',
      input.commandTimeoutMs,
      ceiling.commandTimeoutMs,
    ],
    // The server keeps each command's output in memory, so these limits also bound its memory.
    [
      ['metadata', 'annotations', 'sandstack.dev/max-output-bytes'],
      'output bytes',
      input.maxOutputBytes,
      ceiling.maxOutputBytes,
    ],
    [
      ['metadata', 'annotations', 'sandstack.dev/max-stdout-bytes'],
      'stdout bytes',
      input.maxStdoutBytes,
      ceiling.maxStdoutBytes ?? ceiling.maxOutputBytes,
    ],
    [
      ['metadata', 'annotations', 'sandstack.dev/max-stderr-bytes'],
      'stderr bytes',
      input.maxStderrBytes,
      ceiling.maxStderrBytes ?? ceiling.maxOutputBytes,
    ],
  ];
  return checks
    .filter(([, , value, max]) => value !== undefined && value > max)
    .map(([path, what, value, max]) => ({
      path,
      message: `${String(value)} ${what} is over the ${max} that the server's default template allows a tenant's template; lower it, or ask the admin`,
    }));
}

/**
 * Bounds the ready sandboxes a tenant's pools keep, all pools together, by the tenant's
 * sandbox quota: ready sandboxes use the host as claimed ones do.
 */
function checkTenantPoolSize(
  server: ServerContext,
  item: ManifestObject,
  tenant: string,
): { path: string[]; message: string }[] {
  const replicas = (item.object.spec as { replicas?: number }).replicas ?? 0;
  const owners = sandboxOwners(server.stack.db);
  const others = server.stack.controller
    .listPools()
    .filter(
      (pool) => pool.name !== item.name && owners.ownerOf('SandboxWarmPool', pool.name) === tenant,
    )
    .reduce((sum, pool) => sum + pool.replicas, 0);
  const max = server.limits.maxSandboxes;
  if (others + replicas <= max) {
    return [];
  }
  return [
    {
      path: ['spec', 'replicas'],
      message: `${replicas} replicas with the ${others} of the tenant's other pools are over its sandbox quota of ${max}; lower replicas, or ask the admin to raise --max-sandboxes-per-tenant`,
    },
  ];
}

/** Whether an object that exists is visible to a tenant; objects not stored yet pass. */
function visibleTo(
  server: ServerContext,
  kind: OwnedKind,
  name: string,
  tenant: string | null,
): boolean {
  const owner = sandboxOwners(server.stack.db).ownerOf(kind, name);
  return owner === null || tenant === null || owner === tenant;
}

/** Gives a manifest error the `issues` list of a validation failure, one per problem. */
function withIssues(error: unknown): unknown {
  if (!isSandstackError(error) || error.code !== 'INVALID_CONFIG') {
    return error;
  }
  const problems = (error.details?.['problems'] ?? []) as {
    index: number;
    line: number | undefined;
    path: readonly string[];
    message: string;
  }[];
  if (problems.length === 0) {
    return error;
  }
  const issues: FieldIssue[] = problems.map((problem) => ({
    field: `body[${problem.index - 1}]${problem.path.length === 0 ? '' : `.${formatPath(problem.path)}`}`,
    message: `${problem.line === undefined ? '' : `line ${problem.line}: `}${problem.message}`,
  }));
  return new HttpError(400, 'INVALID_CONFIG', error.message, undefined, issues);
}
