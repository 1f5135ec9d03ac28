import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  existsSync,
  linkSync,
  mkdirSync,
  rmSync,
  statSync,
  statfsSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { SandstackError } from '../core/errors.js';
import { niceArgv } from './cgroup.js';

const execFileAsync = promisify(execFile);

/**
 * Returns the folder of a sandbox's writable layer: an ext4 filesystem in a sparse image file
 * of the template's `resources.diskBytes`, loop-mounted under the sandbox's state folder. The
 * workspace and `/tmp` live in it, so a sandbox that fills them gets ENOSPC instead of filling
 * the host's disk. It is disk-backed (a tmpfs would charge the files to the sandbox's memory
 * limit), and its contents go with the sandbox.
 */
export function writableLayerDir(stateDir: string): string {
  return join(stateDir, 'rw');
}

/** Returns the path of the disk image file behind a sandbox's writable layer. */
export function writableLayerImage(stateDir: string): string {
  return join(stateDir, 'rw.img');
}

/** Returns whether a sandbox's writable layer is mounted. */
export function isWritableLayerMounted(stateDir: string): boolean {
  return isMountPoint(writableLayerDir(stateDir));
}

/** Options for {@link mountWritableLayer}. */
export interface MountWritableLayerOptions {
  /** Folder of the cached empty images. @default `.images` in the parent folder of `stateDir` */
  imagesDir?: string;
  /** Niceness of the `cp` and `mount` processes. @default 0 */
  niceness?: number;
}

/**
 * Mounts the writable layer unless it is mounted already (a re-attach or a spare layer). The
 * image is a sparse copy of an empty filesystem of the same size, made once per size in
 * `.images` beside the sandboxes' state folders, so a new sandbox pays a copy and a mount
 * rather than a mkfs.
 * @throws SandstackError `SANDBOX_FAILED` when the image cannot be made or mounted (not root)
 */
export async function mountWritableLayer(
  stateDir: string,
  diskBytes: number,
  options: MountWritableLayerOptions = {},
): Promise<string> {
  const dir = writableLayerDir(stateDir);
  mkdirSync(dir, { recursive: true });
  if (isMountPoint(dir)) {
    return dir;
  }
  const image = writableLayerImage(stateDir);
  const imagesDir = options.imagesDir ?? join(dirname(stateDir), '.images');
  const nice = options.niceness === undefined ? [] : niceArgv(options.niceness);
  const run = (argv: string[]): Promise<unknown> => {
    const [program = '', ...args] = [...nice, ...argv];
    return execFileAsync(program, args);
  };
  try {
    const empty = await emptyImage(imagesDir, Math.ceil(diskBytes));
    await run(['cp', '--sparse=always', empty, image]);
    await run(['mount', '-o', 'loop,nosuid,nodev', image, dir]);
  } catch (error) {
    throw new SandstackError(
      'SANDBOX_FAILED',
      `Could not mount the ${diskBytes}-byte writable layer at "${dir}": ${firstLine(error)}; run sandstack as root with loop devices available`,
      { cause: error },
    );
  }
  return dir;
}

/**
 * Mounts a writable layer's existing disk image again, such as after a host reboot unmounted
 * it. `e2fsck -p` first repairs what an unclean shutdown may have left, unless e2fsck is not
 * on PATH. A layer that another process mounted meanwhile counts as mounted.
 * @throws SandstackError `SANDBOX_FAILED` when the image is missing, has errors that
 *   `e2fsck -p` cannot repair, or cannot be mounted
 */
export async function remountWritableLayer(stateDir: string): Promise<void> {
  const dir = writableLayerDir(stateDir);
  const image = writableLayerImage(stateDir);
  if (isMountPoint(dir)) {
    return;
  }
  if (!existsSync(image)) {
    throw new SandstackError(
      'SANDBOX_FAILED',
      `The writable layer's disk image "${image}" is missing`,
    );
  }
  try {
    await execFileAsync('e2fsck', ['-p', image]);
  } catch (error) {
    // Exit status 1 or 2 means that e2fsck repaired the filesystem, and 4 or more that errors
    // are left or e2fsck itself failed (e2fsck(8), e2fsprogs 1.47). A string code (ENOENT)
    // means that e2fsck did not run, such as when PATH has no /sbin. The mount goes ahead
    // then, and it still rejects an image without an ext4 superblock.
    const status = (error as { code?: unknown }).code;
    if (typeof status === 'number' && (status & ~3) !== 0) {
      throw new SandstackError(
        'SANDBOX_FAILED',
        `The writable layer's disk image "${image}" is corrupt: e2fsck -p exited with ${String(status)} (${firstLine(error)})`,
        { cause: error },
      );
    }
  }
  mkdirSync(dir, { recursive: true });
  try {
    await execFileAsync('mount', ['-o', 'loop,nosuid,nodev', image, dir]);
  } catch (error) {
    if (isMountPoint(dir)) {
      return;
    }
    throw new SandstackError(
      'SANDBOX_FAILED',
      `Could not mount the writable layer's disk image "${image}" at "${dir}": ${firstLine(error)}`,
      { cause: error },
    );
  }
}

