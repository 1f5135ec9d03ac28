import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cgroupPids } from '../../src/sandbox/cgroup.js';
import { BubblewrapDriver } from '../../src/sandbox/drivers/bubblewrap.js';
import { GvisorDriver } from '../../src/sandbox/drivers/gvisor.js';
import { MAX_COMMAND_TIMEOUT_MS } from '../../src/sandbox/timers.js';
import { resolveTemplate } from '../../src/sandbox/templates.js';
import type { SandboxInstance } from '../../src/sandbox/types.js';
import { buildSmallRootfs, hostProcessesNaming, localDrivers } from '../helpers/sandbox.js';

const checks = await localDrivers();

/** Runs a command and returns its exit code and output, or the error message it failed with. */
async function attempt(
  sandbox: SandboxInstance,
  command: string,
  timeoutMs = 20_000,
): Promise<{ exitCode: number | null; output: string }> {
  return sandbox.exec({ command, timeoutMs }).then(
    (result) => ({ exitCode: result.exitCode, output: result.stdout + result.stderr }),
    (error: unknown) => ({ exitCode: null, output: (error as Error).message }),
  );
}

/** Waits (bounded) until a process whose command line contains `text` runs in the sandbox. */
async function waitForProcess(sandbox: SandboxInstance, text: string): Promise<void> {
  for (let round = 0; round < 100; round += 1) {
    const listing = await attempt(sandbox, 'cat /proc/[0-9]*/cmdline | tr "\\0" " "');
    if (listing.output.includes(text)) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`No process "${text}" started in sandbox ${sandbox.id}`);
}

