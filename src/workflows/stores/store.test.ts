/**
 * One contract suite for every workflow store: the SQLite store on a file and the
 * PostgreSQL store on a throwaway server started for this file.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../core/store.js';
import type { TestPostgres } from '../../../test/helpers/postgres.js';
import { startTestPostgres } from '../../../test/helpers/postgres.js';
import { PostgresWorkflowStore } from './postgres.js';
import { SqliteWorkflowStore } from './sqlite.js';
import type { InstanceRecord, StepRecord, VersionRecord, WorkflowStore } from './store.js';

const INSTANCE: InstanceRecord = {
  tenant: 'alice',
  id: 'order-1',
  workflow: 'orders',
  version: 'abc',
  params: { secret: 'alice', nested: { b: 1, a: [2, 3] } },
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

const VERSION: VersionRecord = {
  tenant: 'alice',
  workflow: 'orders',
  hash: 'abc',
  className: 'A',
  code: 'x',
  createdAtMs: 1,
};

/** A store under test and how to drop it. */
interface StoreCase {
  store: WorkflowStore;
  close(): Promise<void>;
}

let postgres: TestPostgres | undefined;
let postgresError: unknown;
let databases = 0;

beforeAll(async () => {
  try {
    postgres = await startTestPostgres();
  } catch (error) {
    postgresError = error;
  }
}, 60_000);

afterAll(async () => {
  await postgres?.stop();
});

