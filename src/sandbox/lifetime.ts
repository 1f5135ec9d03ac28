import { SandstackError } from '../core/errors.js';
import type { SandboxEndReason, SandboxRecord } from './controller-store.js';
import type { SandboxTemplate } from './types.js';

/**
 * Computes when a claimed sandbox expires and which limit that is: its template's
 * `lifetimeSeconds`, counted from the claim, or an earlier `shutdownTime` of its claim. A
 * stored `expiresAt` wins over a new computation.
 */
export function expiryOf(options: {
  template: SandboxTemplate;
  record: Pick<SandboxRecord, 'claimedAt' | 'createdAt' | 'expiresAt'>;
  shutdownTime?: Date | undefined;
}): { expiresAt: number; reason: SandboxEndReason } {
  const { template, record, shutdownTime } = options;
  const lifetimeEnd = (record.claimedAt ?? record.createdAt) + template.lifetimeSeconds * 1000;
  const shutdownAt = record.expiresAt ?? shutdownTime?.getTime();
  if (shutdownAt !== undefined && shutdownAt < lifetimeEnd) {
    return { expiresAt: shutdownAt, reason: 'ClaimExpired' };
  }
  return { expiresAt: lifetimeEnd, reason: 'SandboxExpired' };
}

/** Builds the error that running and later commands of an ended sandbox fail with. */
export function endErrorFor(
  record: Pick<SandboxRecord, 'id' | 'endReason' | 'expiresAt' | 'claimName'>,
  template: SandboxTemplate,
): SandstackError | undefined {
  if (record.endReason === 'ClaimExpired') {
    const at = new Date(record.expiresAt ?? 0).toISOString();
    const claim = record.claimName === null ? 'its claim' : `SandboxClaim "${record.claimName}"`;
    return new SandstackError(
      'SANDBOX_LIMIT',
      `Sandbox "${record.id}" was destroyed at the shutdownTime ${at} of ${claim}; set a later spec.lifecycle.shutdownTime or claim a new sandbox`,
      { details: { sandboxId: record.id, reason: record.endReason, shutdownTime: at } },
    );
  }
  if (record.endReason === 'SandboxExpired') {
    const seconds = template.lifetimeSeconds;
    return new SandstackError(
      'SANDBOX_LIMIT',
      `Sandbox "${record.id}" was destroyed when it reached the lifetime limit of ${seconds} s of template "${template.name}"; raise lifetimeSeconds (activeDeadlineSeconds in a SandboxTemplate manifest) or claim a new sandbox`,
      { details: { sandboxId: record.id, reason: record.endReason, lifetimeSeconds: seconds } },
    );
  }
  return undefined;
}

/**
 * Returns the template with a claim's environment added, following the template's
 * `envVarsInjectionPolicy` as upstream's claim controller does: `Disallowed` rejects any
 * variable, `Allowed` rejects only ones the template sets, `Overrides` accepts all. Returns
 * the same object when `env` is empty.
 * @throws SandstackError `INVALID_CONFIG` (reason `EnvVarsInjectionRejected`) naming the variable
 */
export function applyClaimEnv(
  template: SandboxTemplate,
  env: Record<string, string>,
): SandboxTemplate {
  const names = Object.keys(env);
  if (names.length === 0) {
    return template;
  }
  const policy = template.envVarsInjectionPolicy ?? 'Disallowed';
  const reject = (subject: string): never => {
    throw new SandstackError(
      'INVALID_CONFIG',
      `Template "${template.name}" rejects ${subject} (envVarsInjectionPolicy ${policy}, reason EnvVarsInjectionRejected); remove it from the claim or set spec.envVarsInjectionPolicy of the SandboxTemplate to ${policy === 'Allowed' ? 'Overrides' : 'Allowed or Overrides'}`,
      { details: { reason: 'EnvVarsInjectionRejected', policy } },
    );
  };
  for (const name of names) {
    if (name === '' || name.includes('=') || name.includes('\0')) {
      throw new SandstackError(
        'INVALID_ARGUMENT',
        `Environment variable name ${JSON.stringify(name)} is invalid; use a non-empty name without "=" or NUL`,
      );
    }
  }
  if (policy === 'Disallowed') {
    reject(`the environment variable "${names[0] ?? ''}" from a claim`);
  }
  const overridden = names.find((name) => name in template.env);
  if (policy === 'Allowed' && overridden !== undefined) {
    reject(`a claim's override of its environment variable "${overridden}"`);
  }
  return { ...template, env: { ...template.env, ...env } };
}
