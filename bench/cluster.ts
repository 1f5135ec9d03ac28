/**
 * Multi-node benchmark: steps per second with 1, 2 and 3 engine processes sharing one
 * PostgreSQL server (a throwaway cluster with fsync on, as in production), the same
 * workflows on one DBOS Transact process against the same server, and how long a killed
 * node's instances wait before another node takes them over. Bounded: 400 instances of 5
 * steps per node count and for DBOS, and one failover sample per lease length.
 */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { WorkflowEngine } from '../src/workflows/engine.js';
import { PostgresWorkflowStore } from '../src/workflows/stores/postgres.js';
import { startTestPostgres, type TestPostgres } from '../test/helpers/postgres.js';
import type { BenchResults } from './lib.js';
import { round } from './lib.js';

const REPO_ROOT = resolve(import.meta.dirname, '..');
const NODE = join(REPO_ROOT, 'test', 'helpers', 'workflow-node.ts');
const DBOS_NODE = join(REPO_ROOT, 'bench', 'dbos-node.ts');
const INSTANCES = 400;
const STEPS = 5;
const CONCURRENCY = 8;

const WORKFLOW = `
import { WorkflowEntrypoint } from 'sandstack/workflows';
export class Steps extends WorkflowEntrypoint {
  async run(event, step) {
    for (let i = 0; i < ${STEPS}; i++) {
      await step.do('step', async () => 'x'.repeat(1024));
    }
    return ${STEPS};
  }
}`;

/** Creates a database with `instances` queued instances over four tenants. */
async function prepare(postgres: TestPostgres, name: string, instances: number): Promise<string> {
  const url = await postgres.createDatabase(name);
  const store = await PostgresWorkflowStore.open(url, { nodeId: 'bench-setup' });
  const engine = new WorkflowEngine({ store });
  const tenants = ['t0', 't1', 't2', 't3'];
  for (const tenant of tenants) {
    await engine.deploy(tenant, 'steps', { source: WORKFLOW, filename: 'steps.js' });
  }
  for (let index = 0; index < instances; index += 1) {
    await engine.create(tenants[index % tenants.length] as string, 'steps');
  }
  await store.close();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(
    'CREATE TABLE side_effects (tenant TEXT, instance_id TEXT, step_key TEXT, node TEXT)',
  );
  await client.end();
  return url;
}

function startNodes(url: string, count: number, leaseMs: number): ReturnType<typeof spawn>[] {
  return Array.from({ length: count }, (_, index) =>
    spawn(process.execPath, ['--no-node-snapshot', '--import', 'tsx', NODE], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        DATABASE_URL: url,
        NODE_ID: `bench-${index}`,
        LEASE_MS: String(leaseMs),
        CONCURRENCY: String(CONCURRENCY),
        MAX_SECONDS: '300',
      },
      stdio: 'ignore',
    }),
  );
}

async function exited(child: ReturnType<typeof spawn>): Promise<void> {
  if (child.exitCode === null) {
    await new Promise((done) => child.once('exit', done));
  }
}

/** Steps per second between the first step start and the last step end. */
async function stepRate(url: string): Promise<{ perSecond: number; steps: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query<{ steps: string; first: string; last: string }>(
    'SELECT COUNT(*) AS steps, MIN(started_at_ms) AS first, MAX(ended_at_ms) AS last FROM workflow_steps',
  );
  await client.end();
  const row = rows[0];
  const steps = Number(row?.steps ?? 0);
  const seconds = (Number(row?.last) - Number(row?.first)) / 1000;
  return { perSecond: steps / seconds, steps };
}

