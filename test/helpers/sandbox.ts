import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { Logger, LogMeta } from '../../src/core/logger.js';
import { openDatabase, type SqliteDatabase } from '../../src/core/store.js';
import { cgroupDir } from '../../src/sandbox/cgroup.js';
import { BubblewrapDriver } from '../../src/sandbox/drivers/bubblewrap.js';
import {
  IMAGE_MANIFEST_FILE,
  type ImageManifest,
} from '../../src/sandbox/drivers/checkpoint-image.js';
import { GvisorDriver } from '../../src/sandbox/drivers/gvisor.js';
import { SandboxController } from '../../src/sandbox/controller.js';
import type { RuntimeCheck, SandboxDriver, SandboxInstance } from '../../src/sandbox/types.js';

/** The local drivers with their host checks, computed once per test file. */
export async function localDrivers(): Promise<{ driver: SandboxDriver; check: RuntimeCheck }[]> {
  const drivers = [new GvisorDriver(), new BubblewrapDriver()];
  return Promise.all(drivers.map(async (driver) => ({ driver, check: await driver.check() })));
}

/** A controller over a fresh temp folder, with templates `gv` (gVisor) and `bw` (bubblewrap). */
export interface TestController {
  dir: string;
  db: SqliteDatabase;
  controller: SandboxController;
  reopen(): SandboxController;
  cleanup(): Promise<void>;
}

/** Creates a {@link TestController}; call `cleanup()` in afterEach. */
export function createTestController(): TestController {
  const dir = mkdtempSync(join(tmpdir(), 'sandstack-ctl-'));
  const db = openDatabase(join(dir, 'state.db'));
  const open = (): SandboxController =>
    new SandboxController({ db, stateDir: join(dir, 'sandboxes') });
  const controller = open();
  controller.createTemplate({ name: 'gv', runtime: 'gvisor' });
  controller.createTemplate({ name: 'bw', runtime: 'bubblewrap' });
  const opened = [controller];
  return {
    dir,
    db,
    controller,
    reopen: () => {
      const next = open();
      opened.push(next);
      return next;
    },
    cleanup: async () => {
      for (const item of opened) {
        for (const record of item.list()) {
          await item.release(record.id);
        }
        await item.close();
      }
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Host processes whose command line, arguments joined by spaces, contains `text`. */
export function hostProcessesNaming(text: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        return readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ').includes(text);
      } catch {
        // The process ended while we looked.
        return false;
      }
    })
    .map(Number);
}

/** What {@link leftoversOf} returns for a sandbox that left nothing on the host. */
export const NOTHING_LEFT = { processes: [], mounts: [], cgroups: [], stateDir: false } as const;

/** Lists what a sandbox left on the host: processes, mounts, cgroup folders and its state folder. */
export function leftoversOf(
  id: string,
  stateDir: string,
): { processes: number[]; mounts: string[]; cgroups: string[]; stateDir: boolean } {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((line) => line.includes(stateDir));
  const cgroups = ['cpu', 'cpuacct', 'memory', 'pids']
    .map((controller) => cgroupDir(controller, id))
    .filter((dir) => existsSync(dir));
  return { processes: hostProcessesNaming(id), mounts, cgroups, stateDir: existsSync(stateDir) };
}

/** Lines of `losetup -a` whose backing file is under `dir`. */
export function loopDevicesUnder(dir: string): string[] {
  return execFileSync('losetup', ['-a'], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes(dir));
}

/**
 * Waits (bounded: 10 s) until no loop device has a backing file under `dir`, and returns the
 * lines still listed then. A lazy unmount frees the loop device only once the last process
 * that used the filesystem has exited, which takes a moment on a loaded host.
 */
export async function loopDevicesLeftUnder(dir: string): Promise<string[]> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (loopDevicesUnder(dir).length === 0) {
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return loopDevicesUnder(dir);
}

/**
 * A background process whose state lives only in its memory: a random token drawn at start
 * and a counter. It writes both to a workspace file every 50 ms, so a restarted process
 * would show a new token and a counter from zero.
 */
export const COUNTER =
  'nohup python3 -c \'import os,time\ntoken=os.urandom(8).hex()\nblob=os.urandom(1<<20)\nn=0\nwhile True:\n  n+=1\n  open("/workspace/state.tmp","w").write("%s %d %d" % (token, n, len(blob)))\n  os.rename("/workspace/state.tmp","/workspace/state")\n  time.sleep(0.05)\n\' >/dev/null 2>&1 &';

/** Reads the counter process's token and count from inside the sandbox. */
export async function readState(
  sandbox: SandboxInstance,
): Promise<{ token: string; count: number }> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const result = await sandbox.exec({ command: 'cat /workspace/state 2>/dev/null' });
    const [token, count] = result.stdout.split(' ');
    if (token !== undefined && count !== undefined) {
      return { token, count: Number(count) };
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('The counter process never wrote /workspace/state');
}

/** Waits (bounded) until the counter passes `count`, and returns its state then. */
export async function waitPast(
  sandbox: SandboxInstance,
  count: number,
): Promise<{ token: string; count: number }> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const state = await readState(sandbox);
    if (state.count > count) {
      return state;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`The counter did not pass ${count}`);
}

/** Commands copied into the small directory rootfs, with the libraries `ldd` lists. */
const ROOTFS_COMMANDS = ['sh', 'ls', 'stat', 'cat', 'timeout', 'sleep'];

/**
 * Builds a root filesystem from a few host binaries and their libraries, much smaller than a
 * distribution. `/` is made world-readable, because gVisor commands run as `nobody`.
 */
