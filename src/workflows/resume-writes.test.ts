/**
 * Status writes at the start of a run, on a real SQLite store. An instance that a dead
 * process left `running` is resumed without writing its status again. A queued instance is
 * stored as running before its run starts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../core/store.js';
import { WorkflowEngine } from './engine.js';
import { SqliteWorkflowStore } from './stores/sqlite.js';
import type { InstancePatch, WorkflowStore } from './stores/store.js';

const ONE_STEP = `
import { WorkflowEntrypoint } from 'sandstack/workflows';
export class OneStep extends WorkflowEntrypoint {
  async run(event, step) {
    return step.do('one', async () => 'done');
  }
}`;

/** Wraps `store` so that every `updateInstance` patch is also pushed to `patches`. */
function recordingUpdates(store: WorkflowStore, patches: InstancePatch[]): WorkflowStore {
  return new Proxy(store, {
    get(target, property) {
      if (property === 'updateInstance') {
        const updateInstance: WorkflowStore['updateInstance'] = async (tenant, id, patch) => {
          patches.push(patch);
          return target.updateInstance(tenant, id, patch);
        };
        return updateInstance;
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) {
    await cleanup();
  }
});

async function makeEngine(): Promise<{
  engine: WorkflowEngine;
  store: SqliteWorkflowStore;
  patches: InstancePatch[];
}> {
  const dir = await mkdtemp(join(tmpdir(), 'sandstack-resume-writes-'));
  const db = openDatabase(join(dir, 'state.db'));
  cleanups.push(async () => {
    db.close();
    await rm(dir, { recursive: true, force: true });
  });
  const store = new SqliteWorkflowStore(db);
  const patches: InstancePatch[] = [];
  const engine = new WorkflowEngine({
    db,
    store: recordingUpdates(store, patches),
    isolation: 'in-process',
  });
  await engine.deploy('acme', 'one', { source: ONE_STEP, filename: 'one.js' });
  return { engine, store, patches };
}

describe('status writes at run start', () => {
  it('skips them for a left-running instance', async () => {
    const { engine, store, patches } = await makeEngine();
    const id = await engine.create('acme', 'one');
    // As a process that died mid-run leaves it.
    await store.updateInstance('acme', id, { status: 'running', updatedAtMs: 1 });

    const [result] = await engine.runDue({ includeRunning: true });

    expect(result?.status).toBe('complete');
    expect(patches.map((patch) => patch.status)).toEqual(['complete']);
  });

  it('stores a queued instance as running', async () => {
    const { engine, patches } = await makeEngine();
    const id = await engine.create('acme', 'one');

    const result = await engine.run('acme', id);

    expect(result.status).toBe('complete');
    expect(patches.map((patch) => patch.status)).toEqual(['running', 'complete']);
  });
});