/** Runs the same workflows on one DBOS Transact process; returns its steps per second. */
async function dbosStepRate(url: string): Promise<{ perSecond: number; steps: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', DBOS_NODE], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      DATABASE_URL: url,
      INSTANCES: String(INSTANCES),
      STEPS: String(STEPS),
      CONCURRENCY: String(CONCURRENCY),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  // Bounded: 300 s, like the sandstack nodes.
  const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
  await exited(child);
  clearTimeout(timer);
  const line = stdout.trim().split('\n').at(-1) ?? '';
  if (child.exitCode !== 0 || !line.startsWith('{')) {
    throw new Error(`The DBOS process failed (exit ${String(child.exitCode)}): ${stderr.trim()}`);
  }
  const { steps, seconds } = JSON.parse(line) as { steps: number; seconds: number };
  return { perSecond: steps / seconds, steps };
}

/**
 * Kills one of two nodes while it runs an instance and measures how long that instance's
 * next step waits: from the kill until another node commits a step of it.
 */
async function failoverMs(postgres: TestPostgres, leaseMs: number): Promise<number> {
  const url = await prepare(postgres, `failover_${leaseMs}`, 40);
  const [victim, survivor] = startNodes(url, 2, leaseMs) as [
    ReturnType<typeof spawn>,
    ReturnType<typeof spawn>,
  ];
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // Bounded: 60 s for the victim to hold a lease.
    let held: { tenant: string; id: string } | undefined;
    for (let round = 0; round < 600 && held === undefined; round += 1) {
      await new Promise((done) => setTimeout(done, 100));
      const { rows } = await client.query<{ tenant: string; id: string }>(
        "SELECT tenant, id FROM workflow_instances WHERE lease_owner = 'bench-0' AND status = 'running' LIMIT 1",
      );
      held = rows[0];
    }
    if (held === undefined) {
      throw new Error('The node to kill never held a lease');
    }
    victim.kill('SIGKILL');
    const killedAtMs = Date.now();
    // Bounded: the lease plus 60 s.
    for (let round = 0; round < (leaseMs + 60_000) / 50; round += 1) {
      const { rows } = await client.query<{ owner: string | null }>(
        'SELECT lease_owner AS owner FROM workflow_instances WHERE tenant = $1 AND id = $2',
        [held.tenant, held.id],
      );
      if (rows[0]?.owner === 'bench-1') {
        return Date.now() - killedAtMs;
      }
      await new Promise((done) => setTimeout(done, 50));
    }
    throw new Error('No node took the killed node over');
  } finally {
    await client.end();
    survivor.kill('SIGKILL');
    await exited(survivor);
  }
}

/** Measures the cluster; returns `workflows.postgres.*` metrics. */
export async function runClusterBench(): Promise<BenchResults> {
  const postgres = await startTestPostgres({ fsync: true });
  const results: BenchResults = {};
  try {
    for (const nodes of [1, 2, 3]) {
      const url = await prepare(postgres, `nodes_${nodes}`, INSTANCES);
      const children = startNodes(url, nodes, 30_000);
      await Promise.all(children.map(exited));
      const rate = await stepRate(url);
      results[`workflows.postgres.nodes${nodes}.steps.perSecond`] = {
        value: round(rate.perSecond),
        unit: 'step/s',
        n: rate.steps,
      };
    }
    const dbos = await dbosStepRate(await postgres.createDatabase('dbos'));
    results['workflows.postgres.dbos.steps.perSecond'] = {
      value: round(dbos.perSecond),
      unit: 'step/s',
      n: dbos.steps,
    };
    const oneNode = results['workflows.postgres.nodes1.steps.perSecond'];
    if (oneNode !== undefined) {
      results['workflows.postgres.nodes1.toDbos.ratio'] = {
        value: round(oneNode.value / dbos.perSecond),
        unit: 'x',
        n: 1,
      };
    }
    for (const leaseMs of [2000, 10_000]) {
      results[`workflows.postgres.failover.lease${leaseMs}.ms`] = {
        value: await failoverMs(postgres, leaseMs),
        unit: 'ms',
        n: 1,
      };
    }
  } finally {
    await postgres.stop();
  }
  return results;
}