async function openSqlite(): Promise<StoreCase> {
  const dir = await mkdtemp(join(tmpdir(), 'sandstack-store-'));
  const db = openDatabase(join(dir, 'state.db'));
  return {
    store: new SqliteWorkflowStore(db),
    close: async () => {
      db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Opens a PostgreSQL store on a new database; fails the test when the server did not start. */
async function openPostgres(nodeId = 'node-a'): Promise<StoreCase & { url: string }> {
  if (postgres === undefined) {
    throw new Error(`The test PostgreSQL server did not start: ${String(postgresError)}`);
  }
  databases += 1;
  const url = await postgres.createDatabase(`store_${databases}`);
  const store = await PostgresWorkflowStore.open(url, { nodeId });
  return { store, url, close: () => store.close() };
}

/** Makes the store accept step writes for the instance: a store with leases needs one. */
async function hold(store: WorkflowStore, tenant: string, id: string): Promise<void> {
  await store.leases?.claimInstance(tenant, id, { nowMs: 0, leaseMs: 60_000 });
}

describe.each([
  { name: 'SqliteWorkflowStore', open: openSqlite },
  { name: 'PostgresWorkflowStore', open: () => openPostgres() },
])('$name', ({ open }) => {
  let opened: StoreCase;
  let store: WorkflowStore;

  beforeEach(async () => {
    opened = await open();
    store = opened.store;
    await store.createInstance(INSTANCE);
    await hold(store, 'alice', 'order-1');
    await store.putStep('alice', 'order-1', STEP);
    await store.addEvent('alice', 'order-1', {
      type: 'approval',
      payload: { ok: true },
      createdAtMs: 3,
    });
  });

  afterEach(async () => {
    await opened.close();
  });

  it('round-trips an instance and its steps', async () => {
    expect(await store.getInstance('alice', 'order-1')).toEqual(INSTANCE);
    expect(await store.listSteps('alice', 'order-1')).toEqual([STEP]);
  });

  it('keeps JSON text as written', async () => {
    const instance = await store.getInstance('alice', 'order-1');
    expect(JSON.stringify(instance?.params)).toBe(JSON.stringify(INSTANCE.params));
  });

  it('keeps rows from other tenants by id', async () => {
    expect(await store.getInstance('bob', 'order-1')).toBeUndefined();
    expect(await store.listSteps('bob', 'order-1')).toEqual([]);
    expect(await store.listInstances('bob')).toEqual([]);
    expect(await store.claimEvent('bob', 'order-1', 'approval', 'wait#1')).toBeUndefined();
  });

  it('ignores updates from other tenants', async () => {
    await store.updateInstance('bob', 'order-1', { status: 'terminated', updatedAtMs: 5 });
    await store.resetInstance('bob', 'order-1', 5);
    expect((await store.getInstance('alice', 'order-1'))?.status).toBe('running');
    expect(await store.listSteps('alice', 'order-1')).toHaveLength(1);
  });

  it('applies a patch field by field', async () => {
    await store.updateInstance('alice', 'order-1', {
      status: 'waiting',
      wakeAtMs: 50,
      updatedAtMs: 5,
    });
    await store.updateInstance('alice', 'order-1', { output: { done: 1 }, updatedAtMs: 6 });
    const instance = await store.getInstance('alice', 'order-1');
    expect(instance?.status).toBe('waiting');
    expect(instance?.wakeAtMs).toBe(50);
    expect(instance?.output).toEqual({ done: 1 });
    expect(instance?.updatedAtMs).toBe(6);
  });

  it('gives an event to one waiting step', async () => {
    const first = await store.claimEvent('alice', 'order-1', 'approval', 'wait#1');
    expect(first?.payload).toEqual({ ok: true });
    expect(await store.claimEvent('alice', 'order-1', 'approval', 'wait#2')).toBeUndefined();
    expect((await store.claimEvent('alice', 'order-1', 'approval', 'wait#1'))?.seq).toBe(
      first?.seq,
    );
  });

  it('bounds pending events per instance', async () => {
    // beforeEach stored one pending event ({"ok":true}, 11 bytes) and a 6-byte step result.
    const bounds = { maxPendingEvents: 3, maxPendingEventBytes: 40, maxStateBytes: 1000 };
    const send = (payload: string) =>
      store.addEvent('alice', 'order-1', { type: 'note', payload, createdAtMs: 4 }, bounds);
    expect(await send('é'.repeat(4))).toEqual({ added: true });
    expect(await send('é'.repeat(9))).toEqual({
      added: false,
      totals: { pendingEvents: 2, pendingEventBytes: 21, stepResultBytes: 6 },
    });
    expect(await send('ab')).toEqual({ added: true });
    expect(await send('c')).toEqual({
      added: false,
      totals: { pendingEvents: 3, pendingEventBytes: 25, stepResultBytes: 6 },
    });
    await store.claimEvent('alice', 'order-1', 'approval', 'wait#1');
    expect(await send('c')).toEqual({ added: true });
  });

  it('counts step results toward the event state bound', async () => {
    const bounds = { maxPendingEvents: 10, maxPendingEventBytes: 1000, maxStateBytes: 30 };
    const send = (payload: string) =>
      store.addEvent('alice', 'order-1', { type: 'note', payload, createdAtMs: 4 }, bounds);
    expect(await send('x'.repeat(11))).toEqual({ added: true });
    expect(await send('y')).toEqual({
      added: false,
      totals: { pendingEvents: 2, pendingEventBytes: 24, stepResultBytes: 6 },
    });
  });

  it('keeps concurrent sends within the bound', async () => {
    const bounds = { maxPendingEvents: 5, maxPendingEventBytes: 1000, maxStateBytes: 1000 };
    const results = await Promise.all(
      Array.from({ length: 10 }, (_unused, index) =>
        store.addEvent(
          'alice',
          'order-1',
          { type: 'note', payload: index, createdAtMs: 4 },
          bounds,
        ),
      ),
    );
    expect(results.filter((result) => result.added)).toHaveLength(4);
  });

  it('rejects a duplicate instance id per tenant', async () => {
    await expect(store.createInstance(INSTANCE)).rejects.toThrow(/already exists/);
    await store.createInstance({ ...INSTANCE, tenant: 'bob' });
    expect((await store.getInstance('bob', 'order-1'))?.tenant).toBe('bob');
  });

  it('stores a version once per hash', async () => {
    expect(await store.saveVersion(VERSION)).toBe(true);
    expect(await store.saveVersion(VERSION)).toBe(false);
    expect(await store.getVersion('bob', 'orders', 'abc')).toBeUndefined();
    expect(await store.listVersions('bob')).toEqual([]);
  });

  it('replaces a redeployed manifest', async () => {
    const manifest = { params: { name: { type: 'string' as const, required: true } }, inputs: {} };
    expect(await store.saveVersion({ ...VERSION, manifest })).toBe(true);
    expect((await store.getVersion('alice', VERSION.workflow, VERSION.hash))?.manifest).toEqual(
      manifest,
    );

    expect(await store.saveVersion(VERSION)).toBe(false);
    const redeployed = await store.latestVersion('alice', VERSION.workflow);
    expect(redeployed?.manifest).toBeUndefined();
    expect(redeployed?.code).toBe(VERSION.code);
  });

  it('returns the newest version as latest', async () => {
    await store.saveVersion(VERSION);
    await store.saveVersion({ ...VERSION, hash: 'def', createdAtMs: 2 });
    expect((await store.latestVersion('alice', 'orders'))?.hash).toBe('def');
    expect((await store.listVersions('alice', 'orders')).map((v) => v.hash)).toEqual([
      'def',
      'abc',
    ]);
  });

  it('lists runnable instances in rounds per tenant', async () => {
    for (let index = 0; index < 3; index += 1) {
      await store.createInstance({
        ...INSTANCE,
        tenant: 'flood',
        id: `f${index}`,
        status: 'queued',
        updatedAtMs: 10 + index,
      });
    }
    await store.createInstance({ ...INSTANCE, tenant: 'quiet', id: 'q0', status: 'queued' });
    await store.createInstance({
      ...INSTANCE,
      tenant: 'quiet',
      id: 'later',
      status: 'waiting',
      wakeAtMs: 1000,
    });
    const runnable = await store.listRunnable({ nowMs: 100, limit: 3, includeRunning: false });
    // Round 1 takes the oldest of each tenant (q0 was updated at 1, f0 at 10), round 2 f1.
    expect(runnable).toEqual([
      { tenant: 'quiet', id: 'q0' },
      { tenant: 'flood', id: 'f0' },
      { tenant: 'flood', id: 'f1' },
    ]);
    const withRunning = await store.listRunnable({ nowMs: 2000, limit: 10, includeRunning: true });
    expect(withRunning).toContainEqual({ tenant: 'alice', id: 'order-1' });
    expect(withRunning).toContainEqual({ tenant: 'quiet', id: 'later' });
  });

  it('resets an instance in one go', async () => {
    await store.resetInstance('alice', 'order-1', 9);
    expect(await store.listSteps('alice', 'order-1')).toEqual([]);
    expect(await store.claimEvent('alice', 'order-1', 'approval', 'wait#1')).toBeUndefined();
    expect((await store.getInstance('alice', 'order-1'))?.status).toBe('queued');
  });

  /** Stores an instance of `tenant` with one step and one event. */
  async function storeWithHistory(
    tenant: string,
    id: string,
    status: InstanceRecord['status'],
    updatedAtMs: number,
  ): Promise<void> {
    await store.createInstance({ ...INSTANCE, tenant, id, status, updatedAtMs });
    await hold(store, tenant, id);
    await store.putStep(tenant, id, STEP);
    await store.addEvent(tenant, id, { type: 'ping', payload: 1, createdAtMs: 1 });
  }

  it('skips step writes while stopped', async () => {
    const next = { ...STEP, key: 'ship#1', seq: 1 };
    expect(await store.putStep('alice', 'order-1', next, { unlessStopped: true })).toBeUndefined();
    for (const status of ['paused', 'terminated'] as const) {
      await store.updateInstance('alice', 'order-1', { status, updatedAtMs: 5 });
      const late = { ...STEP, key: `late-${status}#1`, seq: 2 };
      expect(await store.putStep('alice', 'order-1', late, { unlessStopped: true })).toBe(status);
    }
    expect(await store.putStep('alice', 'order-1', { ...next, status: 'errored' })).toBeUndefined();
    const steps = await store.listSteps('alice', 'order-1');
    expect(steps.map((item) => item.key)).toEqual(['charge#1', 'ship#1']);
    expect(steps[1]?.status).toBe('errored');
  });

  it('stores ended attempts while paused', async () => {
    const options = { unlessStopped: true, allowPaused: true };
    await store.updateInstance('alice', 'order-1', { status: 'paused', updatedAtMs: 5 });
    const ended = { ...STEP, key: 'ship#1', seq: 1, status: 'complete' as const };
    expect(await store.putStep('alice', 'order-1', ended, options)).toBeUndefined();
    await store.updateInstance('alice', 'order-1', { status: 'terminated', updatedAtMs: 6 });
    const late = { ...STEP, key: 'late#1', seq: 2, status: 'complete' as const };
    expect(await store.putStep('alice', 'order-1', late, options)).toBe('terminated');
    const steps = await store.listSteps('alice', 'order-1');
    expect(steps.map((item) => item.key)).toEqual(['charge#1', 'ship#1']);
  });

  it('commits deferrable step writes in order', async () => {
    const shipped = { ...STEP, key: 'ship#1', seq: 1 };
    const running = { ...shipped, status: 'running' as const, resultJson: undefined };
    const start = store.putStep('alice', 'order-1', running, { deferrable: true });
    await store.putStep('alice', 'order-1', shipped);
    await start;
    const packing = { ...running, key: 'pack#1', seq: 2 };
    await store.putStep('alice', 'order-1', packing, { deferrable: true });
    expect(await store.listSteps('alice', 'order-1')).toEqual([STEP, shipped, packing]);
  });

  it('fails one write of a concurrent batch alone', async () => {
    const [duplicate, step, update] = await Promise.allSettled([
      store.createInstance(INSTANCE),
      store.putStep('alice', 'order-1', { ...STEP, key: 'ship#1', seq: 1 }),
      store.updateInstance('alice', 'order-1', { status: 'waiting', updatedAtMs: 4 }),
    ]);
    expect(duplicate.status).toBe('rejected');
    expect(step.status).toBe('fulfilled');
    expect(update.status).toBe('fulfilled');
    expect((await store.listSteps('alice', 'order-1')).map((item) => item.key)).toEqual([
      'charge#1',
      'ship#1',
    ]);
    expect((await store.getInstance('alice', 'order-1'))?.status).toBe('waiting');
  });

  it('lists ended instances before a time', async () => {
    await storeWithHistory('alice', 'done', 'complete', 10);
    await storeWithHistory('alice', 'failed', 'errored', 20);
    await storeWithHistory('bob', 'stopped', 'terminated', 30);
    await storeWithHistory('bob', 'recent', 'complete', 500);
    await storeWithHistory('bob', 'asleep', 'waiting', 5);
    await storeWithHistory('bob', 'held', 'paused', 5);
    await storeWithHistory('bob', 'next', 'queued', 5);
    const ended = await store.listEndedInstances({ endedBeforeMs: 100, limit: 10 });
    expect(ended).toEqual([
      { tenant: 'alice', id: 'done', workflow: 'orders', status: 'complete', updatedAtMs: 10 },
      { tenant: 'alice', id: 'failed', workflow: 'orders', status: 'errored', updatedAtMs: 20 },
      { tenant: 'bob', id: 'stopped', workflow: 'orders', status: 'terminated', updatedAtMs: 30 },
    ]);
    const bobs = await store.listEndedInstances({ endedBeforeMs: 100, limit: 10, tenant: 'bob' });
    expect(bobs.map((instance) => instance.id)).toEqual(['stopped']);
  });

  it('pages through ended instances', async () => {
    for (const id of ['c', 'a', 'b']) {
      await storeWithHistory('alice', id, 'complete', 10);
    }
    await storeWithHistory('alice', 'z', 'complete', 5);
    const first = await store.listEndedInstances({ endedBeforeMs: 100, limit: 2 });
    expect(first.map((instance) => instance.id)).toEqual(['z', 'a']);
    const rest = await store.listEndedInstances({ endedBeforeMs: 100, limit: 2, after: first[1] });
    expect(rest.map((instance) => instance.id)).toEqual(['b', 'c']);
  });

  it('deletes ended instances with their history', async () => {
    await storeWithHistory('alice', 'done', 'complete', 10);
    await storeWithHistory('bob', 'done', 'complete', 10);
    const deleted = await store.deleteEndedInstances([{ tenant: 'alice', id: 'done' }]);
    expect(deleted).toEqual([{ tenant: 'alice', id: 'done' }]);
    expect(await store.getInstance('alice', 'done')).toBeUndefined();
    expect(await store.listSteps('alice', 'done')).toEqual([]);
    expect(await store.claimEvent('alice', 'done', 'ping', 'wait#1')).toBeUndefined();
    expect(await store.getInstance('bob', 'done')).toBeDefined();
    expect(await store.listSteps('bob', 'done')).toHaveLength(1);
  });

  it('reserves the ids of deleted instances', async () => {
    await store.updateInstance('alice', 'order-1', { status: 'complete', updatedAtMs: 5 });
    const key = { tenant: 'alice', id: 'order-1' };
    expect(await store.deleteEndedInstances([key])).toEqual([key]);

    await expect(store.createInstance(INSTANCE)).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    await expect(store.createInstance(INSTANCE)).rejects.toThrow(/retention deleted/);
    expect(await store.getInstance('alice', 'order-1')).toBeUndefined();
    await store.createInstance({ ...INSTANCE, tenant: 'bob' });
    expect((await store.getInstance('bob', 'order-1'))?.tenant).toBe('bob');
  });

  it('releases reserved ids by deletion time', async () => {
    const keys = [
      { tenant: 'alice', id: 'order-1', deletedAtMs: 100 },
      { tenant: 'alice', id: 'order-2', deletedAtMs: 100 },
      { tenant: 'bob', id: 'order-3', deletedAtMs: 100 },
      { tenant: 'alice', id: 'order-4', deletedAtMs: 300 },
    ];
    for (const { tenant, id, deletedAtMs } of keys) {
      if (id !== 'order-1') {
        await store.createInstance({ ...INSTANCE, tenant, id });
      }
      await store.updateInstance(tenant, id, { status: 'complete', updatedAtMs: 5 });
      expect(await store.deleteEndedInstances([{ tenant, id }], deletedAtMs)).toHaveLength(1);
    }

    const bobOnly = { deletedBeforeMs: 200, limit: 10, tenant: 'bob' };
    expect(await store.releaseDeletedIds(bobOnly)).toBe(1);
    expect(await store.releaseDeletedIds({ deletedBeforeMs: 200, limit: 1 })).toBe(1);
    expect(await store.releaseDeletedIds({ deletedBeforeMs: 200, limit: 10 })).toBe(1);
    expect(await store.releaseDeletedIds({ deletedBeforeMs: 200, limit: 10 })).toBe(0);

    for (const { tenant, id } of keys.slice(0, 3)) {
      await store.createInstance({ ...INSTANCE, tenant, id });
      expect((await store.getInstance(tenant, id))?.status).toBe('running');
    }
    const kept = store.createInstance({ ...INSTANCE, id: 'order-4' });
    await expect(kept).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
  });

  it('never deletes an unfinished instance', async () => {
    const statuses = ['queued', 'running', 'waiting', 'paused'] as const;
    for (const status of statuses) {
      await storeWithHistory('carol', status, status, 1);
    }
    const keys = statuses.map((id) => ({ tenant: 'carol', id }));
    expect(await store.deleteEndedInstances([...keys, { tenant: 'alice', id: 'order-1' }])).toEqual(
      [],
    );
    for (const status of statuses) {
      expect((await store.getInstance('carol', status))?.status).toBe(status);
      expect(await store.listSteps('carol', status)).toHaveLength(1);
    }
  });

  it('upgrades only an unchanged instance', async () => {
    const change = {
      expected: { status: 'running' as const, version: 'abc', updatedAtMs: 1 },
      version: 'def',
      dropFromSeq: 0,
      patch: { status: 'queued' as const, updatedAtMs: 7 },
    };
    expect(await store.upgradeInstance('alice', 'order-1', change)).toBe(true);
    expect(await store.upgradeInstance('alice', 'order-1', change)).toBe(false);
    const instance = await store.getInstance('alice', 'order-1');
    expect(instance?.version).toBe('def');
    expect(instance?.status).toBe('queued');
    expect(await store.listSteps('alice', 'order-1')).toEqual([]);
  });
});

describe('PostgresWorkflowStore leases', () => {
  const opened: StoreCase[] = [];

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((item) => item.close()));
  });

  /** Two nodes on one new database. */
  async function twoNodes(): Promise<[PostgresWorkflowStore, PostgresWorkflowStore]> {
    const first = await openPostgres('node-a');
    const second = await PostgresWorkflowStore.open(first.url, { nodeId: 'node-b' });
    opened.push(first, { store: second, close: () => second.close() });
    return [first.store as PostgresWorkflowStore, second];
  }

  async function queue(store: WorkflowStore, tenant: string, count: number): Promise<void> {
    for (let index = 0; index < count; index += 1) {
      await store.createInstance({
        ...INSTANCE,
        tenant,
        id: `i${index}`,
        status: 'queued',
        updatedAtMs: index,
      });
    }
  }

  it('hands each instance to one node', async () => {
    const [a, b] = await twoNodes();
    await queue(a, 'acme', 20);
    const timing = { nowMs: 100, leaseMs: 1000, limit: 15 };
    const [first, second] = await Promise.all([
      a.leases.claimRunnable(timing),
      b.leases.claimRunnable(timing),
    ]);
    // A node skips rows the other is locking, so one round may leave some for the next.
    const rest = await b.leases.claimRunnable(timing);
    const ids = [...first, ...second, ...rest].map((key) => key.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(20);
  });

  it('keeps fair share across tenants when claiming', async () => {
    const [a] = await twoNodes();
    await queue(a, 'flood', 5);
    await queue(a, 'quiet', 1);
    const claimed = await a.leases.claimRunnable({ nowMs: 100, leaseMs: 1000, limit: 2 });
    expect(claimed.map((key) => key.tenant).sort()).toEqual(['flood', 'quiet']);
  });

  it('lets another node take an expired lease', async () => {
    const [a, b] = await twoNodes();
    await queue(a, 'acme', 1);
    expect(await a.leases.claimRunnable({ nowMs: 100, leaseMs: 1000, limit: 5 })).toHaveLength(1);
    await a.updateInstance('acme', 'i0', { status: 'running', updatedAtMs: 101 });
    expect(await b.leases.claimRunnable({ nowMs: 500, leaseMs: 1000, limit: 5 })).toEqual([]);
    expect(await b.leases.claimInstance('acme', 'i0', { nowMs: 500, leaseMs: 1000 })).toBe(false);

    const taken = await b.leases.claimRunnable({ nowMs: 1200, leaseMs: 1000, limit: 5 });
    expect(taken).toEqual([{ tenant: 'acme', id: 'i0' }]);
    const renewed = await a.leases.renewLeases([{ tenant: 'acme', id: 'i0' }], {
      nowMs: 1200,
      leaseMs: 1000,
    });
    expect(renewed).toEqual([]);
    await expect(a.putStep('acme', 'i0', STEP)).rejects.toMatchObject({ code: 'LEASE_LOST' });
    await b.putStep('acme', 'i0', STEP);
    expect(await a.listSteps('acme', 'i0')).toEqual([STEP]);
  });

  it('frees an instance on release', async () => {
    const [a, b] = await twoNodes();
    await queue(a, 'acme', 1);
    await a.leases.claimInstance('acme', 'i0', { nowMs: 0, leaseMs: 60_000 });
    expect(await b.leases.claimInstance('acme', 'i0', { nowMs: 1, leaseMs: 60_000 })).toBe(false);
    await a.leases.releaseLease('acme', 'i0');
    expect(await b.leases.claimInstance('acme', 'i0', { nowMs: 2, leaseMs: 60_000 })).toBe(true);
  });
});

describe('PostgreSQL migrations', () => {
  it('run once when several nodes start at once', async () => {
    const first = await openPostgres('node-0');
    const others = await Promise.all(
      [1, 2, 3, 4].map((index) =>
        PostgresWorkflowStore.open(first.url, { nodeId: `node-${index}` }),
      ),
    );
    try {
      const pool = await import('pg');
      const client = new pool.default.Client({ connectionString: first.url });
      await client.connect();
      const { rows } = await client.query<{ version: number }>(
        'SELECT version FROM workflow_migrations ORDER BY version',
      );
      await client.end();
      expect(rows.map((row) => row.version)).toEqual([1, 2, 3, 4, 5]);
    } finally {
      await Promise.all([first.close(), ...others.map((store) => store.close())]);
    }
  });

  it('fails with the URL and a hint when the server is unreachable', async () => {
    const port = 1;
    await expect(
      PostgresWorkflowStore.open(`postgres://user:hunter2@127.0.0.1:${port}/none`),
    ).rejects.toThrow(/Could not open the PostgreSQL workflow store at postgres:\/\/user:\*\*\*@/);
  });
});
