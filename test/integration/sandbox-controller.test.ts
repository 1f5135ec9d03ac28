import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { getPriority } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { isSandstackError } from '../../src/core/errors.js';
import { noopLogger } from '../../src/core/logger.js';
import { cgroupPids, cgroupThreadIds } from '../../src/sandbox/cgroup.js';
import { SandboxController } from '../../src/sandbox/controller.js';
import type { SandboxDriver } from '../../src/sandbox/types.js';
import {
  buildSmallRootfs,
  createTestController,
  localDrivers,
  type TestController,
} from '../helpers/sandbox.js';

const checks = await localDrivers();
const TEMPLATES = { gvisor: 'gv', bubblewrap: 'bw' } as const;

let harness: TestController | undefined;
afterEach(async () => {
  await harness?.cleanup();
  harness = undefined;
});

function setup(): TestController {
  harness = createTestController();
  return harness;
}

/** Starts a node process that claims a sandbox, and resolves with its id and process. */
async function claimInChild(dir: string, template: string): Promise<{ id: string; pid: number }> {
  // Node itself runs the fixture (tsx only as a loader), so SIGKILL hits the claiming process.
  const fixture = 'test/fixtures/sandbox/claim-and-wait.ts';
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, dir, template], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const id = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`child exited with ${code}`)));
  });
  return { id, pid: child.pid ?? 0 };
}

