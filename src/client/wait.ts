/**
 * Polls an instance until it reaches one of the requested statuses.
 */
import type { InstanceDetail, InstanceStatus } from './types.js';

/** Statuses an instance does not leave unless someone restarts it. */
export const FINAL_STATUSES: readonly InstanceStatus[] = ['complete', 'errored', 'terminated'];

/** Options of {@link waitForInstance}. */
export interface WaitOptions {
  /** Statuses to wait for. @default ['complete', 'errored', 'terminated'] */
  statuses?: readonly InstanceStatus[];
  /** How long to wait in total, in milliseconds. @default 60000 */
  timeoutMs?: number;
  /** Time between polls, in milliseconds. @default 250 */
  intervalMs?: number;
  /** Signal that stops waiting early, so the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * Polls `getInstance` until the instance has one of `statuses`, and returns it.
 *
 * @throws Error when `timeoutMs` passes first, or when the instance reaches a final status
 *   (complete, errored, terminated) that is not among `statuses`, because it would never
 *   change without a restart.
 */
export async function waitForInstance(
  id: string,
  getInstance: (id: string, signal?: AbortSignal) => Promise<InstanceDetail>,
  options: WaitOptions = {},
): Promise<InstanceDetail> {
  const statuses = options.statuses ?? FINAL_STATUSES;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const intervalMs = options.intervalMs ?? 250;
  checkOptions(statuses, timeoutMs, intervalMs);
  const deadline = Date.now() + timeoutMs;
  const expected = statuses.join(' or ');

  for (;;) {
    options.signal?.throwIfAborted();
    const instance = await getInstance(id, options.signal);
    if (statuses.includes(instance.status)) {
      return instance;
    }
    if (FINAL_STATUSES.includes(instance.status)) {
      const error =
        instance.error === null ? '' : ` (${instance.error.code}: ${instance.error.message})`;
      throw new Error(
        `Instance "${id}" ended as ${instance.status}${error} and will not reach ${expected}; restart it to run it again`,
      );
    }
    const remainingMs = deadline - Date.now();
    if (remainingMs <= 0) {
      throw new Error(
        `Timed out after ${timeoutMs} ms waiting for instance "${id}" to reach ${expected}; its status is still ${instance.status}. Pass a larger timeoutMs to wait longer.`,
      );
    }
    await sleep(Math.min(intervalMs, remainingMs), options.signal);
  }
}

function checkOptions(
  statuses: readonly InstanceStatus[],
  timeoutMs: number,
  intervalMs: number,
): void {
  if (statuses.length === 0) {
    throw new Error('statuses is empty; pass at least one status to wait for, such as "complete"');
  }
  if (!Number.isFinite(timeoutMs) || timeoutMs < 0) {
    throw new Error(`Invalid timeoutMs ${timeoutMs}; pass a number of milliseconds, 0 or more`);
  }
  if (!Number.isFinite(intervalMs) || intervalMs <= 0) {
    throw new Error(`Invalid intervalMs ${intervalMs}; pass a number of milliseconds above 0`);
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