for (const { driver, check } of checks) {
  const suite = check.available ? describe : describe.skip;
  if (!check.available) {
    process.stderr.write(`Skipping ${driver.name} hostile tests: ${check.reason ?? ''}\n`);
  }

  suite(`${driver.name}: hostile commands`, () => {
    let dir = '';
    let sandbox: SandboxInstance;
    let count = 0;
    const secret = `hostile-${randomBytes(8).toString('hex')}`;
    const start = async (): Promise<{ id: string; instance: SandboxInstance }> => {
      count += 1;
      const id = `sbx_hostile${driver.name}${count}`;
      const template = resolveTemplate({ name: 'hostile', commandTimeoutMs: 20_000 });
      return { id, instance: await driver.create({ id, template, stateDir: join(dir, id) }) };
    };

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'sandstack-hostile-'));
      // A secret in the host's environment must not reach sandboxed commands.
      process.env.SANDSTACK_HOSTILE_SECRET = secret;
      sandbox = (await start()).instance;
    });

    afterAll(async () => {
      delete process.env.SANDSTACK_HOSTILE_SECRET;
      await sandbox.destroy();
      rmSync(dir, { recursive: true, force: true });
    });

    it('keeps the host environment out', async () => {
      const result = await attempt(
        sandbox,
        'env; cat /proc/self/environ; cat /proc/1/environ; cat /proc/[0-9]*/environ',
      );
      expect(result.output).not.toContain(secret);
    });

    it('keeps writes outside the workspace off the host', async () => {
      const name = `sandstack-hostile-${randomBytes(4).toString('hex')}`;
      await attempt(
        sandbox,
        `echo x > /etc/${name}; echo x > /usr/local/bin/${name}; echo x > /opt/${name}`,
      );
      expect(existsSync(`/etc/${name}`)).toBe(false);
      expect(existsSync(`/usr/local/bin/${name}`)).toBe(false);
      expect(existsSync(`/opt/${name}`)).toBe(false);
    });

    it('shows no host process and cannot signal one', async () => {
      const visible = await attempt(sandbox, 'cat /proc/[0-9]*/cmdline | tr "\\0" " "');
      expect(visible.output).not.toContain('vitest');
      const kill = await attempt(sandbox, `kill -9 ${process.pid}; echo "status $?"`);
      expect(kill.output).not.toContain('status 0');
      expect(() => process.kill(process.pid, 0)).not.toThrow();
    });

    it('cannot change the host through /proc, devices or mounts', async () => {
      const before = hostname();
      const result = await attempt(
        sandbox,
        [
          'echo hijacked > /proc/sys/kernel/hostname',
          'head -c 16 /dev/mem',
          'head -c 16 /proc/kcore',
          'ls /dev/sd* /dev/vd* /dev/nvme* /dev/kvm',
          'mkdir -p /tmp/m && mount -t tmpfs none /tmp/m && touch /tmp/m/inside',
          'mount --bind / /tmp/m',
          'echo done',
        ].join('; '),
      );
      expect(result.output).toContain('done');
      expect(result.output).not.toMatch(/\/dev\/(sd|vd|nvme|kvm)\S*\n/);
      expect(hostname()).toBe(before);
      // Other sandboxes may mount and unmount meanwhile, so look only for this test's target.
      expect(readFileSync('/proc/self/mounts', 'utf8')).not.toContain(' /tmp/m ');
      expect(existsSync('/tmp/m/inside')).toBe(false);
    });

    it('cannot ptrace its way out', async () => {
      // PTRACE_ATTACH (16) to the sandbox's own init is contained at worst; the host's
      // processes have no pid inside the sandbox to attach to.
      const probe = [
        'import ctypes, os',
        'libc = ctypes.CDLL(None, use_errno=True)',
        `print("host", libc.ptrace(16, ${process.pid}, 0, 0), ctypes.get_errno())`,
      ].join('\n');
      const result = await attempt(sandbox, `python3 -c '${probe}'`);
      expect(result.output).toMatch(/host -1 \d+/);
      expect(() => process.kill(process.pid, 0)).not.toThrow();
    });

    it('rejects a timeout beyond what a timer can wait', async () => {
      // With the host's grace period added, 2^31 - 1 ms passes what a Node.js timer can wait.
      const result = await attempt(sandbox, 'echo ran', 2 ** 31 - 1);
      expect(result.exitCode).toBeNull();
      expect(result.output).toBe(
        'Invalid timeoutMs 2147483647; use a whole number from 1 to 2073600000',
      );
    });

    it('runs with the maximum timeout', async () => {
      const result = await attempt(sandbox, 'echo ran', MAX_COMMAND_TIMEOUT_MS);
      expect(result.exitCode).toBe(0);
      expect(result.output).toBe('ran\n');
    });

    it('ends a command that ignores SIGTERM at its timeout', async () => {
      const result = await attempt(sandbox, "trap '' TERM; echo started; sleep 60", 1500);
      expect(result.exitCode === null || result.exitCode !== 0).toBe(true);
      expect(result.output).toMatch(/timed out|timeout/i);
      const after = await attempt(sandbox, 'echo alive');
      expect(after.output).toBe('alive\n');
    });

    it('reports a sandbox killed from outside mid-command', async () => {
      const { id, instance } = await start();
      try {
        const running = attempt(instance, 'echo started; sleep 30', 25_000);
        // Waits until the command runs inside the sandbox, then kills every host process of it.
        await new Promise((resolve) => setTimeout(resolve, 1000));
        for (const pid of cgroupPids(id)) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // Already gone.
          }
        }
        const outcome = await running;
        // The runtime (gVisor) or the command agent (bubblewrap) died, so the error gives the
        // reason and the sandbox counts as dead until the next command starts it again.
        expect(outcome.exitCode).toBeNull();
        expect(outcome.output).toContain('ended without hitting a limit');
        expect(outcome.output).not.toContain('raise the limit');
        expect(await instance.isAlive()).toBe(false);
        expect((await attempt(instance, 'echo alive')).output).toBe('alive\n');
      } finally {
        await instance.destroy();
      }
      expect(cgroupPids(id)).toEqual([]);
      expect(existsSync(join(dir, id))).toBe(false);
    });

    it('kills escaped processes at timeout', async () => {
      // Each escape clears the environment and leaves the command's session: one through
      // setsid in the background, one through a double fork. A unique sleep length names them.
      const escapes = [
        'env -i setsid sleep 7101 &',
        "(env -i setsid /bin/sh -c 'sleep 7102 & exit 0' &)",
        'sleep 60',
      ].join('\n');
      const result = await attempt(sandbox, escapes, 1500);
      expect(result.output).toMatch(/timed out/);
      const left = await attempt(sandbox, 'cat /proc/[0-9]*/cmdline | tr "\\0" " "');
      expect(left.output).not.toContain('sleep 7101');
      expect(left.output).not.toContain('sleep 7102');
      // The host sees every process, whatever namespace it runs in.
      expect(hostProcessesNaming('sleep 710')).toEqual([]);
    });

    it('kills escaped processes on cancel', async () => {
      const controller = new AbortController();
      const running = sandbox.exec({
        command:
          "env -i setsid sleep 7201 & (env -i setsid /bin/sh -c 'sleep 7202 &' &); sleep 0.5; echo started; sleep 60",
        timeoutMs: 20_000,
        signal: controller.signal,
        onOutput: (chunk) => {
          if (chunk.data.toString().includes('started')) {
            controller.abort(new Error('cancelled by the test'));
          }
        },
      });
      await expect(running).rejects.toThrow('cancelled by the test');
      const left = await attempt(sandbox, 'cat /proc/[0-9]*/cmdline | tr "\\0" " "');
      expect(left.output).not.toContain('sleep 7201');
      expect(left.output).not.toContain('sleep 7202');
      expect(hostProcessesNaming('sleep 720')).toEqual([]);
    });

    it('keeps other commands alive at timeout', async () => {
      const survivor = attempt(sandbox, 'sleep 3; echo survived', 20_000);
      const escaped = await attempt(sandbox, 'env -i setsid sleep 7301 & sleep 60', 1500);
      expect(escaped.output).toMatch(/timed out/);
      expect((await survivor).output).toBe('survived\n');
    });

    it('kills escaped processes on release', async () => {
      const { id, instance } = await start();
      try {
        const escapes =
          "env -i setsid sleep 7401 & (env -i setsid /bin/sh -c 'sleep 7402 &' &); sleep 0.5; echo started";
        const result = await attempt(instance, escapes);
        expect(result.output).toBe('started\n');
        if (driver.name === 'gvisor') {
          // Background processes stay between gVisor commands until the sandbox ends.
          await waitForProcess(instance, 'sleep 7402');
        } else {
          // A bubblewrap command's processes end with it.
          expect(hostProcessesNaming('sleep 740')).toEqual([]);
        }
      } finally {
        await instance.destroy();
      }
      expect(cgroupPids(id)).toEqual([]);
      expect(hostProcessesNaming('sleep 740')).toEqual([]);
    });

    it('kills escaped processes on attach', async () => {
      const { id, instance } = await start();
      try {
        const escapes =
          "env -i setsid sleep 7501 & (env -i setsid /bin/sh -c 'sleep 7502 &' &); sleep 0.5; echo started";
        expect((await attempt(instance, escapes)).output).toBe('started\n');
        // A later process attaches as after a crash of this one, and ends what it left.
        const template = resolveTemplate({ name: 'hostile', commandTimeoutMs: 20_000 });
        const attached = await driver.attach({ id, template, stateDir: join(dir, id) });
        expect(attached).toBeDefined();
        const left = await attempt(instance, 'cat /proc/[0-9]*/cmdline | tr "\\0" " "');
        expect(left.output).not.toContain('sleep 7501');
        expect(left.output).not.toContain('sleep 7502');
        expect(hostProcessesNaming('sleep 750')).toEqual([]);
      } finally {
        await instance.destroy();
      }
    });

    it('runs commands as an unprivileged user', async () => {
      const result = await attempt(sandbox, 'id -u; id -g');
      expect(result.output).toBe('65534\n65534\n');
    });

    it('passes no inherited descriptors to commands', () => {
      // bash opens descriptors 7 and 200 without close-on-exec, as a parent of sandstack may.
      const fixture = join(import.meta.dirname, '../fixtures/sandbox/inherited-fds.ts');
      const script = `exec 7</dev/null 200</dev/null; exec "$@"`;
      // ls writes straight to the command's stdout: in a pipeline the shell would still hold
      // the pipe's descriptors while ls lists them.
      const command = 'ls /proc/$$/fd';
      const output = execFileSync(
        '/bin/bash',
        ['-c', script, 'bash', process.execPath, '--import', 'tsx', fixture, driver.name, command],
        { encoding: 'utf8' },
      );
      const result = JSON.parse(output) as { exitCode: number; stdout: string };
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toBe('0\n1\n2\n');
    });
  });
}

