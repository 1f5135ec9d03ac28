import { afterEach, describe, expect, it } from 'vitest';
import { isSandstackError } from '../../src/core/errors.js';
import { cgroupPids } from '../../src/sandbox/cgroup.js';
import { createTestController, localDrivers, type TestController } from '../helpers/sandbox.js';

const checks = await localDrivers();
const MIB = 1024 * 1024;

let harness: TestController | undefined;
afterEach(async () => {
  await harness?.cleanup();
  harness = undefined;
});

function setup(): TestController {
  harness = createTestController();
  return harness;
}

/** Runs `action` and returns what it threw (or undefined). */
async function caught(action: () => Promise<unknown>): Promise<unknown> {
  try {
    await action();
    return undefined;
  } catch (error) {
    return error;
  }
}

/** Waits (bounded) until the controller has finished releasing a sandbox. */
async function waitReleased(controller: TestController['controller'], id: string): Promise<void> {
  for (let round = 0; round < 200 && controller.record(id)?.state !== 'released'; round += 1) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('sandbox limits', () => {
  for (const { driver, check } of checks) {
    const run = check.available ? it : it.skip;
    const runtime = driver.name as 'gvisor' | 'bubblewrap';

    run(`${runtime}: disk limit stops writes and names the limit`, async () => {
      const { controller } = setup();
      controller.createTemplate({ name: 'small', runtime, resources: { diskBytes: 8 * MIB } });
      const { sandbox, record } = await controller.claim({ template: 'small', tenant: 'acme' });

      const fill = await sandbox.exec({ command: 'head -c 20000000 /dev/zero > big.bin' });
      expect(fill.exitCode).not.toBe(0);
      const size = await sandbox.exec({ command: 'wc -c < big.bin' });
      expect(size.exitCode).toBe(0);
      expect(Number(size.stdout)).toBeGreaterThan(0);
      expect(Number(size.stdout)).toBeLessThan(8 * MIB);
      expect(fill.stderr).toContain('No space left on device');
      expect(fill.stderr).toContain(`the disk limit of ${8 * MIB} bytes`);
      expect(fill.stderr).toContain('resources.diskBytes');

      // /tmp shares the same limit.
      const tmp = await sandbox.exec({ command: 'head -c 1000000 /dev/zero > /tmp/more.bin' });
      expect(tmp.exitCode).not.toBe(0);

      const write = await caught(() => sandbox.writeFile('other.bin', Buffer.alloc(2 * MIB)));
      expect(isSandstackError(write, 'SANDBOX_LIMIT')).toBe(true);
      expect((write as Error).message).toContain(`disk limit of ${8 * MIB} bytes`);

      // Freeing space makes the sandbox usable again.
      const freed = await sandbox.exec({
        command: 'rm -f big.bin /tmp/more.bin && echo ok > a.txt',
      });
      expect(freed.exitCode).toBe(0);
      expect((await sandbox.readFile('a.txt')).toString()).toBe('ok\n');

      await controller.release(record.id);
      expect(cgroupPids(record.id)).toEqual([]);
    });

    run(`${runtime}: unread stdin keeps the sandbox running`, async () => {
      const { controller } = setup();
      const { sandbox } = await controller.claim({
        template: runtime === 'gvisor' ? 'gv' : 'bw',
        tenant: 'acme',
      });
      const ignored = await sandbox.exec({ command: 'true', stdin: Buffer.alloc(2 * MIB) });
      expect(ignored.exitCode).toBe(0);
      expect(await sandbox.isAlive()).toBe(true);
      // Commands still get the default SIGPIPE, so a pipeline whose reader quits ends.
      const pipeline = await sandbox.exec({ command: 'yes | head -1', timeoutMs: 10_000 });
      expect(pipeline.stdout).toBe('y\n');
      expect(pipeline.timedOut).toBe(false);
    });

    run(`${runtime}: files do not count as memory`, async () => {
      const { controller } = setup();
      controller.createTemplate({
        name: 'lean',
        runtime,
        resources: { memoryBytes: 64 * MIB, diskBytes: 256 * MIB },
      });
      const { sandbox } = await controller.claim({ template: 'lean', tenant: 'acme' });
      const write = await sandbox.exec({ command: 'head -c 150000000 /dev/zero > big.bin' });
      expect(write.stderr).toBe('');
      expect(write.exitCode).toBe(0);
      const size = await sandbox.exec({ command: 'wc -c < big.bin' });
      expect(size.stdout).toBe('150000000\n');
    });

    run(`${runtime}: lifetime limit ends a running command`, async () => {
      const { controller } = setup();
      controller.createTemplate({ name: 'brief', runtime, lifetimeSeconds: 2 });
      const { sandbox, record } = await controller.claim({ template: 'brief', tenant: 'acme' });
      expect((await sandbox.exec({ command: 'echo up' })).stdout).toBe('up\n');

      const error = await caught(() => sandbox.exec({ command: 'sleep 60', timeoutMs: 60_000 }));
      expect(isSandstackError(error, 'SANDBOX_LIMIT'), String(error)).toBe(true);
      expect((error as Error).message).toContain('lifetime limit of 2 s');
      expect((error as Error).message).toContain('template "brief"');

      await waitReleased(controller, record.id);
      const ended = controller.record(record.id);
      expect(ended?.state).toBe('released');
      expect(ended?.endReason).toBe('SandboxExpired');
      expect(controller.endError(record.id)?.message).toContain('lifetime limit of 2 s');
      expect(cgroupPids(record.id)).toEqual([]);

      // Later calls fail with the same reason rather than running anything.
      const later = await caught(() => sandbox.exec({ command: 'true' }));
      expect((later as Error).message).toContain('lifetime limit of 2 s');
    });

    run(`${runtime}: shutdownTime ends the sandbox`, async () => {
      const { controller } = setup();
      const shutdownTime = new Date(Date.now() + 1500);
      const { sandbox, record } = await controller.claim({
        template: runtime === 'gvisor' ? 'gv' : 'bw',
        tenant: 'acme',
        shutdownTime,
      });
      const error = await caught(() => sandbox.exec({ command: 'sleep 60', timeoutMs: 60_000 }));
      expect(isSandstackError(error, 'SANDBOX_LIMIT'), String(error)).toBe(true);
      expect((error as Error).message).toContain(`shutdownTime ${shutdownTime.toISOString()}`);
      await waitReleased(controller, record.id);
      expect(controller.record(record.id)?.endReason).toBe('ClaimExpired');
      expect(controller.endError(record.id)?.message).toContain('shutdownTime');
    });
  }
});
