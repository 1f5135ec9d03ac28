import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { isSandstackError } from '../../src/core/errors.js';
import { SandboxController } from '../../src/sandbox/controller.js';
import { sandboxConditions } from '../../src/sandbox/controller-snapshots.js';
import {
  IMAGE_MANIFEST_FILE,
  writeImageManifest,
} from '../../src/sandbox/drivers/checkpoint-image.js';
import { AGENT_PROTOCOL } from '../../src/sandbox/drivers/exec-agent.js';
import { GvisorDriver } from '../../src/sandbox/drivers/gvisor.js';
import { applyManifests } from '../../src/sandbox/manifests/apply.js';
import { resolveTemplate } from '../../src/sandbox/templates.js';
import type { SandboxInstance } from '../../src/sandbox/types.js';
import {
  COUNTER,
  createTestController,
  leftoversOf,
  loopDevicesLeftUnder,
  loopDevicesUnder,
  localDrivers,
  recordingLogger,
  simulateReboot,
  waitPast,
  type TestController,
} from '../helpers/sandbox.js';
import { makeTempDir, runCli } from '../helpers/cli.js';

const checks = await localDrivers();
const gvisorAvailable = checks.some(
  (item) => item.driver.name === 'gvisor' && item.check.available,
);
const bubblewrapAvailable = checks.some(
  (item) => item.driver.name === 'bubblewrap' && item.check.available,
);

let harness: TestController | undefined;
afterEach(async () => {
  await harness?.cleanup();
  harness = undefined;
});

function setup(): TestController {
  harness = createTestController();
  return harness;
}

/** Returns the error a promise rejects with, or undefined when it resolves. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

/**
 * Starts the claim-suspend-and-wait fixture, reads the state it prints, and kills it with
 * SIGKILL. Node itself runs the fixture (tsx only as a loader), so SIGKILL hits the controller.
 */
async function suspendInKilledChild(
  dir: string,
): Promise<{ id: string; token: string; count: number }> {
  const fixture = 'test/fixtures/sandbox/claim-suspend-and-wait.ts';
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, dir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`child exited with ${code}`)));
  });
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  return JSON.parse(line) as { id: string; token: string; count: number };
}

const gvisorDescribe = gvisorAvailable ? describe : describe.skip;

