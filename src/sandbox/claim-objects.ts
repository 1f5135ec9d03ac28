import { SandstackError } from '../core/errors.js';
import { isValidName } from '../core/ids.js';
import type { ClaimObjectRecord, SandboxRecord, SandboxStore } from './controller-store.js';

/** The `spec` of a SandboxClaim (upstream v1beta1) that the local controller reads. */
export interface ClaimObjectSpec {
  warmPoolRef: { name: string };
  env?: { name: string; value: string; containerName?: string }[];
  lifecycle?: {
    /** RFC 3339 time at which the claim expires and its sandbox is destroyed. */
    shutdownTime?: string;
    /** Seconds a finished claim is kept before it is deleted. @default kept */
    ttlSecondsAfterFinished?: number;
    /** `Retain` keeps an expired claim; `Delete` and `DeleteForeground` delete it. @default 'Retain' */
    shutdownPolicy?: 'Delete' | 'DeleteForeground' | 'Retain';
  };
}

/** A SandboxClaim as applied: its name, its namespace (the tenant) and its spec. */
export interface ClaimObjectInput {
  name: string;
  tenant: string;
  spec: ClaimObjectSpec;
}

/** A `metav1.Condition`, as upstream's controllers report them. */
export interface ObjectCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
}

/** A stored SandboxClaim with the status the local controller reports for it. */
export interface ClaimObjectView extends ClaimObjectRecord {
  conditions: ObjectCondition[];
  /** When its sandbox ended (the claim finished), in epoch milliseconds. */
  finishedAt: number | null;
}

/** Controller operations that {@link ClaimObjects} calls. */
export interface ClaimObjectHost {
  claim(options: {
    pool: string;
    tenant: string;
    env: Record<string, string>;
    shutdownTime: Date | undefined;
    claimName: string;
  }): Promise<{ record: SandboxRecord }>;
  /** Moves a claimed sandbox's expiry to a new shutdownTime (or back to its lifetime). */
  reschedule(sandboxId: string, shutdownTime: Date | undefined): void;
}

/**
 * SandboxClaim objects applied from manifests. Each binds one sandbox of its warm pool when
 * first applied; applying it again changes only its lifecycle.
 */
export class ClaimObjects {
  constructor(
    private readonly store: SandboxStore,
    private readonly host: ClaimObjectHost,
  ) {}

  /**
   * Creates a claim (binding a sandbox: a ready one of the pool, or a new one when there is
   * none or the claim sets env) or updates a stored claim's lifecycle.
   * @throws SandstackError `INVALID_CONFIG` for a past shutdownTime or a changed pool or env,
   *   `POOL_NOT_FOUND`, or the claim's own errors (such as EnvVarsInjectionRejected)
   */
  async apply(
    input: ClaimObjectInput,
  ): Promise<{ action: 'created' | 'configured' | 'unchanged'; claim: ClaimObjectView }> {
    checkName(input.name);
    const stored = this.store.getClaimObject(input.name);
    if (stored !== undefined) {
      return { action: this.update(stored, input), claim: this.view(input.name) };
    }
    const shutdownTime = parseShutdownTime(input);
    if (shutdownTime !== undefined && shutdownTime.getTime() <= Date.now()) {
      throw new SandstackError(
        'INVALID_CONFIG',
        `SandboxClaim "${input.name}" has spec.lifecycle.shutdownTime ${shutdownTime.toISOString()}, which has passed; set a later time`,
      );
    }
    const { record } = await this.host.claim({
      pool: input.spec.warmPoolRef.name,
      tenant: input.tenant,
      env: envOf(input.spec),
      shutdownTime,
      claimName: input.name,
    });
    this.store.insertClaimObject({
      name: input.name,
      tenant: input.tenant,
      pool: input.spec.warmPoolRef.name,
      spec: input.spec as unknown as Record<string, unknown>,
      sandboxId: record.id,
      createdAt: Date.now(),
    });
    return { action: 'created', claim: this.view(input.name) };
  }

  /** Returns whether a claim of that name is stored. */
  exists(name: string): boolean {
    return this.store.getClaimObject(name) !== undefined;
  }

  /** Deletes a stored claim; its sandbox, if any, is released separately. */
  delete(name: string): void {
    this.store.deleteClaimObject(name);
  }

  /** Lists the stored claims with their status, by name. */
  list(): ClaimObjectView[] {
    return this.store.listClaimObjects().map((claim) => this.toView(claim));
  }

  /**
   * Returns one claim with its status.
   * @throws SandstackError `NOT_FOUND` naming the known claims
   */
  view(name: string): ClaimObjectView {
    const claim = this.store.getClaimObject(name);
    if (claim === undefined) {
      const known = this.store.listClaimObjects().map((item) => item.name);
      throw new SandstackError(
        'NOT_FOUND',
        `SandboxClaim "${name}" not found; known claims: ${known.join(', ') || 'none'}`,
      );
    }
    return this.toView(claim);
  }

