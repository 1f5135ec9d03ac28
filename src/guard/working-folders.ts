/**
 * The working folder that later relative paths of a command line resolve against, followed
 * through `cd` and `pushd`. A `cd` to a folder computed at run time (`cd "$DIR"`,
 * `cd "$(…)"`) moves to a folder the guard cannot name, so relative paths after it are not
 * taken as paths in the project.
 */
import path from 'node:path';
import { isInside, resolvePath, type PathContext } from './paths.js';
import type { ParsedShell, SimpleCommand } from './shell.js';

/**
 * Stand-in for a working folder computed at run time. No real path starts with a NUL byte, so
 * a path resolved against it is never inside the project, the home folder or a temp folder,
 * while absolute and `~` paths still resolve as written.
 */
export const UNKNOWN_FOLDER = '/\0folder-computed-at-run-time';

/** Checks whether `resolved` was resolved against a working folder computed at run time. */
export function isInUnknownFolder(resolved: string): boolean {
  return isInside(resolved, UNKNOWN_FOLDER);
}

/** Variables that name the temporary folder, as `$TMPDIR` or `${TMPDIR:-/tmp}`. */
export const TEMP_VARIABLES: readonly string[] = ['TMPDIR', 'TMP', 'TEMP', 'RUNNER_TEMP'];

/** Stand-in for the new folder that `mktemp -d` makes under `/tmp`. */
const MKTEMP_FOLDER = '/tmp/mktemp.XXXXXXXXXX';

/**
 * Checks whether `resolved` lies in a folder that `mktemp -d` made on this command line. Such
 * a folder starts empty and only its owner may enter it (mode 0700).
 */
export function isInNewTempFolder(resolved: string): boolean {
  return isInside(resolved, MKTEMP_FOLDER);
}

/** Facts about the project and the line with which computed `cd` targets are placed. */
export interface CdContext {
  projectDir: string;
  /** Variables that name a temporary folder on this line (see `mktempVariables`). */
  tempVariables: () => ReadonlySet<string>;
}

/** `$(git rev-parse --show-toplevel)`, the root of the repository of the working folder. */
const GIT_TOPLEVEL = /^\$\(\s*git\s+rev-parse\s+--show-toplevel\s*\)/;
/** The script argument of `dirname`: `"$0"`, `-- "${BASH_SOURCE[0]}"` and similar. */
const DIRNAME_ARG = String.raw`(?:--\s+)?"?\$(?:0|\{0\}|\{BASH_SOURCE(?:\[0\])?\})"?`;
/**
 * The folder of the running script: `$(dirname "$0")`, `$(dirname -- "${BASH_SOURCE[0]}")`,
 * `${0%/*}`, optionally as `$(cd "$(dirname "$0")" && pwd)`.
 */
const SCRIPT_FOLDER = new RegExp(
  String.raw`^(?:\$\(\s*dirname\s+${DIRNAME_ARG}\s*\)` +
    String.raw`|\$\(\s*cd\s+"?\$\(\s*dirname\s+${DIRNAME_ARG}\s*\)"?\s*&&\s*pwd(?:\s+-[PL])?\s*\)` +
    String.raw`|\$\{0%\/\*\})`,
);
/**
 * `$(mktemp -d)` with short options and at most a template without a folder. Group 1 contains
 * the options, which must make a folder (`d`) and not place it elsewhere (`p`).
 */
const MKTEMP = /^\$\(\s*mktemp((?:\s+-[a-z]+)+)(?:\s+[\w.-]+)?\s*\)/;
/** A variable reference at the start of a word: `$name`, `${name}` or `${name:-/tmp}`. */
const LEADING_VARIABLE = /^\$(?:\{([A-Za-z_]\w*)(?::?-\/(?:var\/)?tmp)?\}|([A-Za-z_]\w*))/;

/**
 * Returns the folder a computed `cd` target names when the guard can tell it: the project
 * root from `git rev-parse --show-toplevel` or the script's folder while the working folder
 * is in the project, and temp folders from `mktemp -d` or `$TMPDIR`. Returns undefined for
 * any other target.
 */
