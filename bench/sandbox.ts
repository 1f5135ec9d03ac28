/**
 * Benchmarks of the sandbox layer: raw runtimes, cold and warm claims, exec, streamed exec,
 * idle memory.
 */
import { execFile, spawn, type StdioOptions } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openDatabase } from '../src/core/store.js';
import { cgroupDir } from '../src/sandbox/cgroup.js';
import { SandboxController } from '../src/sandbox/controller.js';
import { BubblewrapDriver, agentBwrapCommandOf } from '../src/sandbox/drivers/bubblewrap.js';
import { treeBytes } from '../src/sandbox/drivers/checkpoint-files.js';
import { digestImageFiles } from '../src/sandbox/drivers/checkpoint-image.js';
import { GvisorDriver } from '../src/sandbox/drivers/gvisor.js';
import type { SandboxInstance } from '../src/sandbox/types.js';
import { addLatency, percentile, round, timeMany, type BenchResults } from './lib.js';

const execFileAsync = promisify(execFile);

const RUNTIMES = [
  {
    name: 'gvisor',
    template: 'bench-gvisor',
    driver: new GvisorDriver(),
    coldRuns: 5,
    warmRuns: 5,
  },
  {
    name: 'bubblewrap',
    template: 'bench-bubblewrap',
    driver: new BubblewrapDriver(),
    coldRuns: 10,
    warmRuns: 10,
  },
] as const;

/** Pool size used for warm claims and the idle memory figure. */
const POOL_REPLICAS = 3;

/**
 * Measures raw runtime starts, cold start to first command, warm claim to first command,
 * `exec` in a running sandbox, and idle memory per warm sandbox. Each loop has a fixed count.
 */
export async function runSandboxBench(): Promise<BenchResults> {
  const results: BenchResults = {};
  await withController('sandstack-bench-', async (controller) => {
    const available = [];
    for (const runtime of RUNTIMES) {
      if ((await runtime.driver.check()).available) {
        controller.createTemplate({ name: runtime.template, runtime: runtime.name });
        available.push(runtime);
      }
    }
    await measureRaw(results);
    if (available.some((runtime) => runtime.name === 'bubblewrap')) {
      await measureBwrapSandboxArgs(results, controller);
    }
    for (const runtime of available) {
      await measureRuntime(results, controller, runtime);
    }
  });
  return results;
}

/**
 * Runs `measure` with a controller over a fresh temporary state folder, then releases every
 * sandbox it left and removes the folder.
 */
async function withController(
  prefix: string,
  measure: (controller: SandboxController) => Promise<void>,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const db = openDatabase(join(dir, 'state.db'));
  const controller = new SandboxController({ db, stateDir: join(dir, 'sandboxes') });
  try {
    await measure(controller);
  } finally {
    for (const record of controller.list()) {
      await controller.release(record.id);
    }
    await controller.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function measureRaw(results: BenchResults): Promise<void> {
  const runsc = await timeMany(10, () =>
    execFileAsync('runsc', ['--network=none', '--platform=ptrace', 'do', 'true']),
  );
  addLatency(results, 'raw.runscDo', runsc);
  const bwrapArgs = [
    '--ro-bind',
    '/',
    '/',
    '--unshare-all',
    '--die-with-parent',
    '--dev',
    '/dev',
    '--proc',
    '/proc',
    'true',
  ];
  const bwrap = await timeMany(30, () => execFileAsync('bwrap', bwrapArgs));
  addLatency(results, 'raw.bwrap', bwrap);
}

/**
 * Measures `raw.bwrapSandboxArgs`: bwrap with the options that a bubblewrap sandbox's agent
 * bwrap gets (namespaces, mounts, user namespace, capabilities, the agent's copy), running
 * `true`, spawned from this process as `raw.bwrap` is. It splits a cold start into what
 * bwrap costs with sandstack's isolation and what sandstack's start adds. The sandbox's
 * launcher writes the user namespace maps and keeps bwrap's child waiting until it is in
 * the cgroups. Here bwrap writes a one-line map itself (`--uid 0 --gid 0`), and no cgroup
 * is joined.
 */
async function measureBwrapSandboxArgs(
  results: BenchResults,
  controller: SandboxController,
): Promise<void> {
  // A claimed sandbox provides the state folder that the options bind.
  const { sandbox, record } = await controller.claim({
    template: 'bench-bubblewrap',
    tenant: 'bench',
  });
  try {
    const command = agentBwrapCommandOf(sandbox);
    if (command === undefined) {
      return;
    }
    const args = [...command.options, '--uid', '0', '--gid', '0', '--die-with-parent', 'true'];
    const samples = await timeMany(30, () => runBwrap(command.bwrap, args, command.files));
    addLatency(results, 'raw.bwrapSandboxArgs', samples);
  } finally {
    await controller.release(record.id);
  }
}

/**
 * Runs bwrap with `files` open for reading at their descriptors, and rejects with its
 * stderr when it fails.
 */
function runBwrap(
  bwrap: string,
  args: string[],
  files: ReadonlyMap<number, string>,
): Promise<void> {
  const stdio: StdioOptions = ['ignore', 'ignore', 'pipe'];
  const opened: number[] = [];
  try {
    for (const [fd, path] of files) {
      while (stdio.length < fd) {
        stdio.push('ignore');
      }
      const file = openSync(path, 'r');
      opened.push(file);
      stdio[fd] = file;
    }
    const child = spawn(bwrap, args, { stdio });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    return new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code) => {
        if (code === 0) {
          resolve();
        } else {
          reject(new Error(`bwrap exited with code ${code ?? 'null'}: ${stderr.trim()}`));
        }
      });
    });
  } finally {
    for (const file of opened) {
      closeSync(file);
    }
  }
}

