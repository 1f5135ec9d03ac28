import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { noopLogger } from '../core/logger.js';
import type { SqliteDatabase } from '../core/store.js';
import { REFILL_AFTER_CLAIM_MAX_DELAY_MS, WarmPools } from './controller-pools.js';
import { SandboxStore } from './controller-store.js';
import { DEFAULT_TEMPLATE } from './templates.js';
import type { DriverCreateOptions, SandboxDriver, SandboxInstance } from './types.js';

/** Pools over an in-memory store whose driver records each create and starts nothing. */
function createPools(db: SqliteDatabase): { pools: WarmPools; creates: DriverCreateOptions[] } {
  const store = new SandboxStore(db);
  store.insertPool({ name: 'p', template: 'default', replicas: 1, updateStrategy: 'OnReplenish' });
  const creates: DriverCreateOptions[] = [];
  const driver: SandboxDriver = {
    name: 'bubblewrap',
    check: () => Promise.resolve({ runtime: 'bubblewrap', available: true }),
    create: (options) => {
      creates.push(options);
      return Promise.resolve({ id: options.id } as SandboxInstance);
    },
    attach: () => Promise.resolve(undefined),
  };
  const pools = new WarmPools({
    fillConcurrency: 1,
    store,
    logger: noopLogger,
    ready: Promise.resolve(),
    live: new Map(),
    isClosed: () => false,
    getTemplate: () => DEFAULT_TEMPLATE,
    runtimeFor: () => Promise.resolve(driver),
    sandboxDir: (id) => `/state/${id}`,
    createOptionsFor: () => ({}),
    attach: () => Promise.resolve(undefined),
    destroy: () => Promise.resolve(),
  });
  return { pools, creates };
}

describe('WarmPools.refillAfterClaim', () => {
  let db: SqliteDatabase;

  beforeEach(() => {
    vi.useFakeTimers();
    db = new Database(':memory:') as SqliteDatabase;
  });

  afterEach(() => {
    vi.useRealTimers();
    db.close();
  });

  it('waits for the first command', async () => {
    const { pools, creates } = createPools(db);
    let endCommand = (): void => undefined;
    const commandEnded = new Promise<void>((resolve) => {
      endCommand = resolve;
    });

    pools.refillAfterClaim('p', commandEnded);
    await vi.advanceTimersByTimeAsync(REFILL_AFTER_CLAIM_MAX_DELAY_MS - 1);
    expect(creates.length).toBe(0);

    endCommand();
    await vi.advanceTimersByTimeAsync(0);
    expect(creates.length).toBe(1);
  });

  it('starts after the maximum delay', async () => {
    const { pools, creates } = createPools(db);

    pools.refillAfterClaim('p', new Promise<void>(() => undefined));
    await vi.advanceTimersByTimeAsync(REFILL_AFTER_CLAIM_MAX_DELAY_MS - 1);
    expect(creates.length).toBe(0);

    await vi.advanceTimersByTimeAsync(1);
    expect(creates.length).toBe(1);
  });

  it('starts at once without a command hook', async () => {
    const { pools, creates } = createPools(db);

    pools.refillAfterClaim('p', undefined);
    await vi.advanceTimersByTimeAsync(0);
    expect(creates.length).toBe(1);
  });

  it('starts refills in the background', async () => {
    const { pools, creates } = createPools(db);

    pools.refillAfterClaim('p', Promise.resolve());
    await vi.advanceTimersByTimeAsync(0);
    expect(creates.length).toBe(1);
    expect(creates[0]?.background).toBe(true);
  });
});
