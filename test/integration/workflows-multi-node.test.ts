/**
 * Three engine processes share one PostgreSQL database; one is killed with SIGKILL mid-run.
 * Every instance must still complete, no live node may run a step body twice, and each
 * sleep's wake-up must run the step after it once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowEngine } from '../../src/workflows/engine.js';
import { PostgresWorkflowStore } from '../../src/workflows/stores/postgres.js';
import type { TestPostgres } from '../helpers/postgres.js';
import { startTestPostgres } from '../helpers/postgres.js';

const REPO_ROOT = resolve(import.meta.dirname, '../..');
const NODE = join(REPO_ROOT, 'test', 'helpers', 'workflow-node.ts');
const TENANTS = ['acme', 'globex', 'initech', 'umbrella'];
const INSTANCES_PER_TENANT = 300;
const CONCURRENCY = 8;
const LEASE_MS = 2000;

const WORKFLOW = `
import { WorkflowEntrypoint } from 'sandstack/workflows';
export class Small extends WorkflowEntrypoint {
  async run(event, step) {
    const a = await step.do('a', async () => this.env.COUNTER.hit());
    await step.sleep('nap', '200 milliseconds');
    const b = await step.do('b', async () => this.env.COUNTER.hit());
    return a + b;
  }
}`;

interface Node {
  id: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  output: string[];
}

function startNode(url: string, id: string): Node {
  const child = spawn(process.execPath, ['--no-node-snapshot', '--import', 'tsx', NODE], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      DATABASE_URL: url,
      NODE_ID: id,
      LEASE_MS: String(LEASE_MS),
      CONCURRENCY: String(CONCURRENCY),
      MAX_SECONDS: '200',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return { id, child, exited, output };
}

async function count(client: pg.Client, sql: string): Promise<number> {
  const { rows } = await client.query<{ count: string }>(sql);
  return Number(rows[0]?.count ?? 0);
}

describe('workflow engine on three nodes', () => {
  let postgres: TestPostgres;
  let url: string;
  let client: pg.Client;
  const nodes: Node[] = [];

  beforeAll(async () => {
    postgres = await startTestPostgres();
    url = await postgres.createDatabase('cluster');
    const store = await PostgresWorkflowStore.open(url, { nodeId: 'setup' });
    const engine = new WorkflowEngine({ store });
    for (const tenant of TENANTS) {
      await engine.deploy(tenant, 'small', { source: WORKFLOW, filename: 'small.js' });
      for (let index = 0; index < INSTANCES_PER_TENANT; index += 1) {
        await engine.create(tenant, 'small', { id: `i${index}` });
      }
    }
    await store.close();
    client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(
      `CREATE TABLE side_effects (tenant TEXT NOT NULL, instance_id TEXT NOT NULL,
         step_key TEXT NOT NULL, node TEXT NOT NULL)`,
    );
  }, 120_000);

  afterAll(async () => {
    for (const node of nodes) {
      node.child.kill('SIGKILL');
    }
    await client?.end();
    await postgres?.stop();
  });

  it('completes every instance after a node is killed', async () => {
    const total = TENANTS.length * INSTANCES_PER_TENANT;
    nodes.push(startNode(url, 'node-0'), startNode(url, 'node-1'), startNode(url, 'node-2'));
    const [victim, ...survivors] = nodes as [Node, Node, Node];

    // Bounded: about 60 s for the victim to run a share of the work.
    let victimEffects = 0;
    for (let round = 0; round < 600 && victimEffects < 100; round += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      victimEffects = await count(
        client,
        "SELECT COUNT(*) AS count FROM side_effects WHERE node = 'node-0'",
      );
    }
    expect(victimEffects, victim.output.join('')).toBeGreaterThanOrEqual(100);
    victim.child.kill('SIGKILL');
    await victim.exited;
    const unfinishedAtKill = await count(
      client,
      "SELECT COUNT(*) AS count FROM workflow_instances WHERE status <> 'complete'",
    );
    expect(unfinishedAtKill).toBeGreaterThan(0);

    const codes = await Promise.all(survivors.map((node) => node.exited));
    expect(codes, survivors.map((node) => node.output.join('')).join('\n')).toEqual([0, 0]);

    const complete = await count(
      client,
      "SELECT COUNT(*) AS count FROM workflow_instances WHERE status = 'complete'",
    );
    expect(complete).toBe(total);
    const missing = await count(
      client,
      `SELECT COUNT(*) AS count FROM workflow_instances AS instance WHERE NOT EXISTS (
         SELECT 1 FROM side_effects AS effect WHERE effect.tenant = instance.tenant
           AND effect.instance_id = instance.id AND effect.step_key = 'b#1')`,
    );
    expect(missing).toBe(0);

    // A step body may run again only when the killed node ran it and died before its
    // result was committed: a live node never runs a step twice.
    const { rows: repeats } = await client.query<{ step_key: string; live: string; all: string }>(
      `SELECT step_key, COUNT(*) FILTER (WHERE node <> 'node-0') AS live, COUNT(*) AS all
       FROM side_effects GROUP BY tenant, instance_id, step_key HAVING COUNT(*) > 1`,
    );
    expect(repeats.filter((row) => Number(row.live) > 1)).toEqual([]);
    expect(repeats.filter((row) => Number(row.all) > 2)).toEqual([]);
    expect(repeats.length).toBeLessThanOrEqual(CONCURRENCY);

    // Each wake-up ran the step after the sleep once, or twice only around the kill.
    const timerRepeats = repeats.filter((row) => row.step_key === 'b#1');
    expect(timerRepeats.length).toBeLessThanOrEqual(CONCURRENCY);
    const effects = await count(client, 'SELECT COUNT(*) AS count FROM side_effects');
    expect(effects).toBe(total * 2 + repeats.length);
  }, 280_000);
});
