import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync, statfsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { SandstackError } from '../core/errors.js';

const execFileAsync = promisify(execFile);

/**
 * The writable layer of a sandbox: a tmpfs sized to the template's `resources.diskBytes`,
 * mounted on the host under the sandbox's state folder. The workspace and `/tmp` live in it,
 * so a sandbox that fills them gets ENOSPC instead of filling the host's disk. Its contents
 * use host memory (tmpfs), up to that size, and disappear with the sandbox or a host reboot.
 */
export function writableLayerDir(stateDir: string): string {
  return join(stateDir, 'rw');
}

/**
 * Mounts the writable layer unless it is mounted already (a re-attach), and creates the
 * `workspace` and `tmp` folders in it.
 * @throws SandstackError `SANDBOX_FAILED` when the tmpfs cannot be mounted (not root)
 */
export async function mountWritableLayer(stateDir: string, diskBytes: number): Promise<string> {
  const dir = writableLayerDir(stateDir);
  mkdirSync(dir, { recursive: true });
  if (!isMountPoint(dir)) {
    const options = `size=${Math.ceil(diskBytes)},mode=0755,nosuid,nodev`;
    try {
      await execFileAsync('mount', ['-t', 'tmpfs', '-o', options, 'sandstack', dir]);
    } catch (error) {
      throw new SandstackError(
        'SANDBOX_FAILED',
        `Could not mount the ${diskBytes}-byte writable layer at "${dir}": ${firstLine(error)}; run sandstack as root`,
        { cause: error },
      );
    }
  }
  return dir;
}

/** Unmounts the writable layer if it is mounted, then deletes the state folder. */
export async function removeStateDir(stateDir: string): Promise<void> {
  const dir = writableLayerDir(stateDir);
  if (existsSync(dir) && isMountPoint(dir)) {
    // Lazy, because a runtime process that is still exiting may hold the mount for a moment.
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

/** Whether the writable layer has no room left (under 64 KiB available). */
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
