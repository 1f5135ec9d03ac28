import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { SandstackError } from '../../core/errors.js';
import { checkImageHeader } from './checkpoint-files.js';

/**
 * Integrity records of gVisor checkpoint images. After `runsc checkpoint` writes an image,
 * {@link writeImageManifest} stores the size and SHA-256 digest of every file in it, and the
 * host's boot id. {@link verifyImage} checks them before a restore, so that a truncated or
 * damaged image fails with a message that names the file, instead of with runsc's stack
 * trace halfway through the restore.
 *
 * SHA-256 over the whole image is the cost: on a 2-core shared VM (Node 20, CPU with SHA
 * extensions) hashing a 68 MB image from the page cache took 66-76 ms of CPU, about 1 ms per
 * MB, and 3-18 ms per MB of wall time as other jobs loaded the VM (bench/sandbox.ts,
 * `imageDigest`). A restore of such an image reads every byte of it anyway.
 */

/** File in an image folder that contains its {@link ImageManifest}. */
export const IMAGE_MANIFEST_FILE = 'sandstack-image.json';

/** Linux's id of the current boot, which changes on every reboot. */
const BOOT_ID_PATH = '/proc/sys/kernel/random/boot_id';

/** Bytes read per call while hashing. */
const HASH_CHUNK_BYTES = 4 * 1024 * 1024;

/** Size and digest of one file of a checkpoint image. */
export interface ImageFileRecord {
  /** File name inside the image folder. */
  name: string;
  bytes: number;
  /** SHA-256 of the file's contents, in hex. */
  sha256: string;
}

/** Record written beside a checkpoint image once it is complete. */
export interface ImageManifest {
  version: 1;
  /** Boot id of the host when the image was written, if the host has one. */
  bootId?: string;
  files: ImageFileRecord[];
}

/** Owner of a checkpoint image (a suspended sandbox or a snapshot), for error messages and their fix. */
export type ImageSubject =
  | { kind: 'suspended'; sandboxId: string }
  /** `label` names the snapshot, such as `snapshot "base"`; never its host folder. */
  | { kind: 'snapshot'; label: string };

