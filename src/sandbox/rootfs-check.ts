/**
 * Checks a template's directory root filesystem before sandboxes use it, so an empty or
 * half-built folder fails with the path and what is missing, not at every command.
 */
import { lstatSync, readdirSync, statSync, type Stats } from 'node:fs';
import { join, posix } from 'node:path';
import { SandstackError } from '../core/errors.js';
import { SANDBOX_PATH } from './drivers/shared.js';
import type { RuntimeName, SandboxTemplate } from './types.js';

/** Folders that gVisor mounts over, besides the workdir. */
const MOUNT_POINTS = ['/dev', '/proc', '/tmp'];

/**
 * Checks that a template's directory rootfs can run commands: the folder exists and a folder
 * of the sandbox's PATH holds at least one program. With `runtime` gvisor it also checks what
 * runsc needs and bubblewrap does not (bubblewrap builds `/` on a tmpfs of its own): the
 * folder is searchable by others, because commands run as uid 65534 and see the folder's mode
 * on `/`, and /dev, /proc, /tmp, the workdir and its parents are folders or missing (runsc
 * makes missing ones). A host rootfs, and templates for Kubernetes, are not checked.
 *
 * NOTE: this does not follow a program's dynamic loader, so a rootfs whose programs lack
 * their libraries passes and its commands fail with "No such file or directory".
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
  return undefined;
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
