/**
 * Path helpers for the guard: expand `~` and `$HOME`, resolve `..` against the working
 * directory, and test containment. Pure string work, because the guard sees no filesystem.
 */
import path from 'node:path';

/** Where relative paths resolve and what `~` means. */
export interface PathContext {
  cwd: string;
  homeDir: string;
}

/** Expands a leading `~`, `~/`, `$HOME` or `${HOME}` to the home directory. */
export function expandHome(value: string, homeDir: string): string {
  if (value === '~') {
    return homeDir;
  }
  if (value.startsWith('~/')) {
    return homeDir + value.slice(1);
  }
  return value.replace(/^\$\{?HOME\}?(?=\/|$)/, homeDir);
}

/** Resolved paths by cwd, home and value: checks resolve the same arguments many times. */
const resolved = new Map<string, string>();
/** Entries the cache keeps before it starts over, so it cannot grow without end. */
const MAX_RESOLVED = 4096;

/** Returns the absolute, normalised form of `value` with `~` expanded and `..` resolved. */
export function resolvePath(value: string, context: PathContext): string {
  // Length prefixes keep the key unambiguous whatever characters the parts contain.
  const key = `${context.cwd.length}:${context.cwd}${context.homeDir.length}:${context.homeDir}${value}`;
  let result = resolved.get(key);
  if (result === undefined) {
    if (resolved.size >= MAX_RESOLVED) {
      resolved.clear();
    }
    result = path.posix.resolve(context.cwd, expandHome(value, context.homeDir));
    resolved.set(key, result);
  }
  return result;
}

/** Checks whether `target` is `root` or lies below it; both must be absolute and normalised. */
export function isInside(target: string, root: string): boolean {
  if (target === root) {
    return true;
  }
  const prefix = root.endsWith('/') ? root : `${root}/`;
  return target.startsWith(prefix);
}
