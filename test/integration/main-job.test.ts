/**
 * The main job end to end through the CLI: `sandstack run` replays the agent-session
 * example in a real sandbox, with real SQLite state, and reports what the guard blocked.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readdir, readFile, stat, writeFile, mkdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, REPO_ROOT, runCli } from '../helpers/cli.js';

const EXAMPLE = join(REPO_ROOT, 'examples', 'agent-session');

interface Summary {
  instanceId: string;
  status: string;
  steps: number;
  allowed: number;
  blocked: {
    tool: string;
    input: Record<string, unknown>;
    reason: string;
    category: string | null;
  }[];
  commands: {
    step: string;
    tool: string;
    input: Record<string, unknown>;
    verdict: string;
    exitCode: number | null;
  }[];
  cpuSeconds: number;
  traceId: string;
  error: { code: string; message: string } | null;
  output: unknown;
}

/** Hashes every file below `dir` (paths and contents), so any change shows. */
async function hashTree(dir: string): Promise<string> {
  const hash = createHash('sha256');
  const walk = async (current: string): Promise<void> => {
    const entries = (await readdir(current, { withFileTypes: true })).sort((a, b) =>
      a.name.localeCompare(b.name),
    );
    for (const entry of entries) {
      const path = join(current, entry.name);
      hash.update(relative(dir, path));
      if (entry.isDirectory()) {
        await walk(path);
      } else if (entry.isFile()) {
        hash.update(await readFile(path));
      }
    }
  };
  await walk(dir);
  return hash.digest('hex');
}

