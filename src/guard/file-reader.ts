/**
 * A bounded reader of the files a call runs or feeds to a program (`bash deploy.sh`, `psql -f
 * migrate.sql`, `curl -K req.cfg`), for a guard that runs on the host that holds them. It
 * reads only small regular text files inside the given roots, and every failure means
 * "unknown", so the call is decided as if the file could not be seen.
 */
import fs from 'node:fs';
import path from 'node:path';

/** Reads the text of a file by absolute path; undefined when it cannot or may not be read. */
export type FileReader = (file: string) => string | undefined;

/** Largest file the reader returns, in bytes. Scripts and configs that calls run are usually far smaller. */
export const MAX_READ_FILE_BYTES = 64 * 1024;

/**
 * Creates a reader of regular files whose real path, after every symbolic link, lies inside
 * one of `roots`. A larger file than `maxBytes`, a device, FIFO, socket or folder, a file with
 * NUL bytes and any error give undefined; the reader never throws.
 *
 * @example
 * const readFile = createFileReader(['/home/dev/project']);
 * readFile('/home/dev/project/deploy.sh'); // the script's text
 * readFile('/etc/passwd'); // undefined: outside the roots
 */
export function createFileReader(
  roots: readonly string[],
  maxBytes = MAX_READ_FILE_BYTES,
): FileReader {
  let realRoots: string[] | undefined;
  return (file) => {
    if (!path.isAbsolute(file)) {
      return undefined;
    }
    realRoots ??= roots.flatMap((root) => {
      const real = realPath(root);
      return real === undefined ? [] : [real];
    });
    const real = realPath(file);
    if (real === undefined || !realRoots.some((root) => isInsideRoot(real, root))) {
      return undefined;
    }
    return readSmallFile(real, maxBytes);
  };
}

function realPath(file: string): string | undefined {
  try {
    return fs.realpathSync.native(file);
  } catch {
    return undefined;
  }
}

function isInsideRoot(file: string, root: string): boolean {
  return file === root || file.startsWith(root.endsWith('/') ? root : `${root}/`);
}

/**
 * Reads `file` when it is a regular file of at most `maxBytes`. `O_NOFOLLOW` rejects a link
 * put in place of the file after its real path was found, and `O_NONBLOCK` keeps the open of
 * a FIFO from waiting for a writer.
 */
function readSmallFile(file: string, maxBytes: number): string | undefined {
  let descriptor: number | undefined;
  try {
    descriptor = fs.openSync(
      file,
      fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK,
    );
    const stats = fs.fstatSync(descriptor);
    if (!stats.isFile() || stats.size > maxBytes) {
      return undefined;
    }
    // The buffer has room for one byte over the limit, so a file that grew after the fstat
    // is rejected too.
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    for (;;) {
      const read = fs.readSync(descriptor, buffer, length, buffer.length - length, null);
      if (read === 0) {
        break;
      }
      length += read;
      if (length > maxBytes) {
        return undefined;
      }
    }
    const bytes = buffer.subarray(0, length);
    return bytes.includes(0) ? undefined : bytes.toString('utf8');
  } catch {
    return undefined;
  } finally {
    if (descriptor !== undefined) {
      fs.closeSync(descriptor);
    }
  }
}

/** Creates a reader that serves the given texts by absolute path, as the eval set states them. */
export function fixedFileReader(files: Readonly<Record<string, string>>): FileReader {
  return (file) => (Object.hasOwn(files, file) ? files[file] : undefined);
}
