/**
 * The root of a bubblewrap sandbox leaves out the state folder and the hidden folders that
 * contain mounts. So its mountinfo lists neither other sandboxes' writable layers nor the
 * mounts under hidden folders, and mounts that come and go there cannot fail a start.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BubblewrapDriver } from '../../src/sandbox/drivers/bubblewrap.js';
import { EXEC_AGENT } from '../../src/sandbox/drivers/native.js';
import { resolveTemplate } from '../../src/sandbox/templates.js';
import type { SandboxInstance } from '../../src/sandbox/types.js';

/**
 * A host folder that sandboxes see (read-only). Temp folders sit under /tmp, which every
 * sandbox replaces with its own, so mounts there would be out of the root anyway.
 */
const VISIBLE_PARENT = '/opt';

const check = await new BubblewrapDriver().check();
const suite = check.available && existsSync(EXEC_AGENT) ? describe : describe.skip;

/** Resolves when `child` has exited. */
function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Mount points of this process's namespace under `dir`, deepest first. */
function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((point) => point.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

suite('bubblewrap root', () => {
  let base = '';
  let stateDir = '';
  let hiddenDir = '';
  let driver: BubblewrapDriver;
  let count = 0;
  const churns: ChildProcess[] = [];

  const start = async (): Promise<{ id: string; sandbox: SandboxInstance }> => {
    count += 1;
    const id = `sbx_bwroot${count}`;
    const template = resolveTemplate({ name: 'root' });
    return { id, sandbox: await driver.create({ id, template, stateDir: join(stateDir, id) }) };
  };

  beforeAll(() => {
    base = mkdtempSync(join(VISIBLE_PARENT, 'sandstack-bwroot-'));
    chmodSync(base, 0o755);
    stateDir = join(base, 'state');
    hiddenDir = join(base, 'hidden');
    mkdirSync(join(hiddenDir, 'inner'), { recursive: true });
    mkdirSync(stateDir);
    execFileSync('mount', [
      '-t',
      'tmpfs',
      '-o',
      'size=1m',
      'hidden-inner',
      join(hiddenDir, 'inner'),
    ]);
    driver = new BubblewrapDriver({ hiddenDirs: [stateDir, hiddenDir] });
  });

  afterAll(async () => {
    // The loops stop at their next round once the stop file exists. A SIGKILL to bash would
    // leave the mount or umount of its last round running.
    writeFileSync(join(base, 'stop'), '');
    await Promise.all(churns.map((churn) => exited(churn)));
    for (const point of mountsUnder(base)) {
      execFileSync('umount', ['-l', point]);
    }
    rmSync(base, { recursive: true, force: true });
  });

  it('lists no path under the state folder', async () => {
    const other = await start();
    const { sandbox } = await start();
    try {
      const result = await sandbox.exec({ command: 'cat /proc/self/mountinfo' });
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toContain(' /workspace ');
      // The state folder itself is a mount point (the empty folder that hides it), but
      // nothing under it: neither this sandbox's writable layer nor the other one's.
      expect(result.stdout).not.toContain(`${stateDir}/`);
      expect(result.stdout).not.toContain(other.id);
    } finally {
      await sandbox.destroy();
      await other.sandbox.destroy();
    }
  });

  it('lists no hidden folder submount', async () => {
    const { sandbox } = await start();
    try {
      const mounts = await sandbox.exec({ command: 'cat /proc/self/mountinfo' });
      expect(mounts.stdout).not.toContain(`${hiddenDir}/`);
      expect(mounts.stdout).not.toContain('hidden-inner');
      const listing = await sandbox.exec({ command: `ls -A ${hiddenDir}; ls ${base}` });
      expect(listing.stderr).toBe('');
      expect(listing.stdout).toBe('hidden\nstate\n');
    } finally {
      await sandbox.destroy();
    }
  });

  it('starts while host mounts come and go', async () => {
    // Two loops mount and unmount a tmpfs under the state folder, as sandboxes starting and
    // ending there do. Each stops by itself after 60 s, or once the stop file exists.
    for (const name of ['churn-a', 'churn-b']) {
      const point = join(stateDir, name);
      mkdirSync(point);
      const loop =
        'end=$((SECONDS + 60)); while [ $SECONDS -lt $end ] && [ ! -e "$1" ]; do mount -t tmpfs churn "$0" && umount "$0"; done';
      const stopFile = join(base, 'stop');
      churns.push(spawn('/bin/bash', ['-c', loop, point, stopFile], { stdio: 'ignore' }));
    }
    const failures: string[] = [];
    for (let round = 0; round < 8; round += 1) {
      try {
        const { sandbox } = await start();
        try {
          const result = await sandbox.exec({ command: 'cat /proc/self/mountinfo' });
          expect(result.exitCode).toBe(0);
          expect(result.stdout).not.toContain('churn');
        } finally {
          await sandbox.destroy();
        }
      } catch (error) {
        failures.push(String(error));
      }
    }
    expect(failures).toEqual([]);
    for (const churn of churns) {
      expect(churn.exitCode).toBeNull();
    }
  });
});
