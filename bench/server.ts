/**
 * Control plane load benchmark: a real `sandstack serve` child process on 127.0.0.1, loaded
 * from this process with autocannon at 50 concurrent connections. It measures instance
 * creates, then claim → exec → release cycles of bubblewrap sandboxes, and checks afterwards that every request
 * succeeded and nothing was lost: the store holds exactly the instances created, and every
 * claimed sandbox was released. Both loads have a fixed request count and a time cap.
 * BENCH_SERVER_CREATES (default 1000) and BENCH_SERVER_CYCLES (default 200) change the
 * counts.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import autocannon from 'autocannon';
import { SandstackClient } from '../src/client/index.js';
import { openDatabase } from '../src/core/store.js';
import { WorkflowEngine } from '../src/workflows/engine.js';
import type { BenchResults } from './lib.js';
import { addLatency, round } from './lib.js';

const CONNECTIONS = 50;
const CREATES = Number(process.env['BENCH_SERVER_CREATES'] ?? 1000);
/** Claim, exec and release cycles; each connection runs about four. */
const CYCLES = Number(process.env['BENCH_SERVER_CYCLES'] ?? 200);
/** Time cap of each load; a load still running then is stopped and the bench fails. */
const MAX_LOAD_MS = 240_000;
const ADMIN_TOKEN = `bench-admin-${'b'.repeat(40)}`;
const CLI = resolve(import.meta.dirname, '..', 'bin', 'sandstack.js');
const execFileAsync = promisify(execFile);

const NOOP_WORKFLOW = `import { WorkflowEntrypoint } from 'sandstack/workflows';
export class Noop extends WorkflowEntrypoint {
  async run(event, step) {
    return 1;
  }
}`;

interface ServerProcess {
  child: ChildProcess;
  url: string;
}

/**
 * Template of the cycle load. Bubblewrap starts in milliseconds, so the load measures the
 * control plane rather than 50 gVisor boots at once on a small machine.
 */
const CYCLE_TEMPLATE = 'bench-bwrap';
const CYCLE_TEMPLATE_YAML = `apiVersion: extensions.agents.x-k8s.io/v1beta1
kind: SandboxTemplate
metadata:
  name: ${CYCLE_TEMPLATE}
spec:
  podTemplate:
    spec:
      runtimeClassName: bubblewrap
      containers:
        - name: runtime
`;

/** Stores the cycle template in the state folder with `sandstack apply`, before the server starts. */
async function applyTemplate(dir: string, stateDir: string): Promise<void> {
  const file = join(dir, 'template.yaml');
  await writeFile(file, CYCLE_TEMPLATE_YAML);
  await execFileAsync(process.execPath, [
    '--no-node-snapshot',
    CLI,
    '--state-dir',
    stateDir,
    'apply',
    '-f',
    file,
  ]);
}

/** Starts `sandstack serve --port 0` and resolves with its URL once it listens. */
function startServe(stateDir: string): Promise<ServerProcess> {
  const child = spawn(
    process.execPath,
    [
      '--no-node-snapshot',
      CLI,
      '--state-dir',
      stateDir,
      'serve',
      '--port',
      '0',
      '--log-level',
      'warn',
      // A cold claim in flight counts twice toward this quota (its reservation and its stored
      // record), so 50 concurrent claims need room for 100.
      '--max-sandboxes-per-tenant',
      String(CONNECTIONS * 2 + 10),
      '--max-active-instances-per-tenant',
      String(CREATES * 2),
    ],
    {
      env: { ...process.env, SANDSTACK_ADMIN_TOKEN: ADMIN_TOKEN },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  return new Promise((resolveStart, rejectStart) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      rejectStart(new Error(`sandstack serve did not start in 60 s; output:\n${output}`));
    }, 60_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolveStart({ child, url: match[1] });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      rejectStart(new Error(`sandstack serve exited with ${code}; output:\n${output}`));
    });
  });
}

