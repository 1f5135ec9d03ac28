/**
 * Bounds of the timers the sandbox layer sets. Node.js timers (setTimeout,
 * AbortSignal.timeout) cannot wait longer than 2^31 - 1 ms. Node.js 20 sets a longer delay
 * to 1 ms with a TimeoutOverflowWarning, so the timer fires at once.
 */

/** Maximum delay of a Node.js timer, in milliseconds (2^31 - 1, about 24.8 days). */
export const MAX_TIMER_DELAY_MS = 2_147_483_647;

/**
 * Maximum command timeout, in milliseconds: 24 days. It leaves room under
 * {@link MAX_TIMER_DELAY_MS} for the grace periods that the drivers add to a command's
 * timeout for their own deadlines (5 s locally, 10 s on Kubernetes).
 */
export const MAX_COMMAND_TIMEOUT_MS = 24 * 24 * 60 * 60 * 1000;

/** Clamps a delay to what a Node.js timer can wait: 0 to {@link MAX_TIMER_DELAY_MS} ms. */
export function timerDelay(delayMs: number): number {
  if (Number.isNaN(delayMs)) {
    return MAX_TIMER_DELAY_MS;
  }
  return Math.min(Math.max(0, delayMs), MAX_TIMER_DELAY_MS);
}
