/**
 * File operations beyond `readFile` and `writeFile`: list a folder, check a path, delete,
 * and copy whole folders in and out as tar archives. Each one is a command inside the
 * sandbox, run as the sandbox's command user, so a path can reach only what a command in
 * that sandbox could reach. Symlinks and `..` resolve inside the sandbox, never on the
 * host. They work on every runtime, because they use `exec` only.
 */
import { SandstackError } from '../core/errors.js';
import { helperRequest } from './process.js';
import { checkArchive } from './tar-check.js';
import type { SandboxInstance } from './types.js';

/** Largest tar archive {@link downloadArchive} returns and {@link uploadArchive} takes. */
export const MAX_ARCHIVE_BYTES = 256 * 1024 * 1024;

/** Largest number of entries {@link listFiles} returns. */
export const MAX_LIST_ENTRIES = 10_000;

/** Wall-clock limit of one archive command: large folders take longer than a command's default. */
const ARCHIVE_TIMEOUT_MS = 10 * 60_000;

/** One entry of a folder. */
export interface FileEntry {
  name: string;
  type: 'file' | 'directory' | 'symlink' | 'other';
  sizeBytes: number;
  /** Last modification, in milliseconds since 1970. */
  modifiedMs: number;
  /** Permission bits, such as 0o644. */
  mode: number;
}

const FIND_TYPES: Record<string, FileEntry['type']> = { f: 'file', d: 'directory', l: 'symlink' };

/**
 * Lists the entries of a folder, sorted by name, without following symlinks.
 * @throws SandstackError `FILE_NOT_FOUND` when the path does not exist,
 * `SANDBOX_PATH_INVALID` when it is not a folder, `SANDBOX_LIMIT` past {@link MAX_LIST_ENTRIES}
 */
export async function listFiles(sandbox: SandboxInstance, path: string): Promise<FileEntry[]> {
  const quoted = quotePath(path);
  // find prints NUL-separated fields, so any byte but NUL may appear in a name.
  const script = `${missingOrNotFolder(quoted)}
exec find ${quoted} -mindepth 1 -maxdepth 1 -printf '%y\\0%s\\0%T@\\0%m\\0%f\\0'`;
  const result = await sandbox.exec(
    helperRequest({ command: script, maxStdoutBytes: 64 * 1024 * 1024 }),
  );
  failOn(result, path, 'list');
  const fields = result.stdout.split('\0');
  const entries: FileEntry[] = [];
  for (let index = 0; index + 5 <= fields.length; index += 5) {
    const [type = '', size = '0', modified = '0', mode = '0', name = ''] = fields.slice(
      index,
      index + 5,
    );
    entries.push({
      name,
      type: FIND_TYPES[type] ?? 'other',
      sizeBytes: Number(size),
      modifiedMs: Math.round(Number(modified) * 1000),
      mode: parseInt(mode, 8),
    });
  }
  if (entries.length > MAX_LIST_ENTRIES) {
    throw new SandstackError(
      'SANDBOX_LIMIT',
      `Folder "${path}" has ${entries.length} entries, more than the ${MAX_LIST_ENTRIES} a listing returns; list its subfolders, or run "find" with exec`,
    );
  }
  // Byte order of the names, as `ls` shows them in the C locale.
  return entries.sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
}

/** Returns whether a path exists in the sandbox (a dangling symlink counts). */
export async function fileExists(sandbox: SandboxInstance, path: string): Promise<boolean> {
  const quoted = quotePath(path);
  const result = await sandbox.exec({ command: `[ -e ${quoted} ] || [ -L ${quoted} ]` });
  return result.exitCode === 0;
}

/**
 * Deletes a file, a symlink or, with `recursive`, a folder and everything in it.
 * @throws SandstackError `FILE_NOT_FOUND` when the path does not exist,
 * `SANDBOX_PATH_INVALID` for a folder without `recursive` or a path that cannot be removed
 */
export async function deleteFile(
  sandbox: SandboxInstance,
  path: string,
  options: { recursive?: boolean } = {},
): Promise<void> {
  const quoted = quotePath(path);
  const guard =
    options.recursive === true
      ? ''
      : `if [ -d ${quoted} ] && [ ! -L ${quoted} ]; then echo "is a directory; delete it with recursive" >&2; exit 21; fi\n`;
  const script = `if ! [ -e ${quoted} ] && ! [ -L ${quoted} ]; then echo "No such file or directory" >&2; exit 2; fi
${guard}exec rm -rf -- ${quoted}`;
  failOn(await sandbox.exec({ command: script }), path, 'delete');
}

/**
 * Packs a folder of the sandbox into a tar archive (paths relative to the folder).
 * @throws SandstackError `FILE_NOT_FOUND`, `SANDBOX_PATH_INVALID` when the path is not a
 * folder or tar fails, `SANDBOX_LIMIT` past {@link MAX_ARCHIVE_BYTES}
 */
