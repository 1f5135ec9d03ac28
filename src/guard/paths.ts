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

/** Returns the absolute, normalised form of `value` with `~` expanded and `..` resolved. */
export function resolvePath(value: string, context: PathContext): string {
  const expanded = expandHome(value, context.homeDir);
  return path.posix.resolve(context.cwd, expanded);
}

/** Checks whether `target` is `root` or lies below it; both must be absolute and normalised. */
export function isInside(target: string, root: string): boolean {
  if (target === root) {
    return true;
  }
  const prefix = root.endsWith('/') ? root : `${root}/`;
  return target.startsWith(prefix);
}
