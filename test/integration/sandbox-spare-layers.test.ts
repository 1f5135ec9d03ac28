import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  realpathSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { SandboxController } from '../../src/sandbox/controller.js';
import { agentChannelPaths } from '../../src/sandbox/drivers/bubblewrap-agent.js';
import { MAX_SPARE_SIZES, SPARE_LAYERS_DIR, SpareLayers } from '../../src/sandbox/spare-layers.js';
import { removeStateDir, writableLayerDir } from '../../src/sandbox/writable-layer.js';
import {
  createTestController,
  localDrivers,
  loopDevicesLeftUnder,
  type TestController,
} from '../helpers/sandbox.js';

const checks = await localDrivers();
const TEMPLATES = { gvisor: 'gv', bubblewrap: 'bw' } as const;
const bubblewrap = checks.find((item) => item.driver.name === 'bubblewrap');
const withBubblewrap = bubblewrap?.check.available === true ? it : it.skip;
// Loop mounts need root.
const withRoot = process.getuid?.() === 0 ? it : it.skip;

let harness: TestController | undefined;
afterEach(async () => {
  await harness?.cleanup();
  harness = undefined;
});

function setup(): TestController {
  harness = createTestController();
  return harness;
}

/** Mount points under `dir` that /proc/self/mountinfo lists. */
function mountsUnder(dir: string): string[] {
  const root = realpathSync(dir);
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((mountPoint) => mountPoint.startsWith(`${root}/`));
}

function spareFolders(dir: string): string[] {
  const spares = join(dir, 'sandboxes', SPARE_LAYERS_DIR);
  return existsSync(spares) ? readdirSync(spares) : [];
}

/** Mount points of the spare layers under `dir`. */
function spareMounts(dir: string): string[] {
  return mountsUnder(join(dir, 'sandboxes', SPARE_LAYERS_DIR));
}

