/**
 * Tenant isolation in the workflow engine: one tenant cannot read, run, change or signal
 * another tenant's workflows and instances, even when it has their ids.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqliteDatabase } from '../../src/core/store.js';
import { openDatabase } from '../../src/core/store.js';
import { WorkflowEngine } from '../../src/workflows/engine.js';

const WORKFLOW = {
  filename: 'secret.js',
  source: `import { WorkflowEntrypoint } from 'sandstack/workflows';
    export class Secret extends WorkflowEntrypoint {
      async run(event, step) {
        const who = await step.do('who', async () => this.env.TENANT.name());
        await step.waitForEvent('go', { type: 'go', timeout: '1 hour' });
        return { who, secret: event.payload.secret };
      }
    }`,
};

describe('workflow tenant isolation', () => {
  let dir: string;
  let db: SqliteDatabase;
  let engine: WorkflowEngine;
  let aliceId: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sandstack-tenants-'));
    db = openDatabase(join(dir, 'state.db'));
    engine = new WorkflowEngine({
      db,
      bindings: (tenant) => ({
        TENANT: { name: async (context) => `${tenant}/${context.tenant}` },
      }),
    });
    await engine.deploy('alice', 'secret', WORKFLOW);
    aliceId = await engine.create('alice', 'secret', {
      id: 'shared-id',
      params: { secret: 'alice-only' },
    });
    expect((await engine.run('alice', aliceId)).status).toBe('waiting');
  });

  afterAll(async () => {
    db.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('hides instances from other tenants', async () => {
    expect(await engine.list('bob')).toEqual([]);
    await expect(engine.get('bob', aliceId)).rejects.toThrow(
      expect.objectContaining({ code: 'NOT_FOUND' }),
    );
  });

  it('rejects run, terminate, pause and sendEvent across tenants', async () => {
    await expect(engine.run('bob', aliceId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(engine.terminate('bob', aliceId)).rejects.toThrow(
      expect.objectContaining({ code: 'NOT_FOUND' }),
    );
    await expect(engine.pause('bob', aliceId)).rejects.toThrow(
      expect.objectContaining({ code: 'NOT_FOUND' }),
    );
    await expect(engine.sendEvent('bob', aliceId, { type: 'go' })).rejects.toThrow(
      expect.objectContaining({ code: 'NOT_FOUND' }),
    );
    expect((await engine.get('alice', aliceId)).status).toBe('waiting');
  });

  it('hides workflows from other tenants', async () => {
    await expect(engine.create('bob', 'secret')).rejects.toThrow(
      expect.objectContaining({ code: 'NOT_FOUND' }),
    );
    expect(await engine.registry.list('bob')).toEqual([]);
  });

  it('keeps the same instance id apart per tenant', async () => {
    await engine.deploy('bob', 'secret', WORKFLOW);
    const bobId = await engine.create('bob', 'secret', {
      id: 'shared-id',
      params: { secret: 'bob-only' },
    });
    expect(bobId).toBe(aliceId);
    await engine.run('bob', bobId);
    await engine.sendEvent('bob', bobId, { type: 'go' });
    const bob = await engine.run('bob', bobId);
    expect(bob.output).toEqual({ who: 'bob/bob', secret: 'bob-only' });
    expect((await engine.get('alice', aliceId)).status).toBe('waiting');

    await engine.sendEvent('alice', aliceId, { type: 'go' });
    const alice = await engine.run('alice', aliceId);
    expect(alice.output).toEqual({ who: 'alice/alice', secret: 'alice-only' });
  });

  it('rejects invalid tenant names', async () => {
    await expect(engine.deploy('../bob', 'secret', WORKFLOW)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });
});
