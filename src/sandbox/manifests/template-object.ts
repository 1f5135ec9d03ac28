import { existsSync, statSync } from 'node:fs';
import { posix } from 'node:path';
import { resourceProblem, type TemplateInput } from '../templates.js';
import type { EnvVarsInjectionPolicy, ResourceLimits, RootfsSpec, RuntimeName } from '../types.js';
import { parseQuantity } from './quantity.js';
import type { FieldProblem } from './schemas.js';

/** Annotation that picks the root filesystem: `host`, or an absolute directory path. */
export const ROOTFS_ANNOTATION = 'sandstack.dev/rootfs';

/** Annotation that allows egress through the proxy to a comma-separated list of domains. */
export const EGRESS_ANNOTATION = 'sandstack.dev/egress-allow';

/**
 * Annotation that names a snapshot (from `sandstack sandbox snapshot`) that new sandboxes
 * of the template restore instead of starting cold. Upstream's SandboxTemplate has no field
 * for this, so it is a sandstack annotation. gVisor only.
 */
export const SNAPSHOT_ANNOTATION = 'sandstack.dev/snapshot';

/** Annotations for template settings that a pod spec has no field for. */
const NUMBER_ANNOTATIONS = {
  'sandstack.dev/pids': 'pids',
  'sandstack.dev/command-timeout-ms': 'commandTimeoutMs',
  'sandstack.dev/max-output-bytes': 'maxOutputBytes',
  'sandstack.dev/max-stdout-bytes': 'maxStdoutBytes',
  'sandstack.dev/max-stderr-bytes': 'maxStderrBytes',
} as const;

/** Container fields the local mapping reads; `command` and `args` are read to explain them. */
const READ_CONTAINER_FIELDS = new Set([
  'name',
  'image',
  'command',
  'args',
  'env',
  'workingDir',
  'resources',
]);

/** Pod spec fields the local mapping reads. */
const READ_POD_FIELDS = new Set(['containers', 'runtimeClassName', 'activeDeadlineSeconds']);

/** A SandboxTemplate object after schema validation (defaults applied). */
export interface SandboxTemplateObject {
  metadata: { name: string; annotations?: Record<string, string> };
  spec: {
    podTemplate: { spec: Record<string, unknown> & { containers: Record<string, unknown>[] } };
    envVarsInjectionPolicy?: EnvVarsInjectionPolicy;
    networkPolicy?: { egress?: unknown[]; ingress?: unknown[] };
    volumeClaimTemplates?: unknown[];
    service?: boolean;
  };
}

/** A template mapped from a manifest, with notes on what is not honoured locally. */
export interface MappedTemplate {
  input: TemplateInput;
  /** Fields that have no local meaning, each a sentence for the user. */
  notes: string[];
  /** Fields whose values cannot work locally. */
  problems: FieldProblem[];
}

const CONTAINER_PATH = ['spec', 'podTemplate', 'spec', 'containers', '0'];

/**
 * Maps a SandboxTemplate to a local template: the first container's image (see
 * {@link ROOTFS_ANNOTATION}), env, workingDir and resource limits, and the pod's
 * runtimeClassName and activeDeadlineSeconds.
 */
