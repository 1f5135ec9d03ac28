/**
 * Modes of the state folder and the files in it. The folder holds every tenant's run
 * parameters, outputs, uploaded inputs and the audit log, so only the owner may read it.
 */
import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import type { Logger } from './logger.js';

/** Mode of the state folder and the folders sandstack creates in it. */
export const PRIVATE_DIR_MODE = 0o700;

/** Mode of the databases and input files sandstack creates in the state folder. */
export const PRIVATE_FILE_MODE = 0o600;

/** Permission bits of group and others. */
const SHARED_BITS = 0o077;

/**
 * Creates `path` (and missing parents) with mode 0700, or removes the group and other
 * permissions of an existing folder, with a warning that names the folder and both modes.
 */
export function ensurePrivateDir(path: string, logger: Logger): void {
  if (!existsSync(path)) {
    mkdirSync(path, { recursive: true, mode: PRIVATE_DIR_MODE });
    return;
  }
  tightenMode(path, PRIVATE_DIR_MODE, logger);
}

/**
 * Sets `path` to `mode` when its group or others have any permission on it, with a warning
 * that names the path and both modes. Does nothing when the file does not exist.
 */
export function tightenMode(path: string, mode: number, logger: Logger): void {
  let current: number;
  try {
    current = statSync(path).mode & 0o777;
  } catch {
    return;
  }
  if ((current & SHARED_BITS) === 0) {
    return;
  }
  chmodSync(path, mode);
  logger.warn('Removed group and other access to state', {
    path,
    oldMode: formatMode(current),
    newMode: formatMode(mode),
  });
}

function formatMode(mode: number): string {
  return `0${mode.toString(8).padStart(3, '0')}`;
}