/**
 * A host folder that sandboxes see (read-only): temp folders sit under /tmp, which sandboxes
 * replace with their own, so a state folder there would be out of sight anyway.
 */
const VISIBLE_PARENT = '/opt';

for (const { driver, check } of checks) {
  const run = check.available ? it : it.skip;

  const rootfsCases = [
    { label: 'host rootfs', rootfs: { kind: 'host' } },
    { label: 'directory rootfs', rootfs: { kind: 'directory', path: '/' } },
  ] as const;

  run.each(rootfsCases)(`${driver.name}: hides symlinked state folder ($label)`, async (c) => {
    const root = mkdtempSync(join(VISIBLE_PARENT, 'sandstack-hostile-link-'));
    // World-readable like a state folder made under umask 022, so that gVisor's `nobody`
    // would read it if it were not hidden.
    chmodSync(root, 0o755);
    const real = join(root, 'real-state');
    const link = join(root, 'state-link');
    mkdirSync(real);
    writeFileSync(join(real, 'secret.txt'), 'tenant secret\n');
    symlinkSync(real, link);
    const options = { hiddenDirs: [link] };
    const hiding =
      driver.name === 'gvisor' ? new GvisorDriver(options) : new BubblewrapDriver(options);
    const id = `sbx_hostilelink${driver.name}${c.rootfs.kind}`;
    const template = resolveTemplate({ name: 'link', rootfs: c.rootfs });
    const sandbox = await hiding.create({ id, template, stateDir: join(root, id) });
    try {
      const result = await attempt(
        sandbox,
        `cat ${link}/secret.txt; cat ${real}/secret.txt; ls ${real}; echo end`,
      );
      expect(result.output).toContain('end');
      expect(result.output).not.toContain('tenant secret');
      expect(result.output).not.toContain('secret.txt\n');
    } finally {
      await sandbox.destroy();
      rmSync(root, { recursive: true, force: true });
    }
  });
}

