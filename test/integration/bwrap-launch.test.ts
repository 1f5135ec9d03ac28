/**
 * The launcher of bubblewrap sandboxes (native/bwrap-launch.c) run on its own with a real
 * bwrap: it must put bwrap into the cgroups before bwrap starts anything, and start nothing
 * when it cannot.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cgroupDir,
  cgroupPids,
  cgroupProcsFiles,
  createCgroups,
  removeCgroups,
} from '../../src/sandbox/cgroup.js';
import { BubblewrapDriver } from '../../src/sandbox/drivers/bubblewrap.js';
import { BWRAP_LAUNCH } from '../../src/sandbox/drivers/native.js';
import { resolveTemplate } from '../../src/sandbox/templates.js';

const check = await new BubblewrapDriver().check();
const suite = check.available && existsSync(BWRAP_LAUNCH) ? describe : describe.skip;

/** Descriptors as the driver uses them: report, options, info, and the gate. */
const FDS = { report: 3, args: 4, info: 6, usernsBlock: 7 };

interface LaunchResult {
  report: string;
  stderr: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Runs the launcher until bwrap exits, with `program` in a bwrap that shares the host root. */
function launch(joins: string[], program: string[]): Promise<LaunchResult> {
  const options = [
    '--ro-bind',
    '/',
    '/',
    '--dev',
    '/dev',
    '--proc',
    '/proc',
    '--bind',
    tmpdir(),
    tmpdir(),
    '--unshare-pid',
    '--unshare-user',
    '--info-fd',
    String(FDS.info),
    '--userns-block-fd',
    String(FDS.usernsBlock),
  ];
  const args = [
    ...joins.flatMap((file) => ['--join', file]),
    '--keep-fd',
    String(FDS.report),
    '--args-fd',
    String(FDS.args),
    '--user-maps',
    String(FDS.info),
    String(FDS.usernsBlock),
    String(FDS.report),
    '0 0 1\n',
    '0 0 1\n',
    '--',
    String(options.length),
    ...options,
    'bwrap',
    '--args',
    String(FDS.args),
    ...program,
  ];
  const child = spawn(BWRAP_LAUNCH, args, { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let report = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdio[FDS.report]?.on('data', (chunk: Buffer) => {
    report += chunk.toString();
  });
  return new Promise((resolve) => {
    child.once('close', (code, signal) => resolve({ report, stderr, code, signal }));
  });
}

/**
 * Returns the pids left in the sandbox's cgroups once exiting processes are gone. The kernel
 * drops an exited task from `cgroup.procs` a moment after its parent reaps it, which on a
 * loaded host can be after the test looks, so it waits up to 5 s for the list to empty.
 */
async function cgroupPidsAfterExit(id: string): Promise<number[]> {
  let pids = cgroupPids(id);
  for (let attempt = 0; attempt < 100 && pids.length > 0; attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    pids = cgroupPids(id);
  }
  return pids;
}

suite('bwrap launcher', () => {
  let dir = '';
  const id = 'sbx_bwraplaunch';

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sandstack-bwrap-launch-'));
    createCgroups(id, resolveTemplate({ name: 'launch' }).resources);
  });

  afterAll(async () => {
    await removeCgroups(id);
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs the program inside the cgroups', async () => {
    const cgroupFile = join(dir, 'cgroup');
    const result = await launch(cgroupProcsFiles(id), [
      '/bin/sh',
      '-c',
      `cat /proc/self/cgroup > '${cgroupFile}'`,
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.report).toMatch(/^\d+\n$/);
    const cgroups = readFileSync(cgroupFile, 'utf8');
    for (const controller of ['cpu', 'cpuacct', 'memory', 'pids']) {
      expect(cgroups).toMatch(new RegExp(`^\\d+:${controller}:/sandstack/${id}$`, 'm'));
    }
    expect(await cgroupPidsAfterExit(id)).toEqual([]);
  });

  it('starts nothing when it cannot join', async () => {
    const marker = join(dir, 'ran');
    const missing = join(cgroupDir('pids', id), 'missing', 'cgroup.procs');
    const result = await launch(
      [...cgroupProcsFiles(id), missing],
      ['/bin/sh', '-c', `touch '${marker}'`],
    );
    expect(result.stderr).toContain(`could not join ${missing}`);
    expect(result.code).toBe(127);
    expect(result.report).toBe('');
    expect(existsSync(marker)).toBe(false);
  });

  it('rejects a descriptor out of range', async () => {
    const child = spawn(BWRAP_LAUNCH, ['--keep-fd', '100', '--', '0', 'true'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise((resolve) => child.once('close', resolve));
    expect(code).toBe(127);
    expect(stderr).toContain('a descriptor must be a number from 3 to 99');
  });
});
