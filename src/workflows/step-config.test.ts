import { describe, expect, it } from 'vitest';
import {
  DEFAULT_STEP_CONFIG,
  parseDuration,
  resolveStepConfig,
  retryDelayMs,
} from './step-config.js';

describe('parseDuration', () => {
  it.each([
    [250, 250],
    ['10 seconds', 10_000],
    ['5 second', 5000],
    ['1 minute', 60_000],
    ['2 hours', 7_200_000],
    ['1.5 days', 129_600_000],
    ['20 milliseconds', 20],
  ])('reads %j as %d ms', (input, expected) => {
    expect(parseDuration(input, 'delay')).toBe(expected);
  });

  it.each([['soon'], [-1], ['10 fortnights'], [Number.NaN], [null]])('rejects %j', (input) => {
    expect(() => parseDuration(input, 'delay')).toThrow(/Invalid delay/);
  });
});

describe('resolveStepConfig', () => {
  it('applies the defaults to a missing config', () => {
    expect(resolveStepConfig(undefined)).toEqual(DEFAULT_STEP_CONFIG);
  });

  it('keeps default fields the config leaves out', () => {
    const config = resolveStepConfig({ retries: { limit: 2 } });
    expect(config.retries).toEqual({ limit: 2, delayMs: 10_000, backoff: 'exponential' });
    expect(config.timeoutMs).toBe(DEFAULT_STEP_CONFIG.timeoutMs);
  });

  it('rejects an unknown backoff', () => {
    expect(() => resolveStepConfig({ retries: { limit: 1, delay: 1, backoff: 'random' } })).toThrow(
      /backoff "random"/,
    );
  });

  it('rejects a negative limit', () => {
    expect(() => resolveStepConfig({ retries: { limit: -1, delay: 1 } })).toThrow(
      /retries.limit -1/,
    );
  });
});

describe('retryDelayMs', () => {
  const base = { retries: { limit: 5, delayMs: 100, backoff: 'constant' as const }, timeoutMs: 1 };

  it('keeps a constant delay', () => {
    expect([1, 2, 3].map((attempt) => retryDelayMs(base, attempt))).toEqual([100, 100, 100]);
  });

  it('grows a linear delay', () => {
    const config = { ...base, retries: { ...base.retries, backoff: 'linear' as const } };
    expect([1, 2, 3].map((attempt) => retryDelayMs(config, attempt))).toEqual([100, 200, 300]);
  });

  it('doubles an exponential delay', () => {
    const config = { ...base, retries: { ...base.retries, backoff: 'exponential' as const } };
    expect([1, 2, 3].map((attempt) => retryDelayMs(config, attempt))).toEqual([100, 200, 400]);
  });
});