gvisorDescribe('SandboxController suspend', () => {
  it('suspends, meters and resumes a claim', async () => {
    const { controller } = setup();
    const { sandbox, record } = await controller.claim({ template: 'gv', tenant: 'acme' });
    await sandbox.exec({ command: COUNTER });
    const before = await waitPast(sandbox, 3);

    const suspended = await controller.suspend(record.id);
    expect(suspended.operatingMode).toBe('Suspended');
    const conditions = sandboxConditions(suspended);
    expect(conditions).toContainEqual(
      expect.objectContaining({ type: 'Suspended', status: 'True', reason: 'PodTerminated' }),
    );
    expect(conditions).toContainEqual(
      expect.objectContaining({ type: 'Ready', status: 'False', reason: 'Suspended' }),
    );
    const usage = await controller.usageFor({ tenant: 'acme' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await controller.usageFor({ tenant: 'acme' })).cpuSeconds).toBe(usage.cpuSeconds);
    const rejected = await rejectionOf(sandbox.exec({ command: 'true' }));
    expect(isSandstackError(rejected, 'SANDBOX_SUSPENDED')).toBe(true);
    expect((rejected as Error).message).toContain(`sandstack sandbox resume ${record.id}`);

    const resumed = await controller.resume(record.id);
    expect(resumed.operatingMode).toBe('Running');
    const after = await waitPast(sandbox, before.count);
    expect(after.token).toBe(before.token);
    expect((await controller.usageFor({ tenant: 'acme' })).cpuSeconds).toBeGreaterThanOrEqual(
      usage.cpuSeconds,
    );
  });

  it('refuses an image an earlier version wrote', async () => {
    const { controller } = setup();
    const { sandbox, record } = await controller.claim({ template: 'gv', tenant: 'acme' });
    await sandbox.exec({ command: 'echo kept > /workspace/note' });
    await controller.suspend(record.id);
    // Images written before the init was recorded ran an agent of another protocol, and had
    // no record of their files' digests either.
    rmSync(join(record.stateDir, 'checkpoint', 'sandstack-init'));
    rmSync(join(record.stateDir, 'checkpoint', IMAGE_MANIFEST_FILE));

    const error = await rejectionOf(controller.resume(record.id));
    expect(isSandstackError(error)).toBe(true);
    expect((error as { code?: string }).code).toBe('CHECKPOINT_UNSUPPORTED');
    expect((error as Error).message).toContain('earlier version of sandstack');
    const released = await controller.release(record.id);
    expect(released.state).toBe('released');
  });

  it('resumes an image without shim copy', async () => {
    const { controller } = setup();
    const { sandbox, record } = await controller.claim({ template: 'gv', tenant: 'acme' });
    await controller.suspend(record.id);
    // An agent that did not copy the shim into /dev records only its protocol.
    const init = join(record.stateDir, 'checkpoint', 'sandstack-init');
    expect(readFileSync(init, 'utf8')).toBe(`agent ${AGENT_PROTOCOL} shim-copy\n`);
    writeFileSync(init, `agent ${AGENT_PROTOCOL}\n`);
    await writeImageManifest(join(record.stateDir, 'checkpoint'));

    await controller.resume(record.id);
    const env = await sandbox.exec({ command: 'env' });
    expect(env.stdout).toContain('LD_PRELOAD=/tmp/.sandstack/gvisor-statx.so\n');
    const listing = await sandbox.exec({ command: 'ls -l /workspace' });
    expect(listing.stderr).toBe('');
    expect(listing.exitCode).toBe(0);
  });

  it('releases a suspended sandbox without leftovers', async () => {
    const { controller } = setup();
    const { sandbox, record } = await controller.claim({ template: 'gv', tenant: 'acme' });
    await sandbox.exec({ command: COUNTER });
    await waitPast(sandbox, 1);
    await controller.suspend(record.id);

    const released = await controller.release(record.id);
    expect(released.state).toBe('released');
    expect(leftoversOf(record.id, record.stateDir)).toEqual({
      processes: [],
      mounts: [],
      cgroups: [],
      stateDir: false,
    });
  });

  it('re-attaches a suspended sandbox after a kill', async () => {
    const test = setup();
    const before = await suspendInKilledChild(test.dir);

    const controller = test.reopen();
    const found = await controller.get(before.id);
    expect(found?.record.operatingMode).toBe('Suspended');
    expect(found?.sandbox.operatingMode).toBe('Suspended');
    await controller.resume(before.id);
    const after = await waitPast(found?.sandbox ?? expect.fail('no sandbox'), before.count);
    expect(after.token).toBe(before.token);
  });

  it('keeps a suspended sandbox across reboot', async () => {
    const test = setup();
    const before = await suspendInKilledChild(test.dir);
    const stateDir = join(test.dir, 'sandboxes', before.id);
    await simulateReboot(before.id, stateDir);
    expect(leftoversOf(before.id, stateDir).mounts).toEqual([]);
    expect(loopDevicesUnder(stateDir)).toEqual([]);
    expect(existsSync(join(stateDir, 'rw', 'workspace'))).toBe(false);

    const { logger, lines } = recordingLogger();
    const controller = new SandboxController({
      db: test.db,
      stateDir: join(test.dir, 'sandboxes'),
      logger,
    });
    try {
      const found = await controller.get(before.id);
      expect(lines.map((line) => line.message)).toContain(
        'Mounted the writable layer of a suspended sandbox again after a host reboot',
      );
      expect(found?.record.operatingMode).toBe('Suspended');
      expect(found?.sandbox.operatingMode).toBe('Suspended');
      expect(loopDevicesUnder(stateDir)).toHaveLength(1);

      await controller.resume(before.id);
      const sandbox = found?.sandbox ?? expect.fail('no sandbox');
      const after = await waitPast(sandbox, before.count);
      expect(after.token).toBe(before.token);
      expect((await sandbox.readFile('kept.txt')).toString()).toBe('written before the suspend');
    } finally {
      await controller.release(before.id);
      await controller.close();
    }
    expect(leftoversOf(before.id, stateDir).mounts).toEqual([]);
    expect(await loopDevicesLeftUnder(stateDir)).toEqual([]);
  });

  it('releases a reboot-lost disk image cleanly', async () => {
    const test = setup();
    const { record } = await test.controller.claim({ template: 'gv', tenant: 'acme' });
    await test.controller.suspend(record.id);
    await simulateReboot(record.id, record.stateDir);
    rmSync(join(record.stateDir, 'rw.img'));

    const { logger, lines } = recordingLogger();
    const controller = new SandboxController({
      db: test.db,
      stateDir: join(test.dir, 'sandboxes'),
      logger,
    });
    try {
      expect(await controller.get(record.id)).toBeUndefined();
      expect(controller.record(record.id)?.state).toBe('released');
      const warning = lines.find(
        (line) => line.message === 'Releasing a suspended sandbox that cannot be restored',
      );
      expect(warning?.meta?.sandboxId).toBe(record.id);
      expect(String(warning?.meta?.reason)).toContain('disk image');
      expect(String(warning?.meta?.reason)).toContain('is missing');
      expect(leftoversOf(record.id, record.stateDir)).toEqual({
        processes: [],
        mounts: [],
        cgroups: [],
        stateDir: false,
      });
      expect(loopDevicesUnder(record.stateDir)).toEqual([]);
    } finally {
      await controller.close();
    }
  });

  /** Damage done to a suspended sandbox's state folder after the simulated reboot. */
  const unrestorable: { damage: string; apply: (stateDir: string) => void; reason: string }[] = [
    {
      damage: 'an agent of another protocol',
      apply: (stateDir) => {
        // Only an earlier version wrote such an image, and it recorded no digests.
        rmSync(join(stateDir, 'checkpoint', IMAGE_MANIFEST_FILE));
        writeFileSync(join(stateDir, 'checkpoint', 'sandstack-init'), 'agent 0\n');
      },
      reason: 'earlier version of sandstack',
    },
    {
      damage: 'an earlier image without header',
      apply: (stateDir) => {
        rmSync(join(stateDir, 'checkpoint', IMAGE_MANIFEST_FILE));
        const image = openSync(join(stateDir, 'checkpoint', 'checkpoint.img'), 'r+');
        writeSync(image, Buffer.alloc(16), 0, 16, 0);
        closeSync(image);
      },
      reason: 'checkpoint image header',
    },
    {
      damage: 'a truncated checkpoint image',
      apply: (stateDir) => {
        const image = join(stateDir, 'checkpoint', 'checkpoint.img');
        truncateSync(image, Math.floor(statSync(image).size / 2));
      },
      reason: 'its file "checkpoint.img" has',
    },
    {
      damage: 'a checkpoint image changed past its header',
      apply: (stateDir) => {
        const image = openSync(join(stateDir, 'checkpoint', 'checkpoint.img'), 'r+');
        writeSync(image, Buffer.from('damaged'), 0, 7, 4096);
        closeSync(image);
      },
      reason: 'does not match the SHA-256 digest',
    },
    {
      damage: 'a disk image without superblock',
      apply: (stateDir) => {
        // Zero the first 64 KiB, which contain the ext4 superblock (at byte 1024).
        const image = openSync(join(stateDir, 'rw.img'), 'r+');
        writeSync(image, Buffer.alloc(64 * 1024), 0, 64 * 1024, 0);
        closeSync(image);
      },
      reason: 'e2fsck -p exited with',
    },
  ];

  it.each(unrestorable)('releases after reboot with $damage', async ({ apply, reason }) => {
    const test = setup();
    const { record } = await test.controller.claim({ template: 'gv', tenant: 'acme' });
    await test.controller.suspend(record.id);
    await simulateReboot(record.id, record.stateDir);
    apply(record.stateDir);
    const recorded = JSON.parse(readFileSync(join(record.stateDir, 'usage.json'), 'utf8')) as {
      cpuSeconds: number;
      memoryPeakBytes: number;
    };

    const { logger, lines } = recordingLogger();
    const controller = new SandboxController({
      db: test.db,
      stateDir: join(test.dir, 'sandboxes'),
      logger,
    });
    try {
      expect(await controller.get(record.id)).toBeUndefined();
      expect(controller.record(record.id)?.state).toBe('released');
      const warning = lines.find(
        (line) => line.message === 'Releasing a suspended sandbox that cannot be restored',
      );
      expect(warning?.meta?.sandboxId).toBe(record.id);
      expect(String(warning?.meta?.reason)).toContain(reason);
      // The usage its runtime recorded at suspend is kept, not stored as 0.
      expect(recorded.cpuSeconds).toBeGreaterThan(0);
      expect(controller.record(record.id)?.usage?.cpuSeconds).toBe(recorded.cpuSeconds);
      expect(controller.record(record.id)?.usage?.memoryPeakBytes).toBe(recorded.memoryPeakBytes);
      expect(leftoversOf(record.id, record.stateDir).mounts).toEqual([]);
      expect(loopDevicesUnder(record.stateDir)).toEqual([]);
      expect(existsSync(record.stateDir)).toBe(false);
    } finally {
      await controller.close();
    }
  });

  it('fills a pool from a snapshot', async () => {
    const { controller } = setup();
    const { sandbox, record } = await controller.claim({ template: 'gv', tenant: 'acme' });
    await sandbox.writeFile('setup.txt', 'prepared once');
    await sandbox.exec({ command: COUNTER });
    const before = await waitPast(sandbox, 3);
    const snapshot = await controller.snapshot(record.id, 'warm-py');
    expect(snapshot.tenant).toBe('acme');
    expect(controller.listSnapshots({ tenant: 'acme' }).map((item) => item.name)).toEqual([
      'warm-py',
    ]);
    expect(controller.listSnapshots({ tenant: 'other' })).toEqual([]);

    controller.createTemplate({ name: 'py', runtime: 'gvisor', snapshot: 'warm-py' });
    controller.createPool({ name: 'py', template: 'py', replicas: 1 });
    await controller.waitUntilReady('py');
    const claimed = await controller.claim({ pool: 'py', tenant: 'beta' });
    expect(claimed.record.warm).toBe(true);
    const restored = await waitPast(claimed.sandbox, before.count);
    expect(restored.token).toBe(before.token);
    expect((await claimed.sandbox.readFile('setup.txt')).toString()).toBe('prepared once');

    const inUse = (() => {
      try {
        controller.deleteSnapshot('warm-py');
        return undefined;
      } catch (error) {
        return error;
      }
    })();
    expect(isSandstackError(inUse, 'INVALID_ARGUMENT')).toBe(true);
    expect((inUse as Error).message).toContain('template py');
    await controller.deletePool('py');
  });

  it('scopes snapshot names per tenant', async () => {
    const { controller } = setup();
    const acme = await controller.claim({ template: 'gv', tenant: 'acme' });
    await acme.sandbox.writeFile('owner.txt', 'acme');
    const beta = await controller.claim({ template: 'gv', tenant: 'beta' });
    await beta.sandbox.writeFile('owner.txt', 'beta');
    await controller.snapshot(acme.record.id, 'base');
    const betaBase = await controller.snapshot(beta.record.id, 'base');
    expect(betaBase.tenant).toBe('beta');
    const again = await rejectionOf(controller.snapshot(acme.record.id, 'base'));
    expect(isSandstackError(again, 'ALREADY_EXISTS')).toBe(true);

    const ambiguous = (() => {
      try {
        return controller.getSnapshot('base');
      } catch (error) {
        return error;
      }
    })();
    expect(isSandstackError(ambiguous, 'INVALID_ARGUMENT')).toBe(true);
    expect((ambiguous as Error).message).toContain('"<tenant>/base"');
    expect((ambiguous as Error).message).not.toContain('acme');
    expect(controller.getSnapshot('acme/base').tenant).toBe('acme');

    controller.createTemplate({ name: 'from-beta', runtime: 'gvisor', snapshot: 'beta/base' });
    const restored = await controller.claim({ template: 'from-beta', tenant: 'beta' });
    expect((await restored.sandbox.readFile('owner.txt')).toString()).toBe('beta');
    controller.deleteSnapshot('acme/base');
    expect(controller.getSnapshot('base').tenant).toBe('beta');
  });

  it('names the snapshot, not its folder', async () => {
    const { controller } = setup();
    const { record } = await controller.claim({ template: 'gv', tenant: 'acme' });
    const snapshot = await controller.snapshot(record.id, 'broken');
    rmSync(join(snapshot.dir, 'snapshot.json'));
    controller.createTemplate({ name: 'broken', runtime: 'gvisor', snapshot: 'acme/broken' });
    const error = await rejectionOf(controller.claim({ template: 'broken', tenant: 'acme' }));
    expect(isSandstackError(error, 'SNAPSHOT_NOT_FOUND')).toBe(true);
    expect((error as Error).message).toContain('snapshot "acme/broken"');
    expect((error as Error).message).not.toContain(snapshot.dir);
  });

  it('applies operatingMode from a Sandbox manifest', async () => {
    const { controller } = setup();
    const { record } = await controller.claim({ template: 'gv', tenant: 'acme' });
    const manifest = (mode: string, namespace = 'acme'): string => `
apiVersion: agents.x-k8s.io/v1beta1
kind: Sandbox
metadata: {name: ${record.id}, namespace: ${namespace}}
spec:
  operatingMode: ${mode}
  podTemplate: {spec: {containers: [{name: main, image: host}]}}
`;
    const suspended = await applyManifests(controller, manifest('Suspended'), { source: 'x' });
    expect(suspended[0]?.action).toBe('configured');
    expect(controller.record(record.id)?.operatingMode).toBe('Suspended');
    const again = await applyManifests(controller, manifest('Suspended'), { source: 'x' });
    expect(again[0]?.action).toBe('unchanged');
    await applyManifests(controller, manifest('Running'), { source: 'x' });
    expect(controller.record(record.id)?.operatingMode).toBe('Running');

    const wrongTenant = await rejectionOf(
      applyManifests(controller, manifest('Suspended', 'other'), { source: 'x' }),
    );
    expect(isSandstackError(wrongTenant, 'INVALID_CONFIG')).toBe(true);
    expect((wrongTenant as Error).message).toContain('no claimed sandbox');
  });
});

