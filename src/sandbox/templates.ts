import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { SandstackError } from '../core/errors.js';
import { isValidName } from '../core/ids.js';
import { MAX_OUTPUT_BYTES } from './process.js';
import { MAX_COMMAND_TIMEOUT_MS } from './timers.js';
import type { ResourceLimits, SandboxTemplate } from './types.js';

const MIB = 1024 * 1024;

/**
 * Task limit of the default template. Under gVisor's ptrace platform every sandboxed thread
 * is a host thread, so a process inside costs several host tasks. The gVisor driver adds a
 * reserve for the Sentry's own threads on top of this limit.
 */
export const DEFAULT_PIDS = 1024;

/** The built-in `default` template. */
export const DEFAULT_TEMPLATE: SandboxTemplate = {
  name: 'default',
  runtime: 'auto',
  rootfs: { kind: 'host' },
  resources: { cpu: 1, memoryBytes: 512 * MIB, pids: DEFAULT_PIDS, diskBytes: 1024 * MIB },
  network: { egress: 'none' },
  env: {},
  workdir: '/workspace',
  commandTimeoutMs: 60_000,
  maxOutputBytes: MIB,
  lifetimeSeconds: 3600,
};

/**
 * Allowed range of each resource limit, with the bounds as Kubernetes quantities for
 * messages. The maximums keep every value an exact integer in JavaScript, SQLite and the
 * cgroup files. The pids maximum is Linux's PID_MAX_LIMIT on 64-bit hosts (2^22). The 1 MiB
 * minimum of memory and disk only catches plain mistakes, such as MiB written as bytes.
 */
export const RESOURCE_RANGES = {
  cpu: { min: 0.001, max: 1024, minText: '1m', maxText: '1024', unit: 'cores' },
  memoryBytes: { min: MIB, max: 2 ** 50, minText: '1Mi', maxText: '1Pi', unit: 'bytes' },
  diskBytes: { min: MIB, max: 2 ** 50, minText: '1Mi', maxText: '1Pi', unit: 'bytes' },
  pids: { min: 1, max: 2 ** 22, minText: '1', maxText: '4194304', unit: 'tasks' },
} as const satisfies Record<keyof ResourceLimits, ResourceRange>;

/** Bounds of one resource limit. */
export interface ResourceRange {
  min: number;
  max: number;
  minText: string;
  maxText: string;
  unit: string;
}

/**
 * Checks one resource limit against {@link RESOURCE_RANGES}: in range, and a whole number
 * unless it is CPU.
 * @returns what is wrong with the value and how to fix it, or undefined when it is valid
 */
export function resourceProblem(field: keyof ResourceLimits, value: number): string | undefined {
  const range: ResourceRange = RESOURCE_RANGES[field];
  const allowed = `use ${range.minText} to ${range.maxText} ${range.unit}`;
  if (Number.isNaN(value)) {
    return `is not a number; ${allowed}`;
  }
  if (value < range.min) {
    return `is below the minimum; ${allowed}`;
  }
  if (value > range.max) {
    return `is over the maximum; ${allowed}`;
  }
  if (field !== 'cpu' && !Number.isInteger(value)) {
    const example = field === 'pids' ? '512' : '512Mi';
    return `is not a whole number of ${range.unit}; round it, such as to ${example}`;
  }
  return undefined;
}

/** A template as a caller writes it: a name, and any fields that differ from `default`. */
export type TemplateInput = Partial<Omit<SandboxTemplate, 'resources'>> & {
  name: string;
  resources?: Partial<ResourceLimits>;
};

/**
 * Fills a template's missing fields from the `default` template and validates the result.
 * @throws SandstackError `INVALID_CONFIG` naming the bad field and value
 */
export function resolveTemplate(input: TemplateInput): SandboxTemplate {
  const template: SandboxTemplate = {
    ...DEFAULT_TEMPLATE,
    ...input,
    resources: { ...DEFAULT_TEMPLATE.resources, ...input.resources },
    env: { ...input.env },
  };
  validateTemplate(template);
  return template;
}

