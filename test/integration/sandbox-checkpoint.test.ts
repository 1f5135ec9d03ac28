import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isSandstackError } from '../../src/core/errors.js';
import { BubblewrapDriver } from '../../src/sandbox/drivers/bubblewrap.js';
import { GvisorDriver } from '../../src/sandbox/drivers/gvisor.js';
import { resolveTemplate } from '../../src/sandbox/templates.js';
import type { SandboxInstance } from '../../src/sandbox/types.js';
import { COUNTER, leftoversOf, waitPast } from '../helpers/sandbox.js';

const gvisor = new GvisorDriver();
const gvisorCheck = await gvisor.check();
const bubblewrap = new BubblewrapDriver();
const bubblewrapCheck = await bubblewrap.check();

const suite = gvisorCheck.available ? describe : describe.skip;
if (!gvisorCheck.available) {
  process.stderr.write(`Skipping gVisor checkpoint tests: ${gvisorCheck.reason ?? ''}\n`);
}

suite('gvisor checkpoint', () => {
  let dir = '';
  let created: { sandbox: SandboxInstance; stateDir: string }[] = [];
  let count = 0;
  const template = resolveTemplate({ name: 'ckpt', runtime: 'gvisor' });
  const create = async (snapshotDir?: string): Promise<SandboxInstance> => {
    count += 1;
    const id = `sbx_ckpt${process.pid}x${count}`;
    const stateDir = join(dir, id);
    const options = {
      id,
      template,
      stateDir,
      ...(snapshotDir === undefined ? {} : { snapshotDir }),
    };
    try {
      const sandbox = await gvisor.create(options);
      created.push({ sandbox, stateDir });
      return sandbox;
    } catch (error) {
      // A failed create may leave a container behind; attach finds and destroys it.
      await (await gvisor.attach(options))?.destroy();
      throw error;
    }
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sandstack-ckpt-'));
  });

  afterEach(async () => {
    for (const { sandbox, stateDir } of created) {
      await sandbox.destroy();
      expect(leftoversOf(sandbox.id, stateDir)).toEqual({
        processes: [],
        mounts: [],
        cgroups: [],
        stateDir: false,
      });
    }
    created = [];
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('suspends and resumes with memory and files kept', async () => {
    const sandbox = await create();
    await sandbox.writeFile('notes.txt', 'kept across suspend');
    await sandbox.exec({ command: COUNTER });
    const before = await waitPast(sandbox, 3);

    await sandbox.suspend();
    expect(sandbox.operatingMode).toBe('Suspended');
    const stateDir = created[0]?.stateDir ?? '';
    const stopped = leftoversOf(sandbox.id, stateDir);
    expect(stopped.processes).toEqual([]);
    expect(stopped.cgroups).toEqual([]);
    const usage = await sandbox.usage();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await sandbox.usage()).cpuSeconds).toBe(usage.cpuSeconds);
    const rejected = await sandbox.exec({ command: 'true' }).catch((error: unknown) => error);
    expect(isSandstackError(rejected)).toBe(true);
    expect((rejected as { code?: string }).code).toBe('SANDBOX_SUSPENDED');

    await sandbox.resume();
    expect(sandbox.operatingMode).toBe('Running');
    const after = await waitPast(sandbox, before.count);
    expect(after.token).toBe(before.token);
    expect((await sandbox.readFile('notes.txt')).toString()).toBe('kept across suspend');
    // Commands run by the agent (the container's init) have parent pid 1.
    const parent = await sandbox.exec({ command: "awk '/^PPid/ {print $2}' /proc/$$/status" });
    expect(parent.stdout.trim()).toBe('1');
  });

  it('fails a running command on suspend', async () => {
    const sandbox = await create();
    const running = sandbox.exec({ command: 'sleep 20; echo finished' }).catch((error) => error);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await sandbox.suspend();
    const error = (await running) as unknown;
    expect(isSandstackError(error)).toBe(true);
    expect((error as { code?: string }).code).toBe('SANDBOX_SUSPENDED');
    expect((error as Error).message).toContain('suspended while the command ran');
    await sandbox.resume();
    expect((await sandbox.exec({ command: 'echo alive' })).stdout).toBe('alive\n');
  });

  it('re-attaches to a suspended sandbox from a new driver', async () => {
    const sandbox = await create();
    await sandbox.exec({ command: COUNTER });
    const before = await waitPast(sandbox, 3);
    await sandbox.suspend();
    const stateDir = created[0]?.stateDir ?? '';

    const attached = await new GvisorDriver().attach({ id: sandbox.id, template, stateDir });
    expect(attached?.operatingMode).toBe('Suspended');
    await attached?.resume();
    created[0] = { sandbox: attached as SandboxInstance, stateDir };
    const after = await waitPast(attached as SandboxInstance, before.count);
    expect(after.token).toBe(before.token);
  });

  it('starts a new sandbox from a snapshot', async () => {
    const source = await create();
    await source.writeFile('data/seed.txt', 'from the snapshot');
    await source.exec({ command: COUNTER });
    const before = await waitPast(source, 3);

    const snapshotDir = join(dir, `snap-${count}`);
    const info = await source.snapshot(snapshotDir);
    expect(info.imageBytes).toBeGreaterThan(1 << 20);
    expect(info.filesBytes).toBeGreaterThan(0);
    expect(source.operatingMode).toBe('Running');
    const sourceAfter = await waitPast(source, before.count);
    expect(sourceAfter.token).toBe(before.token);

    const clone = await create(snapshotDir);
    const cloned = await waitPast(clone, before.count);
    expect(cloned.token).toBe(before.token);
    expect((await clone.readFile('data/seed.txt')).toString()).toBe('from the snapshot');
    await clone.writeFile('data/seed.txt', 'changed in the clone');
    expect((await source.readFile('data/seed.txt')).toString()).toBe('from the snapshot');
  });

  it('rejects a snapshot of another root filesystem', async () => {
    const source = await create();
    const snapshotDir = join(dir, `snap-rootfs-${count}`);
    await source.snapshot(snapshotDir);
    const other = resolveTemplate({ name: 'other', runtime: 'gvisor', workdir: '/work' });
    const id = `sbx_ckpt${process.pid}other`;
    const error = await gvisor
      .create({ id, template: other, stateDir: join(dir, id), snapshotDir })
      .catch((caught: unknown) => caught);
    expect(isSandstackError(error)).toBe(true);
    expect((error as { code?: string }).code).toBe('INVALID_CONFIG');
    expect((error as Error).message).toContain('workdir');
  });
});

const bubblewrapSuite = bubblewrapCheck.available ? describe : describe.skip;

bubblewrapSuite('bubblewrap checkpoint', () => {
  it('rejects suspend and snapshot naming gVisor', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandstack-ckpt-bw-'));
    const template = resolveTemplate({ name: 'bw', runtime: 'bubblewrap' });
    const sandbox = await bubblewrap.create({
      id: 'sbx_ckptbw',
      template,
      stateDir: join(dir, 'bw'),
    });
    try {
      for (const action of [() => sandbox.suspend(), () => sandbox.snapshot(join(dir, 's'))]) {
        const error = await action().catch((caught: unknown) => caught);
        expect(isSandstackError(error)).toBe(true);
        expect((error as { code?: string }).code).toBe('CHECKPOINT_UNSUPPORTED');
        expect((error as Error).message).toContain('runtime bubblewrap');
        expect((error as Error).message).toContain('runtime gvisor');
      }
      expect(sandbox.operatingMode).toBe('Running');
    } finally {
      await sandbox.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