gvisorDescribe('GvisorDriver attach after reboot', () => {
  it('mounts a suspended layer again', async () => {
    const dir = await makeTempDir('driver-reboot');
    const driver = new GvisorDriver();
    const id = 'sbx_driverreboot1';
    const stateDir = join(dir.path, id);
    const options = { id, template: resolveTemplate({ name: 'reboot' }), stateDir };
    const created = await driver.create(options);
    // The instance to destroy at the end: the attached one once attach returned it.
    let current: SandboxInstance = created;
    try {
      await created.writeFile('kept.txt', 'written before the suspend');
      await created.exec({ command: COUNTER });
      const before = await waitPast(created, 3);
      await created.suspend();
      await simulateReboot(id, stateDir);

      const attached = await driver.attach(options);
      expect(attached?.operatingMode).toBe('Suspended');
      current = attached ?? expect.fail('attach found nothing');
      await current.resume();
      const after = await waitPast(current, before.count);
      expect(after.token).toBe(before.token);
      expect((await current.readFile('kept.txt')).toString()).toBe('written before the suspend');
    } finally {
      await current.destroy();
      await dir.remove();
    }
    expect(leftoversOf(id, stateDir).mounts).toEqual([]);
    expect(await loopDevicesLeftUnder(stateDir)).toEqual([]);
  });
});

