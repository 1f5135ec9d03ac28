import { describe, expect, it } from 'vitest';
import { MAX_COMMAND_TIMEOUT_MS, MAX_TIMER_DELAY_MS, timerDelay } from './timers.js';

describe('timerDelay', () => {
  it('keeps delays a timer can wait', () => {
    expect(timerDelay(0)).toBe(0);
    expect(timerDelay(5000)).toBe(5000);
    expect(timerDelay(MAX_TIMER_DELAY_MS)).toBe(MAX_TIMER_DELAY_MS);
  });

  it('clamps delays past the maximum', () => {
    expect(timerDelay(MAX_TIMER_DELAY_MS + 5000)).toBe(MAX_TIMER_DELAY_MS);
    expect(timerDelay(Number.POSITIVE_INFINITY)).toBe(MAX_TIMER_DELAY_MS);
    expect(timerDelay(Number.NaN)).toBe(MAX_TIMER_DELAY_MS);
  });

  it('clamps negative delays to zero', () => {
    expect(timerDelay(-1)).toBe(0);
  });

  it('leaves room for grace periods', () => {
    // The Kubernetes driver adds 10 s to a command's timeout for its own deadline.
    expect(MAX_COMMAND_TIMEOUT_MS + 10_000).toBeLessThanOrEqual(MAX_TIMER_DELAY_MS);
  });
});
