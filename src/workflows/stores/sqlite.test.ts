import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteDatabase } from '../../core/store.js';
import { openDatabase } from '../../core/store.js';
import { SqliteWorkflowStore } from './sqlite.js';
import type { InstanceRecord, StepRecord } from './store.js';

const INSTANCE: InstanceRecord = {
  tenant: 'alice',
  id: 'order-1',
  workflow: 'orders',
  version: 'abc',
  params: { secret: 'alice' },
  status: 'running',
  output: undefined,
  error: undefined,
  wakeAtMs: undefined,
  createdAtMs: 1,
  updatedAtMs: 1,
};

const STEP: StepRecord = {
  key: 'charge#1',
  kind: 'do',
  seq: 0,
  status: 'complete',
  attempt: 1,
  resultJson: '"paid"',
  error: undefined,
  wakeAtMs: undefined,
  startedAtMs: 1,
  endedAtMs: 2,
};

describe('SqliteWorkflowStore', () => {
  let dir: string;
  let db: SqliteDatabase;
  let store: SqliteWorkflowStore;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sandstack-store-'));
    db = openDatabase(join(dir, 'state.db'));
    store = new SqliteWorkflowStore(db);
    await store.createInstance(INSTANCE);
    await store.putStep('alice', 'order-1', STEP);
    await store.addEvent('alice', 'order-1', {
      type: 'approval',
      payload: { ok: true },
      createdAtMs: 3,
    });
  });

  afterEach(async () => {
    db.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('round-trips an instance and its steps', async () => {
    expect(await store.getInstance('alice', 'order-1')).toEqual(INSTANCE);
    expect(await store.listSteps('alice', 'order-1')).toEqual([STEP]);
  });

  it('keeps rows from other tenants by id', async () => {
    expect(await store.getInstance('bob', 'order-1')).toBeUndefined();
    expect(await store.listSteps('bob', 'order-1')).toEqual([]);
    expect(await store.listInstances('bob')).toEqual([]);
    expect(await store.claimEvent('bob', 'order-1', 'approval', 'wait#1')).toBeUndefined();
  });

  it('ignores updates from other tenants', async () => {
    await store.updateInstance('bob', 'order-1', { status: 'terminated', updatedAtMs: 5 });
    expect((await store.getInstance('alice', 'order-1'))?.status).toBe('running');
  });

  it('gives an event to one waiting step', async () => {
    const first = await store.claimEvent('alice', 'order-1', 'approval', 'wait#1');
    expect(first?.payload).toEqual({ ok: true });
    expect(await store.claimEvent('alice', 'order-1', 'approval', 'wait#2')).toBeUndefined();
    expect((await store.claimEvent('alice', 'order-1', 'approval', 'wait#1'))?.seq).toBe(
      first?.seq,
    );
  });

  it('rejects a duplicate instance id per tenant', async () => {
    await expect(store.createInstance(INSTANCE)).rejects.toThrow(/already exists/);
    await store.createInstance({ ...INSTANCE, tenant: 'bob' });
  });

  it('stores a version once per hash', async () => {
    const version = {
      tenant: 'alice',
      workflow: 'orders',
      hash: 'abc',
      className: 'A',
      code: 'x',
      createdAtMs: 1,
    };
    expect(await store.saveVersion(version)).toBe(true);
    expect(await store.saveVersion(version)).toBe(false);
    expect(await store.getVersion('bob', 'orders', 'abc')).toBeUndefined();
  });
});
