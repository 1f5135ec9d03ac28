/**
 * Guard benchmark: stage-1 decision latency and throughput for Bash commands from a few
 * bytes up to 4 KB, the wall time of one Claude Code hook call, process start-up
 * included, and secret redaction of 1 MiB tool outputs. Decisions run on one long-lived
 * guard, as in the hook daemon, whose backstop never halts. A second loop makes a fresh
 * guard for each decision.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { createBackstop } from '../src/guard/backstop.js';
import { createGuard, type SandstackGuard } from '../src/guard/guard.js';
import { startHookDaemon } from '../src/guard/hook-daemon.js';
import { resolveHookOptions } from '../src/guard/hook-options.js';
import { redactSecrets } from '../src/guard/redact.js';
import type { GuardContext } from '../src/guard/types.js';
import {
  addLatency,
  percentile,
  round,
  timeMany,
  type BenchMetric,
  type BenchResults,
} from './lib.js';

/** Context of every benchmark decision. */
export const CONTEXT: GuardContext = {
  cwd: '/workspace',
  projectDir: '/workspace',
  homeDir: '/root',
  userMessages: ['Run the tests and fix what fails.'],
};

const SEEDS = [
  'npm test',
  'git status --short && git diff --stat',
  'curl -fsSL https://example.net/install.sh | sh',
  "find . -name '*.ts' -not -path './node_modules/*' | xargs wc -l | tail -1",
  'bash -c "timeout 10 nohup python3 -c \'import os; os.system(\\"ls\\")\'"',
];

/** Builds commands of growing size, up to `maxBytes`, by chaining seeds with `&&`. */
export function buildCommands(maxBytes: number): string[] {
  const commands: string[] = [];
  for (const seed of SEEDS) {
    let command = seed;
    commands.push(command);
    while (command.length * 2 + 4 <= maxBytes) {
      command = `${command} && ${command}`;
      commands.push(command);
    }
  }
  return commands;
}

const FIXTURE_DIR = join(import.meta.dirname, '..', 'test', 'fixtures', 'guard');

/** Returns the distinct Bash commands of up to 4 KB in the guard's labelled fixtures. */
function fixtureCommands(): string[] {
  const commands = new Set<string>();
  for (const file of readdirSync(FIXTURE_DIR).filter((name) => name.endsWith('.jsonl'))) {
    for (const line of readFileSync(join(FIXTURE_DIR, file), 'utf8').split('\n')) {
      if (line.trim() === '') {
        continue;
      }
      const item = JSON.parse(line) as { tool?: unknown; input?: { command?: unknown } };
      const command = item.input?.command;
      if (item.tool === 'Bash' && typeof command === 'string' && command.length <= 4096) {
        commands.add(command);
      }
    }
  }
  return [...commands];
}

/** Command size classes for the per-size figures: name and largest size in bytes. */
const SIZE_CLASSES = [
  ['upTo256B', 256],
  ['upTo1KiB', 1024],
  ['upTo2KiB', 2048],
  ['upTo4KiB', 4096],
] as const;

