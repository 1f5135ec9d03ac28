/**
 * The file tools agents call most (`ls -l`, `stat`, `find -printf`) on both runtimes. Under
 * Debian 12's runsc they fail with "Invalid argument" unless the statx shim is preloaded.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BubblewrapDriver } from '../../src/sandbox/drivers/bubblewrap.js';
import { GvisorDriver } from '../../src/sandbox/drivers/gvisor.js';
import { resolveTemplate } from '../../src/sandbox/templates.js';
import { buildSmallRootfs, createTestController, type TestController } from '../helpers/sandbox.js';

describe.each(['gv', 'bw'])('coreutils in template %s', (template) => {
  let harness: TestController;

  beforeAll(() => {
    harness = createTestController();
  });

  afterAll(async () => {
    await harness.cleanup();
  });

  it.each([
    ['ls -la', 'ls -la /workspace /usr/bin/env'],
    ['stat', 'stat -c %F /workspace /'],
    ['find -printf', 'find /workspace -maxdepth 0 -printf "%M %p\\n"'],
    ['ls -l in /tmp', 'touch /tmp/x && ls -l /tmp/x'],
  ])('runs %s', async (_name, command) => {
    const { sandbox } = await harness.controller.claim({ template, tenant: 'acme' });
    const result = await sandbox.exec({ command });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).not.toContain('?');
  });
});

describe('statx shim in gVisor', () => {
  let harness: TestController;

  beforeAll(() => {
    harness = createTestController();
  });

  afterAll(async () => {
    await harness.cleanup();
  });

  it('preloads a root-owned copy', async () => {
    const { sandbox } = await harness.controller.claim({ template: 'gv', tenant: 'acme' });
    const env = await sandbox.exec({ command: 'env' });
    expect(env.stdout).toContain('LD_PRELOAD=/dev/.sandstack/gvisor-statx.so\n');
    const owner = await sandbox.exec({ command: 'stat -c %U:%a /dev/.sandstack/gvisor-statx.so' });
    expect(owner.stdout).toBe('root:644\n');
    const write = await sandbox.exec({ command: 'echo x >> /dev/.sandstack/gvisor-statx.so' });
    expect(write.exitCode).not.toBe(0);
    const replace = await sandbox.exec({ command: 'rm -f /dev/.sandstack/gvisor-statx.so' });
    expect(replace.exitCode).not.toBe(0);
  });
});

describe('coreutils in a directory rootfs', () => {
  let dir = '';
  const drivers = [new GvisorDriver(), new BubblewrapDriver()];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sandstack-small-rootfs-'));
    buildSmallRootfs(join(dir, 'rootfs'));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(drivers.map((driver) => [driver.name, driver] as const))(
    'lists folders on %s',
    async (name, driver) => {
      const check = await driver.check();
      if (!check.available) {
        process.stderr.write(`Skipping ${name} directory rootfs test: ${check.reason ?? ''}\n`);
        return;
      }
      const template = resolveTemplate({
        name: 'small',
        rootfs: { kind: 'directory', path: join(dir, 'rootfs') },
      });
      const id = `sbx_smallrootfs${name}`;
      const sandbox = await driver.create({ id, template, stateDir: join(dir, id) });
      try {
        const result = await sandbox.exec({ command: 'ls -la / /bin && stat -c %F /workspace' });
        expect(result.stderr).toBe('');
        expect(result.exitCode).toBe(0);
        expect(result.stdout).toContain('timeout');
        expect(result.stdout).toContain('directory');
      } finally {
        await sandbox.destroy();
      }
    },
  );
});
