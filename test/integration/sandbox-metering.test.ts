import { afterEach, describe, expect, it } from 'vitest';
import { cgroupPids } from '../../src/sandbox/cgroup.js';
import { createTestController, localDrivers, type TestController } from '../helpers/sandbox.js';

const checks = await localDrivers();
const availableRuntime = (name: string): boolean =>
  checks.some(({ driver, check }) => driver.name === name && check.available);

const MIB = 2 ** 20;

let test: TestController | undefined;
afterEach(async () => {
  await test?.cleanup();
  test = undefined;
});

describe('sandbox metering', () => {
  const runBubblewrap = availableRuntime('bubblewrap') ? it : it.skip;
  const runGvisor = availableRuntime('gvisor') ? it : it.skip;

  runBubblewrap('records provisioned GiB-seconds per sandbox and tenant', async () => {
    test = createTestController();
    const { controller } = test;
    controller.createTemplate({
      name: 'big',
      runtime: 'bubblewrap',
      resources: { memoryBytes: 1536 * MIB },
    });
    const first = await controller.claim({ template: 'big', tenant: 'acme' });
    const second = await controller.claim({ template: 'big', tenant: 'acme' });
    await first.sandbox.exec({ command: 'true' });
    const released = [
      await controller.release(first.record.id),
      await controller.release(second.record.id),
    ];

    const expected = released.map(
      (record) => 1.5 * (((record.releasedAt ?? 0) - (record.claimedAt ?? 0)) / 1000),
    );
    expect(released[0]?.usage?.gibSeconds).toBeCloseTo(expected[0] ?? -1, 9);
    expect(released[1]?.usage?.gibSeconds).toBeCloseTo(expected[1] ?? -1, 9);
    const totals = await controller.usageFor({ tenant: 'acme' });
    expect(totals.gibSeconds).toBeCloseTo((expected[0] ?? 0) + (expected[1] ?? 0), 9);
    expect((await controller.usageFor({ tenant: 'other' })).gibSeconds).toBe(0);
  });

  runGvisor('keeps CPU-seconds metered before runsc was killed', async () => {
    test = createTestController();
    const { controller } = test;
    const { record, sandbox } = await controller.claim({ template: 'gv', tenant: 'acme' });
    // About two CPU-seconds of busy work, counted by the sandbox's cpuacct cgroup.
    const burn = await sandbox.exec({
      command:
        'python3 -c "import time\nend = time.process_time() + 2\nwhile time.process_time() < end: pass"',
      timeoutMs: 60_000,
    });
    expect(burn.exitCode).toBe(0);
    const before = await sandbox.usage();
    expect(before.cpuSeconds).toBeGreaterThan(1.5);

    // The process that ran the claim dies with its runtime: runsc's processes get SIGKILL,
    // and their cgroups stay behind with what they counted.
    for (const pid of cgroupPids(record.id)) {
      process.kill(pid, 'SIGKILL');
    }
    const next = test.reopen();
    const released = await next.release(record.id);
    expect(released.usage?.cpuSeconds).toBeGreaterThanOrEqual(before.cpuSeconds);
  });
});
