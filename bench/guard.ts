/**
 * Guard benchmark: stage-1 decision latency and throughput for Bash commands from a few
 * bytes up to 4 KB. Each decision uses a fresh guard so the backstop never halts the loop.
 */
import { createGuard } from '../src/guard/guard.js';
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
  return results;
}
