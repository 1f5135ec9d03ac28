/**
 * `sandstack sandbox files get|put|ls|rm` and `sandstack sandbox cp`: files and folders in
 * and out of a sandbox, through the local controller or a server.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, posix } from 'node:path';
import type { Command } from 'commander';
import { SandstackError, isSandstackError } from '../../core/errors.js';
import {
  MAX_ARCHIVE_BYTES,
  deleteFile,
  downloadArchive,
  listFiles,
  uploadArchive,
  type FileEntry,
} from '../../sandbox/files.js';
import { printJson, printLine } from '../output.js';
import { either, localSandbox, type JsonOption } from './sandbox-access.js';

/** The first letter of an `ls -l` line for each entry type. */
const TYPE_LETTERS: Record<FileEntry['type'], string> = {
  file: '-',
  directory: 'd',
  symlink: 'l',
  other: '?',
};

/** Registers `sandstack sandbox files get|put|ls|rm`. */
export function registerFiles(sandbox: Command): void {
  const files = sandbox.command('files').description('Copy files into and out of a sandbox');

  files
    .command('get <id> <path>')
    .description('Read a file from a sandbox (relative to its workdir, or absolute)')
    .option('-o, --output <file>', 'host file to write it to (default: standard output)')
    .action(async (id: string, path: string, options: { output?: string }, command: Command) => {
      const data = await readSandboxFile(command, id, path);
      if (options.output === undefined) {
        process.stdout.write(data);
        return;
      }
      writeFileSync(options.output, data);
    });

  files
    .command('put <id> <path> <file>')
    .description('Write a host file into a sandbox, creating parent folders')
    .option('--json', 'print the result as JSON')
    .action(
      async (id: string, path: string, file: string, options: JsonOption, command: Command) => {
        const result = await writeSandboxFile(command, id, path, readHostFile(file));
        if (options.json === true) {
          printJson(result);
          return;
        }
        printLine(`wrote ${result.bytes} bytes to ${result.path} in ${id}`);
      },
    );

  files
    .command('ls <id> [path]')
    .description('List a folder of a sandbox (default: its workdir); symlinks are not followed')
    .option('--json', 'print the entries as JSON')
    .action(async (id: string, path: string | undefined, options: JsonOption, command: Command) => {
      const folder = path ?? '.';
      const entries = await either<FileEntry[]>(
        command,
        async (controller) => listFiles(await localSandbox(controller, id), folder),
        (remote) => remote.call((client) => client.sandboxes.listFiles(id, folder)),
      );
      if (options.json === true) {
        printJson(entries);
        return;
      }
      for (const entry of entries) {
        const mode = entry.mode.toString(8).padStart(4, '0');
        const kind = TYPE_LETTERS[entry.type];
        printLine(`${kind}${mode}  ${String(entry.sizeBytes).padStart(10)}  ${entry.name}`);
      }
    });

  files
    .command('rm <id> <path>')
    .description('Delete a file or symlink of a sandbox; -r also deletes folders')
    .option('-r, --recursive', 'delete a folder and everything in it')
    .action(
      async (id: string, path: string, options: { recursive?: boolean }, command: Command) => {
        const recursive = options.recursive === true;
        await either(
          command,
          async (controller) => deleteFile(await localSandbox(controller, id), path, { recursive }),
          (remote) => remote.call((client) => client.sandboxes.deleteFile(id, path, { recursive })),
        );
        printLine(`deleted ${path} in ${id}`);
      },
    );
}

/** Registers `sandstack sandbox cp <src> <dst>`, where one side is `<sandbox id>:<path>`. */
export function registerCopy(sandbox: Command): void {
  sandbox
    .command('cp <source> <destination>')
    .description(
      'Copy a file or folder between the host and a sandbox; name the sandbox side <id>:<path>, such as sbx_abc:/workspace/out',
    )
    .action(async (source: string, destination: string, _options: unknown, command: Command) => {
      const from = sandboxPathOf(source);
      const to = sandboxPathOf(destination);
      if ((from === undefined) === (to === undefined)) {
        throw new SandstackError(
          'INVALID_ARGUMENT',
          `Name exactly one side as <sandbox id>:<path>, such as "sandstack sandbox cp ./src sbx_abc:/workspace/src"; got "${source}" and "${destination}"`,
        );
      }
      if (to !== undefined) {
        printLine(await copyIn(command, source, to));
      } else if (from !== undefined) {
        printLine(await copyOut(command, from, destination));
      }
    });
}

interface SandboxPath {
  id: string;
  path: string;
}

/** Reads `sbx_…:path`; host paths such as `./a:b` or `C:` stay host paths. */
function sandboxPathOf(argument: string): SandboxPath | undefined {
  const match = /^(sbx_[A-Za-z0-9]+):(.*)$/.exec(argument);
  if (match === null) {
    return undefined;
  }
  return { id: match[1] ?? '', path: match[2] === '' ? '.' : (match[2] ?? '.') };
}

/** Copies a host file or folder into a sandbox; a folder goes as one tar archive. */
async function copyIn(command: Command, source: string, to: SandboxPath): Promise<string> {
  if (!existsSync(source)) {
    throw new SandstackError('FILE_NOT_FOUND', `Host path "${source}" not found`);
  }
  if (!statSync(source).isDirectory()) {
    const path = to.path.endsWith('/') ? posix.join(to.path, basename(source)) : to.path;
    const result = await writeSandboxFile(command, to.id, path, readHostFile(source));
    return `copied ${source} to ${to.id}:${path} (${result.bytes} bytes)`;
  }
  const archive = packHostFolder(source);
  await either<unknown>(
    command,
    async (controller) => uploadArchive(await localSandbox(controller, to.id), to.path, archive),
    (remote) => remote.call((client) => client.sandboxes.uploadArchive(to.id, to.path, archive)),
  );
  return `copied folder ${source} to ${to.id}:${to.path} (${archive.byteLength} bytes as tar)`;
}

