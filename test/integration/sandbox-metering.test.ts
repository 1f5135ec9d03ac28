import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/core/store.js';
import { SandboxController } from '../../src/sandbox/controller.js';
import { cgroupDir, cgroupPids, readCgroupUsage } from '../../src/sandbox/cgroup.js';
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

  runBubblewrap('meters a warm claim from the claim', async () => {
    test = createTestController();
    const { controller } = test;
    controller.createPool({ name: 'warm', template: 'bw', replicas: 1 });
    await controller.waitUntilReady('warm');
    const warmId = controller.list().find((record) => record.state === 'warm')?.id ?? '';
    // CPU charged to the warm sandbox's cgroup while it waits in the pool: a bounded loop
    // in a host shell that joins the cgroup first.
    const procs = join(cgroupDir('cpuacct', warmId), 'cgroup.procs');
    execFileSync('sh', [
      '-c',
      `echo $$ > ${procs}; i=0; while [ $i -lt 400000 ]; do i=$((i+1)); done`,
    ]);
    const idle = readCgroupUsage(warmId).cpuSeconds;
    expect(idle).toBeGreaterThan(0.2);

    const { record } = await controller.claim({ pool: 'warm', tenant: 'acme' });
    expect(record.id).toBe(warmId);
    const released = await controller.release(record.id);
    expect(released.usage?.cpuSeconds).toBeLessThan(idle);
  });

  runBubblewrap('concurrent releases store usage once', async () => {
    test = createTestController();
    const { controller } = test;
    const { record } = await controller.claim({ template: 'bw', tenant: 'acme' });
    const busy = await controller
      .get(record.id)
      .then((claimed) =>
        claimed?.sandbox.exec({ command: 'i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done' }),
      );
    expect(busy?.exitCode).toBe(0);
    const released = await Promise.all([
      controller.release(record.id),
      controller.release(record.id),
      controller.release(record.id),
    ]);
    const stored = controller.record(record.id);
    expect(stored?.usage?.cpuSeconds).toBeGreaterThan(0.05);
    expect(stored?.usage?.measuredGibSeconds).not.toBeNull();
    for (const each of released) {
      expect(each.usage?.cpuSeconds).toBe(stored?.usage?.cpuSeconds);
    }
  });

  for (const runtime of ['gvisor', 'bubblewrap'] as const) {
    const run = availableRuntime(runtime) ? it : it.skip;

    run(`${runtime}: measures GiB-seconds of held memory`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'sandstack-measured-'));
      const db = openDatabase(join(dir, 'state.db'));
      const controller = new SandboxController({
        db,
        stateDir: join(dir, 'sandboxes'),
        memorySampleMs: 100,
      });
      try {
        controller.createTemplate({ name: 't', runtime, resources: { memoryBytes: 1024 * MIB } });
        const { record, sandbox } = await controller.claim({ template: 't', tenant: 'acme' });
        // 256 MiB written (so resident) and held for at least 3 s.
        const hold = await sandbox.exec({
          command: `python3 -c "import time\nblock = bytearray(${256 * MIB})\nfor i in range(0, len(block), 4096): block[i] = 1\ntime.sleep(3)"`,
          timeoutMs: 60_000,
        });
        expect(hold.exitCode).toBe(0);
        const released = await controller.release(record.id);
        const usage = released.usage;
        // At least 2 of the 3 seconds at 0.25 GiB, whatever the sampling times were.
        expect(usage?.measuredGibSeconds).toBeGreaterThan(0.5);
        // Never above the memory limit times the claim's length.
        expect(usage?.measuredGibSeconds).toBeLessThan(usage?.gibSeconds ?? 0);
      } finally {
        for (const record of controller.list()) {
          await controller.release(record.id);
        }
        await controller.close();
        db.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  runGvisor('keeps CPU-seconds metered before runsc was killed', async () => {
    test = createTestController();
    const { controller } = test;
    const { record, sandbox } = await controller.claim({ template: 'gv', tenant: 'acme' });
    // Three seconds of busy work by the sandbox's own clock. Under the ptrace platform that
    // clock runs ahead of the host's CPU accounting on a loaded host: 2 s of process time
    // counted as 1.1 to 1.4 s in the cpuacct cgroup at load average 12 on 2 cores.
    const burn = await sandbox.exec({
      command:
        'python3 -c "import time\nend = time.process_time() + 3\nwhile time.process_time() < end: pass"',
      timeoutMs: 60_000,
    });
    expect(burn.exitCode).toBe(0);
    const before = await sandbox.usage();
    expect(before.cpuSeconds).toBeGreaterThan(1);

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
