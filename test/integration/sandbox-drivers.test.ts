import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSandstackError } from '../../src/core/errors.js';
import { cgroupDir, cgroupPids, cgroupThreadIds } from '../../src/sandbox/cgroup.js';
import { resolveTemplate } from '../../src/sandbox/templates.js';
import type { SandboxInstance, SandboxTemplate } from '../../src/sandbox/types.js';
import { hostProcessesNaming, localDrivers } from '../helpers/sandbox.js';

const checks = await localDrivers();

for (const { driver, check } of checks) {
  const suite = check.available ? describe : describe.skip;
  if (!check.available) {
    process.stderr.write(`Skipping ${driver.name} driver tests: ${check.reason ?? ''}\n`);
  }

  suite(`${driver.name} driver`, () => {
    let dir = '';
    let sandbox: SandboxInstance;
    let server: Server;
    let port = 0;
    let count = 0;
    const start = async (template: SandboxTemplate): Promise<SandboxInstance> => {
      count += 1;
      const id = `sbx_drv${driver.name}${count}`;
      return driver.create({ id, template, stateDir: join(dir, id) });
    };

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'sandstack-drv-'));
      sandbox = await start(resolveTemplate({ name: 'test', commandTimeoutMs: 20_000 }));
      server = createServer((socket) => socket.end('reached'));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as { port: number }).port;
    });

    afterAll(async () => {
      await sandbox.destroy();
      server.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('runs a command with cwd, env and a large stdin', async () => {
      const input = randomBytes(4 * 1024 * 1024);
      const result = await sandbox.exec({
        command: 'echo $GREETING $(pwd); wc -c',
        stdin: input,
        cwd: 'sub/..',
        env: { GREETING: 'hi' },
      });
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toBe(`hi /workspace\n${input.length}\n`);
    });

    it('kills the process tree on timeout', async () => {
      const result = await sandbox.exec({
        command: 'sleep 30 & sleep 30; echo never',
        timeoutMs: 1000,
      });
      expect(result.timedOut).toBe(true);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain('timed out after 1000ms');
      const left = await sandbox.exec({ command: 'ps -eo args | grep -c "^sleep 30" || true' });
      expect(left.stdout.trim()).toBe('0');
    });

    it('caps output and says so', async () => {
      const result = await sandbox.exec({
        command: 'head -c 300000 /dev/zero',
        maxOutputBytes: 1000,
      });
      expect(result.outputTruncated).toBe(true);
      expect(result.stdout.length).toBe(1000);
    });

    it('rejects output limits over the template', async () => {
      const error = await sandbox
        .exec({ command: 'head -c 3000000 /dev/zero', maxOutputBytes: 2_147_483_647 })
        .catch((caught: unknown) => caught);
      expect(isSandstackError(error, 'INVALID_ARGUMENT')).toBe(true);
      expect((error as Error).message).toContain(
        "maxOutputBytes 2147483647 is over the template's stdout limit of 1048576 bytes",
      );
      expect(() => resolveTemplate({ name: 'huge', maxStdoutBytes: 64 * 1024 * 1024 + 1 })).toThrow(
        'Template "huge" has an invalid maxStdoutBytes 67108865; use at most 67108864 bytes',
      );
    });

    it('rejects environment names it cannot pass', async () => {
      const invalid: Record<string, string>[] = [
        { '': 'x' },
        { 'X=Y': 'z' },
        { 'A\nB': 'x' },
        { X: 'a\0b' },
      ];
      for (const env of invalid) {
        const error = await sandbox
          .exec({ command: 'true', env })
          .catch((caught: unknown) => caught);
        expect(isSandstackError(error, 'INVALID_ARGUMENT')).toBe(true);
        expect((error as Error).message).toMatch(/Invalid (?:environment variable name|value)/);
      }
      const passed = await sandbox.exec({
        command: 'echo "$GOOD_NAME"',
        env: { GOOD_NAME: 'a=b' },
      });
      expect(passed.stdout).toBe('a=b\n');
    });

    it('rejects a NUL in command or cwd', async () => {
      const command = await sandbox
        .exec({ command: 'echo a\0b' })
        .catch((caught: unknown) => caught);
      expect(isSandstackError(command, 'INVALID_ARGUMENT')).toBe(true);
      expect((command as Error).message).toContain('NUL character at offset 6');
      const cwd = await sandbox
        .exec({ command: 'pwd', cwd: 'sub\0dir' })
        .catch((caught: unknown) => caught);
      expect(isSandstackError(cwd, 'INVALID_ARGUMENT')).toBe(true);
      expect((cwd as Error).message).toContain('working folder');
    });

    it('hides /etc/shadow, /root and /home', async () => {
      const result = await sandbox.exec({
        command: 'wc -c < /etc/shadow; find /root /home -mindepth 1 | wc -l',
      });
      expect(result.stdout).toBe('0\n0\n');
    });

    it('has no network', async () => {
      const probe = `import socket\ntry:\n  socket.create_connection(("127.0.0.1", ${port}), timeout=3)\n  print("reached")\nexcept OSError as e:\n  print("blocked")`;
      const result = await sandbox.exec({ command: `python3 -c '${probe}'` });
      expect(result.stdout).toBe('blocked\n');
    });

    it('resolves file paths and symlinks inside the sandbox', async () => {
      await sandbox.writeFile('dir/a.txt', 'content');
      expect((await sandbox.readFile('/workspace/dir/a.txt')).toString()).toBe('content');
      expect((await sandbox.readFile('../../../etc/shadow')).toString()).toBe('');
      await sandbox.exec({
        command: 'ln -sf /etc/shadow shadow-link; ln -sf /etc/hostname host-link',
      });
      expect((await sandbox.readFile('shadow-link')).toString()).toBe('');
      const before = readFileSync('/etc/hostname', 'utf8');
      await expect(sandbox.writeFile('host-link', 'owned')).rejects.toThrow();
      expect(readFileSync('/etc/hostname', 'utf8')).toBe(before);
    });

    it('rejects reading a device file', async () => {
      const error = await sandbox.readFile('/dev/zero').catch((caught: unknown) => caught);
      expect(isSandstackError(error, 'SANDBOX_PATH_INVALID')).toBe(true);
      expect((error as Error).message).toContain('is not a regular file');
    });

    it('reports a missing file by code', async () => {
      const error = await sandbox.readFile('missing.txt').catch((caught: unknown) => caught);
      expect(isSandstackError(error, 'FILE_NOT_FOUND')).toBe(true);
    });

    it('contains a fork bomb under the pids limit', async () => {
      const pids = driver.name === 'gvisor' ? 200 : 64;
      const bomb = await start(resolveTemplate({ name: 'bomb', resources: { pids } }));
      try {
        const outcome = await bomb
          .exec({ command: 'for i in $(seq 1 300); do sleep 20 & done; wait', timeoutMs: 15_000 })
          .then(
            (result) => result.stderr,
            (error: unknown) => (error as Error).message,
          );
        expect(outcome).toContain(`pids limit of ${pids}`);
        expect((await bomb.exec({ command: 'echo recovered' })).stdout).toBe('recovered\n');
      } finally {
        await bomb.destroy();
      }
    });

    it('runs commands under a small pids limit', async () => {
      // On gVisor the runtime's own host threads get a reserve above the template's pids,
      // so a limit that bubblewrap runs with leaves room for commands there too.
      const small = await start(resolveTemplate({ name: 'small', resources: { pids: 32 } }));
      try {
        const first = await small.exec({ command: 'echo hi; id -u' });
        expect(first.stdout).toBe('hi\n65534\n');
        const second = await small.exec({ command: 'ls / | grep -c workspace' });
        expect(second.stdout).toBe('1\n');
      } finally {
        await small.destroy();
      }
    });

    it('contains a fork bomb under pids 32', async () => {
      const bomb = await start(resolveTemplate({ name: 'bomb32', resources: { pids: 32 } }));
      try {
        const outcome = await bomb
          .exec({ command: 'for i in $(seq 1 300); do sleep 20 & done; wait', timeoutMs: 15_000 })
          .then(
            (result) => result.stderr,
            (error: unknown) => (error as Error).message,
          );
        expect(outcome).toContain('pids limit of 32');
        expect((await bomb.exec({ command: 'echo recovered' })).stdout).toBe('recovered\n');
      } finally {
        await bomb.destroy();
      }
    });

    it('contains a memory bomb under the memory limit', async () => {
      const memoryBytes = 256 * 1024 * 1024;
      const bomb = await start(resolveTemplate({ name: 'membomb', resources: { memoryBytes } }));
      try {
        const command = 'python3 -c "x = b\'x\' * (800 * 1024 * 1024); print(len(x))"';
        const outcome = await bomb.exec({ command, timeoutMs: 30_000 }).then(
          (result) => ({ exitCode: result.exitCode, text: result.stdout + result.stderr }),
          (error: unknown) => ({ exitCode: -1, text: (error as Error).message }),
        );
        expect(outcome.exitCode).not.toBe(0);
        expect(outcome.text).not.toContain('838860800');
        expect((await bomb.exec({ command: 'echo recovered' })).stdout).toBe('recovered\n');
      } finally {
        await bomb.destroy();
      }
    });

    it('reports when a command ends', async () => {
      let ended = false;
      const commandEnded = sandbox.commandEnded?.().then(() => {
        ended = true;
      });
      expect(commandEnded).toBeDefined();
      await Promise.resolve();
      expect(ended).toBe(false);
      const result = await sandbox.exec({ command: 'exit 3' });
      expect(result.exitCode).toBe(3);
      await commandEnded;
      expect(ended).toBe(true);
    });

    it('background start ends at normal priority', async () => {
      count += 1;
      const id = `sbx_drv${driver.name}${count}`;
      const template = resolveTemplate({ name: 'background' });
      const background = await driver.create({
        id,
        template,
        stateDir: join(dir, id),
        background: true,
      });
      try {
        const threads = cgroupThreadIds(id);
        expect(threads).not.toEqual([]);
        expect(threads.filter((tid) => getPriority(tid) !== 0)).toEqual([]);
        const result = await background.exec({ command: 'nice' });
        expect(result.stdout).toBe('0\n');
      } finally {
        await background.destroy();
      }
    });

    it('leaves nothing behind after destroy', async () => {
      const victim = await start(resolveTemplate({ name: 'victim' }));
      await victim.exec({ command: 'echo x > f' });
      const id = `sbx_drv${driver.name}${count}`;
      await victim.destroy();
      expect(cgroupPids(id)).toEqual([]);
      expect(existsSync(cgroupDir('memory', id))).toBe(false);
      expect(existsSync(join(dir, id))).toBe(false);
      expect(hostProcessesNaming(id)).toEqual([]);
      expect(await victim.isAlive()).toBe(false);
    });
  });
}
