/**
 * The engine on a PostgreSQL store with leases: a run holds its instance's lease, another
 * engine cannot run the instance meanwhile, and a run whose lease another node took stops
 * without storing more steps.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowEngine } from '../../src/workflows/engine.js';
import { PostgresWorkflowStore } from '../../src/workflows/stores/postgres.js';
import type { TestPostgres } from '../helpers/postgres.js';
import { startTestPostgres } from '../helpers/postgres.js';

const GATED = `
import { WorkflowEntrypoint } from 'sandstack/workflows';
export class Gated extends WorkflowEntrypoint {
  async run(event, step) {
    const first = await step.do('first', async () => this.env.GATE.wait());
    return step.do('second', async () => first + 1);
  }
}`;

describe('engine leases on PostgreSQL', () => {
  let postgres: TestPostgres;
  let url: string;
  let client: pg.Client;
  const stores: PostgresWorkflowStore[] = [];
  let open: () => void = () => undefined;
  let entered: () => void = () => undefined;

  async function engineOn(nodeId: string): Promise<WorkflowEngine> {
    const store = await PostgresWorkflowStore.open(url, { nodeId });
    stores.push(store);
    return new WorkflowEngine({
      store,
      isolation: 'in-process',
      bindings: () => ({
        GATE: {
          wait: () =>
            new Promise<number>((resolve) => {
              open = () => resolve(1);
              entered();
            }),
        },
      }),
    });
  }

  beforeAll(async () => {
    postgres = await startTestPostgres();
    url = await postgres.createDatabase('leases');
    client = new pg.Client({ connectionString: url });
    await client.connect();
  }, 60_000);

  afterAll(async () => {
    open();
    await client?.end();
    await Promise.all(stores.map((store) => store.close()));
    await postgres?.stop();
  });

  it('keeps other nodes off a running instance', async () => {
    const a = await engineOn('node-a');
    const b = await engineOn('node-b');
    await a.deploy('acme', 'gated', { source: GATED, filename: 'gated.js' });
    const id = await a.create('acme', 'gated');
    const inStep = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const running = a.run('acme', id);
    await inStep;

    await expect(b.run('acme', id)).rejects.toThrow(/running on another node/);
    expect(await b.runDue({ limit: 10 })).toEqual([]);

    open();
    const result = await running;
    expect(result.status).toBe('complete');
    expect(result.output).toBe(2);
    const { rows } = await client.query<{ owner: string | null }>(
      'SELECT lease_owner AS owner FROM workflow_instances WHERE id = $1',
      [id],
    );
    expect(rows[0]?.owner).toBeNull();
  });

  it('stops a run whose lease another node took', async () => {
    const a = await engineOn('node-c');
    await a.deploy('acme', 'gated', { source: GATED, filename: 'gated.js' });
    const id = await a.create('acme', 'gated');
    const inStep = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const running = a.run('acme', id);
    await inStep;

    // As if node-c stalled past its lease and node-d claimed the instance.
    await client.query(
      "UPDATE workflow_instances SET lease_owner = 'node-d', lease_expires_at_ms = $2 WHERE id = $1",
      [id, Date.now() + 60_000],
    );
    open();
    const result = await running;

    expect(result.status).toBe('running');
    expect(result.steps.map((step) => [step.key, step.status])).toEqual([['first#1', 'running']]);
    const { rows } = await client.query<{ owner: string | null }>(
      'SELECT lease_owner AS owner FROM workflow_instances WHERE id = $1',
      [id],
    );
    expect(rows[0]?.owner).toBe('node-d');
  });
});
