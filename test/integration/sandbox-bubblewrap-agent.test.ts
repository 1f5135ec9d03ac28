/**
 * The command agent of bubblewrap sandboxes: one long-lived bwrap per sandbox that runs
 * commands on request. Covers what the agent changes: a sandbox outliving the process that
 * made it, the agent dying under a command, deadlines and clean-up.
 */
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { getPriority, setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cgroupPids, cgroupThreadIds, restoreNormalPriority } from '../../src/sandbox/cgroup.js';
import { BubblewrapDriver } from '../../src/sandbox/drivers/bubblewrap.js';
import { EXEC_AGENT } from '../../src/sandbox/drivers/native.js';
import { resolveTemplate } from '../../src/sandbox/templates.js';
import type { SandboxInstance } from '../../src/sandbox/types.js';
import { hostProcessesNaming, leftoversOf } from '../helpers/sandbox.js';

const driver = new BubblewrapDriver();
const check = await driver.check();
const suite = check.available && existsSync(EXEC_AGENT) ? describe : describe.skip;

/** Host processes of the sandbox whose command line contains `text`. */
function sandboxProcessesNaming(id: string, text: string): number[] {
  const inSandbox = new Set(cgroupPids(id));
  return hostProcessesNaming(text).filter((pid) => inSandbox.has(pid));
}

/** Returns whether `pid`'s parent is one of the sandbox's processes. */
function isChildOfSandbox(pid: number, id: string): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return cgroupPids(id).includes(parent);
  } catch {
    return false;
  }
}