describe('sandstack run on the agent-session example', () => {
  let state: { path: string; remove: () => Promise<void> };
  let summary: Summary;
  let projectHashBefore: string;

  beforeAll(async () => {
    state = await makeTempDir('main-job');
    projectHashBefore = await hashTree(join(EXAMPLE, 'project'));
    const result = await runCli([
      '--state-dir',
      state.path,
      'run',
      'examples/agent-session',
      '--tenant',
      'demo',
      '--json',
    ]);
    expect(result.stderr).not.toContain('INTERNAL');
    summary = JSON.parse(result.stdout) as Summary;
    expect(result.code, result.stderr).toBe(0);
  }, 240_000);

  afterAll(async () => {
    await state.remove();
  });

  it('completes the run', () => {
    expect(summary.status).toBe('complete');
    expect(summary.error).toBeNull();
    expect(summary.instanceId).toMatch(/^run_/);
  });

  it('passes the fixed test suite at the end', () => {
    const last = summary.commands.at(-1);
    expect(last?.tool).toBe('Bash');
    expect(String(last?.input.command)).toContain('unittest');
    expect(last?.verdict).toBe('allow');
    expect(last?.exitCode).toBe(0);
  });

  it('fails the test suite before the fix', () => {
    const first = summary.commands.find((command) =>
      String(command.input.command ?? '').includes('unittest'),
    );
    expect(first?.exitCode).not.toBe(0);
  });

  it('blocks every dangerous call with a reason', () => {
    const blockedInputs = summary.blocked.map((call) => JSON.stringify(call.input));
    expect(blockedInputs.some((input) => input.includes('push --force'))).toBe(true);
    expect(blockedInputs.some((input) => input.includes('.ssh/id_rsa'))).toBe(true);
    expect(blockedInputs.some((input) => input.includes('| sh'))).toBe(true);
    expect(blockedInputs.some((input) => input.includes('rm -rf /root/old-checkouts'))).toBe(true);
    expect(summary.blocked).toHaveLength(4);
    for (const call of summary.blocked) {
      expect(call.reason.length).toBeGreaterThan(10);
      expect(call.category).not.toBeNull();
    }
  });

  it('allows the ordinary work', () => {
    expect(summary.allowed).toBe(summary.commands.length - 4);
    expect(summary.commands.filter((command) => command.tool === 'Edit')[0]?.verdict).toBe('allow');
  });

  it('meters CPU time from the sandbox', () => {
    expect(summary.cpuSeconds).toBeGreaterThan(0);
  });

  it('leaves the example project unchanged', async () => {
    expect(await hashTree(join(EXAMPLE, 'project'))).toBe(projectHashBefore);
  });

  it('prints the trace as a tree', async () => {
    expect(summary.traceId).toMatch(/^[0-9a-f]{32}$/);
    const result = await runCli(['--state-dir', state.path, 'trace', summary.instanceId]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('workflow.run');
    expect(result.stdout).toContain('workflow.step');
    expect(result.stdout).toContain('guard.decide');
    expect(result.stdout).toContain('execute_tool Bash');
    expect(result.stdout).toMatch(/^ {4}workflow\.step/m);
  });

  it('prices the run with sandstack cost', async () => {
    const result = await runCli([
      '--state-dir',
      state.path,
      'cost',
      '--by',
      'run',
      '--tenant',
      'demo',
      '--json',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as {
      lines: {
        key: string;
        sandboxes: number;
        cpuSeconds: number;
        gibSeconds: number;
        cost: Record<string, number>;
      }[];
    };
    const line = report.lines.find((entry) => entry.key === summary.instanceId);
    expect(line?.sandboxes).toBe(1);
    expect(line?.cpuSeconds).toBeCloseTo(summary.cpuSeconds, 1);
    expect(line?.gibSeconds).toBeGreaterThan(0);
    expect(line?.cost['active-cpu']).toBeGreaterThan(0);
    expect(line?.cost.session).toBeGreaterThan(0);
    expect(report.lines.at(-1)?.key).toBe('total');
  });

  it('reports the run in Prometheus metrics', async () => {
    const result = await runCli(['--state-dir', state.path, 'metrics']);
    expect(result.code, result.stderr).toBe(0);
    const value = (pattern: RegExp): number => Number(pattern.exec(result.stdout)?.[1]);
    expect(value(/^sandstack_guard_decisions_total\{tenant="demo",verdict="allow"\} (\S+)$/m)).toBe(
      summary.allowed,
    );
    const blocked =
      value(/^sandstack_guard_decisions_total\{tenant="demo",verdict="deny"\} (\S+)$/m) +
      value(/^sandstack_guard_decisions_total\{tenant="demo",verdict="ask"\} (\S+)$/m);
    expect(blocked).toBe(summary.blocked.length);
    expect(value(/^sandstack_workflow_instances\{tenant="demo",status="complete"\} (\S+)$/m)).toBe(
      1,
    );
    expect(value(/^sandstack_tenant_cpu_seconds_total\{tenant="demo"\} (\S+)$/m)).toBeGreaterThan(
      0,
    );
    expect(
      value(/^sandstack_sandbox_claim_seconds_count\{start="cold",runtime="\w+"\} (\S+)$/m),
    ).toBe(1);
    expect(result.stdout).toContain('# TYPE sandstack_sandbox_claim_seconds histogram');
  });

  it('rejects an unknown cost grouping', async () => {
    const result = await runCli(['--state-dir', state.path, 'cost', '--by', 'week']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--by "week"');
  });
});

describe('sandstack run on any session and repository', () => {
  it('replays a custom session against a local git repository', async () => {
    const dir = await makeTempDir('custom-session');
    try {
      const repo = join(dir.path, 'repo');
      await mkdir(repo);
      await writeFile(join(repo, 'hello.txt'), 'hello\n');
      execFileSync('git', ['init', '-q'], { cwd: repo });
      execFileSync('git', ['add', '-A'], { cwd: repo });
      execFileSync(
        'git',
        ['-c', 'user.name=t', '-c', 'user.email=t@localhost', 'commit', '-qm', 'first'],
        { cwd: repo },
      );
      const headBefore = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repo }).toString();
      const session = join(dir.path, 'session.jsonl');
      await writeFile(
        session,
        [
          { type: 'session', cwd: '/src/app' },
          { type: 'user', text: 'Add a goodbye file and commit it.' },
          {
            type: 'tool_use',
            name: 'Write',
            input: { file_path: '/src/app/bye.txt', content: 'bye\n' },
          },
          {
            type: 'tool_use',
            name: 'Bash',
            input: { command: 'cat hello.txt bye.txt && git add bye.txt && git commit -qm bye' },
          },
          { type: 'tool_use', name: 'Bash', input: { command: 'git log --oneline | wc -l' } },
        ]
          .map((line) => JSON.stringify(line))
          .join('\n'),
      );

      const result = await runCli([
        '--state-dir',
        join(dir.path, 'state'),
        'run',
        'examples/agent-session',
        '--json',
        '--params',
        JSON.stringify({ session, repo }),
      ]);
      expect(result.code, result.stderr + result.stdout).toBe(0);
      const summary = JSON.parse(result.stdout) as Summary;
      expect(summary.status).toBe('complete');
      expect(summary.blocked).toEqual([]);
      // Session calls run in steps named "<line> <tool>"; the others set the sandbox up.
      const sessionCommands = summary.commands.filter((command) => /^\d+ /.test(command.step));
      expect(sessionCommands.map((command) => command.exitCode)).toEqual([0, 0, 0]);
      await expect(stat(join(repo, 'bye.txt'))).rejects.toThrow();
      expect(execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repo }).toString()).toBe(headBefore);
    } finally {
      await dir.remove();
    }
  }, 240_000);

  it('reports a session the guard halted', async () => {
    const dir = await makeTempDir('halted-session');
    try {
      const session = join(dir.path, 'session.jsonl');
      await writeFile(
        session,
        [
          { type: 'user', text: 'Tidy the repository.' },
          { type: 'tool_use', name: 'Bash', input: { command: 'git push --force origin main' } },
          { type: 'tool_use', name: 'Bash', input: { command: 'rm -rf /root/old' } },
          { type: 'tool_use', name: 'Read', input: { file_path: '/root/.ssh/id_rsa' } },
          { type: 'tool_use', name: 'Bash', input: { command: 'echo after-halt' } },
        ]
          .map((line) => JSON.stringify(line))
          .join('\n'),
      );
      const result = await runCli([
        '--state-dir',
        join(dir.path, 'state'),
        'run',
        'examples/agent-session',
        '--json',
        '--params',
        JSON.stringify({ session }),
      ]);
      const summary = JSON.parse(result.stdout) as Summary & { halted: boolean };
      expect(summary.halted).toBe(true);
      expect(summary.blocked).toHaveLength(3);
      const ran = summary.commands.map((command) => JSON.stringify(command.input));
      expect(ran.some((input) => input.includes('after-halt'))).toBe(false);
    } finally {
      await dir.remove();
    }
  }, 240_000);
});
