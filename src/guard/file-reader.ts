/**
 * A bounded reader of the files a call runs or feeds to a program (`bash deploy.sh`, `psql -f
 * migrate.sql`, `curl -K req.cfg`), for a guard that runs on the host that holds them. It
 * reads only small regular text files inside the given roots. A file that exists inside the
 * roots but cannot be read is reported with the reason, so the caller can tell it from a file
 * that does not exist yet.
 */
import fs from 'node:fs';
import path from 'node:path';

/** A file that exists inside the roots but was not read, and why. */
export interface UnreadFile {
  /** Why the file was not read, as a phrase after the file name: "is larger than 65536 bytes". */
  unread: string;
  /** True when the file starts with the header of a compiled program (ELF, Mach-O or PE). */
  compiled: boolean;
}

/**
 * Reads the text of a file by absolute path. Returns undefined when the file does not exist or
 * lies outside the roots as named, and an {@link UnreadFile} when it exists inside them but
 * may not or cannot be read.
 */
export type FileReader = (file: string) => string | UnreadFile | undefined;

/** Largest file the reader returns, in bytes. Scripts and configs that calls run are usually far smaller. */
export const MAX_READ_FILE_BYTES = 64 * 1024;

/** Checks whether a reader's result is an {@link UnreadFile}. */
export function isUnread(result: string | UnreadFile | undefined): result is UnreadFile {
  return typeof result === 'object';
}

/** Flags of every open: no link as the last component, no wait for a FIFO's writer, no controlling terminal. */
export const READ_OPEN_FLAGS =
  fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY;

/** Bytes read to tell a compiled program from a script. */
const HEADER_BYTES = 4;

/**
 * Creates a reader of regular files whose real path, after every symbolic link, lies inside
 * one of `roots`. The reader never throws and touches no file whose path, as named, lies
 * outside the roots, so `/proc/kcore` or a slow mount elsewhere is never opened.
 *
 * A FIFO, device, socket or folder is rejected by `lstat` before any open, so in the
 * ordinary case no such file is opened at all. The file is then opened once, below its root
 * by {@link openBeneath}, with `O_NOFOLLOW`, `O_NONBLOCK` and `O_NOCTTY`. Every check after
 * the open is made on the descriptor: its type and size by `fstat`, and its real path by
 * `/proc/self/fd/N` on Linux. A folder swapped for a link after the path check therefore
 * cannot lead the read outside the roots.
 *
 * @example
 * const readFile = createFileReader(['/home/dev/project']);
 * readFile('/home/dev/project/deploy.sh'); // the script's text
 * readFile('/home/dev/project/big.sh'); // { unread: 'is larger than 65536 bytes', compiled: false }
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
    const named = path.resolve(file);
    const inRoots = (candidate: string): boolean =>
      realRoots?.some((root) => isInsideRoot(candidate, root)) === true;
    if (!inRoots(named) && !roots.some((root) => isInsideRoot(named, path.resolve(root)))) {
      return undefined;
    }
    return readInsideRoots(named, realRoots, maxBytes);
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

/** Returns the error code of a failed file system call, such as `ENOENT`. */
function errorCode(error: unknown): string {
  return error instanceof Error && 'code' in error ? String(error.code) : 'an error';
}

/** Names the type of a file that is not a regular file. */
function fileType(stats: fs.Stats): string {
  if (stats.isDirectory()) {
    return 'a folder';
  }
  if (stats.isFIFO()) {
    return 'a FIFO';
  }
  if (stats.isSocket()) {
    return 'a socket';
  }
  return stats.isCharacterDevice() || stats.isBlockDevice() ? 'a device' : 'not a regular file';
}

function unread(reason: string, compiled = false): UnreadFile {
  return { unread: reason, compiled };
}

/** Reads `named`, whose path as named lies inside the roots, if its real file does too. */
function readInsideRoots(
  named: string,
  realRoots: readonly string[],
  maxBytes: number,
): string | UnreadFile | undefined {
  const inRoots = (file: string): boolean => realRoots.some((root) => isInsideRoot(file, root));
  let real: string;
  try {
    real = fs.realpathSync.native(named);
  } catch (error) {
    const code = errorCode(error);
    return code === 'ENOENT' || code === 'ENOTDIR'
      ? undefined
      : unread(`cannot be resolved (${code})`);
  }
  if (!inRoots(real)) {
    return unread('links outside the project');
  }
  let stats: fs.Stats;
  try {
    stats = fs.lstatSync(real);
  } catch (error) {
    return unread(`cannot be examined (${errorCode(error)})`);
  }
  if (!stats.isFile()) {
    return unread(`is ${fileType(stats)}`);
  }
  let descriptor: number;
  try {
    const root = realRoots.find((candidate) => isInsideRoot(real, candidate)) ?? real;
    descriptor = openBeneath(root, real);
  } catch (error) {
    return unread(`cannot be opened (${errorCode(error)})`);
  }
  try {
    return readDescriptor(descriptor, real, inRoots, maxBytes);
  } catch (error) {
    return unread(`cannot be read (${errorCode(error)})`);
  } finally {
    fs.closeSync(descriptor);
  }
}

