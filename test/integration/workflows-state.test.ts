/**
 * The `env.STATE` binding on a real SQLite file and on PostgreSQL, called from real
 * isolates: values
 * round-trip as JSON, size limits reject with clear errors, and each tenant sees only its
 * own keys, whatever characters the keys contain.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqliteDatabase } from '../../src/core/store.js';
import { openDatabase } from '../../src/core/store.js';
import { PostgresStateStore } from '../../src/workflows/bindings/postgres-state-store.js';
import {
  createStateBinding,
  SqliteStateStore,
  type StateLimits,
  type StateStore,
} from '../../src/workflows/bindings/state-binding.js';
import { WorkflowEngine } from '../../src/workflows/engine.js';
import { useSqlDatabases, type OpenedSqlDatabase } from '../helpers/sql-databases.js';

const WORKFLOW = {
  filename: 'state.js',
  source: `import { WorkflowEntrypoint } from 'sandstack/workflows';
    export class State extends WorkflowEntrypoint {
      async run(event, step) {
        const { op, key, value, prefix } = event.payload;
        return step.do('state', async () => {
          try {
            if (op === 'put') { await this.env.STATE.put(key, value); return { ok: true }; }
            if (op === 'get') { return { ok: true, value: await this.env.STATE.get(key) }; }
            if (op === 'delete') { return { ok: true, value: await this.env.STATE.delete(key) }; }
            return { ok: true, value: await this.env.STATE.list({ prefix }) };
          } catch (error) {
            return { ok: false, code: error.code, message: error.message };
          }
        });
      }
    }`,
};

/** Keys that would escape a naive path, LIKE or C-string scheme. */
const TRICKY_KEYS = [
  'a/b',
  '../bob/secret',
  '..',
  '%',
  '_',
  'a%',
  'nul\u0000after',
  '\u0000',
  'ü/ß',
];

const databases = useSqlDatabases();

const LIMITS: Partial<StateLimits> = { maxValueBytes: 1000, maxTenantBytes: 4000 };

/** The state store of one database kind, on the database the case opened. */
async function openStateStore(opened: OpenedSqlDatabase): Promise<StateStore & StoreUsage> {
  return opened.sqlite === undefined
    ? PostgresStateStore.open(opened.sql, LIMITS)
    : new SqliteStateStore(opened.sqlite, LIMITS);
}

interface StoreUsage {
  usage(tenant: string): number | Promise<number>;
}

/** Runs a store call that may throw at once (SQLite) or reject (PostgreSQL) as a promise. */
function attempt(work: () => unknown): Promise<unknown> {
  return Promise.resolve().then(work);
}