async function measureRuntime(
  results: BenchResults,
  controller: SandboxController,
  runtime: (typeof RUNTIMES)[number],
): Promise<void> {
  const prefix = 'sandbox';
  // Only the claim and the first command are timed; release (runsc delete takes about a
  // second) happens outside the measured span.
  const cold: number[] = [];
  for (let index = 0; index < runtime.coldRuns; index += 1) {
    const start = performance.now();
    const { sandbox, record } = await controller.claim({
      template: runtime.template,
      tenant: 'bench',
    });
    await sandbox.exec({ command: 'true' });
    cold.push(performance.now() - start);
    await controller.release(record.id);
  }
  addLatency(results, `${prefix}.coldStart.${runtime.name}`, cold);

  const pool = `pool-${runtime.name}`;
  controller.createPool({ name: pool, template: runtime.template, replicas: POOL_REPLICAS });
  await controller.waitUntilReady(pool);
  // A ready sandbox of either runtime keeps its command agent running.
  results[`${prefix}.idleMemory.${runtime.name}.bytes`] = {
    value: idleMemoryPerSandbox(controller, pool),
    unit: 'bytes',
    n: POOL_REPLICAS,
  };

  const warm: number[] = [];
  for (let index = 0; index < runtime.warmRuns; index += 1) {
    await controller.waitUntilReady(pool);
    const start = performance.now();
    const { sandbox, record } = await controller.claim({ pool, tenant: 'bench' });
    await sandbox.exec({ command: 'true' });
    warm.push(performance.now() - start);
    await controller.release(record.id);
  }
  addLatency(results, `${prefix}.warmClaim.${runtime.name}`, warm);

  const { sandbox, record } = await controller.claim({
    template: runtime.template,
    tenant: 'bench',
  });
  addLatency(
    results,
    `${prefix}.exec.${runtime.name}`,
    await timeMany(20, () => sandbox.exec({ command: 'true' })),
  );
  await measureStreaming(results, `${prefix}.stream.${runtime.name}`, sandbox);
  await controller.release(record.id);
}

/** Command of the streaming measure: a first line, 300 ms of work, a last line. */
const STREAM_COMMAND = 'echo first; sleep 0.3; echo last';

/**
 * Measures a streamed command in a running sandbox: time from the call to its first piece
 * of output (`firstChunk`), and to its result (`total`).
 */
async function measureStreaming(
  results: BenchResults,
  prefix: string,
  sandbox: SandboxInstance,
): Promise<void> {
  const firstChunk: number[] = [];
  const total = await timeMany(20, async () => {
    const start = performance.now();
    let first: number | undefined;
    await sandbox.exec({
      command: STREAM_COMMAND,
      onOutput: () => {
        first ??= performance.now() - start;
      },
    });
    firstChunk.push(first ?? Number.NaN);
  });
  addLatency(results, `${prefix}.firstChunk`, firstChunk);
  addLatency(results, `${prefix}.total`, total);
}

/** Mean cgroup memory of the pool's ready sandboxes (page cache included). */
function idleMemoryPerSandbox(controller: SandboxController, pool: string): number {
  const ids = controller.list().filter((record) => record.pool === pool && record.state === 'warm');
  const bytes = ids.map((record) => {
    try {
      return Number(
        readFileSync(join(cgroupDir('memory', record.id), 'memory.usage_in_bytes'), 'utf8'),
      );
    } catch {
      return 0;
    }
  });
  return round(bytes.reduce((sum, value) => sum + value, 0) / Math.max(1, bytes.length));
}

/** Process state sizes, in MiB, held by the process that checkpoint benchmarks save. */
const STATE_MIB = [1, 16, 64] as const;

/** Rounds per state size of suspend and resume, and claims per size from its snapshot. */
const CHECKPOINT_RUNS = 3;

/** Medians of one state size, and its image size in MB (10^6 bytes). */
interface CheckpointPoint {
  imageMB: number;
  suspendMs: number;
  resumeMs: number;
  snapshotStartMs: number;
  verifyMs: number;
}

/**
 * Measures gVisor checkpoints against a cold start: suspend (checkpoint) time,
 * resume-to-first-command time, image size, claim-to-first-command from a snapshot, and the
 * time to hash a snapshot's image as its verification before a restore does, for a process
 * holding 1, 16 and 64 MiB of random bytes. Then fits each time against the image size to
 * report milliseconds per MB of image. Each loop has a fixed count.
 */