  /**
   * Deletes finished claims whose retention is over: expired claims with shutdownPolicy
   * `Delete` or `DeleteForeground`, and any claim past its ttlSecondsAfterFinished.
   * @returns the names of the deleted claims
   */
  reap(now: number): string[] {
    const deleted: string[] = [];
    for (const claim of this.list()) {
      const lifecycle = (claim.spec as unknown as ClaimObjectSpec).lifecycle ?? {};
      const sandbox = claim.sandboxId === null ? undefined : this.store.get(claim.sandboxId);
      const expired = sandbox?.endReason === 'ClaimExpired';
      const deleteOnExpiry =
        lifecycle.shutdownPolicy === 'Delete' || lifecycle.shutdownPolicy === 'DeleteForeground';
      const ttl = lifecycle.ttlSecondsAfterFinished;
      const pastTtl =
        ttl !== undefined && claim.finishedAt !== null && now >= claim.finishedAt + ttl * 1000;
      if ((expired && deleteOnExpiry) || pastTtl) {
        this.store.deleteClaimObject(claim.name);
        deleted.push(claim.name);
      }
    }
    return deleted;
  }

  private update(stored: ClaimObjectRecord, input: ClaimObjectInput): 'configured' | 'unchanged' {
    const before = stored.spec as unknown as ClaimObjectSpec;
    if (before.warmPoolRef.name !== input.spec.warmPoolRef.name) {
      throw immutable(input.name, 'spec.warmPoolRef.name', before.warmPoolRef.name);
    }
    if (JSON.stringify(envOf(before)) !== JSON.stringify(envOf(input.spec))) {
      throw immutable(input.name, 'spec.env', JSON.stringify(before.env ?? []));
    }
    if (JSON.stringify(before.lifecycle ?? {}) === JSON.stringify(input.spec.lifecycle ?? {})) {
      return 'unchanged';
    }
    this.store.updateClaimObject(input.name, {
      spec: input.spec as unknown as Record<string, unknown>,
    });
    const sandbox = stored.sandboxId === null ? undefined : this.store.get(stored.sandboxId);
    if (sandbox?.state === 'claimed') {
      this.host.reschedule(sandbox.id, parseShutdownTime(input));
    }
    return 'configured';
  }

  private toView(claim: ClaimObjectRecord): ClaimObjectView {
    const sandbox = claim.sandboxId === null ? undefined : this.store.get(claim.sandboxId);
    return {
      ...claim,
      conditions: [readyCondition(sandbox)],
      finishedAt: sandbox?.state === 'released' ? sandbox.releasedAt : null,
    };
  }
}

/**
 * Derives the claim's Ready condition, with upstream's reasons: `DependenciesReady` while its sandbox
 * runs, `ClaimExpired` after its shutdownTime, `SandboxExpired` after the template's
 * lifetime, and `SandboxMissing` once the sandbox is released or gone.
 */
function readyCondition(sandbox: SandboxRecord | undefined): ObjectCondition {
  const at = (ms: number | null | undefined): string => new Date(ms ?? Date.now()).toISOString();
  if (sandbox === undefined) {
    return condition('False', 'SandboxMissing', 'Sandbox does not exist', at(undefined));
  }
  if (sandbox.state !== 'released') {
    return condition(
      'True',
      'DependenciesReady',
      `Sandbox ${sandbox.id} is ready`,
      at(sandbox.claimedAt),
    );
  }
  const ended = at(sandbox.releasedAt);
  if (sandbox.endReason === 'ClaimExpired') {
    return condition('False', 'ClaimExpired', 'Claim expired; its sandbox was destroyed', ended);
  }
  if (sandbox.endReason === 'SandboxExpired') {
    const message = "Sandbox reached its template's lifetime limit and was destroyed";
    return condition('False', 'SandboxExpired', message, ended);
  }
  return condition('False', 'SandboxMissing', `Sandbox ${sandbox.id} was released`, ended);
}

function condition(
  status: ObjectCondition['status'],
  reason: string,
  message: string,
  lastTransitionTime: string,
): ObjectCondition {
  return { type: 'Ready', status, reason, message, lastTransitionTime };
}

function envOf(spec: ClaimObjectSpec): Record<string, string> {
  return Object.fromEntries((spec.env ?? []).map((item) => [item.name, item.value]));
}

function parseShutdownTime(input: ClaimObjectInput): Date | undefined {
  const text = input.spec.lifecycle?.shutdownTime;
  if (text === undefined) {
    return undefined;
  }
  const time = new Date(text);
  if (Number.isNaN(time.getTime())) {
    throw new SandstackError(
      'INVALID_CONFIG',
      `SandboxClaim "${input.name}" has an invalid spec.lifecycle.shutdownTime "${text}"; use an RFC 3339 time such as 2030-01-01T00:00:00Z`,
    );
  }
  return time;
}

function checkName(name: string): void {
  if (!isValidName(name)) {
    throw new SandstackError(
      'INVALID_CONFIG',
      `SandboxClaim name "${name}" is invalid; use 1-63 letters, digits, ".", "_" or "-"`,
    );
  }
}

function immutable(name: string, field: string, value: string): SandstackError {
  return new SandstackError(
    'INVALID_CONFIG',
    `SandboxClaim "${name}" already exists with ${field} ${value}, which cannot change; apply the new spec under another name`,
  );
}
