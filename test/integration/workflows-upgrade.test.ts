/**
 * Explicit version upgrade of workflow instances on a real SQLite file with real isolates:
 * compatible code moves the instance and keeps its finished steps, and code that would
 * replay differently is rejected with the first step where it differs.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqliteDatabase } from '../../src/core/store.js';
import { openDatabase } from '../../src/core/store.js';
import { WorkflowEngine } from '../../src/workflows/engine.js';

/** Workflow source with `body` as the body of `run(event, step)`. */
function source(body: string): { filename: string; source: string } {
  return {
    filename: 'flow.js',
    source: `import { WorkflowEntrypoint, NonRetryableError } from 'sandstack/workflows';
      export class Flow extends WorkflowEntrypoint {
        async run(event, step) {
          ${body}
        }
      }`,
  };
}

const V1 = source(`
  const a = await step.do('a', async () => { await this.env.COUNTER.hit('a'); return 1; });
  const go = await step.waitForEvent('go', { type: 'go', timeout: '1 hour' });
  const b = await step.do('b', async () => 'v1');
  return { a, b, go: go.payload };`);

const V2_SAME_STEPS = source(`
  const a = await step.do('a', async () => { await this.env.COUNTER.hit('a'); return 1; });
  const go = await step.waitForEvent('go', { type: 'go', timeout: '1 hour' });
  const b = await step.do('b', async () => 'v2');
  const c = await step.do('c', async () => 'new step');
  return { a, b, c, go: go.payload };`);

const V3_RENAMED = source(`
  await step.do('first', async () => 1);
  await step.waitForEvent('go', { type: 'go', timeout: '1 hour' });
  return 'renamed';`);

const V4_EXTRA_STEP = source(`
  await step.do('a', async () => 1);
  await step.do('a', async () => 2);
  await step.waitForEvent('go', { type: 'go', timeout: '1 hour' });
  return 'extra';`);

const V5_RETURNS_EARLY = source(`return 'nothing';`);

const V6_BINDING_OUTSIDE_STEP = source(`
  await this.env.COUNTER.hit('outside');
  await step.do('a', async () => 1);
  return 'binding';`);

const FAILING = source(`
  const a = await step.do('a', async () => { await this.env.COUNTER.hit('a'); return 1; });
  const b = await step.do('b', async () => { throw new NonRetryableError('bug in b'); });
  return { a, b };`);

const FIXED = source(`
  const a = await step.do('a', async () => { await this.env.COUNTER.hit('a'); return 1; });
  const b = await step.do('b', async () => 'fixed');
  return { a, b };`);

