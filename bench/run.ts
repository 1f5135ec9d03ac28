/**
 * Runs every benchmark area and writes `bench/results.json` (metric name → value, unit,
 * samples). Pick areas with `npm run bench -- sandbox guard`; the default is all of them.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import type { BenchResults } from './lib.js';

type Area = { name: string; load: () => Promise<() => Promise<BenchResults>> };

const AREAS: Area[] = [
  { name: 'sandbox', load: async () => (await import('./sandbox.js')).runSandboxBench },
  { name: 'pool', load: async () => (await import('./pool.js')).runPoolBench },
  { name: 'checkpoint', load: async () => (await import('./sandbox.js')).runCheckpointBench },
  { name: 'guard', load: async () => (await import('./guard.js')).runGuardBench },
  { name: 'workflows', load: async () => (await import('./workflows.js')).runWorkflowBench },
  {
    name: 'workflows-idle',
    load: async () => (await import('./workflows-scale.js')).runIdleBench,
  },
  {
    name: 'workflows-recovery',
    load: async () => (await import('./workflows-scale.js')).runRecoveryBench,
  },
  { name: 'cluster', load: async () => (await import('./cluster.js')).runClusterBench },
  { name: 'server', load: async () => (await import('./server.js')).runServerBench },
];

const selected = process.argv.slice(2);
const results: BenchResults = {};
const failures: Record<string, string> = {};

for (const area of AREAS) {
  if (selected.length > 0 && !selected.includes(area.name)) {
    continue;
  }
  const started = performance.now();
  console.error(`bench: ${area.name} …`);
  try {
    const run = await area.load();
    Object.assign(results, await run());
    console.error(
      `bench: ${area.name} done in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  } catch (error) {
    failures[area.name] = error instanceof Error ? error.message : String(error);
    console.error(`bench: ${area.name} failed: ${failures[area.name]}`);
  }
}

// Results of areas not run this time are kept, so one area can be measured again alone.
const resultsUrl = new URL('./results.json', import.meta.url);
const earlier = JSON.parse(await readFile(resultsUrl, 'utf8').catch(() => '{}')) as BenchResults;
await writeFile(resultsUrl, `${JSON.stringify({ ...earlier, ...results }, null, 2)}\n`);
console.error(
  `bench: ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
);
for (const [name, metric] of Object.entries(results)) {
  console.log(
    `${name.padEnd(48)} ${String(metric.value).padStart(12)} ${metric.unit.padEnd(6)} n=${metric.n}`,
  );
}
if (Object.keys(failures).length > 0) {
  process.exitCode = 1;
}
