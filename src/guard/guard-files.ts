/**
 * Checks on the files the guard itself runs from or with: its policy file, its state and
 * approval databases, and the installed package that holds its code. An agent that can
 * rewrite the policy or the hook's code turns the guard off for every later call, so these
 * paths are protected wherever they live, also outside the project.
 */
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { finding, type Finding } from './findings.js';
import { globToRegExp, hasGlob } from './globs.js';
import { installedPackageFiles } from './installed-package.js';
import { isInside, resolvePath, type PathContext } from './paths.js';
import type { SimpleCommand } from './shell.js';
import type { GuardContext } from './types.js';

/** Programs that delete or move their operands. */
const REMOVERS = new Set(['rm', 'rmdir', 'unlink', 'shred', 'mv']);
/** Package managers, and their sub-commands that add, replace or remove a package. */
const PACKAGE_MANAGERS = new Set(['npm', 'pnpm', 'yarn', 'bun']);
const PACKAGE_CHANGES = new Set([
  'uninstall',
  'remove',
  'rm',
  'un',
  'r',
  'unlink',
  'install',
  'i',
  'add',
  'update',
  'up',
  'upgrade',
  'link',
]);
/** The installed package folder, or its `.bin` link, as {@link guardFilesOf} lists them. */
const INSTALLED_PACKAGE = /\/node_modules\/(?:\.bin\/)?sandstack$/;
/** SQLite keeps a database's recent writes in files next to it. */
const SQLITE_SIDE_FILES = /^-(?:wal|shm|journal)$/;

/**
 * Lists the files that `guardFiles` should name for a guard started from the package in
 * `root` (this package by default): the given policy and database files, and, when the
 * package is installed under a `node_modules` folder, the package folder with its `.bin`
 * link and the folders of the packages it loads (see installed-package.ts). A source
 * checkout is not listed, as its folder is the whole repository.
 */
export function guardFilesOf(
  files: readonly (string | undefined)[],
  root: string = packageRoot(),
): string[] {
  const listed = files.filter((file): file is string => file !== undefined);
  if (path.basename(path.dirname(root)) === 'node_modules') {
    listed.push(...installedPackageFiles(root));
  }
  return listed.map((file) => path.resolve(file));
}

/** Returns the folder of the installed package that contains this module, links resolved. */
function packageRoot(): string {
  // This file is dist/guard/guard-files.js in the package, or src/guard/guard-files.ts.
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  try {
    return realpathSync(root);
  } catch {
    return root;
  }
}

/** Judges a write, delete or move of `target` against the guard's own files: denied. */
export function guardFileTarget(
  target: string,
  paths: PathContext,
  context: GuardContext,
): Finding | undefined {
  const files = context.guardFiles;
  if (files === undefined || files.length === 0 || target === '' || /^&?\d$/.test(target)) {
    return undefined;
  }
  const resolved = resolvePath(target, paths);
  const hit = files.find((file) => writesInto(resolved, file));
  if (hit === undefined) {
    return undefined;
  }
  return finding(
    'self-modification',
    `The command changes "${hit}", which the guard runs from or with, so later calls would go unchecked`,
    'guard-file',
  );
}

/**
 * Judges a delete or move of a folder that contains one of the guard's own files: denied,
 * except for a folder that contains only the installed package, which goes to a human, because
 * that is also how a project's `node_modules` is cleaned. Callers run it after the other
 * path checks, so a delete they deny stays denied.
 */
export function guardFileHolder(
  command: SimpleCommand,
  target: string,
  paths: PathContext,
  context: GuardContext,
): Finding | undefined {
  const files = context.guardFiles;
  if (files === undefined || !REMOVERS.has(command.name) || target === '') {
    return undefined;
  }
  const resolved = resolvePath(target, paths);
  const pattern = hasGlob(resolved) ? globToRegExp(resolved) : undefined;
  const holder = files.find((file) =>
    pattern === undefined
      ? isInside(file, resolved)
      : [file, ...parentsOf(file)].some((candidate) => pattern.test(candidate)),
  );
  if (holder === undefined) {
    return undefined;
  }
  if (!INSTALLED_PACKAGE.test(holder)) {
    return finding(
      'self-modification',
      `Deleting or moving "${target}" takes away "${holder}", which the guard runs with, so later calls would go unchecked`,
      'guard-file-holder',
    );
  }
  return finding(
    'security-weaken',
    `Deleting or moving "${target}" takes away "${holder}", which the guard runs from or with; install sandstack outside the project to let the agent manage this folder`,
    'guard-file-holder',
  );
}

/** Judges a Write or Edit tool call of `target` against the guard's own files. */
export function guardFileWrite(target: string, context: GuardContext): Finding | undefined {
  const hit = context.guardFiles?.find((file) => writesInto(target, file));
  if (hit === undefined) {
    return undefined;
  }
  return {
    category: 'self-modification',
    reason: `Writing "${target}" changes "${hit}", which the guard runs from or with, so later calls would go unchecked`,
    rule: 'tier:guard-file',
  };
}

/**
 * Judges a package-manager command that adds, replaces or removes the sandstack package
 * while the guard runs from an installed copy of it.
 */
export function guardPackageChange(
  command: SimpleCommand,
  context: GuardContext,
): Finding | undefined {
  if (!PACKAGE_MANAGERS.has(command.name) || context.guardFiles === undefined) {
    return undefined;
  }
  const words = command.argv.slice(1).filter((arg) => !arg.startsWith('-'));
  const change = words[0] === 'global' ? words[1] : words[0];
  // Most package commands change no package (`npm test`), so the guard file list is searched last.
  if (
    change === undefined ||
    !PACKAGE_CHANGES.has(change) ||
    !context.guardFiles.some((file) => INSTALLED_PACKAGE.test(file))
  ) {
    return undefined;
  }
  const names = words.slice(1).map((word) => word.replace(/(?<=.)@[^/]*$/, ''));
  if (!names.includes('sandstack')) {
    return undefined;
  }
  return finding(
    'self-modification',
    `The command changes the installed sandstack package, which the guard runs from, so later calls would go unchecked`,
    'guard-package',
  );
}

/** Checks whether writing `target` changes `file`, a file, a folder or a SQLite database. */
function writesInto(target: string, file: string): boolean {
  if (isInside(target, file)) {
    return true;
  }
  return target.startsWith(file) && SQLITE_SIDE_FILES.test(target.slice(file.length));
}

/** Lists the folders above `file`, nearest first, without `/`. */
function parentsOf(file: string): string[] {
  const parents: string[] = [];
  let current = path.posix.dirname(file);
  while (current !== '/' && current !== '.') {
    parents.push(current);
    current = path.posix.dirname(current);
  }
  return parents;
}
