/**
 * The guard daemon and the standalone hook entry point. The entry point runs from a copy of
 * its own modules without the guard, so a decision can only come from the daemon.
 */
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, REPO_ROOT, startCli, type StartedCli } from '../helpers/cli.js';

interface HookRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runEntry(entry: string, stdin: string, args: readonly string[]): Promise<HookRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [entry, ...args], {
      env: { ...process.env, CLAUDE_PROJECT_DIR: '' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(stdin);
  });
}

/** Copies the hook entry point and the modules it loads up front, but not the guard. */
function copyEntryWithoutGuard(target: string): string {
  const dist = join(REPO_ROOT, 'dist');
  mkdirSync(join(target, 'guard'), { recursive: true });
  mkdirSync(join(target, 'core'), { recursive: true });
  writeFileSync(join(target, 'package.json'), '{"type":"module"}');
  for (const file of ['hook-main.js', 'hook-client.js', 'hook-options.js']) {
    copyFileSync(join(dist, 'guard', file), join(target, 'guard', file));
  }
  copyFileSync(join(dist, 'core', 'errors.js'), join(target, 'core', 'errors.js'));
  return join(target, 'guard', 'hook-main.js');
}

describe('guard daemon', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let socketPath: string;
  let statePath: string;
  let entry: string;
  let daemon: StartedCli;

  const input = (sessionId: string, command: string): string =>
    JSON.stringify({
      session_id: sessionId,
      cwd: dir.path,
      hook_event_name: 'PreToolUse',
      tool_name: 'Bash',
      tool_input: { command },
    });

  beforeAll(async () => {
    dir = await makeTempDir('guard-daemon');
    socketPath = join(dir.path, 'run', 'guard.sock');
    statePath = join(dir.path, 'guard.db');
    entry = copyEntryWithoutGuard(join(dir.path, 'entry'));
    daemon = startCli(['guard', 'daemon', '--socket', socketPath]);
    await daemon.waitForOutput('Guard daemon listening', 60_000);
  });

  afterAll(async () => {
    daemon.child.kill('SIGTERM');
    await daemon.done;
    await dir.remove();
  });

  it('creates a socket only its owner can reach', () => {
    const stat = statSync(socketPath);
    expect(stat.isSocket()).toBe(true);
    expect(stat.mode & 0o777).toBe(0o600);
    expect(statSync(join(dir.path, 'run')).mode & 0o777).toBe(0o700);
  });

  it('decides calls for a hook without the guard', async () => {
    const args = ['--socket', socketPath, '--state', statePath];
    const allowed = await runEntry(entry, input('daemon-1', 'ls -la'), args);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.stdout).toContain('"permissionDecision":"allow"');

    const denied = await runEntry(entry, input('daemon-1', 'git push --force origin main'), args);
    expect(denied.code, denied.stderr).toBe(0);
    expect(denied.stdout).toContain('"permissionDecision":"deny"');
  });

  it('keeps backstop counts across daemon calls', async () => {
    const args = ['--socket', socketPath, '--state', statePath];
    let last: HookRun | undefined;
    for (let attempt = 0; attempt < 3; attempt += 1) {
      last = await runEntry(entry, input('daemon-halt', 'git push --force origin main'), args);
    }
    expect(last?.stdout).toContain('"continue":false');
  });

  it('blocks malformed input through the daemon', async () => {
    const run = await runEntry(entry, '{"session_id": 5}', [
      '--socket',
      socketPath,
      '--state',
      statePath,
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Invalid hook input');
  });

  it('ignores a socket that others can reach', async () => {
    chmodSync(socketPath, 0o666);
    try {
      // Without the daemon the copied entry point must load the guard, which is missing.
      const run = await runEntry(entry, input('daemon-2', 'ls'), [
        '--socket',
        socketPath,
        '--state',
        statePath,
      ]);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
    } finally {
      chmodSync(socketPath, 0o600);
    }
  });

  it('decides in process when no daemon listens', async () => {
    const run = await runEntry(
      join(REPO_ROOT, 'dist', 'guard', 'hook-main.js'),
      input('daemon-3', 'git push --force origin main'),
      ['--socket', join(dir.path, 'missing.sock'), '--state', statePath],
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('"permissionDecision":"deny"');
  });

  it('rejects a second daemon on the same socket', async () => {
    const second = startCli(['guard', 'daemon', '--socket', socketPath]);
    const result = await second.done;
    expect(result.code, result.stderr).not.toBe(0);
    expect(result.stderr).toContain('already listens');
  });
});
