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

/**
 * Time to wait for a loop device of an unmounted layer to be detached. On the 2-core test VM
 * under load, `losetup -j` still listed the device right after a plain `umount` returned.
 */
const DETACH_WAIT_MS = 3000;

/** Options for {@link recoverSuspendedLayer}. */
export interface RecoverSuspendedLayerOptions {
  id: string;
  stateDir: string;
  /** Checks what the image's init process is; throws for one this version cannot restore. */
  checkInit: (imageDir: string) => void;
}

/**
 * Mounts the writable layer of a suspended gVisor sandbox again when it is not mounted, after
 * verifying the checkpoint image. The boot id recorded with the image shows why the layer was
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
 * Throws when a disk image stays attached to a loop device, because it may then be mounted
 * elsewhere. A device that `mount -o loop` set up is detached by the kernel shortly after the
 * unmount rather than at once, so devices get {@link DETACH_WAIT_MS} to go away first.
 */
async function rejectAttachedImage(id: string, image: string): Promise<void> {
  let devices = await loopDevicesOf(image);
  for (let waitedMs = 0; devices.length > 0 && waitedMs < DETACH_WAIT_MS; waitedMs += 100) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    devices = await loopDevicesOf(image);
  }
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
 * Returns the loop devices backed by `image` (`losetup -j`).
 * NOTE: without losetup on PATH this returns none, so the check for a mount elsewhere is skipped.
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
