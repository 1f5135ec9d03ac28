import { execFileSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, statSync, truncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isSandstackError } from '../../src/core/errors.js';
import { SandboxController } from '../../src/sandbox/controller.js';
import {
  IMAGE_MANIFEST_FILE,
  type ImageManifest,
} from '../../src/sandbox/drivers/checkpoint-image.js';
import {
  COUNTER,
  createTestController,
  localDrivers,
  loopDevicesUnder,
  recordingLogger,
  unmountWhileUp,
  waitPast,
  type TestController,
} from '../helpers/sandbox.js';

const checks = await localDrivers();
const gvisorAvailable = checks.some(
  (item) => item.driver.name === 'gvisor' && item.check.available,
);
const gvisorDescribe = gvisorAvailable ? describe : describe.skip;

let harness: TestController | undefined;
afterEach(async () => {
  await harness?.cleanup();
  harness = undefined;
});

function setup(): TestController {
  harness = createTestController();
  return harness;
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

function halve(path: string): void {
  truncateSync(path, Math.floor(statSync(path).size / 2));
}

function overwrite(path: string, offset: number): void {
  const fd = openSync(path, 'r+');
  writeSync(fd, Buffer.from('damaged'), 0, 7, offset);
  closeSync(fd);
}

gvisorDescribe('checkpoint image verification', () => {
  it('records sizes, digests and boot id', async () => {
    const { controller } = setup();
    const { record } = await controller.claim({ template: 'gv', tenant: 'acme' });
    await controller.suspend(record.id);
    const imageDir = join(record.stateDir, 'checkpoint');
    const manifest = JSON.parse(
      readFileSync(join(imageDir, IMAGE_MANIFEST_FILE), 'utf8'),
    ) as ImageManifest;

    const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    expect(manifest.bootId).toBe(bootId);
    const names = manifest.files.map((file) => file.name);
    expect(names).toContain('checkpoint.img');
    expect(names).toContain('sandstack-init');
    for (const file of manifest.files) {
      expect(file.bytes).toBe(statSync(join(imageDir, file.name)).size);
      expect(file.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('rejects resume of a truncated image', async () => {
    const { controller } = setup();
    const { record } = await controller.claim({ template: 'gv', tenant: 'acme' });
    await controller.suspend(record.id);
    halve(join(record.stateDir, 'checkpoint', 'checkpoint.img'));

    const error = await rejectionOf(controller.resume(record.id));
    expect(isSandstackError(error, 'CHECKPOINT_CORRUPT')).toBe(true);
    const message = (error as Error).message;
    expect(message).toContain(`suspended sandbox "${record.id}"`);
    expect(message).toContain('its file "checkpoint.img" has');
    expect(message).toContain('(truncated)');
    expect(message).toContain(`sandstack sandbox release ${record.id}`);
    expect(controller.record(record.id)?.operatingMode).toBe('Suspended');
    expect((await controller.release(record.id)).state).toBe('released');
  });

  it('rejects resume of a changed image', async () => {
    const { controller } = setup();
    const { record } = await controller.claim({ template: 'gv', tenant: 'acme' });
    await controller.suspend(record.id);
    overwrite(join(record.stateDir, 'checkpoint', 'checkpoint.img'), 4096);

    const error = await rejectionOf(controller.resume(record.id));
    expect(isSandstackError(error, 'CHECKPOINT_CORRUPT')).toBe(true);
    expect((error as Error).message).toContain(
      'its file "checkpoint.img" does not match the SHA-256 digest',
    );
  });

  it('rejects a claim from a damaged snapshot', async () => {
    const { controller } = setup();
    const { record } = await controller.claim({ template: 'gv', tenant: 'acme' });
    const snapshot = await controller.snapshot(record.id, 'base');
    halve(join(snapshot.dir, 'image', 'checkpoint.img'));
    controller.createTemplate({ name: 'from-base', runtime: 'gvisor', snapshot: 'acme/base' });

    const error = await rejectionOf(controller.claim({ template: 'from-base', tenant: 'acme' }));
    expect(isSandstackError(error, 'CHECKPOINT_CORRUPT')).toBe(true);
    const message = (error as Error).message;
    expect(message).toContain('snapshot "acme/base"');
    expect(message).toContain('its file "checkpoint.img" has');
    expect(message).toContain('take it again');
    expect(message).not.toContain(snapshot.dir);
  });

  it('keeps a pool from a damaged snapshot empty', async () => {
    const { logger, lines } = recordingLogger();
    const test = setup();
    const controller = new SandboxController({
      db: test.db,
      stateDir: join(test.dir, 'sandboxes'),
      logger,
    });
    try {
      const { record } = await controller.claim({ template: 'gv', tenant: 'acme' });
      const snapshot = await controller.snapshot(record.id, 'base');
      overwrite(join(snapshot.dir, 'image', 'checkpoint.img'), 8192);
      controller.createTemplate({ name: 'from-base', runtime: 'gvisor', snapshot: 'acme/base' });
      controller.createPool({ name: 'warm', template: 'from-base', replicas: 1 });

      // Bounded: 400 polls of 50 ms for the fill's first failure to be logged.
      const fillFailure = (): (typeof lines)[number] | undefined =>
        lines.find((line) => line.message === 'Pool fill failed');
      for (let poll = 0; poll < 400 && fillFailure() === undefined; poll += 1) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const failure = fillFailure();
      expect(failure?.meta?.error).toContain('does not match the SHA-256 digest');
      expect(failure?.meta?.error).toContain('snapshot "acme/base"');
      expect(controller.list().filter((item) => item.pool === 'warm')).toEqual([]);
      await controller.deletePool('warm');
      await controller.release(record.id);
    } finally {
      await controller.close();
    }
  });
});

gvisorDescribe('suspended layer unmounted while up', () => {
  it('mounts it again with a warning', async () => {
    const test = setup();
    const { sandbox, record } = await test.controller.claim({ template: 'gv', tenant: 'acme' });
    await sandbox.writeFile('kept.txt', 'before');
    await sandbox.exec({ command: COUNTER });
    const before = await waitPast(sandbox, 3);
    await test.controller.suspend(record.id);
    await unmountWhileUp(record.id, record.stateDir);

    const { logger, lines } = recordingLogger();
    const controller = new SandboxController({
      db: test.db,
      stateDir: join(test.dir, 'sandboxes'),
      logger,
    });
    try {
      const found = await controller.get(record.id);
      const warning = lines.find((line) => line.message.includes('while the host stayed up'));
      expect(warning?.message).toBe(
        'Mounted the writable layer of a suspended sandbox again after it was unmounted while the host stayed up',
      );
      expect(warning?.meta?.sandboxId).toBe(record.id);
      expect(warning?.meta?.bootId).toBe(warning?.meta?.recordedBootId);
      expect(lines.map((line) => line.message)).not.toContain(
        'Mounted the writable layer of a suspended sandbox again after a host reboot',
      );
      await controller.resume(record.id);
      const restored = found?.sandbox ?? expect.fail('no sandbox');
      const after = await waitPast(restored, before.count);
      expect(after.token).toBe(before.token);
      expect((await restored.readFile('kept.txt')).toString()).toBe('before');
      await controller.release(record.id);
    } finally {
      await controller.close();
    }
  });

  it('keeps it unmounted while attached elsewhere', async () => {
    const test = setup();
    const { record } = await test.controller.claim({ template: 'gv', tenant: 'acme' });
    await test.controller.suspend(record.id);
    await unmountWhileUp(record.id, record.stateDir);
    const image = join(record.stateDir, 'rw.img');
    // Stands for a mount of the image elsewhere, which a second mount would corrupt.
    const device = execFileSync('losetup', ['-f', '--show', image], { encoding: 'utf8' }).trim();

    const { logger, lines } = recordingLogger();
    let controller: SandboxController | undefined;
    try {
      controller = new SandboxController({
        db: test.db,
        stateDir: join(test.dir, 'sandboxes'),
        logger,
      });
      const error = await rejectionOf(controller.get(record.id));
      expect(isSandstackError(error, 'SANDBOX_FAILED')).toBe(true);
      expect((error as Error).message).toContain(`still attached to ${device}`);
      const kept = lines.find(
        (line) =>
          line.message === 'Kept a suspended sandbox whose writable layer cannot be mounted yet',
      );
      expect(kept?.meta?.sandboxId).toBe(record.id);
      expect(String(kept?.meta?.reason)).toContain(`losetup -d ${device}`);
      expect(controller.record(record.id)?.state).toBe('claimed');
      expect(controller.record(record.id)?.operatingMode).toBe('Suspended');
      const attached = loopDevicesUnder(record.stateDir);
      expect(attached).toHaveLength(1);
      expect(attached[0]).toContain(device);
    } finally {
      execFileSync('losetup', ['-d', device]);
    }

    const found = await controller.get(record.id);
    expect(found?.sandbox.operatingMode).toBe('Suspended');
    await controller.resume(record.id);
    expect((await found?.sandbox.exec({ command: 'echo back' }))?.stdout).toBe('back\n');
    await controller.release(record.id);
    await controller.close();
  });
});