describe('SandboxController', () => {
  it('rejects an unknown template by name', () => {
    const { controller } = setup();
    let error: unknown;
    try {
      controller.getTemplate('nope');
    } catch (caught) {
      error = caught;
    }
    expect(isSandstackError(error, 'TEMPLATE_NOT_FOUND')).toBe(true);
    expect((error as Error).message).toContain('"nope"');
    expect((error as Error).message).toContain('default, bw, gv');
  });

  for (const { driver, check } of checks) {
    const template = TEMPLATES[driver.name as keyof typeof TEMPLATES];
    const run = check.available ? it : it.skip;
    if (!check.available) {
      process.stderr.write(`Skipping ${driver.name} controller tests: ${check.reason ?? ''}\n`);
    }

    run(`${driver.name}: claims, re-attaches, releases and meters`, async () => {
      const { controller, reopen } = setup();
      const { sandbox, record } = await controller.claim({ template, tenant: 'acme', runId: 'r1' });
      expect(record.warm).toBe(false);
      expect(record.runtime).toBe(driver.name);
      await sandbox.writeFile('a.txt', 'one');
      const burn = await sandbox.exec({
        command: 'i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done',
      });
      expect(burn.exitCode).toBe(0);

      const again = await reopen().get(record.id);
      expect(again?.record.tenant).toBe('acme');
      expect(again?.record.runId).toBe('r1');
      expect((await again!.sandbox.readFile('a.txt')).toString()).toBe('one');

      const released = await controller.release(record.id);
      expect(released.state).toBe('released');
      expect(await controller.get(record.id)).toBeUndefined();
      expect(cgroupPids(record.id)).toEqual([]);
      const usage = await controller.usageFor({ tenant: 'acme', runId: 'r1' });
      expect(usage.sandboxes).toBe(1);
      expect(usage.cpuSeconds).toBeGreaterThan(0);
      expect(usage.memoryPeakBytes).toBeGreaterThan(0);
    });

    run(`${driver.name}: warm pool refills after a claim`, async () => {
      const { controller } = setup();
      controller.createPool({ name: 'p', template, replicas: 2 });
      await controller.waitUntilReady('p');
      const { record, sandbox } = await controller.claim({ pool: 'p', tenant: 'acme' });
      expect(record.warm).toBe(true);
      expect((await sandbox.exec({ command: 'echo ok' })).stdout).toBe('ok\n');
      await controller.waitUntilReady('p');
      expect(controller.listPools()[0]?.ready).toBe(2);
      await controller.close();
      expect(controller.list().map((item) => item.id)).toEqual([record.id]);
    });

    run(`${driver.name}: refilled sandbox runs at normal priority`, async () => {
      const { controller } = setup();
      controller.createPool({ name: 'p', template, replicas: 1 });
      await controller.waitUntilReady('p');
      const claimed = await controller.claim({ pool: 'p', tenant: 'acme' });
      await controller.waitUntilReady('p');
      const refilled = controller
        .list()
        .filter((item) => item.state === 'warm' && item.id !== claimed.record.id);
      expect(refilled.length).toBe(1);
      const threads = cgroupThreadIds(refilled[0]?.id ?? '');
      expect(threads).not.toEqual([]);
      expect(threads.filter((tid) => getPriority(tid) !== 0)).toEqual([]);
    });

    run(`${driver.name}: concurrent claims bind distinct sandboxes`, async () => {
      const { controller } = setup();
      controller.createPool({ name: 'p', template, replicas: 2 });
      await controller.waitUntilReady('p');
      const claims = await Promise.all(
        [1, 2, 3].map((n) => controller.claim({ pool: 'p', tenant: `t${n}` })),
      );
      const ids = new Set(claims.map((claim) => claim.record.id));
      expect(ids.size).toBe(3);
      expect(claims.filter((claim) => claim.record.warm).length).toBe(2);
    });

    if (driver.name === 'gvisor') {
      run('gvisor: a failed pool start leaves nothing behind', async () => {
        const { dir, db } = setup();
        const failures: unknown[] = [];
        const logger = {
          ...noopLogger,
          error: (_message: string, meta?: unknown) => failures.push(meta),
        };
        const controller = new SandboxController({ db, stateDir: join(dir, 'sandboxes'), logger });
        const rootfs = join(dir, 'rootfs');
        buildSmallRootfs(rootfs);
        controller.createTemplate({
          name: 'broken',
          runtime: 'gvisor',
          rootfs: { kind: 'directory', path: rootfs },
        });
        // The rootfs goes away after the template was applied, so each start rejects it.
        rmSync(rootfs, { recursive: true, force: true });
        controller.createPool({ name: 'p', template: 'broken', replicas: 1 });
        await expect(controller.waitUntilReady('p')).rejects.toThrow('could not reach 1');
        const left = readdirSync(join(dir, 'sandboxes')).filter((name) => name.startsWith('sbx_'));
        expect(left).toEqual([]);
        expect(readFileSync('/proc/self/mounts', 'utf8')).not.toContain(dir);
        // The pool backs off after the failure instead of retrying in each of the rounds.
        expect(failures.length).toBe(1);
        await expect(controller.waitUntilReady('p')).rejects.toThrow(
          `last error: Template "broken" has rootfs "${rootfs}" that does not exist`,
        );
        await controller.close();
      });
    }

    run(`${driver.name}: get works after the creating process is killed`, async () => {
      const { dir, reopen } = setup();
      const child = await claimInChild(dir, template);
      process.kill(child.pid, 'SIGKILL');
      const controller = reopen();
      const found = await controller.get(child.id);
      expect(found?.record.tenant).toBe('acme');
      expect((await found!.sandbox.readFile('kept.txt')).toString()).toBe('survives');
      expect((await found!.sandbox.exec({ command: 'echo alive' })).stdout).toBe('alive\n');
      await controller.release(child.id);
      expect(cgroupPids(child.id)).toEqual([]);
    });
  }

  const bubblewrap = checks.find((item) => item.driver.name === 'bubblewrap');
  const runBubblewrap = bubblewrap?.check.available ? it : it.skip;

  runBubblewrap('pool fill starts sandboxes in parallel up to its bound', async () => {
    const { dir, db } = setup();
    const counts = { inFlight: 0, maxInFlight: 0, created: 0 };
    const real = bubblewrap!.driver;
    const counting: SandboxDriver = {
      name: real.name,
      check: () => real.check(),
      attach: (options) => real.attach(options),
      create: async (options) => {
        counts.inFlight += 1;
        counts.created += 1;
        counts.maxInFlight = Math.max(counts.maxInFlight, counts.inFlight);
        try {
          return await real.create(options);
        } finally {
          counts.inFlight -= 1;
        }
      },
    };
    const controller = new SandboxController({
      db,
      stateDir: join(dir, 'sandboxes'),
      drivers: [counting],
      fillConcurrency: 3,
    });
    controller.createTemplate({ name: 'par', runtime: 'bubblewrap' });
    controller.createPool({ name: 'p', template: 'par', replicas: 7 });
    await controller.waitUntilReady('p');

    expect(counts.maxInFlight).toBe(3);
    expect(counts.created).toBe(7);
    expect(controller.listPools()[0]?.ready).toBe(7);
    for (const record of controller.list()) {
      await controller.release(record.id);
    }
    await controller.close();
  });

  runBubblewrap('burst of claims binds each ready sandbox once', async () => {
    const { controller } = setup();
    controller.createPool({ name: 'burst', template: 'bw', replicas: 12 });
    await controller.waitUntilReady('burst');
    const claims = await Promise.all(
      Array.from({ length: 15 }, (_unused, index) =>
        controller.claim({ pool: 'burst', tenant: `t${index}`, claimName: `c${index}` }),
      ),
    );

    expect(new Set(claims.map((claim) => claim.record.id)).size).toBe(15);
    expect(claims.filter((claim) => claim.record.warm).length).toBe(12);
    for (const [index, claim] of claims.entries()) {
      expect(claim.record.state).toBe('claimed');
      expect(claim.record.tenant).toBe(`t${index}`);
      expect(claim.record.claimName).toBe(`c${index}`);
      expect(claim.record.expiresAt).toBeGreaterThan(Date.now());
      expect(claim.record.claimLatencyMs).not.toBeNull();
    }
  });

  it('releases a claim whose sandbox was never made', async () => {
    const { dir, db, reopen } = setup();
    // A process that has exited stands for one killed during a cold start, before the
    // sandbox's state folder existed.
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    const now = Date.now();
    db.prepare(
      `INSERT INTO sandboxes (id, template, runtime, state, tenant, warm, state_dir, process_id,
         created_at, claimed_at) VALUES (?, 'bw', 'bubblewrap', 'claimed', 'acme', 0, ?, ?, ?, ?)`,
    ).run('sbx_lostclaim', join(dir, 'sandboxes', 'sbx_lostclaim'), dead, now, now);
    const controller = reopen();
    await controller.reconcile();
    const row = db.prepare('SELECT state FROM sandboxes WHERE id = ?').get('sbx_lostclaim') as {
      state: string;
    };
    expect(row.state).toBe('released');
    expect(controller.list().map((record) => record.id)).not.toContain('sbx_lostclaim');
  });

  it('rejects a fill concurrency out of range', () => {
    const { dir, db } = setup();
    const open = () =>
      new SandboxController({ db, stateDir: join(dir, 'sandboxes'), fillConcurrency: 0 });
    expect(open).toThrow('fillConcurrency 0 is invalid; use a whole number from 1 to 64');
  });
});
