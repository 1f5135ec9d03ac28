import { Watch, type KubeConfig } from '@kubernetes/client-node';

import { SandstackError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { statusCodeOf, toSandstackError } from './api-errors.js';
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
 * Upper bound on watch restarts while waiting for one claim. The API server closes watches
 * after a server-chosen timeout (minutes), so a healthy wait restarts a handful of times.
 */
const MAX_WATCH_RESTARTS = 100;

type WatchOutcome =
  | { kind: 'ready'; claim: SandboxClaimObject }
  | { kind: 'restart'; claim: SandboxClaimObject }
  | { kind: 'deadline'; claim: SandboxClaimObject };

/**
 * Waits until the claim's Ready condition is True by watching the claim, restarting the
 * watch from the last seen resourceVersion when the server closes it.
 *
 * @throws {SandstackError} SANDBOX_TIMEOUT naming the claim and its last Ready reason when the
 *   deadline passes; SANDBOX_FAILED or INVALID_CONFIG when the controller reports a reason it
 *   does not recover from; SANDBOX_NOT_FOUND when the claim is deleted meanwhile.
 */
export async function waitForClaimReady(options: WaitForClaimOptions): Promise<SandboxClaimObject> {
  const deadline = Date.now() + options.timeoutMs;
  let claim = options.claim;

  for (let restart = 0; restart <= MAX_WATCH_RESTARTS; restart += 1) {
    if (checkClaim(claim)) {
      return claim;
    }
    const remainingMs = deadline - Date.now();
    if (remainingMs <= 0) {
      break;
    }

    const outcome = await watchClaimOnce(options, claim, remainingMs);
    if (outcome.kind === 'ready') {
      return outcome.claim;
    }
    if (outcome.kind === 'deadline') {
      claim = outcome.claim;
      break;
    }
    options.logger.debug('Claim watch ended, reading the claim again', {
      claim: claim.metadata.name,
    });
    claim = await options.getClaim();
  }
  throw timeoutError(claim, options);
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

function watchClaimOnce(
  options: WaitForClaimOptions,
  start: SandboxClaimObject,
  remainingMs: number,
): Promise<WatchOutcome> {
  const { namespace } = options;
  const name = start.metadata.name ?? '';
  const path = `/apis/${SANDBOX_CLAIM.group}/${SANDBOX_CLAIM.version}/namespaces/${namespace}/${SANDBOX_CLAIM.plural}`;
  const query = {
    fieldSelector: `metadata.name=${name}`,
    resourceVersion: start.metadata.resourceVersion,
    allowWatchBookmarks: true,
  };

  return new Promise<WatchOutcome>((resolve, reject) => {
    let latest = start;
    let settled = false;
    let abort: AbortController | undefined;
    const finish = (action: () => void): void => {
      if (settled) {
        return;
      }
      settled = true;
      clearTimeout(timer);
      abort?.abort();
      action();
    };
    const timer = setTimeout(() => {
      finish(() => resolve({ kind: 'deadline', claim: latest }));
    }, remainingMs);

    const onEvent = (type: string, object: unknown): void => {
      if (type === 'ERROR') {
        // 410 Gone means the resourceVersion is too old; a fresh read gives a new one.
        finish(() => resolve({ kind: 'restart', claim: latest }));
        return;
      }
      if (type === 'BOOKMARK') {
        return;
      }
      const claim = object as SandboxClaimObject;
      if (type === 'DELETED') {
        finish(() => reject(deletedError(claim, namespace)));
        return;
      }
      latest = claim;
      try {
        if (checkClaim(claim)) {
          finish(() => resolve({ kind: 'ready', claim }));
        }
      } catch (error) {
        finish(() => reject(error));
      }
    };
    const onDone = (error: unknown): void => {
      const code = statusCodeOf(error);
      if (code === 401 || code === 403 || code === 404) {
        const context = { verb: 'watch', resource: SANDBOX_CLAIM, namespace };
        finish(() => reject(toSandstackError(error, context)));
        return;
      }
      finish(() => resolve({ kind: 'restart', claim: latest }));
    };

    new Watch(options.kubeConfig)
      .watch(path, query, onEvent, onDone)
      .then((controller) => {
        abort = controller;
        if (settled) {
          controller.abort();
        }
      })
      .catch(onDone);
  });
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