/** Stops the server with SIGTERM, as an operator would, and waits for it to exit. */
function stopServe(server: ServerProcess): Promise<void> {
  return new Promise((resolveStop) => {
    if (server.child.exitCode !== null) {
      resolveStop();
      return;
    }
    const timer = setTimeout(() => server.child.kill('SIGKILL'), 30_000);
    server.child.once('exit', () => {
      clearTimeout(timer);
      resolveStop();
    });
    server.child.kill('SIGTERM');
  });
}

/** Runs one autocannon load, stopping it at the time cap; returns its result and wall time. */
function load(
  options: autocannon.Options,
): Promise<{ result: autocannon.Result; seconds: number }> {
  const started = performance.now();
  return new Promise((resolveLoad, rejectLoad) => {
    const timers: NodeJS.Timeout[] = [];
    const instance = autocannon(options, (error: Error | null, result: autocannon.Result) => {
      timers.forEach(clearTimeout);
      if (error !== null) {
        rejectLoad(error);
        return;
      }
      resolveLoad({ result, seconds: (performance.now() - started) / 1000 });
    });
    timers.push(setTimeout(() => instance.stop(), MAX_LOAD_MS));
  });
}

/** Throws unless every request of a load got a 2xx response in time. */
function checkClean(
  name: string,
  result: autocannon.Result,
  expected: number,
  failures: readonly string[] = [],
): void {
  const answered = result['2xx'];
  if (result.errors > 0 || result.timeouts > 0 || result.non2xx > 0 || answered !== expected) {
    throw new Error(
      `${name}: ${answered} of ${expected} requests succeeded (${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx; latency p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms)${failures.map((failure) => `\n  ${failure}`).join('')}`,
    );
  }
}

