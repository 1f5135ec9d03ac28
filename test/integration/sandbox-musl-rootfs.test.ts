/**
 * A directory root filesystem of musl programs, with musl's loader and neither /bin/sh nor
 * glibc, on both runtimes. The static command agent runs there and execs plain commands
 * itself. Commands that need a shell fail with a message that names the missing /bin/sh.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXEC_AGENT } from '../../src/sandbox/drivers/native.js';
import { layoutOf } from '../../src/sandbox/drivers/shared.js';
import { resolveTemplate } from '../../src/sandbox/templates.js';
import type { SandboxInstance } from '../../src/sandbox/types.js';
import { buildMuslRootfs, localDrivers, muslMissing } from '../helpers/sandbox.js';

const checks = await localDrivers();
const missing = muslMissing();

let dir = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sandstack-musl-'));
  if (missing === undefined) {
    buildMuslRootfs(join(dir, 'rootfs'));
  }
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

for (const { driver, check } of checks) {
  const skipReason =
    missing ??
    (check.available ? undefined : check.reason) ??
    (existsSync(EXEC_AGENT) ? undefined : `the command agent ${EXEC_AGENT} was not built`);
  if (skipReason !== undefined) {
    process.stderr.write(`Skipping musl rootfs tests on ${driver.name}: ${skipReason}\n`);
  }
  const suite = skipReason === undefined ? describe : describe.skip;

  suite(`musl rootfs on ${driver.name}`, () => {
    const id = `sbx_musl${driver.name}`;
    let sandbox: SandboxInstance;

    beforeAll(async () => {
      const template = resolveTemplate({
        name: 'musl',
        rootfs: { kind: 'directory', path: join(dir, 'rootfs') },
      });
      sandbox = await driver.create({ id, template, stateDir: join(dir, id) });
    });

    afterAll(async () => {
      await sandbox.destroy();
    });

    it('runs a plain musl program', async () => {
      const result = await sandbox.exec({ command: 'hello from  musl' });
      // No LD_PRELOAD of a glibc library reaches musl's loader, which would print its error.
      expect(result.stderr).toBe('');
      expect(result.stdout).toBe('hello from musl\n');
      expect(result.exitCode).toBe(0);
    });

    it('returns the program exit code', async () => {
      const result = await sandbox.exec({ command: '/bin/hello exit 7' });
      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(7);
    });

    it('writes a file in the workspace', async () => {
      const result = await sandbox.exec({ command: 'write-file /workspace/out.txt written' });
      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(0);
      const hostFile = join(layoutOf(join(dir, id)).workspace, 'out.txt');
      expect(readFileSync(hostFile, 'utf8')).toBe('written\n');
    });

    it('keeps the root read-only', async () => {
      const result = await sandbox.exec({ command: 'write-file /bin/new text' });
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toMatch(
        /^write-file: \/bin\/new: (Read-only file system|Permission denied)\n$/,
      );
    });

    it('names the missing /bin/sh', async () => {
      const result = await sandbox.exec({ command: 'hello > /workspace/greeting' });
      expect(result.exitCode).toBe(127);
      expect(result.stderr).toContain('the root filesystem has no /bin/sh');
      expect(result.stderr).toContain('shell syntax');
      expect(result.stdout).toBe('');
    });

    it('reports a missing program by name', async () => {
      const result = await sandbox.exec({ command: 'no-such-program now' });
      expect(result.exitCode).toBe(127);
      expect(result.stderr).toContain('no-such-program: command not found in PATH');
      expect(result.stderr).toContain('the root filesystem has no /bin/sh');
    });

    it('fails file reads with the shell reason', async () => {
      await expect(sandbox.readFile('/workspace/out.txt')).rejects.toThrow(
        /root filesystem has no \/bin\/sh/,
      );
    });
  });
}
