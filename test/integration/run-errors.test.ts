/**
 * Bad input and hostile tenant code through the CLI: each gives an error that names the
 * problem and the fix, a non-zero exit code, and no crash of the process.
 */
import { copyFile, mkdir, readdir, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, REPO_ROOT, runCli } from '../helpers/cli.js';

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures');

describe('sandstack run with bad input', () => {
  let state: { path: string; remove: () => Promise<void> };
  const run = (args: string[]) => runCli(['--state-dir', state.path, 'run', ...args]);

  beforeAll(async () => {
    state = await makeTempDir('errors');
  });

  afterAll(async () => {
    await state.remove();
  });

  it('names a missing workflow file', async () => {
    const result = await run(['no/such/workflow.ts']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no/such/workflow.ts');
    expect(result.stderr).toContain('not found');
  });

  it('points at a syntax error in the workflow', async () => {
    const broken = join(state.path, 'broken.ts');
    await copyFile(join(FIXTURES, 'workflows', 'syntax-error.txt'), broken);
    const result = await run([broken]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('broken.ts');
    expect(result.stderr).toMatch(/:5(:\d+)?/);
  });

  it('rejects a malformed session line with its number', async () => {
    const session = join(FIXTURES, 'sessions', 'malformed.jsonl');
    const result = await run([
      'examples/agent-session',
      '--json',
      '--params',
      JSON.stringify({ session }),
    ]);
    expect(result.code).toBe(1);
    const summary = JSON.parse(result.stdout) as { status: string; error: { message: string } };
    expect(summary.status).toBe('errored');
    expect(summary.error.message).toContain('line 3');
    expect(summary.error.message).toContain('JSON');
  });

  it('names a missing session file', async () => {
    const result = await run(['examples/agent-session', '--params', '{"session": "nope.jsonl"}']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('nope.jsonl');
    expect(result.stderr).toContain('--params');
  });

  it('names a misspelled param of the example', async () => {
    const result = await run(['examples/agent-session', '--params', '{"sesion": "x.jsonl"}']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Unknown param "sesion"');
    expect(result.stderr).toContain('template, session, repo');
  });

  it('refuses the host root as a folder input', async () => {
    const result = await run(['examples/agent-session', '--params', '{"repo": "/"}']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Input "repo": folder "/" is the host\'s "/"');
    expect(result.stderr).toContain("pass the project's own folder");
  });

  it('stops a folder input at the size limit and leaves no partial copy', async () => {
    const big = join(state.path, 'big-repo');
    await mkdir(big);
    // A sparse file costs no disk but tar archives its full length.
    await writeFile(join(big, 'zeros.bin'), '');
    await truncate(join(big, 'zeros.bin'), 300 * 1024 * 1024);
    // A state folder of its own, so other tests' inputs do not count as leftovers.
    const own = join(state.path, 'big-state');
    const result = await runCli([
      '--state-dir',
      own,
      'run',
      'examples/agent-session',
      '--params',
      JSON.stringify({ repo: big }),
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('is larger than 268435456 bytes as a tar archive');
    const leftovers = await readdir(join(own, 'inputs'), { recursive: true });
    expect(leftovers.filter((name) => String(name).endsWith('.partial'))).toEqual([]);
    expect(leftovers.filter((name) => String(name).endsWith('repo.tar'))).toEqual([]);
  });

  it('names an unknown template', async () => {
    const result = await run([
      'examples/agent-session',
      '--json',
      '--params',
      '{"template": "no-such-template"}',
    ]);
    expect(result.code).toBe(1);
    const summary = JSON.parse(result.stdout) as { status: string; error: { message: string } };
    expect(summary.status).toBe('errored');
    expect(summary.error.message).toContain('no-such-template');
  });

  it('rejects params that are not JSON', async () => {
    const result = await run(['examples/agent-session', '--params', '{session:']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--params is not valid JSON');
  });
});

describe('sandstack run with hostile tenant code', () => {
  let state: { path: string; remove: () => Promise<void> };
  const run = (file: string, extra: string[] = []) =>
    runCli(
      ['--state-dir', state.path, 'run', join(FIXTURES, 'workflows', file), '--json', ...extra],
      { timeoutMs: 180_000 },
    );

  beforeAll(async () => {
    state = await makeTempDir('hostile');
  });

  afterAll(async () => {
    await state.remove();
  });

  it('stops an infinite loop at the CPU limit', async () => {
    const result = await run('infinite-loop.ts', ['--cpu-per-step-ms', '1500']);
    expect(result.signal).toBeNull();
    expect(result.code).toBe(1);
    const summary = JSON.parse(result.stdout) as { status: string; error: { message: string } };
    expect(summary.status).toBe('errored');
    expect(summary.error.message).toContain('more than 1500 ms of CPU time');
    expect(summary.error.message).toContain('limits.cpuPerStepMs');
  }, 180_000);

  it('rejects a limit that is not a positive number', async () => {
    const result = await run('infinite-loop.ts', ['--memory-mb', '-5']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--memory-mb');
    expect(result.stderr).toContain('-5 is out of range; use 8 to 16384');
  });

  it('stops a memory bomb at the memory limit', async () => {
    const result = await run('memory-bomb.ts');
    expect(result.signal).toBeNull();
    expect(result.code).toBe(1);
    const summary = JSON.parse(result.stdout) as { status: string; error: { message: string } };
    expect(summary.status).toBe('errored');
    expect(summary.error.message).toMatch(/memory/i);
  }, 180_000);

  it('rejects Node builtins at deploy', async () => {
    const result = await run('require-fs.js');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('node:fs');
  });

  it('keeps process and require out of reach', async () => {
    const result = await run('escape.js');
    expect(result.signal).toBeNull();
    expect(result.code).toBe(1);
    const summary = JSON.parse(result.stdout) as {
      status: string;
      error: { message: string };
      output: unknown;
    };
    expect(summary.status).toBe('errored');
    expect(summary.output).toBeNull();
    expect(summary.error.message).toContain('process is not defined');
  });
});