function validateTemplate(template: SandboxTemplate): void {
  const fail = (field: string, value: unknown, fix: string): never => {
    throw new SandstackError(
      'INVALID_CONFIG',
      `Template "${template.name}" has an invalid ${field} ${quote(value)}; ${fix}`,
    );
  };
  if (!isValidName(template.name)) {
    fail('name', template.name, 'use 1-63 letters, digits, ".", "_" or "-"');
  }
  if (!['auto', 'gvisor', 'bubblewrap', 'kubernetes'].includes(template.runtime)) {
    fail('runtime', template.runtime, 'use auto, gvisor, bubblewrap or kubernetes');
  }
  if (template.rootfs.kind === 'directory' && !posix.isAbsolute(template.rootfs.path)) {
    fail('rootfs.path', template.rootfs.path, 'give an absolute host path');
  }
  if (!posix.isAbsolute(template.workdir) || template.workdir === '/') {
    fail('workdir', template.workdir, 'give an absolute path other than "/"');
  }
  for (const field of Object.keys(RESOURCE_RANGES) as (keyof ResourceLimits)[]) {
    const value = template.resources[field];
    const problem = typeof value === 'number' ? resourceProblem(field, value) : 'is not a number';
    if (problem !== undefined) {
      throw new SandstackError(
        'INVALID_CONFIG',
        `Template "${template.name}" has an invalid resources.${field} ${quote(value)}: it ${problem}`,
      );
    }
  }
  const positive: [string, number][] = [
    ['commandTimeoutMs', template.commandTimeoutMs],
    ['maxOutputBytes', template.maxOutputBytes],
    ['lifetimeSeconds', template.lifetimeSeconds],
  ];
  // The per-stream limits are optional and fall back to maxOutputBytes.
  for (const field of ['maxStdoutBytes', 'maxStderrBytes'] as const) {
    const value = template[field];
    if (value !== undefined) {
      positive.push([field, value]);
    }
  }
  for (const [field, value] of positive) {
    if (!Number.isFinite(value) || value <= 0) {
      fail(field, value, 'use a positive number');
    }
  }
  for (const [field, value] of positive) {
    if (field.startsWith('max') && value > MAX_OUTPUT_BYTES) {
      fail(field, value, `use at most ${MAX_OUTPUT_BYTES} bytes (64 MiB) per stream`);
    }
  }
  // Exec rejects a timeout past MAX_COMMAND_TIMEOUT_MS, so such a template is rejected when
  // it is created, not at each command.
  if (template.commandTimeoutMs > MAX_COMMAND_TIMEOUT_MS) {
    fail(
      'commandTimeoutMs',
      template.commandTimeoutMs,
      `use at most ${MAX_COMMAND_TIMEOUT_MS} ms (24 days)`,
    );
  }
  const policy = template.envVarsInjectionPolicy;
  if (policy !== undefined && !['Disallowed', 'Allowed', 'Overrides'].includes(policy)) {
    fail('envVarsInjectionPolicy', policy, 'use Disallowed, Allowed or Overrides');
  }
  validateSnapshot(template, fail);
  validateNetwork(template, fail);
}

/** Quotes a value for a message. Unlike JSON, it shows Infinity and NaN as themselves. */
function quote(value: unknown): string {
  return typeof value === 'number' ? String(value) : JSON.stringify(value);
}

function validateSnapshot(
  template: SandboxTemplate,
  fail: (field: string, value: unknown, fix: string) => never,
): void {
  if (template.snapshot === undefined) {
    return;
  }
  // A bare name, or "<tenant>/<name>" for a name that several tenants use.
  const parts = template.snapshot.split('/');
  if (parts.length > 2 || !parts.every((part) => isValidName(part))) {
    fail(
      'snapshot',
      template.snapshot,
      'use the name of a snapshot from "sandstack sandbox snapshots" (GET /v1/sandboxes/snapshots over HTTP), or <tenant>/<name>',
    );
  }
  if (template.runtime !== 'gvisor' && template.runtime !== 'auto') {
    fail(
      'runtime',
      template.runtime,
      'a template that starts from a snapshot needs runtime gvisor',
    );
  }
}

/** A domain name, or `*.` and a domain name for its subdomains. */
export const DOMAIN_PATTERN =
  /^(\*\.)?([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]*[a-z0-9])?$/i;

function validateNetwork(
  template: SandboxTemplate,
  fail: (field: string, value: unknown, fix: string) => never,
): void {
  const { network } = template;
  if (network.egress === 'none') {
    return;
  }
  if (network.egress !== 'proxy') {
    fail('network.egress', (network as { egress: unknown }).egress, 'use "none" or "proxy"');
  }
  if (!Array.isArray(network.allow) || network.allow.length === 0) {
    fail('network.allow', network.allow, 'list at least one domain name, such as "pypi.org"');
  }
  for (const entry of network.allow) {
    if (typeof entry !== 'string' || !DOMAIN_PATTERN.test(entry)) {
      fail(
        'network.allow entry',
        entry,
        'use a domain name such as "pypi.org" or "*.pythonhosted.org"',
      );
    }
  }
  if (template.runtime === 'kubernetes') {
    fail(
      'runtime',
      template.runtime,
      'egress through a proxy needs runtime gvisor or bubblewrap (or auto)',
    );
  }
}

/** Returns a short hash of a template's settings, to tell sandboxes of an older version apart. */
export function templateHash(template: SandboxTemplate): string {
  return createHash('sha256').update(canonicalJson(template)).digest('hex').slice(0, 16);
}

function compareKeys(a: string, b: string): number {
  if (a === b) {
    return 0;
  }
  return a < b ? -1 : 1;
}

/** JSON with object keys sorted, so equal templates hash equally whatever their key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(canonicalJson).join(',')}]`;
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => compareKeys(a, b));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