describe('workflow version upgrade', () => {
  let dir: string;
  let db: SqliteDatabase;
  let engine: WorkflowEngine;
  const hits = new Map<string, number>();
  const versions: Record<string, string> = {};

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sandstack-upgrade-'));
    db = openDatabase(join(dir, 'state.db'));
    engine = new WorkflowEngine({
      db,
      bindings: (tenant, instanceId) => ({
        COUNTER: {
          hit: async (_context, name) => {
            const key = `${tenant}/${instanceId}/${String(name)}`;
            hits.set(key, (hits.get(key) ?? 0) + 1);
            return null;
          },
        },
      }),
    });
    const sources = {
      v1: V1,
      v2: V2_SAME_STEPS,
      v3: V3_RENAMED,
      v4: V4_EXTRA_STEP,
      v5: V5_RETURNS_EARLY,
      v6: V6_BINDING_OUTSIDE_STEP,
      fixed: FIXED,
    };
    for (const [name, code] of Object.entries(sources)) {
      versions[name] = (await engine.deploy('acme', 'flow', code)).version;
    }
    versions.failing = (await engine.deploy('acme', 'fails', FAILING)).version;
    versions.fixedFails = (await engine.deploy('acme', 'fails', FIXED)).version;
  });

  afterAll(async () => {
    db.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Creates an instance pinned to v1 and runs it until it waits for "go". */
  const waitingOnV1 = async (id: string): Promise<void> => {
    await engine.create('acme', 'flow', { id });
    db.prepare('UPDATE workflow_instances SET version = ? WHERE tenant = ? AND id = ?').run(
      versions.v1,
      'acme',
      id,
    );
    expect((await engine.run('acme', id)).status).toBe('waiting');
  };

  it('moves a waiting instance to compatible code', async () => {
    await waitingOnV1('compatible');
    const result = await engine.upgrade('acme', 'compatible', versions.v2 as string);
    expect(result.from).toBe(versions.v1);
    expect(result.to).toBe(versions.v2);
    expect(result.replayedSteps).toBe(2);
    expect(result.droppedSteps).toEqual([]);
    expect((await engine.get('acme', 'compatible')).info.version).toBe(versions.v2);
    expect((await engine.get('acme', 'compatible')).status).toBe('waiting');

    await engine.sendEvent('acme', 'compatible', { type: 'go', payload: 'now' });
    const done = await engine.run('acme', 'compatible');
    expect(done.status).toBe('complete');
    expect(done.output).toEqual({ a: 1, b: 'v2', c: 'new step', go: 'now' });
    expect(hits.get('acme/compatible/a')).toBe(1);
  });

  it('rejects a renamed step', async () => {
    await waitingOnV1('renamed');
    const upgrade = engine.upgrade('acme', 'renamed', versions.v3 as string);
    await expect(upgrade).rejects.toMatchObject({ code: 'WORKFLOW_NONDETERMINISM' });
    await expect(upgrade).rejects.toThrow(/do step "first#1" at position 1.*do step "a#1"/);
    expect((await engine.get('acme', 'renamed')).info.version).toBe(versions.v1);
    expect((await engine.get('acme', 'renamed')).status).toBe('waiting');
    expect((await engine.get('acme', 'renamed')).steps.map((step) => step.key)).toEqual([
      'a#1',
      'go#1',
    ]);
  });

  it('rejects an extra occurrence', async () => {
    await waitingOnV1('extra');
    await expect(engine.upgrade('acme', 'extra', versions.v4 as string)).rejects.toThrow(
      /do step "a#2" at position 2.*event step "go#1"/,
    );
    expect((await engine.get('acme', 'extra')).info.version).toBe(versions.v1);
  });

  it('rejects code that stops early', async () => {
    await waitingOnV1('early');
    await expect(engine.upgrade('acme', 'early', versions.v5 as string)).rejects.toThrow(
      /returned after 0 of 2 stored steps, without reaching do step "a#1"/,
    );
  });

  it('rejects binding calls outside steps', async () => {
    await waitingOnV1('binding');
    await expect(engine.upgrade('acme', 'binding', versions.v6 as string)).rejects.toThrow(
      /cannot follow env\.COUNTER\.hit, called outside any step/,
    );
    expect(hits.get('acme/binding/outside')).toBeUndefined();
  });

  it('keeps a paused instance paused', async () => {
    await waitingOnV1('paused');
    await engine.pause('acme', 'paused');
    await engine.upgrade('acme', 'paused', versions.v2 as string);
    expect((await engine.get('acme', 'paused')).status).toBe('paused');
    expect((await engine.get('acme', 'paused')).info.version).toBe(versions.v2);
  });

  it('reruns the failed step of an errored instance', async () => {
    await engine.create('acme', 'fails', { id: 'errored' });
    db.prepare('UPDATE workflow_instances SET version = ? WHERE tenant = ? AND id = ?').run(
      versions.failing,
      'acme',
      'errored',
    );
    expect((await engine.run('acme', 'errored')).status).toBe('errored');
    const result = await engine.upgrade('acme', 'errored', versions.fixedFails as string);
    expect(result.droppedSteps).toEqual(['b#1']);
    expect(result.replayedSteps).toBe(1);
    expect((await engine.get('acme', 'errored')).status).toBe('queued');
    expect((await engine.get('acme', 'errored')).error).toBeUndefined();

    const done = await engine.run('acme', 'errored');
    expect(done.status).toBe('complete');
    expect(done.output).toEqual({ a: 1, b: 'fixed' });
    expect(hits.get('acme/errored/a')).toBe(1);
  });

  it('rejects bad states, versions and tenants', async () => {
    await engine.create('acme', 'flow', { id: 'queued' });
    await expect(engine.upgrade('acme', 'queued', versions.v2 as string)).rejects.toThrow(
      /because it is queued/,
    );
    await waitingOnV1('checks');
    await expect(engine.upgrade('acme', 'checks', 'f'.repeat(64))).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(
      engine.upgrade('acme', 'checks', versions.failing as string),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(engine.upgrade('other', 'checks', versions.v2 as string)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    expect((await engine.get('acme', 'checks')).info.version).toBe(versions.v1);
  });
});