export function toTemplateInput(
  object: SandboxTemplateObject,
  options: { checkHostPaths?: boolean } = {},
): MappedTemplate {
  const notes: string[] = [];
  const problems: FieldProblem[] = [];
  const podSpec = object.spec.podTemplate.spec;
  if (podSpec.containers.length === 0) {
    // Kubernetes rejects a pod without containers, so the same file would fail on a cluster.
    problems.push({
      path: ['spec', 'podTemplate', 'spec', 'containers'],
      message:
        'must list at least one container (the sandbox takes its image, env and limits from the first)',
    });
  }
  const container = podSpec.containers[0] ?? {};
  const annotations = object.metadata.annotations ?? {};

  const input: TemplateInput = {
    name: object.metadata.name,
    runtime: runtimeOf(podSpec.runtimeClassName, notes),
    rootfs: rootfsOf(container.image, annotations[ROOTFS_ANNOTATION], {
      notes,
      problems,
      checkHostPaths: options.checkHostPaths ?? true,
    }),
    env: envOf(container, problems),
    resources: resourcesOf(container, { notes, problems }),
  };
  if (typeof container.workingDir === 'string') {
    input.workdir = container.workingDir;
  }
  if (typeof podSpec.activeDeadlineSeconds === 'number') {
    input.lifetimeSeconds = podSpec.activeDeadlineSeconds;
  }
  if (object.spec.envVarsInjectionPolicy !== undefined) {
    input.envVarsInjectionPolicy = object.spec.envVarsInjectionPolicy;
  }
  applyNumberAnnotations(input, annotations, problems);
  const snapshot = annotations[SNAPSHOT_ANNOTATION];
  if (snapshot !== undefined) {
    input.snapshot = snapshot;
  }
  const egress = annotations[EGRESS_ANNOTATION];
  if (egress !== undefined) {
    const allow = egress
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '');
    input.network = { egress: 'proxy', allow };
  }
  notes.push(...ignoredFields(object));
  if (container.command !== undefined || container.args !== undefined) {
    notes.push(
      `spec.podTemplate.spec.containers[0].command and args are not run: a local sandbox's first process waits for commands from sandstack; run setup steps with "sandstack sandbox exec" (POST /v1/sandboxes/{id}/exec over HTTP)`,
    );
  }
  return { input, notes, problems };
}

function runtimeOf(runtimeClassName: unknown, notes: string[]): RuntimeName | 'auto' {
  if (runtimeClassName === undefined) {
    return 'auto';
  }
  const name = String(runtimeClassName);
  if (name === 'gvisor' || name === 'runsc') {
    return 'gvisor';
  }
  if (name === 'bubblewrap' || name === 'bwrap') {
    return 'bubblewrap';
  }
  notes.push(
    `runtimeClassName "${name}" has no local runtime, so sandboxes use gVisor where runsc works and bubblewrap elsewhere; use gvisor or runsc to require gVisor`,
  );
  return 'auto';
}

function rootfsOf(
  image: unknown,
  annotation: string | undefined,
  out: { notes: string[]; problems: FieldProblem[]; checkHostPaths: boolean },
): RootfsSpec {
  const chosen =
    annotation ?? (typeof image === 'string' && image.startsWith('/') ? image : undefined);
  if (chosen === undefined || chosen === 'host') {
    if (annotation === undefined && typeof image === 'string') {
      out.notes.push(
        `image "${image}" is not pulled locally, so sandboxes use the host's root filesystem read-only; set the annotation ${ROOTFS_ANNOTATION} to a directory that holds the image's root filesystem to run it`,
      );
    }
    return { kind: 'host' };
  }
  const path =
    annotation === undefined
      ? [...CONTAINER_PATH, 'image']
      : ['metadata', 'annotations', ROOTFS_ANNOTATION];
  if (!posix.isAbsolute(chosen)) {
    out.problems.push({
      path,
      message: `invalid rootfs "${chosen}"; use "host" or an absolute directory path`,
    });
  } else if (out.checkHostPaths && (!existsSync(chosen) || !statSync(chosen).isDirectory())) {
    out.problems.push({
      path,
      message: `rootfs directory "${chosen}" not found on this host; create it (for example with debootstrap) or use "host"`,
    });
  }
  return { kind: 'directory', path: chosen };
}

function envOf(
  container: Record<string, unknown>,
  problems: FieldProblem[],
): Record<string, string> {
  const env: Record<string, string> = {};
  const items = (container.env ?? []) as { name: string; value?: string; valueFrom?: unknown }[];
  items.forEach((item, index) => {
    if (item.valueFrom !== undefined) {
      problems.push({
        path: [...CONTAINER_PATH, 'env', String(index), 'valueFrom'],
        message: `valueFrom of "${item.name}" needs a cluster (secrets, config maps, field references); give a literal value`,
      });
      return;
    }
    env[item.name] = item.value ?? '';
  });
  if (container.envFrom !== undefined) {
    problems.push({
      path: [...CONTAINER_PATH, 'envFrom'],
      message:
        'envFrom needs a cluster (secrets, config maps); list the variables under env with literal values',
    });
  }
  return env;
}

