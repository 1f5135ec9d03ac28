/**
 * One engine node of a cluster on a shared PostgreSQL database, for the multi-node test
 * and benchmark. It runs due instances until every instance of the database is finished,
 * or until `MAX_SECONDS` pass. Environment: `DATABASE_URL`, `NODE_ID`, `LEASE_MS`,
 * `CONCURRENCY`, `MAX_SECONDS`.
 *
 * Its `env.COUNTER.hit()` binding inserts one `side_effects` row per call, with the step
 * key and node, so a test can count how often each step body ran.
 */
import pg from 'pg';
import { WorkflowEngine } from '../../src/workflows/engine.js';
import { PostgresWorkflowStore } from '../../src/workflows/stores/postgres.js';

const url = process.env.DATABASE_URL;
const nodeId = process.env.NODE_ID ?? `node-${process.pid}`;
if (url === undefined) {
  throw new Error('Set DATABASE_URL to the shared PostgreSQL database');
}
const leaseMs = Number(process.env.LEASE_MS ?? 30_000);
const concurrency = Number(process.env.CONCURRENCY ?? 8);
const deadline = Date.now() + Number(process.env.MAX_SECONDS ?? 120) * 1000;

const store = await PostgresWorkflowStore.open(url, { nodeId, maxConnections: concurrency + 4 });
const effects = new pg.Pool({ connectionString: url, max: 4 });
const engine = new WorkflowEngine({
  store,
  isolation: 'in-process',
  leaseMs,
  maxRunsPerTenant: concurrency,
  // Every sleep suspends the instance, so its wake-up goes through the shared store.
  limits: { maxInlineWaitMs: 0 },
  bindings: () => ({
    COUNTER: {
      hit: async (context) => {
        await effects.query(
          'INSERT INTO side_effects (tenant, instance_id, step_key, node) VALUES ($1, $2, $3, $4)',
          [context.tenant, context.instanceId, context.stepKey ?? '', nodeId],
        );
        return 1;
      },
    },
  }),
});

async function unfinished(): Promise<number> {
  const { rows } = await effects.query<{ count: string }>(
    `SELECT COUNT(*) AS count FROM workflow_instances
     WHERE status NOT IN ('complete', 'errored', 'terminated')`,
  );
  return Number(rows[0]?.count ?? 0);
}

let steps = 0;
while (Date.now() < deadline && (await unfinished()) > 0) {
  const results = await engine.runDue({ limit: concurrency * 4, concurrency });
  steps += results.reduce((sum, result) => sum + result.steps.length, 0);
  if (results.length === 0) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
process.stdout.write(`${JSON.stringify({ nodeId, steps })}\n`);
await effects.end();
await store.close();