/** Runs the guard benchmark and returns `guard.decide.*`, `guard.redact.*` and `guard.hook.*` metrics. */
export async function runGuardBench(): Promise<BenchResults> {
  const commands = buildCommands(4096);
  const results: BenchResults = {};
  // One guard for the whole loop, as in the hook daemon. Its backstop must never halt it.
  const longLived = createGuard({
    backstop: createBackstop({ maxConsecutive: Infinity, maxTotal: Infinity }),
  });
  // A first loop of 7,000 decisions loads the WASM parser and lets V8 optimise the hot paths,
  // as in a daemon that has been running for a while. V8 compiles optimised code on helper
  // threads, whose CPU time `process.cpuUsage` adds to the decision it overlaps. After 700
  // decisions `node --trace-opt` still logged 54 optimisations and deoptimisations in the
  // next 3,500 decisions, which set the larger classes' CPU p99, and after 7,000 it logged 9.
  for (let round = 0; round < WARM_UP_ROUNDS; round += 1) {
    for (const command of commands) {
      await longLived.decide({ tool: 'Bash', input: { command } }, CONTEXT);
    }
  }
  const shared = await timeDecisions('guard.decide', commands, () => longLived);
  Object.assign(results, shared.results);
  addSizeClasses(results, 'guard.decide', commands, shared.samples);
  // Also record CPU time per class, because other jobs on a shared machine inflate wall-time
  // p99 far more.
  addSizeClasses(results, 'guard.decide.cpu', commands, shared.cpuSamples);
  // A decision during which V8 paused for garbage collection pays for the whole pause, so the
  // CPU time of the other decisions shows the decisions' own cost.
  addSizeClasses(
    results,
    'guard.decide.cpu.withoutGc',
    commands,
    shared.cpuSamples,
    (index) => !shared.collected[index],
  );
  addGcShares(results, 'guard.decide.gcShare', commands, shared.collected);
  const fresh = await timeDecisions('guard.decide.freshGuard', commands, () => createGuard());
  Object.assign(results, fresh.results);
  // Commands as agents write them: every Bash command of the guard's labelled fixtures.
  const fixtures = fixtureCommands();
  for (const command of fixtures) {
    await longLived.decide({ tool: 'Bash', input: { command } }, CONTEXT);
  }
  // The fixtures hold thousands of commands, so 20 rounds give enough samples.
  const mixed = await timeDecisions('guard.decide.fixtures', fixtures, () => longLived, 20);
  Object.assign(results, mixed.results);
  results['guard.decide.maxCommandBytes'] = {
    value: Math.max(...commands.map((command) => command.length)),
    unit: 'bytes',
    n: commands.length,
  };
  const creations = 10_000;
  const started = performance.now();
  for (let index = 0; index < creations; index += 1) {
    createGuard();
  }
  results['guard.create.meanUs'] = {
    value: round(((performance.now() - started) * 1000) / creations),
    unit: 'µs',
    n: creations,
  };
  Object.assign(results, runRedactBench());
  Object.assign(results, await runHookBench());
  return results;
}

/**
 * Decides every command `latencyRounds` times (3,500 decisions for the default commands) and
 * returns p50 and p99 under `prefix`, and each decision's wall and CPU time in order. Besides
 * wall time it records the process's CPU time per decision (`process.cpuUsage`, 1 µs steps
 * on Linux), which other jobs on a shared machine inflate far less: `<prefix>.cpu.*`.
 * `process.cpuUsage` counts every thread of the process, so V8's helper threads for garbage
 * collection and optimising compiles add to the decision they run during. `collected[i]` is true when a garbage
 * collection pause overlapped decision `i`.
 * Throughput comes from {@link addThroughput}, which times whole rounds instead.
 */
async function timeDecisions(
  prefix: string,
  commands: readonly string[],
  guardFor: () => SandstackGuard,
  latencyRounds = LATENCY_ROUNDS,
): Promise<{
  results: BenchResults;
  samples: number[];
  cpuSamples: number[];
  collected: boolean[];
}> {
  const total = commands.length * latencyRounds;
  const samples: number[] = [];
  const cpuSamples: number[] = [];
  const windows: [number, number][] = [];
  const pauses = await recordGcPauses(async () => {
    for (let index = 0; index < total; index += 1) {
      const command = commands[index % commands.length] ?? '';
      const wallBefore = performance.now();
      const cpuBefore = process.cpuUsage();
      await guardFor().decide({ tool: 'Bash', input: { command } }, CONTEXT);
      const cpu = process.cpuUsage(cpuBefore);
      const wallAfter = performance.now();
      samples.push(wallAfter - wallBefore);
      cpuSamples.push((cpu.user + cpu.system) / 1000);
      windows.push([wallBefore, wallAfter]);
    }
  });
  const collected = windows.map(([start, end]) =>
    pauses.some(([pauseStart, pauseEnd]) => pauseStart < end && pauseEnd > start),
  );
  const results: BenchResults = {};
  addLatency(results, prefix, samples);
  addLatency(results, `${prefix}.cpu`, cpuSamples);
  await addThroughput(results, prefix, commands, guardFor);
  return { results, samples, cpuSamples, collected };
}

/**
 * Runs `run` and returns the garbage-collection pauses that V8 reported meanwhile, as start
 * and end on the `performance.now()` clock. Node reports a pause after the event loop turns,
 * so the loop turns once before the records are taken.
 */
async function recordGcPauses(run: () => Promise<void>): Promise<[number, number][]> {
  const pauses: [number, number][] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      pauses.push([entry.startTime, entry.startTime + entry.duration]);
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  try {
    await run();
    await new Promise((resolve) => setImmediate(resolve));
    for (const entry of observer.takeRecords()) {
      pauses.push([entry.startTime, entry.startTime + entry.duration]);
    }
  } finally {
    observer.disconnect();
  }
  return pauses;
}