gvisorDescribe('sandstack sandbox suspend', () => {
  // Eight CLI processes, each starting Node and a checkpoint or restore of runsc, need more
  // than the default timeout on a loaded machine.
  it('suspends, resumes and snapshots from the CLI', async () => {
    const temp = await makeTempDir('cli-suspend');
    const stateDir = ['--state-dir', temp.path];
    let id = '';
    try {
      const claimed = await runCli([...stateDir, 'sandbox', 'claim', '--json']);
      expect(claimed.code, claimed.stderr).toBe(0);
      id = (JSON.parse(claimed.stdout) as { id: string }).id;
      await runCli([...stateDir, 'sandbox', 'exec', id, 'echo kept > kept.txt']);

      const suspended = await runCli([...stateDir, 'sandbox', 'suspend', id]);
      expect(suspended.code, suspended.stderr).toBe(0);
      expect(suspended.stdout).toContain(`${id} suspended`);
      const listed = await runCli([...stateDir, 'sandbox', 'list']);
      const row = listed.stdout.split('\n').find((line) => line.startsWith(id));
      expect(row?.split(/\s+/).slice(0, 3)).toEqual([id, 'claimed', 'Suspended']);
      const blocked = await runCli([...stateDir, 'sandbox', 'exec', id, 'true']);
      expect(blocked.code).not.toBe(0);
      expect(blocked.stderr).toContain('because it is suspended');

      const resumed = await runCli([...stateDir, 'sandbox', 'resume', id]);
      expect(resumed.code, resumed.stderr).toBe(0);
      const read = await runCli([...stateDir, 'sandbox', 'exec', id, 'cat kept.txt']);
      expect(read.stdout.trim()).toBe('kept');

      const snapshot = await runCli([...stateDir, 'sandbox', 'snapshot', id, '--name', 'cli-snap']);
      expect(snapshot.code, snapshot.stderr).toBe(0);
      const snapshots = await runCli([...stateDir, 'sandbox', 'snapshots', '--json']);
      const names = (JSON.parse(snapshots.stdout) as { name: string }[]).map((item) => item.name);
      expect(names).toEqual(['cli-snap']);
      const deleted = await runCli([...stateDir, 'sandbox', 'snapshots', '--delete', 'cli-snap']);
      expect(deleted.code, deleted.stderr).toBe(0);
    } finally {
      if (id !== '') {
        await runCli([...stateDir, 'sandbox', 'release', id]);
      }
      await temp.remove();
    }
  }, 180_000);
});

