import { execFile } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SandstackError } from '../../core/errors.js';
import type { RuntimeName, SandboxTemplate } from '../types.js';

const execFileAsync = promisify(execFile);

/**
 * Files of gVisor checkpoints on the host. A suspended sandbox keeps its checkpoint image in
 * `checkpoint/` under its state folder. A snapshot folder contains `image/` (the checkpoint),
 * `files/` (a copy of the writable layer: workspace and `/tmp`) and `snapshot.json`.
 */

/** Name of the image file `runsc checkpoint` writes into its `--image-path` folder. */
const IMAGE_FILE = 'checkpoint.img';

/** Record stored beside a snapshot's image, read back when a sandbox starts from it. */
export interface SnapshotManifest {
  /** Sandbox the snapshot was taken from. */
  sourceId: string;
  runtime: RuntimeName;
  /** Template of the source sandbox; a restore needs the same root filesystem and mounts. */
  template: SandboxTemplate;
  createdAt: number;
}

/** Folder of a suspended sandbox's checkpoint image. */
export function suspendImageDir(stateDir: string): string {
  return join(stateDir, 'checkpoint');
}

/** Returns whether `imageDir` contains a complete checkpoint image. */
export function hasImage(imageDir: string): boolean {
  return existsSync(join(imageDir, IMAGE_FILE));
}

/** Magic bytes at the start of a runsc checkpoint image. */
const IMAGE_MAGIC = 'gVisorSF';

/**
 * Checks the header of a checkpoint image: the magic bytes `gVisorSF`, a big-endian 64-bit
 * length, and that many bytes of JSON metadata, as observed in images that runsc
 * 0.0~20221219.0 writes. Returns what is wrong, naming the file but not its folder, or
 * undefined for a valid header. The sizes and digests of the whole image are checked by
 * `verifyImage`, for images that have them.
 */
export function checkImageHeader(imageDir: string): string | undefined {
  const path = join(imageDir, IMAGE_FILE);
  const fd = openSync(path, 'r');
  try {
    const start = Buffer.alloc(16);
    const headerBytes = readSync(fd, start, 0, start.length, 0);
    if (headerBytes < start.length || start.toString('latin1', 0, 8) !== IMAGE_MAGIC) {
      return `its file "${IMAGE_FILE}" does not start with the checkpoint image header "${IMAGE_MAGIC}"`;
    }
    const length = start.readBigUInt64BE(8);
    // The metadata contains a few fields (151 bytes in an image of a small sandbox), so a length
    // over 1 MiB is damage rather than data.
    if (length > 1024n * 1024n) {
      return `its file "${IMAGE_FILE}" declares ${length} bytes of metadata in the checkpoint image header, more than the 1 MiB this check accepts`;
    }
    const metadata = Buffer.alloc(Number(length));
    const read = readSync(fd, metadata, 0, metadata.length, start.length);
    try {
      JSON.parse(metadata.toString('utf8', 0, read));
    } catch {
      return `its file "${IMAGE_FILE}" has metadata in the checkpoint image header that is not valid JSON`;
    }
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Folders inside a snapshot folder. */
export function snapshotPaths(dir: string): { image: string; files: string; manifest: string } {
  return {
    image: join(dir, 'image'),
    files: join(dir, 'files'),
    manifest: join(dir, 'snapshot.json'),
  };
}

/**
 * Reads a snapshot's manifest. `label` names the snapshot in the error, such as
 * `snapshot "base"`: the message can reach a tenant, so it never names the host folder.
 * @throws SandstackError `SNAPSHOT_NOT_FOUND` when the folder has no complete snapshot
 */
export function readSnapshotManifest(dir: string, label: string): SnapshotManifest {
  const paths = snapshotPaths(dir);
  if (!existsSync(paths.manifest) || !hasImage(paths.image)) {
    throw new SandstackError(
      'SNAPSHOT_NOT_FOUND',
      `The files of ${label} are missing or incomplete; take it again with "sandstack sandbox snapshot" (POST /v1/sandboxes/{id}/snapshot over HTTP)`,
    );
  }
  return JSON.parse(readFileSync(paths.manifest, 'utf8')) as SnapshotManifest;
}

/** Writes a snapshot's manifest last, so that a folder with one is complete. */
export function writeSnapshotManifest(dir: string, manifest: SnapshotManifest): void {
  writeFileSync(snapshotPaths(dir).manifest, JSON.stringify(manifest, null, 2));
}

/**
 * Copies every file of one folder into another, keeping modes, owners, times and holes. A
 * restored gVisor sandbox re-opens its files by path, so the copy must look the same.
 */
export async function copyTree(from: string, to: string): Promise<void> {
  mkdirSync(to, { recursive: true });
  await execFileAsync('cp', ['-a', '--sparse=always', `${from}/.`, to]);
}

/** Bytes used by the files under `dir` (`du -sb`), or 0 when it is missing. */
export async function treeBytes(dir: string): Promise<number> {
  if (!existsSync(dir)) {
    return 0;
  }
  const { stdout } = await execFileAsync('du', ['-sb', dir]);
  return Number(stdout.split('\t')[0] ?? 0);
}

/** CPU and memory of a sandbox's earlier runtimes, stored so a later process keeps them. */
export interface EarlierUsage {
  cpuSeconds: number;
  memoryPeakBytes: number;
}

/** Reads the usage stored by {@link saveEarlierUsage}, or zeros. */
export function readEarlierUsage(stateDir: string): EarlierUsage {
  try {
    return JSON.parse(readFileSync(join(stateDir, 'usage.json'), 'utf8')) as EarlierUsage;
  } catch {
    return { cpuSeconds: 0, memoryPeakBytes: 0 };
  }
}

/** Stores the usage of runtimes that have ended (restarts, or a suspend's checkpoint). */
export function saveEarlierUsage(stateDir: string, usage: EarlierUsage): void {
  writeFileSync(join(stateDir, 'usage.json'), JSON.stringify(usage));
}
