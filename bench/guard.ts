/**
 * Guard benchmark: stage-1 decision latency and throughput for Bash commands from a few
 * bytes up to 4 KB, the wall time of one Claude Code hook call, process start-up
 * included, and secret redaction of 1 MiB tool outputs. Each decision uses a fresh guard
 * so the backstop never halts the loop.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGuard } from '../src/guard/guard.js';
import { startHookDaemon } from '../src/guard/hook-daemon.js';
import { redactSecrets } from '../src/guard/redact.js';
import type { GuardContext } from '../src/guard/types.js';
import { addLatency, round, timeMany, type BenchResults } from './lib.js';

const CONTEXT: GuardContext = {
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
function buildCommands(maxBytes: number): string[] {
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

/** Runs the guard benchmark and returns `guard.decide.*` metrics. */
export async function runGuardBench(): Promise<BenchResults> {
  const commands = buildCommands(4096);
  // Warm up the WASM parser so the first load is not counted.
  await createGuard().decide({ tool: 'Bash', input: { command: 'true' } }, CONTEXT);

  const rounds = 20;
  const total = commands.length * rounds;
  const started = performance.now();
  const samples = await timeMany(total, (index) =>
    createGuard().decide(
      { tool: 'Bash', input: { command: commands[index % commands.length] ?? '' } },
      CONTEXT,
    ),
  );
  const elapsedMs = performance.now() - started;

  const results: BenchResults = {};
  addLatency(results, 'guard.decide', samples);
  results['guard.decide.perSecond'] = {
    value: round((total / elapsedMs) * 1000),
    unit: 'decisions/s',
    n: total,
  };
  results['guard.decide.maxCommandBytes'] = {
    value: Math.max(...commands.map((command) => command.length)),
    unit: 'bytes',
    n: commands.length,
  };
  Object.assign(results, runRedactBench());
  Object.assign(results, await runHookBench());
  return results;
}

const MIB = 1024 * 1024;

/** 1 MiB tool outputs with no line break: the shapes that made backtracking patterns slow. */
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
  return {
    words: 'A'.repeat(MIB),
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
    const daemon = await startHookDaemon(socket);
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