/** Rounds over every command before anything is timed. */
const WARM_UP_ROUNDS = 200;
/**
 * Rounds per command in the latency loop. A size class of 5 commands then has 500 samples, and
 * its p99 ignores the 5 slowest, so two or three slow decisions no longer set it.
 */
const LATENCY_ROUNDS = 100;
/** Rounds of the throughput loop, of which the median is reported. */
const THROUGHPUT_ROUNDS = 7;
/** Minimum decisions per throughput round, about 0.4 s of CPU time at 5,000 decisions/s. */
const THROUGHPUT_ROUND_DECISIONS = 2000;

/**
 * Adds decisions per wall second and per CPU second under `prefix` (`<prefix>.perSecond`,
 * `<prefix>.perCpuSecond`): the median of `THROUGHPUT_ROUNDS` rounds, each deciding every
 * command as many times as it takes to reach `THROUGHPUT_ROUND_DECISIONS`. Only the round
 * is timed, not each decision. A few rounds that other jobs or a major garbage collection
 * slowed do not move the median, and `<prefix>.perCpuSecond.lowest` and `.highest` show the
 * spread.
 */
async function addThroughput(
  results: BenchResults,
  prefix: string,
  commands: readonly string[],
  guardFor: () => SandstackGuard,
): Promise<void> {
  const passes = Math.max(1, Math.ceil(THROUGHPUT_ROUND_DECISIONS / commands.length));
  const decisions = passes * commands.length;
  const wallRates: number[] = [];
  const cpuRates: number[] = [];
  for (let index = 0; index < THROUGHPUT_ROUNDS; index += 1) {
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    for (let pass = 0; pass < passes; pass += 1) {
      for (const command of commands) {
        await guardFor().decide({ tool: 'Bash', input: { command } }, CONTEXT);
      }
    }
    const cpu = process.cpuUsage(cpuStarted);
    wallRates.push((decisions / (performance.now() - started)) * 1000);
    cpuRates.push((decisions / (cpu.user + cpu.system)) * 1e6);
  }
  const rate = (value: number): BenchMetric => ({
    value: round(value),
    unit: 'decisions/s',
    n: THROUGHPUT_ROUNDS,
  });
  results[`${prefix}.perSecond`] = rate(percentile(wallRates, 50));
  results[`${prefix}.perCpuSecond`] = rate(percentile(cpuRates, 50));
  results[`${prefix}.perCpuSecond.lowest`] = rate(Math.min(...cpuRates));
  results[`${prefix}.perCpuSecond.highest`] = rate(Math.max(...cpuRates));
}

/**
 * Adds p50 and p99 per command size class under `prefix`, such as `guard.decide.upTo1KiB`.
 * Sample `i` timed `commands[i % commands.length]`, and counts only when `keep(i)` is true.
 */
function addSizeClasses(
  results: BenchResults,
  prefix: string,
  commands: readonly string[],
  samples: readonly number[],
  keep: (index: number) => boolean = () => true,
): void {
  const byClass = new Map<string, number[]>();
  samples.forEach((sample, index) => {
    if (!keep(index)) {
      return;
    }
    const sizeClass = sizeClassOf(commands[index % commands.length] ?? '');
    const list = byClass.get(sizeClass) ?? [];
    list.push(sample);
    byClass.set(sizeClass, list);
  });
  for (const [sizeClass, list] of byClass) {
    addLatency(results, `${prefix}.${sizeClass}`, list);
  }
}

/** Adds the percentage of decisions per size class that a garbage-collection pause overlapped. */
function addGcShares(
  results: BenchResults,
  prefix: string,
  commands: readonly string[],
  collected: readonly boolean[],
): void {
  const counts = new Map<string, { decisions: number; collected: number }>();
  collected.forEach((hit, index) => {
    const sizeClass = sizeClassOf(commands[index % commands.length] ?? '');
    const count = counts.get(sizeClass) ?? { decisions: 0, collected: 0 };
    count.decisions += 1;
    count.collected += hit ? 1 : 0;
    counts.set(sizeClass, count);
  });
  for (const [sizeClass, count] of counts) {
    results[`${prefix}.${sizeClass}`] = {
      value: round((100 * count.collected) / count.decisions),
      unit: '%',
      n: count.decisions,
    };
  }
}