/** Flags of the open of each folder on the way to the file: a folder, and not a link to one. */
const FOLDER_OPEN_FLAGS =
  fs.constants.O_RDONLY | fs.constants.O_DIRECTORY | fs.constants.O_NOFOLLOW;

/** True when this process can name its open descriptors as `/proc/self/fd/N` (Linux). */
let hasProcFd: boolean | undefined;

/**
 * Opens `file` below `root` one path component at a time, each folder by the descriptor of
 * the one before (`/proc/self/fd/N/NAME`) with `O_NOFOLLOW`, as `openat` would. A folder
 * swapped for a link during the walk makes the open fail, so the walk never leaves `root`
 * and never opens a device or FIFO through such a link. Without procfs it opens the path
 * directly, and the checks on the descriptor catch a swapped folder after the open.
 */
export function openBeneath(root: string, file: string): number {
  hasProcFd ??= fs.existsSync('/proc/self/fd');
  const parts = path.relative(root, file).split(path.sep);
  if (!hasProcFd || parts.length === 0 || parts.includes('..')) {
    return fs.openSync(file, READ_OPEN_FLAGS);
  }
  let folder = fs.openSync(root, FOLDER_OPEN_FLAGS);
  try {
    for (const part of parts.slice(0, -1)) {
      const next = fs.openSync(`/proc/self/fd/${folder}/${part}`, FOLDER_OPEN_FLAGS);
      fs.closeSync(folder);
      folder = next;
    }
    return fs.openSync(`/proc/self/fd/${folder}/${parts.at(-1) ?? ''}`, READ_OPEN_FLAGS);
  } finally {
    fs.closeSync(folder);
  }
}

/** Checks the opened file by its descriptor, then reads at most `maxBytes` of it. */
function readDescriptor(
  descriptor: number,
  real: string,
  inRoots: (file: string) => boolean,
  maxBytes: number,
): string | UnreadFile {
  const stats = fs.fstatSync(descriptor);
  if (!stats.isFile()) {
    return unread(`is ${fileType(stats)}`);
  }
  const opened = openedPath(descriptor, stats, real);
  if (opened === undefined || !inRoots(opened)) {
    return unread('links outside the project');
  }
  if (stats.size > maxBytes) {
    return unread(`is larger than ${maxBytes} bytes`, isCompiled(readHeader(descriptor)));
  }
  // The buffer has room for one byte over the limit, so a file that grew after the fstat
  // is rejected too.
  const buffer = Buffer.alloc(maxBytes + 1);
  let length = 0;
  for (;;) {
    const read = fs.readSync(descriptor, buffer, length, buffer.length - length, length);
    if (read === 0) {
      break;
    }
    length += read;
    if (length > maxBytes) {
      return unread(`is larger than ${maxBytes} bytes`, isCompiled(buffer));
    }
  }
  const bytes = buffer.subarray(0, length);
  return bytes.includes(0)
    ? unread('contains NUL bytes', isCompiled(bytes))
    : bytes.toString('utf8');
}

/**
 * Returns the real path of the file open as `descriptor`. Linux names it by the link
 * `/proc/self/fd/N`. Elsewhere the real path found again by name counts only when it is the
 * same file (device and inode) as the descriptor.
 */
function openedPath(descriptor: number, stats: fs.Stats, real: string): string | undefined {
  try {
    return fs.readlinkSync(`/proc/self/fd/${descriptor}`);
  } catch {
    // No procfs: compare the file found again by name with the open one.
  }
  const again = realPath(real);
  if (again === undefined) {
    return undefined;
  }
  try {
    const named = fs.statSync(again);
    return named.dev === stats.dev && named.ino === stats.ino ? again : undefined;
  } catch {
    return undefined;
  }
}

function readHeader(descriptor: number): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  const read = fs.readSync(descriptor, header, 0, HEADER_BYTES, 0);
  return header.subarray(0, read);
}

/** Checks whether `bytes` start with the header of an ELF, Mach-O or PE program. */
export function isCompiled(bytes: Uint8Array): boolean {
  const magic = Buffer.from(bytes.subarray(0, HEADER_BYTES)).toString('hex');
  return (
    magic === '7f454c46' ||
    ['feedface', 'feedfacf', 'cefaedfe', 'cffaedfe'].includes(magic) ||
    magic.startsWith('4d5a')
  );
}

/**
 * Creates a reader that serves the given texts by absolute path, as the eval set states them.
 * A text is judged as a file on disk with that content would be: over `maxBytes` (counted in
 * UTF-8) or with a NUL character it is unread.
 */
export function fixedFileReader(
  files: Readonly<Record<string, string>>,
  maxBytes = MAX_READ_FILE_BYTES,
): FileReader {
  return (file) => {
    if (!Object.hasOwn(files, file)) {
      return undefined;
    }
    const bytes = Buffer.from(files[file] ?? '', 'utf8');
    if (bytes.length > maxBytes) {
      return unread(`is larger than ${maxBytes} bytes`, isCompiled(bytes));
    }
    return bytes.includes(0) ? unread('contains NUL bytes', isCompiled(bytes)) : files[file];
  };
}
