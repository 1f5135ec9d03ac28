/**
 * Step configuration as Cloudflare Workflows defines it: retries `{ limit, delay, backoff }`
 * and `timeout`, where durations are milliseconds or text such as `"10 seconds"`.
 */
import { SandstackError } from '../core/errors.js';

/** Step configuration after defaults, with durations in milliseconds. */
export interface ResolvedStepConfig {
  retries: { limit: number; delayMs: number; backoff: 'constant' | 'linear' | 'exponential' };
  timeoutMs: number;
}

/**
 * Cloudflare's documented defaults: 5 retries, 10 s apart with exponential backoff, and a
 * 10 minute timeout per attempt.
 */
export const DEFAULT_STEP_CONFIG: ResolvedStepConfig = {
  retries: { limit: 5, delayMs: 10_000, backoff: 'exponential' },
  timeoutMs: 10 * 60_000,
};

const UNIT_MS: Record<string, number> = {
  millisecond: 1,
  second: 1000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 604_800_000,
  month: 2_592_000_000,
  year: 31_536_000_000,
};

/**
 * Converts a duration (milliseconds, or `"<number> <unit>"` with units from millisecond to
 * year, singular or plural) to milliseconds.
 *
 * @throws SandstackError `INVALID_ARGUMENT` naming `label` and the bad value.
 */
export function parseDuration(value: unknown, label: string): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) {
    return value;
  }
  if (typeof value === 'string') {
    const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]+?)s?\s*$/i.exec(value);
    const unit = match?.[2]?.toLowerCase();
    const factor = unit === undefined ? undefined : UNIT_MS[unit];
    if (match !== null && factor !== undefined) {
      return Number(match[1]) * factor;
    }
  }
  throw new SandstackError(
    'INVALID_ARGUMENT',
    `Invalid ${label} ${JSON.stringify(value) ?? String(value)}; use milliseconds or text such as "10 seconds"`,
  );
}

function readBackoff(value: unknown, fallback: ResolvedStepConfig['retries']['backoff']) {
  if (value === undefined || value === null) {
    return fallback;
  }
  if (value === 'constant' || value === 'linear' || value === 'exponential') {
    return value;
  }
  throw new SandstackError(
    'INVALID_ARGUMENT',
    `Invalid retries.backoff ${JSON.stringify(value)}; use "constant", "linear" or "exponential"`,
  );
}

/**
 * Applies `defaults` to a step's config as tenant code passed it.
 *
 * @throws SandstackError `INVALID_ARGUMENT` for a bad limit, delay, backoff or timeout.
 */
export function resolveStepConfig(
  config: unknown,
  defaults: ResolvedStepConfig = DEFAULT_STEP_CONFIG,
): ResolvedStepConfig {
  if (config === undefined || config === null) {
    return defaults;
  }
  if (typeof config !== 'object' || Array.isArray(config)) {
    throw new SandstackError(
      'INVALID_ARGUMENT',
      'Step config must be an object such as { retries: { limit: 3, delay: 1000 } }',
    );
  }
  const raw = config as {
    retries?: { limit?: unknown; delay?: unknown; backoff?: unknown };
    timeout?: unknown;
  };
  const retries = raw.retries ?? {};
  const limit = retries.limit ?? defaults.retries.limit;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 0 || limit > 1000) {
    throw new SandstackError(
      'INVALID_ARGUMENT',
      `Invalid retries.limit ${JSON.stringify(limit)}; use an integer from 0 to 1000`,
    );
  }
  return {
    retries: {
      limit,
      delayMs:
        retries.delay === undefined
          ? defaults.retries.delayMs
          : parseDuration(retries.delay, 'retries.delay'),
      backoff: readBackoff(retries.backoff, defaults.retries.backoff),
    },
    timeoutMs:
      raw.timeout === undefined ? defaults.timeoutMs : parseDuration(raw.timeout, 'timeout'),
  };
}

/** Delay before attempt `failedAttempt + 1`, from attempt 1 on. */
export function retryDelayMs(config: ResolvedStepConfig, failedAttempt: number): number {
  const { delayMs, backoff } = config.retries;
  if (backoff === 'constant') {
    return delayMs;
  }
  if (backoff === 'linear') {
    return delayMs * failedAttempt;
  }
  return delayMs * 2 ** (failedAttempt - 1);
}
