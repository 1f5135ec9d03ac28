/**
 * A driver's create() (gVisor or bubblewrap) that fails after the writable layer was mounted
 * removes what it made, with no controller around to clean up. No mount under the state
 * folder, no loop device for its disk image, no cgroup and no state folder stay behind.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSandstackError } from '../../src/core/errors.js';
import { BubblewrapDriver } from '../../src/sandbox/drivers/bubblewrap.js';
import { GvisorDriver } from '../../src/sandbox/drivers/gvisor.js';
import { resolveTemplate } from '../../src/sandbox/templates.js';
import {
  leftoversOf,
  localDrivers,
  loopDevicesLeftUnder,
  loopDevicesUnder,
  NOTHING_LEFT,
} from '../helpers/sandbox.js';

const checks = await localDrivers();
const gvisorAvailable = checks.some(
  (item) => item.driver.name === 'gvisor' && item.check.available,
);
const bubblewrapAvailable = checks.some(
  (item) => item.driver.name === 'bubblewrap' && item.check.available,
);

/** Returns the error a promise rejects with, or undefined when it resolves. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

/**
 * Writes a runtime program (a stand-in for runsc or bwrap) that appends its arguments and
 * whether the writable layer of `stateDir` is mounted to `calls`, then fails.
 * @returns the program's path
 */
function writeFailingRuntime(options: {
  dir: string;
  name: string;
  stateDir: string;
  calls: string;
}): string {
  const path = join(options.dir, `fake-${options.name}`);
  const mounted = `$(grep -c ' ${options.stateDir}/rw ' /proc/self/mountinfo)`;
  writeFileSync(
    path,
    [
      '#!/bin/sh',
      `echo "$* mounted=${mounted}" >> '${options.calls}'`,
      `echo "fake ${options.name}: failed on purpose" >&2`,
      'exit 1',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  return path;
}

/** Makes a temp folder before the suite's tests and removes it after them. */
function useTempDir(prefix: string): () => string {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return () => dir;
}

const gvisorDescribe = gvisorAvailable ? describe : describe.skip;

gvisorDescribe('gvisor driver create failure', () => {
  const tempDir = useTempDir('sandstack-create-fail-');

  it('removes the mount when runsc fails', async () => {
    const dir = tempDir();
    const id = 'sbx_createfail1';
    const stateDir = join(dir, id);
    const calls = join(dir, 'runsc-calls.log');
    const fakeRunsc = writeFailingRuntime({ dir, name: 'runsc', stateDir, calls });
    const driver = new GvisorDriver({ runscPath: fakeRunsc });

    const error = await rejectionOf(
      driver.create({ id, template: resolveTemplate({ name: 'fail' }), stateDir }),
    );
    expect(isSandstackError(error, 'SANDBOX_FAILED')).toBe(true);
    expect((error as Error).message).toContain('fake runsc: failed on purpose');
    const runCall = readFileSync(calls, 'utf8')
      .split('\n')
      .find((line) => line.includes(` run -detach `));
    expect(runCall).toContain('mounted=1');
    expect(leftoversOf(id, stateDir)).toEqual(NOTHING_LEFT);
    expect(loopDevicesUnder(dir)).toEqual([]);
  });

  it('removes the mount when the rootfs is missing', async () => {
    const dir = tempDir();
    const id = 'sbx_createfail2';
    const stateDir = join(dir, id);
    const template = resolveTemplate({
      name: 'missing-root',
      rootfs: { kind: 'directory', path: join(dir, 'no-such-rootfs') },
    });

    const error = await rejectionOf(new GvisorDriver().create({ id, template, stateDir }));
    // runsc starts after the layer is mounted, so its failure comes after the mount.
    expect(isSandstackError(error, 'SANDBOX_FAILED')).toBe(true);
    expect((error as Error).message).toContain('runsc could not start');
    expect(leftoversOf(id, stateDir)).toEqual(NOTHING_LEFT);
    expect(await loopDevicesLeftUnder(dir)).toEqual([]);
  });
});

const bubblewrapDescribe = bubblewrapAvailable ? describe : describe.skip;

bubblewrapDescribe('bubblewrap driver create failure', () => {
  const tempDir = useTempDir('sandstack-create-fail-bw-');

  it('removes the mount when bwrap fails', async () => {
    const dir = tempDir();
    const id = 'sbx_createfailbw1';
    const stateDir = join(dir, id);
    const calls = join(dir, 'bwrap-calls.log');
    const fakeBwrap = writeFailingRuntime({ dir, name: 'bwrap', stateDir, calls });
    const driver = new BubblewrapDriver({ bwrapPath: fakeBwrap });

    const error = await rejectionOf(
      driver.create({ id, template: resolveTemplate({ name: 'fail' }), stateDir }),
    );
    expect(isSandstackError(error)).toBe(true);
    expect((error as Error).message).toContain('fake bwrap: failed on purpose');
    expect(readFileSync(calls, 'utf8')).toContain('mounted=1');
    expect(leftoversOf(id, stateDir)).toEqual(NOTHING_LEFT);
    expect(loopDevicesUnder(dir)).toEqual([]);
  });
});