describe('state folder inside a directory rootfs', () => {
  let dir = '';

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sandstack-hostile-rootfs-'));
    const rootfs = join(dir, 'rootfs');
    buildSmallRootfs(rootfs);
    mkdirSync(join(rootfs, 'var', 'real-state'), { recursive: true, mode: 0o755 });
    writeFileSync(join(rootfs, 'var', 'real-state', 'secret.txt'), 'tenant secret\n');
    symlinkSync(join(rootfs, 'var', 'real-state'), join(rootfs, 'var', 'state-link'));
    symlinkSync(rootfs, join(dir, 'rootfs-link'));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  for (const { driver, check } of checks) {
    const run = check.available ? it : it.skip;

    run(`${driver.name}: hides it at its path in the rootfs`, async () => {
      // The rootfs and the state folder are both given through symlinks, so only their real
      // paths show where the folder is inside the sandbox.
      const rootfsLink = join(dir, 'rootfs-link');
      const options = { hiddenDirs: [join(rootfsLink, 'var', 'state-link')] };
      const hiding =
        driver.name === 'gvisor' ? new GvisorDriver(options) : new BubblewrapDriver(options);
      const id = `sbx_hostilerootfs${driver.name}`;
      const template = resolveTemplate({
        name: 'rootfs',
        rootfs: { kind: 'directory', path: rootfsLink },
      });
      const sandbox = await hiding.create({ id, template, stateDir: join(dir, id) });
      try {
        const result = await attempt(
          sandbox,
          'cat /var/real-state/secret.txt; ls /var/real-state; echo end',
        );
        expect(result.output).toContain('end');
        expect(result.output).not.toContain('tenant secret');
        expect(result.output).not.toContain('secret.txt\n');
      } finally {
        await sandbox.destroy();
      }
    });
  }
});