const bubblewrapIt = bubblewrapAvailable ? it : it.skip;
const gvisorIt = gvisorAvailable ? it : it.skip;

describe('SandboxController checkpoint errors', () => {
  bubblewrapIt('rejects suspend of a bubblewrap claim', async () => {
    const { controller } = setup();
    const { record } = await controller.claim({ template: 'bw', tenant: 'acme' });
    const error = await rejectionOf(controller.suspend(record.id));
    expect(isSandstackError(error, 'CHECKPOINT_UNSUPPORTED')).toBe(true);
    expect(controller.record(record.id)?.operatingMode).toBe('Running');
  });

  gvisorIt('rejects a template whose snapshot is unknown', async () => {
    const { controller } = setup();
    controller.createTemplate({ name: 'ghost', runtime: 'gvisor', snapshot: 'missing' });
    const error = await rejectionOf(controller.claim({ template: 'ghost', tenant: 'acme' }));
    expect(isSandstackError(error, 'SNAPSHOT_NOT_FOUND')).toBe(true);
    expect((error as Error).message).toContain('"missing"');
  });

  it('rejects a snapshot template on bubblewrap', () => {
    const { controller } = setup();
    const create = (): unknown =>
      controller.createTemplate({ name: 'bad', runtime: 'bubblewrap', snapshot: 'warm' });
    expect(create).toThrow(/runtime gvisor/);
  });
});
