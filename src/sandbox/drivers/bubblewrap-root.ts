/**
 * The root filesystem of a bubblewrap sandbox, built from bind mounts of the root's entries
 * rather than one recursive bind of the whole root.
 *
 * `--ro-bind / /` copies every mount under the root. The sandbox's /proc/self/mountinfo then
 * lists the writable layers of other sandboxes under the state folder, and the mounts under
 * hidden folders, which a bind over them hides but does not remove. A mount that is
 * unmounted while bwrap copies the tree also makes bwrap fail. So bwrap's new root is its
 * own tmpfs, and each entry of the root is bound separately. Where an excluded path is, the
 * builder descends and binds the other entries, so the excluded subtree is never copied.
 */
import { lstatSync, readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { posix } from 'node:path';

/** Paths inside the sandbox that the root must not take from the host, by what replaces them. */
export interface RootExclusions {
  /** Folders that the caller covers with an empty folder, such as the state folder. */
  hiddenDirs: readonly string[];
  /** Files that the caller covers with an empty file, such as /etc/shadow. */
  hiddenFiles: readonly string[];
  /** Paths that get mounts of their own: /dev, /proc, /tmp and the workdir. */
  replaced: readonly string[];
}

/**
 * Builds the bwrap options that assemble the sandbox's root from host folder `root`,
 * read-only. Put them before the options that mount over the excluded paths, and put
 * `--remount-ro /` after every mount, because bwrap's own root is a writable tmpfs.
 *
 * An excluded path is left out (never bound) when it is an entry of the root itself or
 * when it contains a host mount point. Every folder above it is then a folder of bwrap's
 * tmpfs, and its other entries are bound one by one. Other excluded paths stay inside a
 * recursive bind of their parent and are covered by the caller's mount, as with one bind
 * of the whole root. Descending costs one bind per entry, and descending into /etc (for
 * /etc/ssh) and /var made a bare `bwrap ... true` take 6 to 7 times as long: 189 binds in
 * place of 19 (bubblewrap 0.8.0, Debian 12, 2-core VM).
 *
 * NOTE: a mount made under an excluded folder after this reads the host's mount table, and
 * before bwrap binds that folder's parent, is copied and listed. Entries that the host adds
 * to the root, or to a folder the builder descended into, after bwrap starts do not appear
 * in the sandbox, because those folders are bwrap's tmpfs with the entries of that moment.
 */
export function rootBindArgs(root: string, exclusions: RootExclusions): string[] {
  const realRoot = realPathOf(root);
  const mountPoints = readMountPoints();
  const excluded = [...exclusions.hiddenDirs, ...exclusions.hiddenFiles, ...exclusions.replaced];
  const leftOut = new Set<string>();
  for (const path of excluded) {
    const real = realPathInRoot(realRoot, path);
    const hostPath = posix.join(realRoot, real);
    const holdsMount = mountPoints.some((mount) => isUnder(mount, hostPath));
    if (posix.dirname(real) === '/' || holdsMount) {
      leftOut.add(real);
    }
  }
  const args: string[] = [];
  addEntries({ hostDir: root, sandboxDir: '/', leftOut, args });
  return args;
}

function addEntries(walk: {
  hostDir: string;
  sandboxDir: string;
  leftOut: ReadonlySet<string>;
  args: string[];
}): void {
  const { hostDir, sandboxDir, leftOut, args } = walk;
  for (const name of readdirSync(hostDir).sort()) {
    const hostPath = posix.join(hostDir, name);
    const sandboxPath = posix.join(sandboxDir, name);
    if (leftOut.has(sandboxPath)) {
      continue;
    }
    let stat;
    try {
      stat = lstatSync(hostPath);
    } catch {
      // Removed since the folder was read.
      continue;
    }
    if (stat.isSymbolicLink()) {
      args.push('--symlink', readlinkSync(hostPath), sandboxPath);
    } else if (stat.isDirectory() && [...leftOut].some((path) => isUnder(path, sandboxPath))) {
      args.push('--perms', (stat.mode & 0o7777).toString(8), '--dir', sandboxPath);
      addEntries({ ...walk, hostDir: hostPath, sandboxDir: sandboxPath });
    } else {
      // `-try`: an entry removed after the folder was read is skipped, not a failed start.
      args.push('--ro-bind-try', hostPath, sandboxPath);
    }
  }
}

/**
 * Returns the mount points of this process's mount namespace, which bwrap copies from, with
 * mountinfo's octal escapes (`\040` for a space) decoded.
 */
function readMountPoints(): string[] {
  let text: string;
  try {
    text = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((field): field is string => field !== undefined)
    .map((field) =>
      field.replace(/\\([0-7]{3})/g, (_match, octal: string) =>
        String.fromCharCode(parseInt(octal, 8)),
      ),
    );
}

/**
 * Returns where `path` of the sandbox really is inside the root, following symlinks on the
 * way, or `path` itself when it does not exist or leads out of the root.
 */
function realPathInRoot(realRoot: string, path: string): string {
  const real = realPathOf(posix.join(realRoot, path));
  if (!isUnder(real, realRoot)) {
    return path;
  }
  return posix.join('/', posix.relative(realRoot, real));
}

function realPathOf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

function isUnder(path: string, parent: string): boolean {
  return path === parent || path.startsWith(parent === '/' ? '/' : `${parent}/`);
}