function resourcesOf(
  container: Record<string, unknown>,
  out: { notes: string[]; problems: FieldProblem[] },
): Partial<ResourceLimits> {
  const limits = ((container.resources as { limits?: Record<string, string | number> } | undefined)
    ?.limits ?? {}) as Record<string, string | number>;
  const resources: Partial<ResourceLimits> = {};
  const fields = { cpu: 'cpu', memory: 'memoryBytes', 'ephemeral-storage': 'diskBytes' } as const;
  for (const [name, value] of Object.entries(limits)) {
    const field = fields[name as keyof typeof fields];
    if (field === undefined) {
      out.notes.push(`resource limit "${name}" has no local meaning and is ignored`);
      continue;
    }
    const path = [...CONTAINER_PATH, 'resources', 'limits', name];
    const amount = parseQuantity(value);
    if (amount === undefined) {
      out.problems.push({
        path,
        message: `invalid quantity ${quote(value)}; use a number with an optional suffix, such as 500m, 2, 512Mi or 1Gi`,
      });
      continue;
    }
    const problem = resourceProblem(field, amount);
    if (problem !== undefined) {
      out.problems.push({ path, message: `invalid quantity ${quote(value)}: it ${problem}` });
      continue;
    }
    resources[field] = amount;
  }
  return resources;
}

/** Quotes a YAML value for a message. Unlike JSON, it shows .inf and .nan as numbers. */
function quote(value: unknown): string {
  return typeof value === 'number' ? String(value) : JSON.stringify(value);
}

function applyNumberAnnotations(
  input: TemplateInput,
  annotations: Record<string, string>,
  problems: FieldProblem[],
): void {
  for (const [annotation, field] of Object.entries(NUMBER_ANNOTATIONS)) {
    const text = annotations[annotation];
    if (text === undefined) {
      continue;
    }
    const value = Number(text);
    const path = ['metadata', 'annotations', annotation];
    if (field === 'pids') {
      const problem = /^\s*$/.test(text) ? 'is empty' : resourceProblem('pids', value);
      if (problem !== undefined) {
        problems.push({ path, message: `invalid value ${JSON.stringify(text)}: it ${problem}` });
        continue;
      }
    } else if (!Number.isSafeInteger(value) || value <= 0) {
      problems.push({
        path,
        message: `invalid value ${JSON.stringify(text)}; use a positive whole number up to ${Number.MAX_SAFE_INTEGER}`,
      });
      continue;
    }
    if (field === 'pids') {
      input.resources = { ...input.resources, pids: value };
    } else {
      input[field] = value;
    }
  }
}

function ignoredFields(object: SandboxTemplateObject): string[] {
  const podSpec = object.spec.podTemplate.spec;
  const ignored: string[] = [];
  const podPath = 'spec.podTemplate.spec';
  for (const key of Object.keys(podSpec)) {
    if (!READ_POD_FIELDS.has(key)) {
      ignored.push(`${podPath}.${key}`);
    }
  }
  podSpec.containers.forEach((container, index) => {
    if (index > 0) {
      ignored.push(`${podPath}.containers[${index}]`);
      return;
    }
    for (const key of Object.keys(container)) {
      if (!READ_CONTAINER_FIELDS.has(key)) {
        ignored.push(`${podPath}.containers[0].${key}`);
      }
    }
  });
  const network = object.spec.networkPolicy;
  if (network !== undefined) {
    ignored.push(
      `spec.networkPolicy (local sandboxes have no network unless the ${EGRESS_ANNOTATION} annotation lists domains)`,
    );
  }
  for (const key of ['volumeClaimTemplates', 'service'] as const) {
    if (object.spec[key] !== undefined) {
      ignored.push(`spec.${key}`);
    }
  }
  return ignored.length === 0 ? [] : [`not honoured locally and ignored: ${ignored.join(', ')}`];
}
