/**
 * Checks a template's directory root filesystem before sandboxes use it, so an empty or
 * half-built folder fails with the path and what is missing, not at every command.
 */
import { lstatSync, readdirSync, readlinkSync, statSync, type Stats } from 'node:fs';
import { join, posix } from 'node:path';
import { SandstackError } from '../core/errors.js';
import { SANDBOX_PATH } from './drivers/shared.js';
import { readElfInterpreter } from './elf.js';
import type { RuntimeName, SandboxTemplate } from './types.js';

/** Folders that gVisor mounts over, besides the workdir. */
const MOUNT_POINTS = ['/dev', '/proc', '/tmp'];

/**
 * Programs of the rootfs that every command runs through: the shell, and GNU `timeout`,
 * which the shell starts around each gVisor command.
 */
const COMMAND_PROGRAMS = ['/bin/sh', 'timeout'];

/** Symbolic links followed at most while resolving one path, as Linux's MAXSYMLINKS. */
const MAX_SYMBOLIC_LINKS = 40;

/**
 * Checks that a template's directory rootfs can run commands: the folder exists and a folder
 * of the sandbox's PATH holds at least one program. With `runtime` gvisor it also checks what
 * runsc needs and bubblewrap does not (bubblewrap builds `/` on a tmpfs of its own): the
 * folder is searchable by others, because commands run as uid 65534 and see the folder's mode
 * on `/`, and /dev, /proc, /tmp, the workdir and its parents are folders or missing (runsc
 * makes missing ones). For `/bin/sh` and `timeout`, when the rootfs has them, it checks that
 * the dynamic loader they name (the ELF PT_INTERP) exists in the rootfs, without running
 * them. A host rootfs, and templates for Kubernetes, are not checked.
 *
 * NOTE: the shared libraries a program needs (DT_NEEDED, such as libc.so.6) are not looked
 * for, so a rootfs that has the loader but lacks such a library passes, and its commands
 * fail with "error while loading shared libraries".
 * @throws SandstackError `INVALID_CONFIG` naming the template, the rootfs path and the problem
 */
export function checkRootfs(template: SandboxTemplate, runtime: RuntimeName | 'auto'): void {
  if (template.rootfs.kind !== 'directory' || runtime === 'kubernetes') {
    return;
  }
  const root = template.rootfs.path;
  const problem = rootfsProblem(root, template.workdir, runtime);
  if (problem !== undefined) {
    throw new SandstackError(
      'INVALID_CONFIG',
      `Template "${template.name}" has rootfs "${root}" that ${problem}`,
      { details: { template: template.name, rootfs: root } },
    );
  }
}

function rootfsProblem(
  root: string,
  workdir: string,
  runtime: RuntimeName | 'auto',
): string | undefined {
  const stats = statOrUndefined(root);
  if (stats === undefined) {
    return 'does not exist on this host; create it (for example with debootstrap) or use the host rootfs';
  }
  if (!stats.isDirectory()) {
    return 'is not a folder; point rootfs at the folder that contains the root filesystem';
  }
  if (runtime === 'gvisor' && (stats.mode & 0o001) === 0) {
    return `is not searchable by the command user (uid 65534), and gVisor runs commands as that user; run "chmod o+rx ${root}"`;
  }
  const mountPoints = runtime === 'gvisor' ? [...MOUNT_POINTS, ...ancestorsOf(workdir)] : [];
  const mountPoint = mountPoints.find((path) => {
    const entry = lstatOrUndefined(join(root, path));
    return entry !== undefined && !entry.isDirectory() && !entry.isSymbolicLink();
  });
  if (mountPoint !== undefined) {
    return `has a file at ${mountPoint}, where gVisor mounts a folder; remove that file or make it a folder`;
  }
  if (!SANDBOX_PATH.split(':').some((dir) => hasProgram(join(root, dir)))) {
    return `contains no program: none of ${SANDBOX_PATH.split(':').join(', ')} holds an executable file, so no command could start; copy the root filesystem into it (for example with debootstrap) or use the host rootfs`;
  }
  return missingLoaderProblem(root);
}

/**
 * Returns a problem when a program that every command runs through names a dynamic loader
 * (PT_INTERP) that the rootfs lacks, because the kernel then fails the start with ENOENT,
 * which reads as if the program itself were missing.
 */
function missingLoaderProblem(root: string): string | undefined {
  for (const name of COMMAND_PROGRAMS) {
    const program = name.startsWith('/') ? name : findOnPath(root, name);
    const hostPath = program === undefined ? undefined : resolveInRoot(root, program);
    if (program === undefined || hostPath === undefined) {
      continue;
    }
    const loader = readElfInterpreter(hostPath);
    if (loader !== undefined && resolveInRoot(root, loader) === undefined) {
      return `lacks ${loader}, the dynamic loader that its ${program} names, so no command could start; copy the loader and the program's shared libraries (see "ldd ${program}" on the host it came from) into the rootfs, or use statically linked programs`;
    }
  }
  return undefined;
}

/** Returns the path inside the rootfs of the first program `name` on the sandbox's PATH. */
function findOnPath(root: string, name: string): string | undefined {
  return SANDBOX_PATH.split(':')
    .map((dir) => posix.join(dir, name))
    .find((path) => resolveInRoot(root, path) !== undefined);
}

/**
 * Resolves `path` as a process whose root is `root` would, following symbolic links inside
 * the rootfs (an absolute target starts again at `root`, and `..` stops at it). Returns the
 * host path of the regular file it names, or undefined when it is missing, is not a regular
 * file, or takes more than {@link MAX_SYMBOLIC_LINKS} links.
 */
function resolveInRoot(root: string, path: string): string | undefined {
  const pending = path.split('/').filter((part) => part !== '' && part !== '.');
  const resolved: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift() ?? '';
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const hostPath = join(root, ...resolved, part);
    const entry = lstatOrUndefined(hostPath);
    if (entry === undefined) {
      return undefined;
    }
    if (!entry.isSymbolicLink()) {
      resolved.push(part);
      continue;
    }
    links += 1;
    if (links > MAX_SYMBOLIC_LINKS) {
      return undefined;
    }
    const target = readlinkSync(hostPath);
    if (target.startsWith('/')) {
      resolved.length = 0;
    }
    pending.unshift(...target.split('/').filter((item) => item !== '' && item !== '.'));
  }
  const hostPath = join(root, ...resolved);
  return statOrUndefined(hostPath)?.isFile() === true ? hostPath : undefined;
}

/** The workdir and each folder above it, without `/`, such as `/srv` and `/srv/work`. */
function ancestorsOf(workdir: string): string[] {
  const paths: string[] = [];
  for (let path = workdir; path !== '/'; path = posix.dirname(path)) {
    paths.unshift(path);
  }
  return paths;
}

/**
 * Returns whether a folder holds an executable regular file or a symbolic link, which in a
 * root filesystem usually names a program (such as /bin/sh linking to dash). Links are not
 * followed, because an absolute target names a path inside the rootfs, not on the host.
 */
function hasProgram(dir: string): boolean {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return false;
  }
  return names.some((name) => {
    const entry = lstatOrUndefined(join(dir, name));
    if (entry === undefined) {
      return false;
    }
    return entry.isSymbolicLink() || (entry.isFile() && (entry.mode & 0o111) !== 0);
  });
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}