export async function downloadArchive(sandbox: SandboxInstance, path: string): Promise<Buffer> {
  const quoted = quotePath(path);
  // exec returns text, so the archive travels as base64. dash has no pipefail, so tar's
  // exit status is written to stderr and read back.
  const script = `${missingOrNotFolder(quoted)}
{ tar -C ${quoted} -cf - . ; echo "tar-exit:$?" >&2; } | base64 -w 0`;
  const result = await sandbox.exec(
    helperRequest({
      command: script,
      timeoutMs: ARCHIVE_TIMEOUT_MS,
      maxStdoutBytes: Math.ceil((MAX_ARCHIVE_BYTES * 4) / 3) + 4,
    }),
  );
  if (result.stdoutTruncated) {
    throw new SandstackError(
      'SANDBOX_LIMIT',
      `Folder "${path}" is larger than ${MAX_ARCHIVE_BYTES} bytes as a tar archive; copy its subfolders one at a time`,
    );
  }
  const tarExit = /tar-exit:(\d+)/.exec(result.stderr)?.[1];
  if (result.exitCode === 0 && tarExit !== undefined && tarExit !== '0') {
    throw new SandstackError(
      'SANDBOX_PATH_INVALID',
      `Could not pack "${path}" in the sandbox: ${lastTarError(result.stderr)}`,
    );
  }
  failOn(result, path, 'pack');
  return Buffer.from(result.stdout, 'base64');
}

/**
 * Unpacks a tar archive into a folder of the sandbox, creating the folder. Entries keep
 * their permission bits but belong to the command user. The whole archive is checked on the
 * host first (see {@link checkArchive}), so an archive with an absolute or `..` path, a
 * device, a member under one of its own symlinks or a hard link out is rejected before
 * anything is written.
 *
 * NOTE: a failure while unpacking (the disk limit, or a folder of the sandbox in the way)
 * leaves the members unpacked so far. A symlink that already exists in the sandbox folder is
 * followed, as by any command there, so it can only lead to what the command user can write.
 * @throws SandstackError `SANDBOX_LIMIT` past {@link MAX_ARCHIVE_BYTES}, `INVALID_ARGUMENT`
 * naming a rejected member, `SANDBOX_PATH_INVALID` when tar cannot unpack the archive there
 */
export async function uploadArchive(
  sandbox: SandboxInstance,
  path: string,
  archive: Uint8Array,
): Promise<void> {
  if (archive.byteLength > MAX_ARCHIVE_BYTES) {
    throw new SandstackError(
      'SANDBOX_LIMIT',
      `Archive of ${archive.byteLength} bytes is larger than the ${MAX_ARCHIVE_BYTES} bytes a sandbox takes at once; split the folder`,
    );
  }
  const quoted = quotePath(path);
  checkArchive(archive);
  const script = `mkdir -p -- ${quoted} && exec tar -C ${quoted} -xf - --no-same-owner`;
  const result = await sandbox.exec({
    command: script,
    stdin: archive,
    timeoutMs: ARCHIVE_TIMEOUT_MS,
  });
  failOn(result, path, 'unpack into');
}

function missingOrNotFolder(quoted: string): string {
  return `if ! [ -e ${quoted} ]; then echo "No such file or directory" >&2; exit 2; fi
if ! [ -d ${quoted} ]; then echo "not a directory" >&2; exit 20; fi`;
}

function failOn(
  result: { exitCode: number; stderr: string; timedOut: boolean },
  path: string,
  action: string,
): void {
  if (result.exitCode === 0) {
    return;
  }
  if (result.timedOut) {
    throw new SandstackError(
      'SANDBOX_TIMEOUT',
      `Could not ${action} "${path}" in the sandbox: the command timed out`,
    );
  }
  const detail = lastTarError(result.stderr);
  if (result.exitCode === 2 && /No such file or directory/.test(detail)) {
    throw new SandstackError('FILE_NOT_FOUND', `Path "${path}" not found in the sandbox`);
  }
  throw new SandstackError(
    'SANDBOX_PATH_INVALID',
    `Could not ${action} "${path}" in the sandbox: ${detail || `exit code ${result.exitCode}`}`,
  );
}

/**
 * Returns the last stderr line that describes the failure, skipping this module's exit-status
 * marker and GNU tar's closing "Exiting with failure status" line.
 */
function lastTarError(stderr: string): string {
  const lines = stderr
    .trim()
    .split('\n')
    .filter(
      (line) =>
        line !== '' && !line.startsWith('tar-exit:') && !/Exiting with failure status/.test(line),
    );
  return lines.pop() ?? '';
}

function quotePath(path: string): string {
  if (path === '' || path.includes('\0')) {
    throw new SandstackError(
      'SANDBOX_PATH_INVALID',
      `Path ${JSON.stringify(path)} is empty or contains a NUL byte; pass a path in the sandbox`,
    );
  }
  // A path starting with "-" would read as an option to find, tar and test.
  const safe = path.startsWith('-') ? `./${path}` : path;
  return `'${safe.replaceAll("'", `'\\''`)}'`;
}