describe.each(databases.cases)('workflow STATE binding on $name', ({ open }) => {
  let dir: string;
  let db: SqliteDatabase;
  let opened: OpenedSqlDatabase;
  let store: StateStore & StoreUsage;
  let engine: WorkflowEngine;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sandstack-state-'));
    // The workflows stay in this SQLite file; only the STATE store changes per case.
    db = openDatabase(join(dir, 'workflows.db'));
    opened = await open();
    store = await openStateStore(opened);
    engine = new WorkflowEngine({
      db,
      isolation: 'in-process',
      bindings: () => ({ STATE: createStateBinding(store) }),
    });
    await engine.deploy('alice', 'state', WORKFLOW);
    await engine.deploy('bob', 'state', WORKFLOW);
  });

  afterAll(async () => {
    await opened.close();
    db.close();
    await rm(dir, { recursive: true, force: true });
  });

  const call = async (tenant: string, payload: Record<string, unknown>): Promise<unknown> => {
    const id = await engine.create(tenant, 'state', { params: payload as never });
    const result = await engine.run(tenant, id);
    expect(result.status).toBe('complete');
    return result.output;
  };

  it('round-trips JSON values', async () => {
    const value = { list: [1, 'two', null, true], nested: { x: 1.5 } };
    expect(await call('alice', { op: 'put', key: 'doc', value })).toEqual({ ok: true });
    expect(await call('alice', { op: 'get', key: 'doc' })).toEqual({ ok: true, value });
    expect(await call('alice', { op: 'get', key: 'missing' })).toEqual({ ok: true, value: null });
    expect(await call('alice', { op: 'delete', key: 'doc' })).toEqual({ ok: true, value: true });
    expect(await call('alice', { op: 'delete', key: 'doc' })).toEqual({ ok: true, value: false });
  });

  it('keeps tricky keys apart per tenant', async () => {
    for (const key of TRICKY_KEYS) {
      await call('alice', { op: 'put', key, value: `alice:${key}` });
    }
    for (const key of TRICKY_KEYS) {
      expect(await call('alice', { op: 'get', key })).toEqual({ ok: true, value: `alice:${key}` });
      expect(await call('bob', { op: 'get', key })).toEqual({ ok: true, value: null });
    }
    expect(await call('bob', { op: 'list', prefix: '' })).toEqual({
      ok: true,
      value: { keys: [], list_complete: true },
    });
    expect(await call('bob', { op: 'delete', key: 'a/b' })).toEqual({ ok: true, value: false });
    expect(await store.get('alice', 'a/b')).toBe('alice:a/b');
    expect(await store.get('alice', 'nul')).toBeNull();
    expect(await store.get('alice', 'nul\u0000after')).toBe('alice:nul\u0000after');
  });

  it('lists by prefix without wildcards', async () => {
    const listed = (await call('alice', { op: 'list', prefix: 'a' })) as {
      value: { keys: { name: string }[] };
    };
    expect(listed.value.keys.map((key) => key.name)).toEqual(['a%', 'a/b']);
    const percent = (await call('alice', { op: 'list', prefix: '%' })) as {
      value: { keys: { name: string }[] };
    };
    expect(percent.value.keys.map((key) => key.name)).toEqual(['%']);
    const nul = (await call('alice', { op: 'list', prefix: '\u0000' })) as {
      value: { keys: { name: string }[] };
    };
    expect(nul.value.keys.map((key) => key.name)).toEqual(['\u0000']);
  });

  it('pages with a cursor', async () => {
    for (const name of ['p1', 'p2', 'p3']) {
      await store.put('carol', name, 1, 0);
    }
    const first = await store.list('carol', { prefix: 'p', limit: 2 });
    expect(first.keys.map((key) => key.name)).toEqual(['p1', 'p2']);
    expect(first.list_complete).toBe(false);
    const second = await store.list('carol', { prefix: 'p', limit: 2, cursor: first.cursor });
    expect(second.keys.map((key) => key.name)).toEqual(['p3']);
    expect(second.list_complete).toBe(true);
  });

  it('rejects values over the value limit', async () => {
    const result = (await call('alice', { op: 'put', key: 'big', value: 'x'.repeat(2000) })) as {
      ok: boolean;
      code: string;
      message: string;
    };
    expect(result.ok).toBe(false);
    expect(result.code).toBe('INVALID_ARGUMENT');
    expect(result.message).toContain('over the 1000-byte limit');
    expect(await store.get('alice', 'big')).toBeNull();
  });

  it('rejects puts past the tenant limit', async () => {
    for (let index = 0; index < 4; index += 1) {
      await store.put('dave', `k${index}`, 'y'.repeat(900), 0);
    }
    await expect(attempt(() => store.put('dave', 'k4', 'y'.repeat(900), 0))).rejects.toThrow(
      /over the 4000-byte limit/,
    );
    // Replacing a key counts only the difference.
    await store.put('dave', 'k0', 'z'.repeat(900), 0);
    expect(await store.get('dave', 'k0')).toBe('z'.repeat(900));
    // Another tenant's usage is separate.
    await store.put('erin', 'k0', 'y'.repeat(900), 0);
    expect(await store.usage('erin')).toBeLessThan(1000);
  });

  it('keeps the tenant limit under concurrent puts', async () => {
    const puts = Array.from({ length: 8 }, (_, index) =>
      attempt(() => store.put('frank', `c${index}`, 'y'.repeat(900), 0)),
    );
    const results = await Promise.allSettled(puts);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(4);
    expect(await store.usage('frank')).toBeLessThanOrEqual(4000);
  });

  it('rejects invalid keys', async () => {
    await expect(attempt(() => store.put('alice', '', 1, 0))).rejects.toThrow(
      /Invalid STATE key ""/,
    );
    await expect(attempt(() => store.put('alice', 'k'.repeat(513), 1, 0))).rejects.toThrow(
      /over the 512-byte limit/,
    );
    await expect(attempt(() => store.put('alice', '\ud800', 1, 0))).rejects.toThrow(
      /lone UTF-16 surrogate/,
    );
    await expect(attempt(() => store.put('alice', 'k', undefined, 0))).rejects.toThrow(
      /got no value/,
    );
    await expect(attempt(() => store.list('alice', { limit: 0 }))).rejects.toThrow(
      /Invalid STATE list limit 0/,
    );
  });
});