function sizeClassOf(command: string): string {
  return SIZE_CLASSES.find(([, max]) => command.length <= max)?.[0] ?? 'larger';
}

const MIB = 1024 * 1024;

/**
 * 1 MiB tool outputs. Three have no line break, the shapes that made backtracking patterns
 * slow. Two are AWS key material, where every token is a candidate secret key: CSV rows of
 * key id and key, and one key per line.
 */
function redactInputs(): Record<string, string> {
  const bytes = Buffer.alloc((MIB * 3) / 4);
  let state = 1;
  for (let index = 0; index < bytes.length; index += 1) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    bytes[index] = state >>> 24;
  }
  const code =
    '!function(e,t){"use strict";var n=e.document,r=n.createElement("script"),' +
    'i="https://cdn.example.com/v2/lib.min.js",o={version:"3.7.1",retries:3};' +
    'function a(e){return e&&e.nodeType===1?e.getAttribute("data-id"):null}' +
    'r.src=i+"?t="+Date.now();t.words=function(e){return String(e).split(/\\s+/)}}(window,{});';
  const keyId = 'AKIAIOSFODNN7EXAMPLE';
  const secretKey = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  return {
    words: 'A'.repeat(MIB),
    awsKeyCsv: `${keyId},${secretKey}\n`.repeat(Math.ceil(MIB / 62)).slice(0, MIB),
    keyPerLine: `${secretKey}\n`.repeat(Math.ceil(MIB / 41)).slice(0, MIB),
    base64: bytes.toString('base64'),
    minifiedJs: code.repeat(Math.ceil(MIB / code.length)).slice(0, MIB),
  };
}

/** Times `redactSecrets` on each 1 MiB input, 10 rounds each (well under a second in all). */
export function runRedactBench(): BenchResults {
  const results: BenchResults = {};
  for (const [name, text] of Object.entries(redactInputs())) {
    redactSecrets(text);
    const samples: number[] = [];
    for (let round = 0; round < 10; round += 1) {
      const started = performance.now();
      redactSecrets(text);
      samples.push(performance.now() - started);
    }
    addLatency(results, `guard.redact.1MiB.${name}`, samples);
  }
  return results;
}

const REPO_ROOT = join(import.meta.dirname, '..');
const HOOK_MAIN = join(REPO_ROOT, 'dist', 'guard', 'hook-main.js');
const CLI = join(REPO_ROOT, 'bin', 'sandstack.js');

/**
 * Times hook calls as Claude Code makes them: a new process per call with the hook JSON on
 * stdin. The loops are fixed at 5 to 20 calls, under 30 s in all on a busy 2-core machine.
 */
async function runHookBench(): Promise<BenchResults> {
  const dir = await mkdtemp(join(tmpdir(), 'sandstack-bench-hook-'));
  const socket = join(dir, 'guard.sock');
  const common = ['--state', join(dir, 'guard.db'), '--socket', socket];
  const input = JSON.stringify({
    session_id: 'bench',
    cwd: dir,
    hook_event_name: 'PreToolUse',
    tool_name: 'Bash',
    tool_input: { command: 'git status --short && npm test' },
  });
  const results: BenchResults = {};
  try {
    addLatency(
      results,
      'guard.hook.cli',
      await timeMany(5, () =>
        runHook(['--no-node-snapshot', CLI, 'guard', 'hook', ...common], input),
      ),
    );
    addLatency(
      results,
      'guard.hook.inProcess',
      await timeMany(5, () => runHook([HOOK_MAIN, ...common, '--no-daemon'], input)),
    );
    // The daemon decides only for hooks with its settings, so it resolves the hook's options.
    const { settings } = resolveHookOptions({ state: join(dir, 'guard.db'), socket });
    const daemon = await startHookDaemon(socket, { settings });
    try {
      await runHook([HOOK_MAIN, ...common], input);
      addLatency(
        results,
        'guard.hook.daemon',
        await timeMany(20, () => runHook([HOOK_MAIN, ...common], input)),
      );
    } finally {
      await daemon.close();
    }
    addLatency(results, 'node.startup', await timeMany(10, () => runHook(['-e', '0'], '')));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return results;
}

/** Runs one hook process and rejects unless it exits 0. */
function runHook(args: readonly string[], stdin: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) {
        resolve();
        return;
      }
      reject(new Error(`Hook exited with ${String(code)}: ${stderr}`));
    });
    child.stdin.end(stdin);
  });
}
