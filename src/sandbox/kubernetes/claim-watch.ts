import type { KubeConfig } from '@kubernetes/client-node';

import { SandstackError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { watchUntil } from './object-watch.js';
import {
  SANDBOX_CLAIM,
  TERMINAL_CLAIM_REASONS,
  findCondition,
  type Condition,
  type SandboxClaimObject,
} from './resources.js';

/** Options for {@link waitForClaimReady}. */
export interface WaitForClaimOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  /** The claim as last seen, usually the reply to its create call. */
  claim: SandboxClaimObject;
  /** Reads the claim again after a watch ends before the claim is Ready. */
  getClaim: () => Promise<SandboxClaimObject>;
  timeoutMs: number;
  logger: Logger;
}

/**
 * Waits until the claim's Ready condition is True by watching the claim, restarting the
 * watch from the last seen resourceVersion when the server closes it.
 *
 * @throws {SandstackError} SANDBOX_TIMEOUT naming the claim and its last Ready reason when the
 *   deadline passes; SANDBOX_FAILED or INVALID_CONFIG when the controller reports a reason it
 *   does not recover from; SANDBOX_NOT_FOUND when the claim is deleted meanwhile.
 */
export function waitForClaimReady(options: WaitForClaimOptions): Promise<SandboxClaimObject> {
  return watchUntil({
    kubeConfig: options.kubeConfig,
    namespace: options.namespace,
    resource: SANDBOX_CLAIM,
    object: options.claim,
    getObject: options.getClaim,
    timeoutMs: options.timeoutMs,
    logger: options.logger,
    isDone: checkClaim,
    deletedError: (claim) => deletedError(claim, options.namespace),
    timeoutError: (claim) => timeoutError(claim, options),
  });
}

/** Returns true when the claim is Ready; throws when it reached a terminal reason. */
function checkClaim(claim: SandboxClaimObject): boolean {
  const ready = findCondition(claim.status?.conditions, 'Ready');
  if (ready === undefined) {
    return false;
  }
  if (ready.status === 'True') {
    return true;
  }
  if (TERMINAL_CLAIM_REASONS.has(ready.reason)) {
    throw terminalError(claim, ready);
  }
  return false;
}

function describeReady(claim: SandboxClaimObject): string {
  const ready = findCondition(claim.status?.conditions, 'Ready');
  if (ready === undefined) {
    return 'no Ready condition yet (the agent-sandbox controller has not reconciled the claim; is it running?)';
  }
  return `Ready=${ready.status} reason ${ready.reason}: ${ready.message}`;
}

function fixFor(reason: string | undefined): string {
  switch (reason) {
    case 'WarmPoolNotFound':
      return 'create the warm pool first (applyPool)';
    case 'TemplateNotFound':
      return 'create the SandboxTemplate the warm pool names (applyTemplate)';
    default:
      return 'raise readyTimeoutMs or inspect the claim with `kubectl describe sandboxclaim`';
  }
}

function timeoutError(claim: SandboxClaimObject, options: WaitForClaimOptions): SandstackError {
  const ready = findCondition(claim.status?.conditions, 'Ready');
  return new SandstackError(
    'SANDBOX_TIMEOUT',
    `SandboxClaim "${claim.metadata.name}" in namespace "${options.namespace}" did not become Ready within ${options.timeoutMs}ms; last ${describeReady(claim)}; ${fixFor(ready?.reason)}`,
    { retryable: true, details: { claim: claim.metadata.name, reason: ready?.reason } },
  );
}

function terminalError(claim: SandboxClaimObject, ready: Condition): SandstackError {
  const expired = ready.reason === 'ClaimExpired' || ready.reason === 'SandboxExpired';
  return new SandstackError(
    expired ? 'SANDBOX_FAILED' : 'INVALID_CONFIG',
    `SandboxClaim "${claim.metadata.name}" failed: Ready=False reason ${ready.reason}: ${ready.message}`,
    { details: { claim: claim.metadata.name, reason: ready.reason } },
  );
}

function deletedError(claim: SandboxClaimObject, namespace: string): SandstackError {
  return new SandstackError(
    'SANDBOX_NOT_FOUND',
    `SandboxClaim "${claim.metadata.name}" in namespace "${namespace}" was deleted while waiting for it to become Ready`,
    { details: { claim: claim.metadata.name } },
  );
}
