/**
 * The guard daemon and the standalone hook entry point. The entry point runs from a copy of
 * its own modules without the guard, so a decision can only come from the daemon.
 */
import type { ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApprovalQueue } from '../../src/guard/approvals.js';
import { createSqliteBackstop, openGuardState } from '../../src/guard/hook-state.js';
import { REPO_ROOT, startCli, type StartedCli } from '../helpers/cli.js';
import {
  bashHookInput,
  HOOK_ENTRY,
  makeDaemonFolder,
  runHookEntry,
  type DaemonFolder,
  type HookRun,
} from '../helpers/hook-daemon.js';

/** Sends `payload` to the socket as one request and returns the daemon's whole reply. */
function sendRaw(socketPath: string, payload: string | Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ path: socketPath, allowHalfOpen: true });
    const chunks: Buffer[] = [];
    socket.on('connect', () => socket.end(payload));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // The daemon may close before it has read an oversized request, which ends the write
    // with EPIPE or ECONNRESET after the reply arrived.
    socket.on('error', (error) => (chunks.length > 0 ? undefined : reject(error)));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
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
  let dir: DaemonFolder;
  let socketPath: string;
  let statePath: string;
  let entry: string;
  let daemon: StartedCli;
  /** Hook options equal to the daemon's settings. */
  let args: string[];

  const input = (sessionId: string, command: string): string =>
    bashHookInput(sessionId, dir.path, command);

  beforeAll(async () => {
    dir = await makeDaemonFolder('guard-daemon');
    ({ socketPath, statePath, args } = dir);
    entry = copyEntryWithoutGuard(join(dir.path, 'entry'));
    daemon = startCli(['guard', 'daemon', ...args]);
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
    const allowed = await runHookEntry(entry, input('daemon-1', 'ls -la'), args);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.stdout).toContain('"permissionDecision":"allow"');

    const denied = await runHookEntry(
      entry,
      input('daemon-1', 'git push --force origin main'),
      args,
    );
    expect(denied.code, denied.stderr).toBe(0);
    expect(denied.stdout).toContain('"permissionDecision":"deny"');
  });

  it('keeps backstop counts across daemon calls', async () => {
    let last: HookRun | undefined;
    for (let attempt = 0; attempt < 3; attempt += 1) {
      last = await runHookEntry(entry, input('daemon-halt', 'git push --force origin main'), args);
    }
    expect(last?.stdout).toContain('"continue":false');
  });

  it('blocks malformed input through the daemon', async () => {
    const run = await runHookEntry(entry, '{"session_id": 5}', args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Invalid hook input');
  });

  it('ignores a socket that others can reach', async () => {
    chmodSync(socketPath, 0o666);
    try {
      // Without the daemon the copied entry point must load the guard, which is missing.
      const run = await runHookEntry(entry, input('daemon-2', 'ls'), args);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
    } finally {
      chmodSync(socketPath, 0o600);
    }
  });

  it('ignores a socket in a folder others can open', async () => {
    chmodSync(join(dir.path, 'run'), 0o755);
    try {
      const run = await runHookEntry(entry, input('daemon-2', 'ls'), args);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
    } finally {
      chmodSync(join(dir.path, 'run'), 0o700);
    }
  });

  it.each([
    ['state file', ['--state', 'other/guard.db']],
    ['project', ['--project-dir', 'other-project']],
    ['policy', ['--policy', 'open-policy.yaml']],
  ])('rejects a hook with another %s', async (_name, extra) => {
    // Without the guard, the copied entry point can only decide through the daemon.
    const [option = '', value = ''] = extra;
    const run = await runHookEntry(entry, input('daemon-4', 'ls'), [
      ...args,
      option,
      join(dir.path, value),
    ]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('Cannot find module');
    const daemonState = createSqliteBackstop(openGuardState(statePath));
    expect(daemonState.list().map((session) => session.sessionId)).not.toContain('daemon-4');
  });

  it('decides in process when settings differ', async () => {
    const policy = join(dir.path, 'open-policy.yaml');
    writeFileSync(policy, 'rules:\n  - match: { tool: Bash }\n    verdict: allow\n');
    const otherState = join(dir.path, 'other', 'guard.db');
    const run = await runHookEntry(HOOK_ENTRY, input('daemon-5', 'git push --force origin main'), [
      ...args,
      '--state',
      otherState,
      '--policy',
      policy,
    ]);
    expect(run.code, run.stderr).toBe(0);
    // The default rules still deny a force push under a user policy.
    expect(run.stdout).toContain('"permissionDecision":"deny"');
    expect(run.stderr).toContain("decided in the hook's own process");
    expect(existsSync(otherState)).toBe(true);
    const daemonState = createSqliteBackstop(openGuardState(statePath));
    expect(daemonState.list().map((session) => session.sessionId)).not.toContain('daemon-5');
  });

  it('rejects a raw request with other settings', async () => {
    const otherState = join(dir.path, 'hostile', 'guard.db');
    const reply = await sendRaw(
      socketPath,
      JSON.stringify({
        stdin: input('daemon-6', 'git push --force origin main'),
        settings: {
          statePath: otherState,
          projectDir: dir.path,
          homeDir: process.env['HOME'],
          policyPath: join(dir.path, 'open-policy.yaml'),
          stage2: { provider: 'openai', baseUrl: 'http://127.0.0.1:9/v1', model: 'm' },
        },
      }),
    );
    const parsed = JSON.parse(reply) as { rejected?: string; fields?: string[] };
    expect(parsed.rejected).toBe('settings');
    expect(parsed.fields).toEqual(['statePath', 'policyPath', 'stage2']);
    expect(existsSync(otherState)).toBe(false);
  });

  it('blocks malformed frames and keeps serving', async () => {
    const frames = ['not json', '[]', 'null', '{"stdin": 1, "settings": {}}', '{"stdin": ""}', ''];
    for (const frame of frames) {
      const reply = JSON.parse(await sendRaw(socketPath, frame)) as { exitCode?: number };
      expect(reply.exitCode, frame).toBe(2);
    }
    const run = await runHookEntry(entry, input('daemon-7', 'ls'), args);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('"permissionDecision":"allow"');
  });

  it('blocks an oversized frame and keeps serving', async () => {
    const reply = await sendRaw(socketPath, Buffer.alloc(65 * 1024 * 1024, 0x20));
    const parsed = JSON.parse(reply) as { exitCode?: number; stderr?: string };
    expect(parsed.exitCode).toBe(2);
    expect(parsed.stderr).toContain('larger than');
    const run = await runHookEntry(entry, input('daemon-8', 'ls'), args);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('"permissionDecision":"allow"');
  });

  it('decides in process when no daemon listens', async () => {
    const run = await runHookEntry(HOOK_ENTRY, input('daemon-3', 'git push --force origin main'), [
      ...args,
      '--socket',
      join(dir.path, 'missing.sock'),
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('"permissionDecision":"deny"');
  });

  it('rejects a second daemon on the same socket', async () => {
    const second = startCli(['guard', 'daemon', '--socket', socketPath]);
    const result = await second.done;
    expect(result.code, result.stderr).not.toBe(0);
    expect(result.stderr).toContain('already listens');
  });

  it('rejects a socket folder others can open', async () => {
    const open = join(dir.path, 'open');
    mkdirSync(open, { mode: 0o755 });
    chmodSync(open, 0o755);
    const started = startCli(['guard', 'daemon', '--socket', join(open, 'guard.sock')]);
    const result = await started.done;
    expect(result.code, result.stderr).not.toBe(0);
    expect(result.stderr).toContain('has mode 0755');
    expect(existsSync(join(open, 'guard.sock'))).toBe(false);
  });
});

describe('guard daemon killed mid-request', () => {
  let dir: DaemonFolder;

  beforeAll(async () => {
    dir = await makeDaemonFolder('guard-daemon-kill');
  });

  afterAll(async () => {
    await dir.remove();
  });

  it('blocks the call it was deciding', async () => {
    const queuePath = join(dir.path, 'approvals.db');
    const args = [...dir.args, '--approvals', queuePath, '--approval-timeout', '300'];
    const daemon = startCli(['guard', 'daemon', ...args]);
    await daemon.waitForOutput('Guard daemon listening', 60_000);
    const entry = copyEntryWithoutGuard(join(dir.path, 'entry'));
    let hook: ChildProcess | undefined;
    try {
      // A push to the default branch is asked, so the daemon waits in the approval queue.
      const stdin = bashHookInput('kill-1', dir.path, 'git push origin main');
      const running = runHookEntry(entry, stdin, args, (child) => (hook = child));
      const queue = ApprovalQueue.open(queuePath);
      let pending = 0;
      for (let attempt = 0; attempt < 600 && pending === 0; attempt += 1) {
        pending = (await queue.list({ status: 'pending' })).length;
        if (pending === 0) {
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
      expect(pending).toBe(1);
      daemon.child.kill('SIGKILL');
      const run = await running;
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain('The guard daemon failed');
    } finally {
      hook?.kill('SIGKILL');
      daemon.child.kill('SIGKILL');
      await daemon.done;
    }
  });
  /**
   * Starts a daemon named `name` with `daemonArgs`, stops it with SIGSTOP, and runs one hook
   * call against it with the same arguments plus `hookArgs`.
   */
  async function runAgainstStoppedDaemon(
    name: string,
    daemonArgs: readonly string[],
    hookArgs: readonly string[] = [],
  ): Promise<HookRun> {
    const args = [
      '--socket',
      join(dir.path, name, 'guard.sock'),
      '--state',
      join(dir.path, `${name}.db`),
      ...daemonArgs,
    ];
    const daemon = startCli(['guard', 'daemon', ...args, '--project-dir', dir.path]);
    await daemon.waitForOutput('Guard daemon listening', 60_000);
    const entry = copyEntryWithoutGuard(join(dir.path, `${name}-entry`));
    try {
      daemon.child.kill('SIGSTOP');
      const stdin = bashHookInput(`${name}-1`, dir.path, 'ls');
      return await runHookEntry(entry, stdin, [...args, '--project-dir', dir.path, ...hookArgs]);
    } finally {
      daemon.child.kill('SIGCONT');
      daemon.child.kill('SIGKILL');
      await daemon.done;
    }
  }

  it('blocks when the daemon stops replying', async () => {
    const run = await runAgainstStoppedDaemon('stopped', []);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('did not reply within');
  });

  it("blocks before the hook's own timeout", async () => {
    // Claude Code runs a call whose hook times out, so the wait must end first.
    const approvals = ['--approvals', join(dir.path, 'budget-approvals.db')];
    const run = await runAgainstStoppedDaemon(
      'budget',
      [...approvals, '--approval-timeout', '55'],
      ['--hook-timeout', '8'],
    );
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('did not reply within 3000 ms');
  });
});
