/**
 * One DBOS Transact process for the cluster benchmark: runs `INSTANCES` workflows of `STEPS`
 * steps that each return 1 KB, `CONCURRENCY` at a time, on the system database at
 * `DATABASE_URL`, and prints `{ "steps": n, "seconds": s }` as one JSON line on stdout.
 * The same workflow shape as the sandstack nodes of `bench/cluster.ts`, so the two rates
 * compare durable steps on one PostgreSQL server.
 */
import { DBOS } from '@dbos-inc/dbos-sdk';

const url = process.env.DATABASE_URL;
if (url === undefined) {
  throw new Error('Set DATABASE_URL to the PostgreSQL database for DBOS');
}
const instances = Number(process.env.INSTANCES ?? 400);
const steps = Number(process.env.STEPS ?? 5);
const concurrency = Number(process.env.CONCURRENCY ?? 8);

async function stepsWorkflow(count: number): Promise<number> {
  for (let index = 0; index < count; index += 1) {
    await DBOS.runStep(async () => 'x'.repeat(1024), { name: 'step' });
  }
  return count;
}

const workflow = DBOS.registerWorkflow(stepsWorkflow, { name: 'steps' });

DBOS.setConfig({ name: 'sandstack-bench', systemDatabaseUrl: url });
await DBOS.launch();
try {
  let next = 0;
  const start = performance.now();
  // Each lane runs workflows one after another, so `concurrency` run at a time.
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < instances) {
        next += 1;
        const result = await workflow(steps);
        if (result !== steps) {
          throw new Error(`A DBOS workflow returned ${String(result)}, expected ${steps}`);
        }
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  process.stdout.write(`${JSON.stringify({ steps: instances * steps, seconds })}\n`);
} finally {
  await DBOS.shutdown();
}
