/**
 * File operations beyond `readFile` and `writeFile`: list a folder, check a path, delete,
 * and copy whole folders in and out as tar archives. Each one is a command inside the
 * sandbox, run as the sandbox's command user, so a path can reach only what a command in
 * that sandbox could reach. Symlinks and `..` resolve inside the sandbox, never on the
 * host. They work on every runtime, because they use `exec` only.
 */
import { randomUUID } from 'node:crypto';
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
 * The archive is unpacked into a staging folder inside the destination, on the sandbox's
 * own disk, and its members are then hard-linked into place, so a failed unpack (the disk
 * limit, say) writes nothing: the staging folder is removed and the error states that. As with
 * GNU tar, a member replaces a file or symlink at its path. A folder at the path of a member
 * that is not a folder fails the upload before anything is written.
 *
 * NOTE: a failure while linking the members into place (a member path that crosses into
 * another mount, or no inodes left) can leave some of them in place, and the error states that.
 * A symlink that already exists above a member is followed, as by any command there, so it
 * can only lead to what the command user can write.
 * @throws SandstackError `SANDBOX_LIMIT` past {@link MAX_ARCHIVE_BYTES}, `INVALID_ARGUMENT`
 * naming a rejected member, `SANDBOX_PATH_INVALID` when the archive cannot be unpacked there
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
  const result = await sandbox.exec({
    command: unpackScript(quoted, `${STAGING_PREFIX}${randomUUID()}`),
    stdin: archive,
    timeoutMs: ARCHIVE_TIMEOUT_MS,
  });
  failOnUnpack(result, path);
}

/** Name prefix of the staging folder that {@link uploadArchive} unpacks into. */
const STAGING_PREFIX = '.sandstack-unpack-';

/** Exit codes of {@link unpackScript} for its failed steps. */
const UNPACK_EXIT = { unpack: 3, folderInTheWay: 4, link: 5 } as const;

/**
 * Returns the shell script that unpacks standard input into `quoted` through the staging
 * folder `staging` (a name inside it). Paths inside the staging folder are `./member`, so
 * `../member` is the same member's path in the destination.
 */
function unpackScript(quoted: string, staging: string): string {
  // Prints the first member that is not a folder but has a folder (not a symlink) at its
  // path in the destination.
  const folderInTheWay = `for p; do if [ -d "../$p" ] && [ ! -L "../$p" ]; then printf "%s\\n" "$p"; exit 0; fi; done`;
  // Removes the file or symlink at the path of each member that is a folder, as GNU tar does.
  const replaceNonFolders = `for p; do if [ -L "../$p" ] || { [ -e "../$p" ] && [ ! -d "../$p" ]; }; then rm -f -- "../$p"; fi; done`;
  return `dest=${quoted}
made=0
[ -e "$dest" ] || [ -L "$dest" ] || made=1
mkdir -p -- "$dest" || exit 1
dest=$(cd -- "$dest" && pwd) || exit 1
stage="$dest"/${staging}
mkdir -m 700 -- "$stage" || exit 1
undo() { cd /; rm -rf -- "$stage"; if [ "$made" = 1 ]; then rmdir -- "$dest" 2>/dev/null; fi; }
if ! tar -C "$stage" -xf - --no-same-owner; then undo; exit ${UNPACK_EXIT.unpack}; fi
cd -- "$stage" || { undo; exit 1; }
blocked=$(find . -mindepth 1 ! -type d -exec sh -c '${folderInTheWay}' sh {} + | head -n 1)
if [ -n "$blocked" ]; then undo; printf 'in the way: %s\\n' "$blocked" >&2; exit ${UNPACK_EXIT.folderInTheWay}; fi
find . -mindepth 1 -type d -exec sh -c '${replaceNonFolders}' sh {} +
for entry in .[!.]* ..?* *; do
  if [ -e "$entry" ] || [ -L "$entry" ]; then cp -alf -- "$entry" .. || { undo; exit ${UNPACK_EXIT.link}; }; fi
done
cd / && rm -rf -- "$stage"`;
}

/** Throws the error of a failed {@link unpackScript}, naming the step that failed. */
function failOnUnpack(
  result: { exitCode: number; stderr: string; timedOut: boolean },
  path: string,
): void {
  const detail = lastTarError(result.stderr) || `exit code ${result.exitCode}`;
  if (result.exitCode === UNPACK_EXIT.unpack && !result.timedOut) {
    throw new SandstackError(
      'SANDBOX_PATH_INVALID',
      `Could not unpack the archive into "${path}" in the sandbox: ${detail}. Nothing was written: the members unpacked so far were removed`,
    );
  }
  if (result.exitCode === UNPACK_EXIT.folderInTheWay) {
    const member = detail.replace(/^in the way: \.\//, '');
    throw new SandstackError(
      'SANDBOX_PATH_INVALID',
      `Could not unpack the archive into "${path}" in the sandbox: member "${member}" is not a folder, but "${path}" has a folder there. Nothing was written; remove that folder or rename the member`,
    );
  }
  if (result.exitCode === UNPACK_EXIT.link) {
    throw new SandstackError(
      'SANDBOX_PATH_INVALID',
      `Could not move the unpacked archive into "${path}" in the sandbox: ${detail}. Some members may be in place already`,
    );
  }
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