/** Measures the server under load; returns `server.*` metrics. */
export async function runServerBench(): Promise<BenchResults> {
  if (!Number.isInteger(CREATES) || CREATES < CONNECTIONS) {
    throw new Error(
      `BENCH_SERVER_CREATES is ${CREATES}; use a whole number of ${CONNECTIONS} or more`,
    );
  }
  if (!Number.isInteger(CYCLES / CONNECTIONS) || CYCLES <= 0) {
    // autocannon splits the request count evenly over the connections, so each connection
    // must get whole cycles.
    throw new Error(`BENCH_SERVER_CYCLES is ${CYCLES}; use a multiple of ${CONNECTIONS}`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'sandstack-bench-server-'));
  try {
    return await benchInDir(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function benchInDir(dir: string): Promise<BenchResults> {
  const stateDir = join(dir, 'state');
  const results: BenchResults = {};
  await applyTemplate(dir, stateDir);
  const server = await startServe(stateDir);
  let tenant: SandstackClient | undefined;
  try {
    const admin = new SandstackClient({ baseUrl: server.url, token: ADMIN_TOKEN });
    await admin.tenants.create({ id: 'bench' });
    const { secret } = await admin.tenants.createToken('bench');
    tenant = new SandstackClient({ baseUrl: server.url, token: secret });
    await tenant.workflows.deploy({ name: 'noop', source: NOOP_WORKFLOW });
    const headers = { authorization: `Bearer ${secret}`, 'content-type': 'application/json' };

    Object.assign(results, await benchCreates(server.url, headers));
    Object.assign(results, await benchSandboxCycles(server.url, headers));

    const sandboxes = await tenant.sandboxes.list({ includeReleased: true });
    const stillClaimed = sandboxes.filter((sandbox) => sandbox.state !== 'released').length;
    if (sandboxes.length !== CYCLES || stillClaimed !== 0) {
      throw new Error(
        `Expected ${CYCLES} released sandboxes, found ${sandboxes.length} with ${stillClaimed} still claimed`,
      );
    }
  } finally {
    // A failed load can leave sandboxes claimed, and they would outlive the server.
    for (const sandbox of (await tenant?.sandboxes.list().catch(() => [])) ?? []) {
      await tenant?.sandboxes.release(sandbox.id).catch(() => undefined);
    }
    await stopServe(server);
  }

  // Counted in the store itself, after the server has stopped.
  const db = openDatabase(join(stateDir, 'state.db'));
  try {
    const stored = (await new WorkflowEngine({ db }).list('bench')).length;
    if (stored !== CREATES) {
      throw new Error(`Created ${CREATES} instances but found ${stored} in the store`);
    }
    results['server.createInstance.stored'] = { value: stored, unit: 'count', n: CREATES };
  } finally {
    db.close();
  }
  return results;
}

async function benchCreates(url: string, headers: Record<string, string>): Promise<BenchResults> {
  const { result, seconds } = await load({
    url: `${url}/v1/instances`,
    connections: CONNECTIONS,
    amount: CREATES,
    timeout: 30,
    method: 'POST',
    headers,
    body: JSON.stringify({ workflow: 'noop' }),
  });
  checkClean('instance create', result, CREATES);
  return {
    'server.createInstance.requestsPerSecond': {
      value: round(CREATES / seconds),
      unit: 'req/s',
      n: CREATES,
    },
    'server.createInstance.p50Ms': { value: result.latency.p50, unit: 'ms', n: CREATES },
    'server.createInstance.p99Ms': { value: result.latency.p99, unit: 'ms', n: CREATES },
  };
}

/**
 * Runs claim → exec → release on each connection. autocannon keeps a context per
 * connection, so the exec and release of a cycle go to the sandbox its claim returned. A
 * cycle's time runs from the claim request to the release response.
 */
async function benchSandboxCycles(
  url: string,
  headers: Record<string, string>,
): Promise<BenchResults> {
  type Cycle = { id?: string; startedMs?: number };
  const cycleMs: number[] = [];
  /** The first failed responses, so a failed run shows why. */
  const failures: string[] = [];
  const { result, seconds } = await load({
    url,
    connections: CONNECTIONS,
    amount: CYCLES * 3,
    timeout: 120,
    headers,
    requests: [
      {
        method: 'POST',
        path: '/v1/sandboxes',
        body: JSON.stringify({ template: CYCLE_TEMPLATE }),
        setupRequest: (request, context: Cycle) => {
          context.startedMs = performance.now();
          return request;
        },
        onResponse: (status, body, context: Cycle) => {
          context.id = status === 201 ? (JSON.parse(body) as { id: string }).id : undefined;
          if (status !== 201 && failures.length < 3) {
            failures.push(`claim ${status}: ${body.slice(0, 300)}`);
          }
        },
      },
      {
        method: 'POST',
        setupRequest: (request, context: Cycle) =>
          ({
            ...request,
            path: `/v1/sandboxes/${context.id ?? 'missing'}/exec`,
            body: JSON.stringify({ command: 'echo ok' }),
          }) as typeof request,
        onResponse: (status, body) => {
          if (status !== 200 && failures.length < 6) {
            failures.push(`exec ${status}: ${body.slice(0, 300)}`);
          }
        },
      },
      {
        method: 'DELETE',
        setupRequest: (request, context: Cycle) =>
          ({ ...request, path: `/v1/sandboxes/${context.id ?? 'missing'}` }) as typeof request,
        onResponse: (status, _body, context: Cycle) => {
          if (status === 200 && context.startedMs !== undefined) {
            cycleMs.push(performance.now() - context.startedMs);
          }
        },
      },
    ],
  });
  checkClean('claim, exec and release', result, CYCLES * 3, failures);
  const samples: BenchResults = {
    'server.sandboxCycle.cyclesPerSecond': {
      value: round(cycleMs.length / seconds),
      unit: 'cycles/s',
      n: cycleMs.length,
    },
    'server.sandboxCycle.requestsPerSecond': {
      value: round((CYCLES * 3) / seconds),
      unit: 'req/s',
      n: CYCLES * 3,
    },
  };
  addLatency(samples, 'server.sandboxCycle', cycleMs);
  return samples;
}
