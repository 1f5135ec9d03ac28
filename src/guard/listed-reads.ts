/**
 * Stage-1 check for credential files read through `xargs` fed by a listing. In
 * `find ~ -name 'id_*' | xargs cat` or `ls ~/.aws/* | xargs cat`, the reader's operands are
 * the lines a listing program prints, so the files it reads are those the listing can name.
 * A listing of a credential location (find, fd, locate, ls, echo or printf) that feeds an
 * `xargs READER` later in the same pipeline is therefore a read of those credential files.
 */
import { namesCredentialFile } from './file-access.js';
import { finding, type Finding } from './findings.js';
import { credentialFiles } from './globs.js';
import { FIND_NAME_TESTS, READERS } from './indirect-reads.js';
import { isInside, resolvePath, type PathContext } from './paths.js';
import type { ParsedShell, SimpleCommand } from './shell.js';
import type { GuardContext } from './types.js';
import { compileWildcard } from './wildcards.js';
import type { CheckGate } from './check-gates.js';

/** `find` options that come before the start folders. */
const FIND_LEADING_OPTIONS = new Set(['-H', '-L', '-P', '-O0', '-O1', '-O2', '-O3', '-D']);
/** `fd` options that take the next word as their value. */
const FD_VALUED = new Set([
  '-e',
  '--extension',
  '-t',
  '--type',
  '-d',
  '--max-depth',
  '--min-depth',
  '--exact-depth',
  '-E',
  '--exclude',
  '-x',
  '--exec',
  '-X',
  '--exec-batch',
  '-S',
  '--size',
  '-o',
  '--owner',
  '-j',
  '--threads',
  '-c',
  '--color',
  '--changed-within',
  '--changed-before',
  '--max-results',
  '--base-directory',
  '--path-separator',
  '--search-path',
  '--ignore-file',
]);
/** `locate` options that take the next word as their value. */
const LOCATE_VALUED = new Set(['-d', '--database', '-l', '-n', '--limit']);
/** Programs whose output lists paths. */
const LISTERS = new Set([
  'find',
  'fd',
  'fdfind',
  'locate',
  'plocate',
  'mlocate',
  'slocate',
  'ls',
  'echo',
  'printf',
]);

/** Gate of {@link checkListedReads}, which judges only readers that `xargs` runs. */
export const LISTED_READS_GATE: CheckGate = { wrappers: new Set(['xargs']) };

/**
 * Returns a finding for an `xargs READER` whose input comes from an earlier command of the same
 * pipeline that lists a credential file.
 */
export function checkListedReads(
  parsed: ParsedShell,
  paths: PathContext,
  context: GuardContext,
): Finding | undefined {
  for (const reader of parsed.commands) {
    const position = reader.pipeline;
    if (
      position === undefined ||
      position.index === 0 ||
      !reader.wrappers.includes('xargs') ||
      !READERS.has(reader.name)
    ) {
      continue;
    }
    const feeders = parsed.commands.filter(
      (command) =>
        command.pipeline?.id === position.id &&
        command.pipeline.index < position.index &&
        LISTERS.has(command.name),
    );
    for (const feeder of feeders) {
      const listed = listedCredential(feeder, paths, context);
      if (listed !== undefined) {
        return finding(
          'credential-exploration',
          `The command passes the paths that ${feeder.name} lists, which include the credential file "${listed}", to ${reader.name} through xargs`,
          'credential-listed-read',
        );
      }
    }
  }
  return undefined;
}

/** Returns a credential file or folder that `command` can print the path of, if any. */
export function listedCredential(
  command: SimpleCommand,
  paths: PathContext,
  context: GuardContext,
): string | undefined {
  switch (command.name) {
    case 'find':
      return foundCredential(command.argv.slice(1), paths);
    case 'fd':
    case 'fdfind':
      return fdCredential(command.argv.slice(1), paths);
    case 'locate':
    case 'plocate':
    case 'mlocate':
    case 'slocate':
      return locatedCredential(command.argv.slice(1), paths.homeDir);
    default:
      // ls, echo and printf print the paths they are given, globs expanded.
      return command.argv
        .slice(1)
        .filter((arg) => !arg.startsWith('-'))
        .find((arg) => namesCredentialFile(arg, paths, context));
  }
}