/** Returns the host's current boot id, or undefined when the kernel does not expose it. */
export function currentBootId(): string | undefined {
  try {
    return readFileSync(BOOT_ID_PATH, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/**
 * Hashes every file of a complete image folder and writes {@link IMAGE_MANIFEST_FILE} last.
 * @returns the manifest written
 */
export async function writeImageManifest(imageDir: string): Promise<ImageManifest> {
  const files = await digestImageFiles(imageDir);
  const bootId = currentBootId();
  const manifest: ImageManifest = {
    version: 1,
    ...(bootId === undefined ? {} : { bootId }),
    files,
  };
  writeFileSync(join(imageDir, IMAGE_MANIFEST_FILE), JSON.stringify(manifest, null, 2));
  return manifest;
}

/** Returns the size and SHA-256 digest of every file of an image folder, the manifest left out. */
export async function digestImageFiles(imageDir: string): Promise<ImageFileRecord[]> {
  const files: ImageFileRecord[] = [];
  for (const name of imageFileNames(imageDir)) {
    const path = join(imageDir, name);
    files.push({ name, bytes: statSync(path).size, sha256: await sha256Of(path) });
  }
  return files;
}

/**
 * Reads an image folder's manifest, or returns undefined when the image was written before
 * manifests were (or the file is gone).
 * @throws SandstackError `CHECKPOINT_CORRUPT` when the manifest is not valid JSON of its shape
 */
export function readImageManifest(
  imageDir: string,
  subject: ImageSubject,
): ImageManifest | undefined {
  const path = join(imageDir, IMAGE_MANIFEST_FILE);
  if (!existsSync(path)) {
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw corruptError(subject, `its record "${IMAGE_MANIFEST_FILE}" is not valid JSON`);
  }
  if (!isManifest(parsed)) {
    throw corruptError(
      subject,
      `its record "${IMAGE_MANIFEST_FILE}" lacks the list of files with their sizes and digests`,
    );
  }
  return parsed;
}

/** Verified images of this process, by folder, with the size and times of their files then. */
const verifiedImages = new Map<string, string>();

/** Entries kept in {@link verifiedImages}, oldest dropped first, because each resume adds one. */
const MAX_VERIFIED_IMAGES = 256;

/**
 * Checks every file that the image's manifest lists: that it exists, has the recorded size,
 * and matches the recorded SHA-256 digest. An image that was verified before in this process
 * and whose files kept their size, inode and modification time is not hashed again, so a pool
 * that fills from one snapshot pays for the digest once.
 *
 * NOTE: an image without a manifest (written by an earlier version) gets only its header
 * checked, by the caller, so damage past the header still shows only when runsc fails.
 * @returns false when the image has no manifest, true when it was verified
 * @throws SandstackError `CHECKPOINT_CORRUPT` naming the file and what is wrong with it
 */
export async function verifyImage(imageDir: string, subject: ImageSubject): Promise<boolean> {
  const manifest = readImageManifest(imageDir, subject);
  if (manifest === undefined) {
    return false;
  }
  const signature = signatureOf(imageDir, manifest);
  if (signature !== undefined && verifiedImages.get(imageDir) === signature) {
    return true;
  }
  for (const file of manifest.files) {
    await verifyFile(join(imageDir, file.name), file, subject);
  }
  if (signature !== undefined) {
    verifiedImages.delete(imageDir);
    verifiedImages.set(imageDir, signature);
    const oldest = verifiedImages.keys().next().value;
    if (verifiedImages.size > MAX_VERIFIED_IMAGES && oldest !== undefined) {
      verifiedImages.delete(oldest);
    }
  }
  return true;
}

/**
 * Checks an image before a restore: its files against its manifest, then the header of the
 * main image file, which is all that an image without a manifest gets.
 * @throws SandstackError `CHECKPOINT_CORRUPT` naming the file and what is wrong with it
 */
export async function checkImageBeforeRestore(
  imageDir: string,
  subject: ImageSubject,
): Promise<void> {
  await verifyImage(imageDir, subject);
  const problem = checkImageHeader(imageDir);
  if (problem !== undefined) {
    throw corruptError(subject, problem);
  }
}

async function verifyFile(
  path: string,
  file: ImageFileRecord,
  subject: ImageSubject,
): Promise<void> {
  let bytes: number;
  try {
    bytes = statSync(path).size;
  } catch {
    throw corruptError(subject, `its file "${file.name}" is missing`);
  }
  if (bytes !== file.bytes) {
    const change = bytes < file.bytes ? 'truncated' : 'longer than written';
    throw corruptError(
      subject,
      `its file "${file.name}" has ${bytes} bytes, but ${file.bytes} were written at checkpoint time (${change})`,
    );
  }
  if ((await sha256Of(path)) !== file.sha256) {
    throw corruptError(
      subject,
      `its file "${file.name}" does not match the SHA-256 digest recorded at checkpoint time, so its contents changed on disk`,
    );
  }
}

/** Builds the error for a damaged image, with the fix that fits what it belongs to. */
export function corruptError(subject: ImageSubject, problem: string): SandstackError {
  if (subject.kind === 'suspended') {
    const id = subject.sandboxId;
    return new SandstackError(
      'CHECKPOINT_CORRUPT',
      `The checkpoint image of suspended sandbox "${id}" is corrupt: ${problem}, so its processes cannot be restored`,
      {
        details: { sandboxId: id },
        remedy: {
          cli: `release it with "sandstack sandbox release ${id}" and claim a new sandbox`,
          http: `release it with DELETE /v1/sandboxes/${id} and claim a new sandbox`,
        },
      },
    );
  }
  // No host folder: this message can reach a tenant over HTTP.
  return new SandstackError(
    'CHECKPOINT_CORRUPT',
    `The checkpoint image of ${subject.label} is corrupt: ${problem}`,
    {
      remedy: {
        cli: 'delete the snapshot with "sandstack sandbox snapshots --delete <name>" and take it again with "sandstack sandbox snapshot <id> --name <name>"',
        http: 'delete the snapshot with DELETE /v1/sandboxes/snapshots/{name} and take it again with POST /v1/sandboxes/{id}/snapshot',
      },
    },
  );
}

/** Names of the files of an image, the manifest left out, in a stable order. */
function imageFileNames(imageDir: string): string[] {
  return readdirSync(imageDir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name !== IMAGE_MANIFEST_FILE)
    .map((entry) => entry.name)
    .sort();
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(HASH_CHUNK_BYTES);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) {
        break;
      }
      hash.update(buffer.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
  return hash.digest('hex');
}

/**
 * Returns the size, inode and modification times of each listed file, or undefined when
 * one cannot be read (the verify then reports it).
 */
function signatureOf(imageDir: string, manifest: ImageManifest): string | undefined {
  const parts: string[] = [];
  for (const file of manifest.files) {
    try {
      const stats = statSync(join(imageDir, file.name));
      parts.push(`${file.name}:${stats.ino}:${stats.size}:${stats.mtimeMs}:${stats.ctimeMs}`);
    } catch {
      return undefined;
    }
  }
  return `${JSON.stringify(manifest)}|${parts.join('|')}`;
}

function isManifest(value: unknown): value is ImageManifest {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const files = (value as { files?: unknown }).files;
  return (
    Array.isArray(files) &&
    files.every(
      (file: unknown) =>
        typeof file === 'object' &&
        file !== null &&
        typeof (file as ImageFileRecord).name === 'string' &&
        isPlainFileName((file as ImageFileRecord).name) &&
        typeof (file as ImageFileRecord).bytes === 'number' &&
        typeof (file as ImageFileRecord).sha256 === 'string',
    )
  );
}

/** Checks that a listed name stays inside the image folder. */
function isPlainFileName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !name.includes('/');
}