export function buildSmallRootfs(root: string): void {
  const binaries = ROOTFS_COMMANDS.map((name) =>
    execFileSync('/bin/sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim(),
  );
  const ldd = execFileSync('ldd', binaries, { encoding: 'utf8' });
  const libraries = [...new Set(ldd.match(/\/\S+\.so[.\d]*/g) ?? [])];
  for (const dir of ['bin', 'dev', 'proc', 'tmp', 'workspace']) {
    mkdirSync(join(root, dir), { recursive: true });
  }
  for (const [index, binary] of binaries.entries()) {
    copyFileSync(binary, join(root, 'bin', ROOTFS_COMMANDS[index] ?? basename(binary)));
    chmodSync(join(root, 'bin', ROOTFS_COMMANDS[index] ?? basename(binary)), 0o755);
  }
  for (const library of libraries) {
    mkdirSync(join(root, dirname(library)), { recursive: true });
    copyFileSync(realpathSync(library), join(root, library));
  }
  chmodSync(root, 0o755);
}

/** Programs of the musl root filesystem, built from test/fixtures/sandbox/musl/<name>.c. */
export const MUSL_PROGRAMS = ['hello', 'write-file'];

/** musl's dynamic loader, which is also its C library, at the path musl programs name. */
const MUSL_LOADER = '/lib/ld-musl-x86_64.so.1';

/**
 * Returns why a musl root filesystem cannot be built here, or undefined when it can: it
 * needs musl-gcc and musl's x86_64 loader (Debian's musl-tools package).
 */
export function muslMissing(): string | undefined {
  if (process.arch !== 'x64') {
    return `the musl fixtures name the x86_64 loader, and this machine is ${process.arch}`;
  }
  try {
    execFileSync('musl-gcc', ['--version'], { stdio: 'ignore' });
  } catch {
    return "musl-gcc is missing; install Debian's musl-tools package (apt-get install musl-tools)";
  }
  return existsSync(MUSL_LOADER) ? undefined : `${MUSL_LOADER} is missing; reinstall musl-tools`;
}

/**
 * Builds a root filesystem of dynamically linked musl programs in /bin, musl's loader and the
 * empty mount points the runtimes need. It has no /bin/sh, no glibc and no /etc.
 */
export function buildMuslRootfs(root: string): void {
  for (const dir of ['bin', 'lib', 'dev', 'proc', 'tmp', 'workspace']) {
    mkdirSync(join(root, dir), { recursive: true });
  }
  copyFileSync(realpathSync(MUSL_LOADER), join(root, MUSL_LOADER));
  chmodSync(join(root, MUSL_LOADER), 0o755);
  const sources = join(import.meta.dirname, '../fixtures/sandbox/musl');
  for (const name of MUSL_PROGRAMS) {
    execFileSync('musl-gcc', ['-O2', '-o', join(root, 'bin', name), join(sources, `${name}.c`)]);
  }
  chmodSync(root, 0o755);
}

/**
 * Removes what a host reboot removes from a sandbox whose controller is gone: its host
 * processes, the writable layer's mount and its loop device, runsc's state folder and the
 * sandbox's cgroups. The state folder and the disk image stay, as they would on a disk. A
 * real reboot also changes the host's boot id, so the boot id recorded with the checkpoint
 * image is replaced by another one.
 */
export async function simulateReboot(id: string, stateDir: string): Promise<void> {
  await unmountWhileUp(id, stateDir);
  recordBootId(stateDir, '00000000-0000-4000-8000-000000000000');
}

/**
 * Removes the same as {@link simulateReboot} but keeps the recorded boot id, as when an
 * operator unmounts a suspended sandbox's layer while the host stays up.
 */
export async function unmountWhileUp(id: string, stateDir: string): Promise<void> {
  // Suspend kills the runtime's processes, but on a loaded host one may still be exiting and
  // hold the mount. A reboot ends every process, so wait for them (bounded: 10 s).
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const left = hostProcessesNaming(id);
    if (left.length === 0) {
      break;
    }
    for (const pid of left) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  // Not lazy, and the kernel then detaches the loop device that mount set up with autoclear,
  // which can take a moment after umount returns.
  execFileSync('umount', [join(stateDir, 'rw')]);
  const attached = await loopDevicesLeftUnder(stateDir);
  if (attached.length > 0) {
    throw new Error(`Loop devices still attached after umount: ${attached.join('; ')}`);
  }
  rmSync(join(stateDir, 'runsc'), { recursive: true, force: true });
  for (const controller of ['cpu', 'cpuacct', 'memory', 'pids']) {
    if (existsSync(cgroupDir(controller, id))) {
      rmdirSync(cgroupDir(controller, id));
    }
  }
}

/** Replaces the boot id recorded with a suspended sandbox's checkpoint image. */
export function recordBootId(stateDir: string, bootId: string): void {
  const path = join(stateDir, 'checkpoint', IMAGE_MANIFEST_FILE);
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as ImageManifest;
  writeFileSync(path, JSON.stringify({ ...manifest, bootId }));
}

/** Returns a logger that keeps its info, warning and error lines. */
export function recordingLogger(): {
  logger: Logger;
  lines: { message: string; meta?: LogMeta }[];
} {
  const lines: { message: string; meta?: LogMeta }[] = [];
  const keep = (message: string, meta?: LogMeta): void => {
    lines.push({ message, ...(meta === undefined ? {} : { meta }) });
  };
  const logger: Logger = {
    trace: () => undefined,
    debug: () => undefined,
    info: keep,
    warn: keep,
    error: keep,
    child: () => logger,
  };
  return { logger, lines };
}
