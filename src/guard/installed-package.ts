/**
 * The paths of an installed sandstack package that the guard protects. npm puts the package
 * in `<project>/node_modules/sandstack` and its dependencies next to it. pnpm keeps it in
 * `<project>/node_modules/.pnpm/sandstack@<version>/node_modules/sandstack` behind a link of
 * that first name, and a nested install keeps it below another package. The hook entry point
 * and the `sandstack` command run through the project's link and `.bin` file, so those are
 * listed next to the real folder.
 */
import { lstatSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { guardDependencyFolders } from './guard-dependencies.js';

/** The outermost `node_modules` of a path, which contains the project's links and `.bin`. */
const OUTER_MODULES = /^(.*?\/node_modules)\//;

/**
 * Lists the package folder `root`, its `.bin` link, the project's link and `.bin` file when
 * the package sits deeper (pnpm, nested), and the folders of its runtime dependencies, both
 * as Node finds them and with links resolved.
 */
export function installedPackageFiles(root: string): string[] {
  const name = path.basename(root);
  const files = [root, path.join(path.dirname(root), '.bin', name)];
  const outer = OUTER_MODULES.exec(root)?.[1];
  if (outer !== undefined && outer !== path.dirname(root)) {
    const link = path.join(outer, name);
    if (linksTo(link, root)) {
      files.push(link);
    }
    files.push(path.join(outer, '.bin', name));
  }
  return [...new Set([...files, ...guardDependencyFolders(root)])];
}

/** Checks whether `link` exists and resolves to the same folder as `target`. */
function linksTo(link: string, target: string): boolean {
  try {
    lstatSync(link);
    return realpathSync(link) === realpathSync(target);
  } catch {
    return false;
  }
}