/** Returns a credential file that `find ARGS` matches: under a start folder and passing every name test. */
function foundCredential(args: readonly string[], paths: PathContext): string | undefined {
  let first = 0;
  while (FIND_LEADING_OPTIONS.has(args[first] ?? '')) {
    first += args[first] === '-D' ? 2 : 1;
  }
  const testAt = args.findIndex((arg, index) => index >= first && /^[-(!]/.test(arg));
  const starts = args.slice(first, testAt < 0 ? args.length : testAt);
  const roots = (starts.length === 0 ? ['.'] : starts).map((start) => resolvePath(start, paths));
  const tests: { option: string; matches: (text: string) => boolean }[] = [];
  for (let index = 0; index < args.length - 1; index += 1) {
    const option = args[index] ?? '';
    if (FIND_NAME_TESTS.has(option)) {
      const ignoreCase = option.startsWith('-i');
      tests.push({ option, matches: compileWildcard(args[index + 1] ?? '', { ignoreCase }) });
    }
  }
  return credentialFiles(paths.homeDir).find(
    (file) =>
      roots.some((root) => isInside(file, root)) &&
      tests.every(({ option, matches }) =>
        matches(option.endsWith('name') ? baseName(file) : file),
      ),
  );
}

/**
 * Returns a credential file that `fd ARGS` lists. fd takes a regular expression (a glob with
 * `-g`) matched against the file name (the whole path with `-p`), then the folders to search,
 * and skips hidden files, which every home credential file is, unless given `-H` or `-u`.
 */
function fdCredential(args: readonly string[], paths: PathContext): string | undefined {
  const { operands, extensions, hidden, glob, fullPath, ignoreCase } = readFdOptions(args);
  const [pattern = '', ...starts] = operands;
  const matches = glob
    ? compileWildcard(pattern, { ignoreCase })
    : searchRegex(pattern, ignoreCase);
  const roots = (starts.length === 0 ? ['.'] : starts).map((start) => resolvePath(start, paths));
  return credentialFiles(paths.homeDir).find((file) => {
    const root = roots.find((folder) => isInside(file, folder));
    if (root === undefined) {
      return false;
    }
    const below = file.slice(root.replace(/\/+$/, '').length);
    const extension = /\.([^./]+)$/.exec(file)?.[1] ?? '';
    return (
      (hidden || !/\/\./.test(below)) &&
      (extensions.length === 0 || extensions.includes(extension)) &&
      matches(fullPath ? file : baseName(file))
    );
  });
}

/** Options of an `fd` call that change which files it lists. */
interface FdOptions {
  operands: string[];
  extensions: string[];
  hidden: boolean;
  glob: boolean;
  fullPath: boolean;
  ignoreCase: boolean;
}

function readFdOptions(args: readonly string[]): FdOptions {
  const options: FdOptions = {
    operands: [],
    extensions: [],
    hidden: false,
    glob: false,
    fullPath: false,
    ignoreCase: false,
  };
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (!arg.startsWith('-') || arg === '-') {
      options.operands.push(arg);
      continue;
    }
    const [option = arg, inline] = arg.startsWith('--') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const value = inline ?? (FD_VALUED.has(option) ? args[index + 1] : undefined);
    if (inline === undefined && FD_VALUED.has(option)) {
      index += 1;
    }
    if (option === '-e' || option === '--extension') {
      options.extensions.push((value ?? '').replace(/^\./, ''));
    }
    if (option === '--search-path' && value !== undefined) {
      options.operands.push('.', value);
    }
    options.hidden ||=
      /^-[a-zA-Z]*[Hu]/.test(arg) || ['--hidden', '--unrestricted'].includes(option);
    options.glob ||= /^-[a-zA-Z]*g/.test(arg) || option === '--glob';
    options.fullPath ||= /^-[a-zA-Z]*p/.test(arg) || option === '--full-path';
    options.ignoreCase ||= /^-[a-zA-Z]*i/.test(arg) || option === '--ignore-case';
  }
  return options;
}

/**
 * Returns a credential file that `locate ARGS` lists. locate matches each pattern against
 * whole paths, as a substring unless it contains a glob character, as a regular expression with
 * `-r`, and against the file name alone with `-b`.
 */
function locatedCredential(args: readonly string[], homeDir: string): string | undefined {
  const patterns: string[] = [];
  let regex = false;
  let basename = false;
  let ignoreCase = false;
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (!arg.startsWith('-')) {
      patterns.push(arg);
      continue;
    }
    if (LOCATE_VALUED.has(arg)) {
      index += 1;
    }
    if (arg === '-r' || arg === '--regexp') {
      patterns.push(args[index + 1] ?? '');
      index += 1;
    }
    regex ||= arg === '-r' || arg === '--regexp' || arg === '--regex';
    basename ||= /^-[a-zA-Z]*b/.test(arg) || arg === '--basename';
    ignoreCase ||= /^-[a-zA-Z]*i/.test(arg) || arg === '--ignore-case';
  }
  const matchers = patterns.map((pattern) => {
    if (regex) {
      return searchRegex(pattern, ignoreCase);
    }
    const wildcard = /[*?[]/.test(pattern);
    return compileWildcard(wildcard ? pattern : `*${pattern}*`, { ignoreCase });
  });
  return credentialFiles(homeDir).find((file) =>
    matchers.some((matches) => matches(basename ? baseName(file) : file)),
  );
}

/**
 * Returns a matcher for a regular expression from the command, which finds it anywhere in the
 * text. Only a pattern of letters, digits, `_`, `-`, `.` (any character), `^` and `$` is
 * compiled, because those cannot backtrack. Any other pattern is taken to match every file,
 * so a listing the guard cannot read counts as one that may list credentials.
 */
function searchRegex(pattern: string, ignoreCase: boolean): (text: string) => boolean {
  if (!/^\^?[\w.-]*\$?$/.test(pattern)) {
    return () => true;
  }
  const regex = new RegExp(pattern, ignoreCase ? 'i' : '');
  return (text) => regex.test(text);
}

function baseName(file: string): string {
  return file.replace(/^.*\//, '');
}
