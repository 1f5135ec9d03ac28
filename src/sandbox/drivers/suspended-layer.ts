import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { SandstackError } from '../../core/errors.js';
import type { LayerRecovery } from '../types.js';
import {
  isWritableLayerMounted,
  remountWritableLayer,
  unmountWritableLayer,
  writableLayerImage,
} from '../writable-layer.js';
import { hasImage, suspendImageDir } from './checkpoint-files.js';
import {
  checkImageBeforeRestore,
  currentBootId,
  readImageManifest,
  type ImageSubject,
} from './checkpoint-image.js';
import { layoutOf } from './shared.js';

const execFileAsync = promisify(execFile);

/** Options for {@link recoverSuspendedLayer}. */
export interface RecoverSuspendedLayerOptions {
  id: string;
  stateDir: string;
  /** Checks what the image's init process is; throws for one this version cannot restore. */
  checkInit: (imageDir: string) => void;
}

/**
 * Mounts the writable layer of a suspended gVisor sandbox again when it is not mounted, after
 * verifying the checkpoint image. The boot id recorded with the image tells why the layer was
 * unmounted:
 *
 * - another boot id: the host rebooted, which unmounted every layer. The layer is checked
 *   with `e2fsck -p` and mounted again.
 * - the same boot id: something unmounted the layer while the host stayed up, such as an
 *   operator's `umount`. It is mounted again in the same way only while its disk image is
 *   attached to no loop device. An attached image may be mounted elsewhere, and a second
 *   mount of one ext4 image corrupts it, so such a layer is left alone.
 * - no boot id recorded (an image of an earlier version): handled as a reboot.
 *
 * @returns undefined when the layer was mounted already, else how it was recovered
 * @throws SandstackError `CHECKPOINT_CORRUPT` for a damaged image, `SANDBOX_FAILED` (retryable)
 *   when the disk image is still attached to a loop device, and `SANDBOX_FAILED` when the
 *   metadata, the checkpoint image or the disk image is missing or the disk image is corrupt.
 *   The layer is left unmounted then.
 */
export async function recoverSuspendedLayer(
  options: RecoverSuspendedLayerOptions,
): Promise<LayerRecovery | undefined> {
  const { id, stateDir } = options;
  if (isWritableLayerMounted(stateDir)) {
    return undefined;
  }
  const layout = layoutOf(stateDir);
  if (!existsSync(layout.meta)) {
    throw new SandstackError(
      'SANDBOX_FAILED',
      `The metadata file "${layout.meta}" of sandbox "${id}" is missing`,
    );
  }
  const imageDir = suspendImageDir(stateDir);
  if (!hasImage(imageDir)) {
    throw new SandstackError(
      'SANDBOX_FAILED',
      `The checkpoint image of suspended sandbox "${id}" is missing from "${imageDir}"`,
    );
  }
  const subject: ImageSubject = { kind: 'suspended', sandboxId: id };
  await checkImageBeforeRestore(imageDir, subject);
  options.checkInit(imageDir);

  const recovery = classifyLayerLoss(readImageManifest(imageDir, subject)?.bootId);
  if (recovery.cause === 'unmounted-while-up') {
    await rejectAttachedImage(id, writableLayerImage(stateDir));
  }
  await remountWritableLayer(stateDir);
  if (!existsSync(layout.workspace)) {
    await unmountWritableLayer(stateDir);
    throw new SandstackError(
      'SANDBOX_FAILED',
      `The writable layer of sandbox "${id}" has no workspace folder after mounting it again`,
    );
  }
  return recovery;
}

/** Compares the boot id recorded at suspend with the current one. */
function classifyLayerLoss(recordedBootId: string | undefined): LayerRecovery {
  const bootId = currentBootId();
  if (recordedBootId === undefined || bootId === undefined) {
    return {
      cause: 'boot-unknown',
      ...(recordedBootId === undefined ? {} : { recordedBootId }),
      ...(bootId === undefined ? {} : { bootId }),
    };
  }
  return {
    cause: recordedBootId === bootId ? 'unmounted-while-up' : 'host-reboot',
    recordedBootId,
    bootId,
  };
}

/**
 * Throws when a disk image is attached to a loop device, because it may then be mounted
 * elsewhere.
 */
async function rejectAttachedImage(id: string, image: string): Promise<void> {
  const devices = await loopDevicesOf(image);
  if (devices.length === 0) {
    return;
  }
  const first = devices[0] ?? '';
  throw new SandstackError(
    'SANDBOX_FAILED',
    `The writable layer of suspended sandbox "${id}" was unmounted while the host stayed up, and its disk image "${image}" is still attached to ${devices.join(', ')}, so it may be mounted elsewhere, and a second mount could corrupt it. Unmount it there and detach it with "losetup -d ${first}"; the next controller start or access mounts it again`,
    { retryable: true, details: { sandboxId: id, loopDevices: devices } },
  );
}

/**
 * Returns the loop devices backed by `image` (`losetup -j`), or none when losetup is
 * missing.
 */
async function loopDevicesOf(image: string): Promise<string[]> {
  let stdout: string;
  try {
    ({ stdout } = await execFileAsync('losetup', ['-j', image]));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return [];
    }
    throw new SandstackError('SANDBOX_FAILED', `"losetup -j ${image}" failed: ${String(error)}`, {
      cause: error,
      retryable: true,
    });
  }
  return stdout
    .split('\n')
    .map((line) => line.split(':')[0]?.trim() ?? '')
    .filter((device) => device !== '');
}
