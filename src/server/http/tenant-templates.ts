/**
 * The admin's policy for templates that tenants apply: which runtimes and which egress
 * domains a tenant's template may choose. Shared templates, which only the admin applies,
 * are not limited by it.
 */
import { SandstackError } from '../../core/errors.js';
import { DOMAIN_PATTERN, type TemplateInput } from '../../sandbox/templates.js';
import type { RuntimeName } from '../../sandbox/types.js';

/** Runtimes and egress domains a tenant's template may choose. */
export interface TenantTemplatePolicy {
  /**
   * Runtimes a tenant's template may use. bubblewrap runs commands as the server's own uid
   * (see the threat model), so it is left out by default.
   */
  allowedRuntimes: RuntimeName[];
  /**
   * Domains a tenant's template may allow egress to. `pypi.org` allows that domain only,
   * `*.example.com` allows every subdomain of example.com and patterns under it, and `*`
   * allows any domain. Empty: no egress.
   */
  allowedEgressDomains: string[];
}

/** Default policy: gVisor only, and no egress. */
export const DEFAULT_TENANT_TEMPLATE_POLICY: TenantTemplatePolicy = {
  allowedRuntimes: ['gvisor'],
  allowedEgressDomains: [],
};

/** Flags of `sandstack serve` that set the policy, for messages. */
export const POLICY_FLAGS = {
  allowedRuntimes: '--tenant-runtimes',
  allowedEgressDomains: '--tenant-egress-domains',
} as const;

const RUNTIMES: readonly RuntimeName[] = ['gvisor', 'bubblewrap', 'kubernetes'];

/**
 * Fills a policy's missing fields from the default and validates it.
 * @throws SandstackError `INVALID_CONFIG` naming the bad entry
 */
export function resolveTenantTemplatePolicy(
  policy: Partial<TenantTemplatePolicy> = {},
): TenantTemplatePolicy {
  const resolved = { ...DEFAULT_TENANT_TEMPLATE_POLICY, ...policy };
  for (const runtime of resolved.allowedRuntimes) {
    if (!RUNTIMES.includes(runtime)) {
      throw new SandstackError(
        'INVALID_CONFIG',
        `Invalid tenantTemplates.allowedRuntimes entry ${JSON.stringify(runtime)} (${POLICY_FLAGS.allowedRuntimes}); use ${RUNTIMES.join(', ')}`,
      );
    }
  }
  for (const domain of resolved.allowedEgressDomains) {
    if (domain !== '*' && !DOMAIN_PATTERN.test(domain)) {
      throw new SandstackError(
        'INVALID_CONFIG',
        `Invalid tenantTemplates.allowedEgressDomains entry ${JSON.stringify(domain)} (${POLICY_FLAGS.allowedEgressDomains}); use a domain name such as "pypi.org", "*.pythonhosted.org", or "*" for any domain`,
      );
    }
  }
  return {
    allowedRuntimes: [...resolved.allowedRuntimes],
    allowedEgressDomains: resolved.allowedEgressDomains.map((domain) => domain.toLowerCase()),
  };
}

/**
 * Returns whether a template's egress entry (a domain, or `*.` and a domain) is covered by
 * one of the allowed entries.
 */
export function egressDomainAllowed(entry: string, allowed: readonly string[]): boolean {
  const domain = entry.toLowerCase();
  return allowed.some((pattern) => {
    if (pattern === '*' || pattern === domain) {
      return true;
    }
    // `*.example.com` covers `a.example.com` and `*.a.example.com`, and also `*.example.com`
    // itself, which the equality above matched.
    return pattern.startsWith('*.') && domain.endsWith(pattern.slice(1));
  });
}

/** A problem with one field of a template, with the path of that field in the manifest. */
export interface PolicyProblem {
  path: string[];
  message: string;
}

/**
 * Checks a tenant's template against the policy. `autoRuntime` is the runtime that a
 * template without a runtime gets on this server (for templates without and with egress),
 * or undefined when no runtime works here.
 */
export function checkTemplatePolicy(
  input: TemplateInput,
  policy: TenantTemplatePolicy,
  autoRuntime: { withoutEgress: RuntimeName | undefined; withEgress: RuntimeName | undefined },
  runtimeClassName?: string,
): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  const egress = input.network?.egress === 'proxy' ? input.network.allow : [];
  const auto = egress.length > 0 ? autoRuntime.withEgress : autoRuntime.withoutEgress;
  const runtime = runtimeOf(input, auto, runtimeClassName);
  if (runtime !== undefined && !policy.allowedRuntimes.includes(runtime.name)) {
    problems.push({
      path: ['spec', 'podTemplate', 'spec', 'runtimeClassName'],
      message: `${runtime.described} is not allowed for a tenant's template; the server's tenantTemplates.allowedRuntimes is ${listOf(policy.allowedRuntimes)}. ${runtime.fix}, or ask the admin to add ${runtime.name} with ${POLICY_FLAGS.allowedRuntimes}`,
    });
  }
  for (const domain of egress) {
    if (!egressDomainAllowed(domain, policy.allowedEgressDomains)) {
      problems.push({
        path: ['metadata', 'annotations', 'sandstack.dev/egress-allow'],
        message: `Egress domain "${domain}" is not allowed for a tenant's template; the server's tenantTemplates.allowedEgressDomains is ${listOf(policy.allowedEgressDomains)}. Remove it, or ask the admin to add it with ${POLICY_FLAGS.allowedEgressDomains}`,
      });
    }
  }
  return problems;
}

/**
 * Returns the runtime a template's sandboxes get here, with how to describe and change it.
 * `runtimeClassName` is the class the manifest asked for, which the template keeps only as
 * its runtime, so a class with no local runtime (such as "kubernetes") reads as `auto`.
 */
function runtimeOf(
  input: TemplateInput,
  auto: RuntimeName | undefined,
  runtimeClassName: string | undefined,
): { name: RuntimeName; described: string; fix: string } | undefined {
  const runtime = input.runtime ?? 'auto';
  if (runtime !== 'auto') {
    return {
      name: runtime,
      described: `Runtime "${runtime}"`,
      fix: 'Set runtimeClassName to an allowed runtime',
    };
  }
  if (input.snapshot !== undefined) {
    // Only gVisor restores a snapshot, whatever runtime the template requests.
    return {
      name: 'gvisor',
      described: 'Runtime "gvisor", which a template with a snapshot gets,',
      fix: 'Remove the snapshot annotation',
    };
  }
  if (auto === undefined) {
    // No runtime works on this server, so no sandbox of the template can start here.
    return undefined;
  }
  const described =
    runtimeClassName === undefined
      ? `Runtime "${auto}", which a template without runtimeClassName gets on this server,`
      : `Runtime "${auto}", which a template with runtimeClassName "${runtimeClassName}" gets on this server because that class has no local runtime,`;
  return {
    name: auto,
    described,
    fix: 'Set runtimeClassName to an allowed runtime that works here: gvisor (or runsc) or bubblewrap (or bwrap), see "sandstack doctor"',
  };
}

function listOf(values: readonly string[]): string {
  return values.length === 0 ? 'empty' : `[${values.join(', ')}]`;
}