describe('spare writable layers', () => {
  for (const { driver, check } of checks) {
    const template = TEMPLATES[driver.name as keyof typeof TEMPLATES];
    const run = check.available ? it : it.skip;

    run(`${driver.name}: next sandbox misses earlier files`, async () => {
      const { dir, controller } = setup();
      const first = await controller.claim({ template, tenant: 'acme' });
      await first.sandbox.writeFile('secret.txt', 'first tenant');
      await first.sandbox.exec({ command: 'echo scratch > /tmp/scratch.txt' });
      // Spares are made at niceness 19, so on a busy host they take a while: wait for the
      // refill to end rather than for a fixed time.
      await controller.waitForSpareLayers();
      expect(spareMounts(dir)).toHaveLength(2);
      const spares = spareFolders(dir);

      const second = await controller.claim({ template, tenant: 'other' });
      // The second start took one of the ready spares; refills add spares of new names.
      const left = spareFolders(dir);
      expect(spares.filter((name) => !left.includes(name))).toHaveLength(1);
      const listing = await second.sandbox.exec({ command: 'ls -A . /tmp' });
      expect(listing.exitCode).toBe(0);
      expect(listing.stdout).not.toContain('secret.txt');
      expect(listing.stdout).not.toContain('scratch.txt');
      await second.sandbox.writeFile('own.txt', 'second tenant');
      expect((await second.sandbox.readFile('own.txt')).toString()).toBe('second tenant');

      await controller.release(first.record.id);
      const third = await controller.claim({ template, tenant: 'third' });
      const after = await third.sandbox.exec({ command: 'ls -A . /tmp' });
      expect(after.stdout).not.toContain('secret.txt');
      expect(after.stdout).not.toContain('own.txt');
    });
  }

  withBubblewrap('close unmounts every spare', async () => {
    const { dir, controller } = setup();
    await controller.claim({ template: 'bw', tenant: 'acme' });
    await controller.waitForSpareLayers();
    expect(spareMounts(dir)).toHaveLength(2);
    for (const record of controller.list()) {
      await controller.release(record.id);
    }
    await controller.close();
    expect(mountsUnder(dir)).toEqual([]);
    expect(spareFolders(dir)).toEqual([]);
  });

  withBubblewrap('reconcile removes a crashed process’s spares', async () => {
    const { dir, reopen } = setup();
    // Node itself runs the fixture (tsx only as a loader), so SIGKILL hits the controller.
    const fixture = 'test/fixtures/sandbox/spares-and-wait.ts';
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, dir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: child.stdout });
    await new Promise<void>((resolve, reject) => {
      lines.once('line', () => resolve());
      child.once('exit', (code) => reject(new Error(`child exited with ${code}`)));
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    expect(mountsUnder(join(dir, 'sandboxes', SPARE_LAYERS_DIR))).toHaveLength(2);

    const controller = reopen();
    await controller.reconcile();
    expect(mountsUnder(join(dir, 'sandboxes', SPARE_LAYERS_DIR))).toEqual([]);
    expect(spareFolders(dir)).toEqual([]);
  });

  withRoot('startup waits for a spare mount in flight', async () => {
    const { dir, reopen } = setup();
    // A process that has exited owned the spare, as after a SIGKILL during its mount.
    const owner = spawn('true');
    await new Promise((resolve) => owner.once('exit', resolve));
    const folder = join(
      dir,
      'sandboxes',
      SPARE_LAYERS_DIR,
      `${owner.pid}-deadbeef-${randomUUID()}`,
    );
    mkdirSync(writableLayerDir(folder), { recursive: true });
    const image = join(folder, 'rw.img');
    execFileSync('truncate', ['-s', '8M', image]);
    execFileSync('mkfs.ext4', ['-q', '-F', '-O', '^has_journal', image]);
    // Stands for that process's `mount`, still running when the next controller starts.
    const mount = spawn('sh', [
      '-c',
      `sleep 1 && exec mount -o loop,nosuid,nodev ${image} ${writableLayerDir(folder)}`,
    ]);
    const mountExit = new Promise<number | null>((resolve) => mount.once('exit', resolve));

    const controller = reopen();
    // Any claim-side call waits for the startup reconcile.
    expect(await controller.get('sbx_none')).toBeUndefined();
    // The mount ended before the removal, so it found its folder and succeeded.
    expect(await mountExit).toBe(0);
    expect(mountsUnder(join(dir, 'sandboxes', SPARE_LAYERS_DIR))).toEqual([]);
    expect(spareFolders(dir)).toEqual([]);
    expect(await loopDevicesLeftUnder(folder)).toEqual([]);
  });

  withBubblewrap('spare count zero mounts none', async () => {
    const { dir, db } = setup();
    const controller = new SandboxController({
      db,
      stateDir: join(dir, 'sandboxes'),
      spareLayers: 0,
    });
    const { sandbox, record } = await controller.claim({ template: 'bw', tenant: 'acme' });
    // A refill would start 50 ms after the claim, so look after a command and a pause.
    await sandbox.exec({ command: 'true' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(spareFolders(dir)).toEqual([]);
    await controller.release(record.id);
    await controller.close();
  });

  withRoot('keeps spares of recent sizes only', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sandstack-spares-'));
    const spares = new SpareLayers({ root, count: 1, ready: Promise.resolve() });
    const target = join(root, 'taken');
    const sizes = Array.from(
      { length: MAX_SPARE_SIZES + 1 },
      (_, index) => (index + 1) * 8 * 1024 * 1024,
    );
    try {
      // Each miss records its size and schedules a refill.
      for (const size of sizes) {
        expect(spares.take(target, size)).toBe(false);
      }
      const recent = sizes.slice(1);
      await spares.whenIdle();
      for (const size of recent) {
        expect(spares.readyCount(size)).toBe(1);
      }
      expect(spares.readyCount(sizes[0]!)).toBe(0);

      expect(spares.take(target, sizes.at(-1)!)).toBe(true);
      const layer = writableLayerDir(target);
      expect(statSync(layer).dev).not.toBe(statSync(target).dev);
      expect(readdirSync(layer).sort()).toEqual([
        'empty',
        'empty-file',
        'lost+found',
        'tmp',
        'workspace',
      ]);
      expect(statSync(agentChannelPaths(target).requests).isFIFO()).toBe(true);
      expect(statSync(agentChannelPaths(target).replies).isFIFO()).toBe(true);
    } finally {
      await spares.close();
      await removeStateDir(target);
    }
    expect(mountsUnder(root)).toEqual([]);
    rmSync(root, { recursive: true, force: true });
  });

  it('rejects a spare count out of range', () => {
    const { dir, db } = setup();
    const open = () =>
      new SandboxController({ db, stateDir: join(dir, 'sandboxes'), spareLayers: 9 });
    expect(open).toThrow('spareLayers 9 is invalid; use a whole number from 0 to 8');
  });
});