suite('bubblewrap command agent', () => {
  let dir = '';
  let count = 0;
  const start = async (): Promise<{ id: string; stateDir: string; sandbox: SandboxInstance }> => {
    count += 1;
    const id = `sbx_bwagent${count}`;
    const stateDir = join(dir, id);
    const template = resolveTemplate({ name: 'agent', commandTimeoutMs: 20_000 });
    return { id, stateDir, sandbox: await driver.create({ id, template, stateDir }) };
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sandstack-bwagent-'));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs the agent from creation on', async () => {
    const { id, sandbox } = await start();
    try {
      // A warm sandbox already has its agent, before any command.
      expect(sandboxProcessesNaming(id, '.sandstack/exec-agent')).not.toEqual([]);
      const result = await sandbox.exec({ command: 'id -u; id -g; echo $$' });
      expect(result.exitCode).toBe(0);
      const [uid, gid] = result.stdout.split('\n');
      expect(uid).toBe('65534');
      expect(gid).toBe('65534');
    } finally {
      await sandbox.destroy();
    }
  });

  it('puts bwrap and its init in the cgroups', async () => {
    const { id, sandbox } = await start();
    try {
      // At rest the cgroups hold bwrap, its init inside the pid namespace and the agent.
      const commands = cgroupPids(id).map(
        (pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0],
      );
      expect(commands.filter((command) => command?.endsWith('bwrap'))).toHaveLength(2);
      expect(commands).toContain('/tmp/.sandstack/exec-agent');
      // The launcher's helpers have exited and bwrap has reaped them.
      const launchers = (): number[] =>
        readdirSync('/proc')
          .filter((entry) => /^\d+$/.test(entry))
          .filter((entry) => {
            try {
              return readFileSync(`/proc/${entry}/comm`, 'utf8') === 'bwrap-launch\n';
            } catch {
              return false;
            }
          })
          .map(Number)
          .filter((pid) => isChildOfSandbox(pid, id));
      for (let poll = 0; poll < 100 && launchers().length > 0; poll += 1) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(launchers()).toEqual([]);
      // bwrap forks its child inside the cgroups, so the cgroup namespace starts at them.
      const cgroups = await sandbox.exec({ command: 'cat /proc/self/cgroup' });
      expect(cgroups.stdout).toMatch(/^\d+:pids:\/$/m);
      expect(cgroups.stdout).toMatch(/^\d+:memory:\/$/m);
      expect(cgroups.stdout).not.toContain(id);
    } finally {
      await sandbox.destroy();
    }
  });

  it('hides the host cgroups', async () => {
    const first = await start();
    const second = await start();
    try {
      // The host's hierarchies list every sandbox's cgroup by its id.
      const listing = await first.sandbox.exec({ command: 'ls -A /sys/fs/cgroup' });
      expect(listing.exitCode).toBe(0);
      expect(listing.stdout).toBe('');
      expect(listing.stdout).not.toContain(second.id);
      const write = await first.sandbox.exec({ command: 'touch /sys/fs/cgroup/x' });
      expect(write.exitCode).not.toBe(0);
      expect(write.stderr).toContain('Read-only file system');
    } finally {
      await first.sandbox.destroy();
      await second.sandbox.destroy();
    }
  });

  it('shows commands no host path', async () => {
    const { stateDir, sandbox } = await start();
    try {
      // bwrap's init is pid 1 with bwrap's argv, so its options must not be on its command line.
      const processes = await sandbox.exec({
        command:
          'for f in /proc/[0-9]*/cmdline /proc/[0-9]*/environ; do tr "\\0" " " < "$f" 2>/dev/null; echo; done',
      });
      expect(processes.exitCode).toBe(0);
      expect(processes.stdout).toContain('/tmp/.sandstack/exec-agent');
      expect(processes.stdout).not.toContain(dir);
      expect(processes.stdout).not.toContain(EXEC_AGENT);
      expect(processes.stdout).not.toContain(process.cwd());

      // Hidden folders and the agent come from the writable layer and a copy of bwrap's own,
      // so the mounts' sources name no folder of the checkout or of the state folder.
      const mounts = await sandbox.exec({ command: 'cat /proc/self/mountinfo' });
      const sources = mounts.stdout
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => line.split(' ')[3] ?? '');
      expect(sources.filter((source) => source.startsWith(stateDir))).toEqual([]);
      expect(sources.filter((source) => source.startsWith(process.cwd()))).toEqual([]);
    } finally {
      await sandbox.destroy();
    }
  });

  it('gives commands no capability', async () => {
    const { sandbox } = await start();
    try {
      const result = await sandbox.exec({
        command: "grep -E '^(CapEff|CapPrm|CapAmb|NoNewPrivs):' /proc/self/status",
      });
      expect(result.stdout).toContain('CapEff:\t0000000000000000');
      expect(result.stdout).toContain('CapPrm:\t0000000000000000');
      expect(result.stdout).toContain('CapAmb:\t0000000000000000');
      expect(result.stdout).toContain('NoNewPrivs:\t1');
    } finally {
      await sandbox.destroy();
    }
  });

  it('keeps the agent channel from commands', async () => {
    const { sandbox } = await start();
    try {
      // The agent runs as root of the sandbox's user namespace and commands as nobody, so
      // they cannot open its descriptors, its FIFOs, or signal it.
      const probe = [
        'for p in /proc/[0-9]*; do',
        '  [ "$(stat -c %u "$p")" = 65534 ] && continue',
        '  for f in "$p"/fd/0 "$p"/fd/1; do',
        '    if [ -e "$f" ] && (: >> "$f") 2>/dev/null; then echo "opened $f"; fi',
        '  done',
        'done',
        'kill -KILL 1 2>/dev/null && echo "killed init"',
        'echo done',
      ].join('\n');
      const result = await sandbox.exec({ command: probe });
      expect(result.stdout).not.toContain('opened');
      expect(result.stdout).not.toContain('killed');
      expect(result.stdout).toContain('done');
      expect((await sandbox.exec({ command: 'echo alive' })).stdout).toBe('alive\n');
    } finally {
      await sandbox.destroy();
    }
  });

  it('deadline kills orphan in own session', async () => {
    const { id, sandbox } = await start();
    try {
      const result = await sandbox.exec({
        command: "env -i setsid /bin/sh -c 'sleep 7601 & exit 0' & sleep 60",
        timeoutMs: 1000,
      });
      expect(result.timedOut).toBe(true);
      expect(sandboxProcessesNaming(id, 'sleep 7601')).toEqual([]);
      expect(hostProcessesNaming('sleep 7601')).toEqual([]);
    } finally {
      await sandbox.destroy();
    }
  });

  it('ends background processes with their command', async () => {
    const { sandbox } = await start();
    try {
      const result = await sandbox.exec({
        command:
          "env -i setsid sleep 7701 & (env -i setsid /bin/sh -c 'sleep 7702 &' &); echo started",
      });
      expect(result.stdout).toBe('started\n');
      expect(hostProcessesNaming('sleep 770')).toEqual([]);
    } finally {
      await sandbox.destroy();
    }
  });

  it('killed agent fails the sandbox clearly', async () => {
    const { id, sandbox } = await start();
    try {
      const running = sandbox.exec({ command: 'echo started; sleep 30' }).then(
        () => 'finished',
        (error: unknown) => (error as Error).message,
      );
      await waitFor(() => hostProcessesNaming('sleep 30').length > 0);
      const agents = sandboxProcessesNaming(id, '.sandstack/exec-agent');
      expect(agents).not.toEqual([]);
      for (const pid of agents) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
      const outcome = await running;
      expect(outcome).toContain('command agent ended without hitting a limit');
      expect(await sandbox.isAlive()).toBe(false);
      // The agent's pid namespace ended with it, and every command in it.
      expect(hostProcessesNaming('sleep 30')).toEqual([]);
      // The next command starts a new agent over the same workspace.
      const after = await sandbox.exec({ command: 'echo alive' });
      expect(after.stdout).toBe('alive\n');
      expect(await sandbox.isAlive()).toBe(true);
    } finally {
      await sandbox.destroy();
    }
  });

  it('runs commands after its creator exits', async () => {
    count += 1;
    const id = `sbx_bwagent${count}`;
    const stateDir = join(dir, id);
    const fixture = join(import.meta.dirname, '../fixtures/sandbox/create-bubblewrap.ts');
    const output = execFileSync(process.execPath, ['--import', 'tsx', fixture, id, stateDir], {
      encoding: 'utf8',
    });
    const created = JSON.parse(output) as { exitCode: number; pids: number[] };
    expect(created.exitCode).toBe(0);
    const template = resolveTemplate({ name: 'restart' });
    const sandbox = await driver.attach({ id, template, stateDir });
    expect(sandbox).toBeDefined();
    try {
      const result = await sandbox!.exec({ command: 'cat /workspace/note' });
      expect(result.stdout).toBe('before\n');
      // The same processes run: attaching reopened the channel and started no new bwrap.
      const now = cgroupPids(id);
      expect(now).toContain(Math.min(...created.pids));
      expect(created.pids.filter((pid) => !now.includes(pid))).toEqual([]);
    } finally {
      await sandbox!.destroy();
    }
  });

  it('runs commands beside another process', async () => {
    const { id, stateDir, sandbox } = await start();
    try {
      // This process has the agent channel open, so the second one runs its command in a
      // bwrap of its own over the same workspace, and leaves this one's agent alone.
      const running = sandbox.exec({ command: 'sleep 2; echo first' });
      await waitFor(() => sandboxProcessesNaming(id, 'sleep 2').length > 0);
      const fixture = join(import.meta.dirname, '../fixtures/sandbox/exec-bubblewrap.ts');
      const output = execFileSync(
        process.execPath,
        [
          '--import',
          'tsx',
          fixture,
          id,
          stateDir,
          'id -u; echo second > /workspace/second; ls /workspace',
        ],
        { encoding: 'utf8' },
      );
      const second = JSON.parse(output) as { exitCode: number; stdout: string };
      expect(second.exitCode).toBe(0);
      expect(second.stdout).toBe('65534\nsecond\n');
      expect((await running).stdout).toBe('first\n');
      const after = await sandbox.exec({ command: 'cat /workspace/second' });
      expect(after.stdout).toBe('second\n');
      expect(
        readdirSync(stateDir).filter(
          (name) =>
            name.startsWith('agent-') &&
            name !== 'agent-requests.fifo' &&
            name !== 'agent-replies.fifo',
        ),
      ).toEqual([]);
    } finally {
      await sandbox.destroy();
    }
  });

  it('restores normal priority of every process', async () => {
    const { id, sandbox } = await start();
    try {
      const threads = cgroupThreadIds(id);
      expect(threads).not.toEqual([]);
      for (const tid of threads) {
        setPriority(tid, 10);
      }
      expect((await sandbox.exec({ command: 'nice' })).stdout).toBe('10\n');
      expect(restoreNormalPriority(id)).toBe(threads.length);
      expect(cgroupThreadIds(id).filter((tid) => getPriority(tid) !== 0)).toEqual([]);
      expect((await sandbox.exec({ command: 'nice' })).stdout).toBe('0\n');
    } finally {
      await sandbox.destroy();
    }
  });

  it('destroy leaves nothing behind', async () => {
    const { id, stateDir, sandbox } = await start();
    await sandbox.exec({ command: 'sleep 1000 & echo x > /workspace/file' });
    await sandbox.destroy();
    const left = leftoversOf(id, stateDir);
    expect(left.processes).toEqual([]);
    expect(left.mounts).toEqual([]);
    expect(left.cgroups).toEqual([]);
    expect(left.stateDir).toBe(false);
  });

  it('names the limit of a long command', async () => {
    const { sandbox } = await start();
    try {
      const long = `echo ${'x'.repeat(200_000)}`;
      await expect(sandbox.exec({ command: long })).rejects.toThrow(
        /200005 bytes.*at most 131071 bytes.*write the script to a file/,
      );
      // The longest command that fits: printf's argument fills the rest of the limit.
      const count = 128 * 1024 - 1 - 'printf %s  | wc -c'.length;
      const longest = `printf %s ${'x'.repeat(count)} | wc -c`;
      expect((await sandbox.exec({ command: longest })).stdout.trim()).toBe(String(count));
    } finally {
      await sandbox.destroy();
    }
  });

  it('gives the workspace to the command user', async () => {
    const { stateDir, sandbox } = await start();
    try {
      await sandbox.exec({ command: 'echo x > /workspace/file' });
      const file = statSync(join(stateDir, 'rw', 'workspace', 'file'));
      expect(file.uid).toBe(65534);
      expect(readFileSync(join(stateDir, 'rw', 'workspace', 'file'), 'utf8')).toBe('x\n');
    } finally {
      await sandbox.destroy();
    }
  });

  /**
   * Writes a bwrap program that fails its first `failures` starts with `message` and then
   * runs the real bwrap. Returns the program and a function that counts its starts.
   */
  const flakyBwrap = (name: string, failures: number, message: string) => {
    const program = join(dir, `${name}.sh`);
    const counter = join(dir, `${name}.count`);
    const said = join(dir, `${name}.message`);
    writeFileSync(said, `${message}\n`);
    writeFileSync(
      program,
      `#!/bin/sh\necho x >> '${counter}'\nif [ "$(wc -l < '${counter}')" -le ${failures} ]; then cat '${said}' >&2; exit 1; fi\nexec bwrap "$@"\n`,
    );
    chmodSync(program, 0o755);
    const starts = () =>
      existsSync(counter) ? readFileSync(counter, 'utf8').split('\n').length - 1 : 0;
    return { program, starts };
  };

  it('reports a lost mount race once', async () => {
    // The root leaves out the folders where sandstack mounts and unmounts, so a start that
    // still loses a race with another program's mount fails at once, with bwrap's message.
    const message =
      'bwrap: Can\'t bind mount /oldroot/ on /newroot/: Unable to apply mount flags: remount "/newroot/x": No such file or directory';
    const bwrap = flakyBwrap('race', 1, message);
    const flaky = new BubblewrapDriver({ bwrapPath: bwrap.program });
    const id = 'sbx_bwagentrace';
    const started = flaky.create({
      id,
      template: resolveTemplate({ name: 'race' }),
      stateDir: join(dir, id),
    });
    await expect(started).rejects.toThrow(/Unable to apply mount flags/);
    expect(bwrap.starts()).toBe(1);
  });

  it('says bwrap ended early without retrying', async () => {
    const bwrap = flakyBwrap('broken', 5, 'bwrap: No permissions to create new namespace');
    const broken = new BubblewrapDriver({ bwrapPath: bwrap.program });
    const id = 'sbx_bwagentbroken';
    const started = broken.create({
      id,
      template: resolveTemplate({ name: 'broken' }),
      stateDir: join(dir, id),
    });
    await expect(started).rejects.toThrow(/No permissions to create new namespace/);
    await expect(started).rejects.not.toThrow(/within \d+ms/);
    expect(bwrap.starts()).toBe(1);
  });
});

/** Waits (bounded) until `condition` holds. */
async function waitFor(condition: () => boolean): Promise<void> {
  for (let round = 0; round < 200; round += 1) {
    if (condition()) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('Condition not met within 5 s');
}