export async function runCheckpointBench(): Promise<BenchResults> {
  const results: BenchResults = {};
  const gvisor = new GvisorDriver();
  if (!(await gvisor.check()).available) {
    return results;
  }
  await withController('sandstack-bench-ckpt-', async (controller) => {
    controller.createTemplate({ name: 'bench-gvisor', runtime: 'gvisor' });
    const cold = await timeMany(CHECKPOINT_RUNS, async () => {
      const { sandbox, record } = await controller.claim({ template: 'bench-gvisor', tenant: 'b' });
      await sandbox.exec({ command: 'true' });
      await controller.release(record.id);
    });
    addLatency(results, 'sandbox.checkpoint.coldStart.gvisor', cold);
    const points: CheckpointPoint[] = [];
    for (const mib of STATE_MIB) {
      points.push(await measureCheckpoint(results, controller, mib));
    }
    addPerMegabyte(results, points);
  });
  return results;
}

async function measureCheckpoint(
  results: BenchResults,
  controller: SandboxController,
  mib: number,
): Promise<CheckpointPoint> {
  const prefix = `sandbox.checkpoint.gvisor.${mib}MiB`;
  const { sandbox, record } = await controller.claim({ template: 'bench-gvisor', tenant: 'b' });
  const holder = `import os,time\nblob=os.urandom(${mib}<<20)\nopen("/tmp/ready","w").write("1")\ntime.sleep(1e9)\n`;
  await sandbox.exec({ command: `nohup python3 -c '${holder}' >/dev/null 2>&1 &` });
  await sandbox.exec({
    command: 'while [ ! -e /tmp/ready ]; do sleep 0.05; done',
    timeoutMs: 30_000,
  });

  const suspend: number[] = [];
  const resume: number[] = [];
  let imageBytes = 0;
  for (let round = 0; round < CHECKPOINT_RUNS; round += 1) {
    let start = performance.now();
    await controller.suspend(record.id);
    suspend.push(performance.now() - start);
    imageBytes = await treeBytes(join(record.stateDir, 'checkpoint'));
    start = performance.now();
    await controller.resume(record.id);
    await sandbox.exec({ command: 'true' });
    resume.push(performance.now() - start);
  }
  addLatency(results, `${prefix}.suspend`, suspend);
  addLatency(results, `${prefix}.resumeToFirstCommand`, resume);
  results[`${prefix}.imageBytes`] = { value: imageBytes, unit: 'bytes', n: 1 };

  const name = `bench-${mib}`;
  const snapshot = await controller.snapshot(record.id, name);
  await controller.release(record.id);
  // The digest a restore verifies, timed without the cache that skips a verified image.
  const verify = await timeMany(CHECKPOINT_RUNS, () =>
    digestImageFiles(join(snapshot.dir, 'image')),
  );
  addLatency(results, `${prefix}.imageDigest`, verify);
  controller.createTemplate({ name, runtime: 'gvisor', snapshot: name });
  const fromSnapshot = await timeMany(CHECKPOINT_RUNS, async () => {
    const claimed = await controller.claim({ template: name, tenant: 'b' });
    await claimed.sandbox.exec({ command: 'true' });
    await controller.release(claimed.record.id);
  });
  addLatency(results, `${prefix}.snapshotStart`, fromSnapshot);
  return {
    imageMB: imageBytes / 1e6,
    suspendMs: percentile(suspend, 50),
    resumeMs: percentile(resume, 50),
    snapshotStartMs: percentile(fromSnapshot, 50),
    verifyMs: percentile(verify, 50),
  };
}

/**
 * Adds `<name>.msPerMB` figures: the least-squares slope of each p50 time against the image
 * size over the state sizes, which leaves out the fixed cost that every checkpoint or restore
 * pays.
 */
function addPerMegabyte(results: BenchResults, points: readonly CheckpointPoint[]): void {
  const measures = {
    suspend: (point: CheckpointPoint) => point.suspendMs,
    resumeToFirstCommand: (point: CheckpointPoint) => point.resumeMs,
    snapshotStart: (point: CheckpointPoint) => point.snapshotStartMs,
    imageDigest: (point: CheckpointPoint) => point.verifyMs,
  };
  for (const [name, timeOf] of Object.entries(measures)) {
    results[`sandbox.checkpoint.gvisor.${name}.msPerMB`] = {
      value: round(slope(points.map((point) => [point.imageMB, timeOf(point)]))),
      unit: 'ms/MB',
      n: points.length,
    };
  }
}

/** Least-squares slope of y over x. */
function slope(pairs: readonly (readonly [number, number])[]): number {
  const n = pairs.length;
  const meanX = pairs.reduce((sum, [x]) => sum + x, 0) / n;
  const meanY = pairs.reduce((sum, [, y]) => sum + y, 0) / n;
  let covariance = 0;
  let variance = 0;
  for (const [x, y] of pairs) {
    covariance += (x - meanX) * (y - meanY);
    variance += (x - meanX) ** 2;
  }
  return variance === 0 ? Number.NaN : covariance / variance;
}