/** Unmounts a writable layer (lazily, see {@link removeStateDir}) and keeps its image. */
export async function unmountWritableLayer(stateDir: string): Promise<void> {
  const dir = writableLayerDir(stateDir);
  if (isMountPoint(dir)) {
    await execFileAsync('umount', ['-l', dir]).catch(() => undefined);
  }
}

/** Images being made in this process, by path, so concurrent starts make each once. */
const imagesInProgress = new Map<string, Promise<string>>();

/** Returns the path of an empty ext4 image of `bytes`, making it on first use. */
async function emptyImage(cacheDir: string, bytes: number): Promise<string> {
  const path = join(cacheDir, `ext4-${bytes}.img`);
  if (existsSync(path)) {
    return path;
  }
  let making = imagesInProgress.get(path);
  if (making === undefined) {
    making = makeImage(cacheDir, path, bytes).finally(() => imagesInProgress.delete(path));
    imagesInProgress.set(path, making);
  }
  return making;
}

async function makeImage(cacheDir: string, path: string, bytes: number): Promise<string> {
  mkdirSync(cacheDir, { recursive: true });
  // Build under a unique name, then link it in place. A link never replaces a file, so an
  // image another process finished first stays as it is while sandboxes copy it (a rename
  // over it made a concurrent cp fail with "replaced while being copied").
  const partial = `${path}.${randomUUID()}.partial`;
  try {
    await execFileAsync('truncate', ['-s', String(bytes), partial]);
    // No journal and no reserved blocks: the layer is thrown away with the sandbox, and every
    // byte of it is for the sandbox's files.
    const features = ['-O', '^has_journal', '-m', '0', '-E', 'lazy_itable_init=1,nodiscard'];
    await execFileAsync('mkfs.ext4', ['-q', '-F', ...features, partial]);
    try {
      linkSync(partial, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw error;
      }
    }
  } finally {
    rmSync(partial, { force: true });
  }
  return path;
}

/**
 * Unmounts the writable layer if it is mounted, then deletes the state folder. The disk image
 * goes first (the loop device keeps its data until the unmount), so that no other process
 * mounts the layer again while the folder is being deleted.
 */
export async function removeStateDir(stateDir: string): Promise<void> {
  const dir = writableLayerDir(stateDir);
  rmSync(writableLayerImage(stateDir), { force: true });
  if (existsSync(dir) && isMountPoint(dir)) {
    // Lazy, because a runtime process that is still exiting may hold the mount for a moment;
    // the loop device is freed once the last user lets go.
    await execFileAsync('umount', ['-l', dir]).catch(() => undefined);
  }
  if (existsSync(dir) && isMountPoint(dir)) {
    throw new SandstackError(
      'SANDBOX_FAILED',
      `Could not unmount the writable layer "${dir}"; run "umount -l ${dir}" by hand`,
    );
  }
  rmSync(stateDir, { recursive: true, force: true });
}

/** File in a sandbox's state folder that marks it as being released. */
const RELEASING_FILE = 'releasing';

/**
 * Marks a sandbox's state folder as being released, before anything in the sandbox is
 * killed, so that a command that this or another process runs in it reports the release
 * rather than a crash. Does nothing when the folder is gone.
 */
export function markReleasing(stateDir: string): void {
  try {
    writeFileSync(join(stateDir, RELEASING_FILE), '');
  } catch {
    // The folder is already gone, which isBeingReleased also counts as a release.
  }
}

/** Returns whether a sandbox's state folder is marked as being released, or is gone. */
export function isBeingReleased(stateDir: string): boolean {
  return !existsSync(stateDir) || existsSync(join(stateDir, RELEASING_FILE));
}

/** Returns whether the writable layer has no room left (under 64 KiB available). */
export function isWritableLayerFull(stateDir: string): boolean {
  try {
    const stats = statfsSync(writableLayerDir(stateDir));
    return stats.bavail * stats.bsize < 64 * 1024;
  } catch {
    return false;
  }
}

function isMountPoint(dir: string): boolean {
  try {
    return statSync(dir).dev !== statSync(dirname(dir)).dev;
  } catch {
    return false;
  }
}

function firstLine(error: unknown): string {
  const stderr = (error as { stderr?: unknown }).stderr;
  const text = typeof stderr === 'string' && stderr !== '' ? stderr : String(error);
  return text.trim().split('\n')[0] ?? '';
}