/** Copies a sandbox file or folder to the host; a folder comes as one tar archive. */
async function copyOut(command: Command, from: SandboxPath, destination: string): Promise<string> {
  let data: Uint8Array;
  try {
    data = await readSandboxFile(command, from.id, from.path);
  } catch (error) {
    if (!(isSandstackError(error) && /is a directory/.test(error.message))) {
      throw error;
    }
    const archive = await either<Uint8Array>(
      command,
      async (controller) => downloadArchive(await localSandbox(controller, from.id), from.path),
      (remote) => remote.call((client) => client.sandboxes.downloadArchive(from.id, from.path)),
    );
    const outside = unpackIntoHostFolder(archive, destination);
    const copied = `copied folder ${from.id}:${from.path} to ${destination} (${archive.byteLength} bytes as tar)`;
    if (outside.length === 0) {
      return copied;
    }
    return `${copied}\nnote: ${outside.length} symlink(s) point outside ${destination} and were kept as links, so writing through them later reaches host files: ${outside.join(', ')}`;
  }
  const target =
    existsSync(destination) && statSync(destination).isDirectory()
      ? posix.join(destination, posix.basename(from.path))
      : destination;
  writeFileSync(target, data);
  return `copied ${from.id}:${from.path} to ${target} (${data.byteLength} bytes)`;
}

function readSandboxFile(command: Command, id: string, path: string): Promise<Uint8Array> {
  return either<Uint8Array>(
    command,
    async (controller) => (await localSandbox(controller, id)).readFile(path),
    (remote) => remote.call((client) => client.sandboxes.readFile(id, path)),
  );
}

function writeSandboxFile(
  command: Command,
  id: string,
  path: string,
  data: Uint8Array,
): Promise<{ path: string; bytes: number }> {
  return either(
    command,
    async (controller) => {
      await (await localSandbox(controller, id)).writeFile(path, data);
      return { path, bytes: data.byteLength };
    },
    (remote) => remote.call((client) => client.sandboxes.writeFile(id, path, data)),
  );
}

function readHostFile(file: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(file));
  } catch (error) {
    throw new SandstackError(
      'INVALID_ARGUMENT',
      `Could not read host file "${file}": ${(error as Error).message}`,
      { cause: error },
    );
  }
}

function packHostFolder(folder: string): Uint8Array {
  const tar = spawnSync('tar', ['-C', folder, '-cf', '-', '.'], {
    maxBuffer: MAX_ARCHIVE_BYTES + 1,
  });
  if (tar.error !== undefined || tar.status !== 0) {
    const why = tar.error?.message ?? tar.stderr.toString('utf8').trim();
    throw new SandstackError(
      'INVALID_ARGUMENT',
      `Could not pack host folder "${folder}" (limit ${MAX_ARCHIVE_BYTES} bytes as tar): ${why}`,
    );
  }
  return new Uint8Array(tar.stdout);
}

/**
 * Unpacks a sandbox's archive on the host with GNU tar, which skips members whose names
 * contain ".." and, for symlinks that point outside the folder, writes a placeholder until
 * the end so that no later member is written through them. Owners are not kept, and modes
 * go through the caller's umask without setuid or setgid bits, so a program from a sandbox
 * never becomes setuid root on the host. Device files are rejected before anything is written.
 * @returns the symlinks that point outside the folder, kept as links
 */
function unpackIntoHostFolder(archive: Uint8Array, folder: string): string[] {
  const listing = spawnSync('tar', ['-tvf', '-'], { input: archive, maxBuffer: 64 * 1024 * 1024 });
  if (listing.error !== undefined || listing.status !== 0) {
    const why = listing.error?.message ?? listing.stderr.toString('utf8').trim();
    throw new SandstackError(
      'SANDBOX_PATH_INVALID',
      `Could not read the sandbox's archive: ${why}`,
    );
  }
  const lines = listing.stdout.toString('utf8').split('\n');
  const device = lines.find((line) => line.startsWith('b') || line.startsWith('c'));
  if (device !== undefined) {
    throw new SandstackError(
      'SANDBOX_PATH_INVALID',
      `Refused to copy the folder: the sandbox's archive holds a device file (${device.trim()}); remove it in the sandbox or copy single files`,
    );
  }
  mkdirSync(folder, { recursive: true });
  const tar = spawnSync(
    'tar',
    ['-C', folder, '-xf', '-', '--no-same-owner', '--no-same-permissions'],
    { input: archive },
  );
  if (tar.error !== undefined || tar.status !== 0) {
    const why = tar.error?.message ?? tar.stderr.toString('utf8').trim();
    throw new SandstackError(
      'SANDBOX_PATH_INVALID',
      `Could not unpack the sandbox's archive into "${folder}": ${why}`,
    );
  }
  return lines.filter((line) => line.startsWith('l') && leavesFolder(line)).map(linkName);
}

/** Returns whether an `ls -l` style symlink line of `tar -tv` points outside the folder. */
function leavesFolder(line: string): boolean {
  const target = line.slice(line.lastIndexOf(' -> ') + 4);
  return target.startsWith('/') || target.split('/').includes('..');
}

/** Returns the member name of a `tar -tv` symlink line ("... ./name -> target"). */
function linkName(line: string): string {
  const arrow = line.lastIndexOf(' -> ');
  const start = line.indexOf(' ./');
  return start === -1 || start > arrow ? line.slice(0, arrow) : line.slice(start + 3, arrow);
}
