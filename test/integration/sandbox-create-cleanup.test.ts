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

const gvisorDescribe = gvisorAvailable ? describe : describe.skip;

gvisorDescribe('gvisor driver create failure', () => {
  let dir = '';

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sandstack-create-fail-'));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('removes the mount when runsc fails', async () => {
    const id = 'sbx_createfail1';
    const stateDir = join(dir, id);
    const calls = join(dir, 'runsc-calls.log');
    // Records each call with whether the writable layer was mounted then, and fails.
    const fakeRunsc = join(dir, 'fake-runsc');
    writeFileSync(
      fakeRunsc,
      [
        '#!/bin/sh',
        `echo "$* mounted=$(grep -c ' ${stateDir}/rw ' /proc/self/mountinfo)" >> '${calls}'`,
        'echo "fake runsc: failed on purpose" >&2',
        'exit 1',
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
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
    expect(leftoversOf(id, stateDir)).toEqual({
      processes: [],
      mounts: [],
      cgroups: [],
      stateDir: false,
    });
    expect(loopDevicesUnder(dir)).toEqual([]);
  });

  it('removes the mount when the rootfs is missing', async () => {
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
    expect(leftoversOf(id, stateDir)).toEqual({
      processes: [],
      mounts: [],
      cgroups: [],
      stateDir: false,
    });
    expect(await loopDevicesLeftUnder(dir)).toEqual([]);
  });
});

const bubblewrapDescribe = bubblewrapAvailable ? describe : describe.skip;

bubblewrapDescribe('bubblewrap driver create failure', () => {
  let dir = '';

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sandstack-create-fail-bw-'));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('removes the mount when bwrap fails', async () => {
    const id = 'sbx_createfailbw1';
    const stateDir = join(dir, id);
    const calls = join(dir, 'bwrap-calls.log');
    // Records each call with whether the writable layer was mounted then, and fails.
    const fakeBwrap = join(dir, 'fake-bwrap');
    writeFileSync(
      fakeBwrap,
      [
        '#!/bin/sh',
        `echo "mounted=$(grep -c ' ${stateDir}/rw ' /proc/self/mountinfo)" >> '${calls}'`,
        'echo "fake bwrap: failed on purpose" >&2',
        'exit 1',
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    const driver = new BubblewrapDriver({ bwrapPath: fakeBwrap });

    const error = await rejectionOf(
      driver.create({ id, template: resolveTemplate({ name: 'fail' }), stateDir }),
    );
    expect(isSandstackError(error)).toBe(true);
    expect((error as Error).message).toContain('fake bwrap: failed on purpose');
    expect(readFileSync(calls, 'utf8')).toContain('mounted=1');
    expect(leftoversOf(id, stateDir)).toEqual({
      processes: [],
      mounts: [],
      cgroups: [],
      stateDir: false,
    });
    expect(loopDevicesUnder(dir)).toEqual([]);
  });
});