function knownComputedFolder(
  target: string,
  paths: PathContext,
  context: CdContext,
): string | undefined {
  const inProject = isInside(paths.cwd, context.projectDir);
  const resolveRest = (base: string, rest: string): string | undefined =>
    /[$`]|\.\./.test(rest) ? undefined : path.posix.join(base, rest);
  const git = GIT_TOPLEVEL.exec(target);
  if (git !== null && inProject) {
    return resolveRest(context.projectDir, target.slice(git[0].length));
  }
  const script = SCRIPT_FOLDER.exec(target);
  if (script !== null && inProject) {
    return resolveRest(paths.cwd, target.slice(script[0].length));
  }
  const mktemp = MKTEMP.exec(target);
  const options = mktemp?.[1] ?? '';
  if (mktemp !== null && options.includes('d') && !options.includes('p')) {
    return resolveRest(MKTEMP_FOLDER, target.slice(mktemp[0].length));
  }
  const variable = LEADING_VARIABLE.exec(target);
  const name = variable?.[1] ?? variable?.[2];
  if (variable !== null && name !== undefined && context.tempVariables().has(name)) {
    const base = TEMP_VARIABLES.includes(name) ? '/tmp' : MKTEMP_FOLDER;
    return resolveRest(base, target.slice(variable[0].length));
  }
  return undefined;
}

/**
 * Returns the paths after `command`: a `cd` or `pushd` changes the working folder, to
 * {@link UNKNOWN_FOLDER} when its target is computed at run time and not one the guard can
 * place.
 */
export function afterCd(
  command: SimpleCommand,
  paths: PathContext,
  context: CdContext,
): PathContext {
  if (command.name !== 'cd' && command.name !== 'pushd') {
    return paths;
  }
  // `-P`, `-L`, `-e` and `-@` change how cd resolves links, not where it goes.
  const operands = command.argv.slice(1).filter((arg) => !/^-[PLe@]+$/.test(arg));
  if (operands.length > 1) {
    return paths;
  }
  const target = operands[0];
  if (target === '-') {
    // `cd -` goes to `$OLDPWD`. Before any `cd` of this line that is a folder of the session
    // the guard does not see, so later relative paths count as outside the project.
    const back = { ...paths, cwd: previousCwd.get(paths) ?? '/' };
    previousCwd.set(back, paths.cwd);
    return back;
  }
  let cwd: string;
  if (target === undefined) {
    cwd = paths.homeDir;
  } else if (command.dynamic || /[$`]/.test(target)) {
    cwd = knownComputedFolder(target, paths, context) ?? UNKNOWN_FOLDER;
  } else {
    cwd = resolvePath(target, paths);
  }
  const next = { ...paths, cwd };
  previousCwd.set(next, paths.cwd);
  return next;
}

/** The folder each path context was left from by `cd`, which `cd -` returns to. */
const previousCwd = new WeakMap<PathContext, string>();

/**
 * Returns the variables that name a temporary folder on this command line: `TMPDIR` and its
 * kin when the line does not set them, and variables set once, from `mktemp`, as in
 * `out=$(mktemp -d)`. A variable the line sets again, or sets in `for`, `select` or `read`,
 * could name any folder and does not qualify.
 */
export function mktempVariables(raw: string, parsed: ParsedShell): Set<string> {
  const loopNames = new Set(parsed.loopVariables.map((variable) => variable.name));
  const setsAgain = (name: string, times: number): boolean =>
    (raw.match(new RegExp(`\\b${name}\\+?=`, 'g'))?.length ?? 0) > times || loopNames.has(name);
  const names = new Set(TEMP_VARIABLES.filter((name) => !setsAgain(name, 0)));
  for (const match of raw.matchAll(/\b([A-Za-z_]\w*)=["']?\$\(mktemp\b[^)`$;&|]*\)/g)) {
    const name = match[1] ?? '';
    if (!setsAgain(name, 1)) {
      names.add(name);
    }
  }
  return names;
}
