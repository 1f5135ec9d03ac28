/**
 * Stage-1 check for code that a command line fetches from the network and then runs:
 * `git clone URL && cd repo && make`, `curl -o x.sh URL; bash x.sh`, or
 * `wget URL -O- | tar x && cd dir && ./setup`. The check follows `cd` through the line,
 * marks what clones, downloads and extractions write, and flags a later command that runs a
 * marked file or builds in a marked folder. Builds run the fetched code too: a Makefile, an
 * npm install script, a `setup.py`, a Cargo build script or a Gradle wrapper.
 *
 * A source the user named (its URL, or `owner/repo` for a forge) and the project's own remote
 * (`$(git remote get-url origin)`) are not marked, and neither is a local clone (`git clone .`).
 */
import path from 'node:path';
import type { CheckGate } from './check-gates.js';
import { finding, type Finding } from './findings.js';
import { interpreterName, isShell } from './interpreters.js';
import { containsWord } from './named-targets.js';
import { isInside, resolvePath, type PathContext } from './paths.js';
import type { ParsedShell, SimpleCommand } from './shell.js';
import { substitutionKey } from './run-file-folders.js';
import { afterCd, type CdContext } from './working-folders.js';

/** A file or folder written from a network source earlier on the line. */
interface Fetched {
  path: string;
  source: string;
  /** True for a clone or an extracted archive, false for one downloaded file. */
  folder: boolean;
}

/** Options of `git clone` that take a value as the next word. */
const GIT_CLONE_VALUES = [
  '-b',
  '--branch',
  '-o',
  '--origin',
  '-c',
  '--config',
  '--depth',
  '--reference',
  '--reference-if-able',
  '--separate-git-dir',
  '-j',
  '--jobs',
  '--filter',
  '--template',
  '-u',
  '--upload-pack',
  '--shallow-since',
  '--shallow-exclude',
  '--server-option',
  '--bundle-uri',
];

/** A URL or scp-style address of another machine: `https://…`, `git@host:owner/repo`. */
const REMOTE_SOURCE = /^(?!file:)[a-z][a-z0-9+.-]*:\/\/|^[\w.-]+@[\w.-]+:/i;
/** A command substitution that yields this repository's own remote URL. */
const OWN_REMOTE = /^\$\(\s*git\s+(?:remote\s+get-url|config\s+(?:--get\s+)?remote\.[\w-]+\.url)\b/;

/**
 * Subcommands that only read or print, per build tool. Any other subcommand of these tools
 * counts as running the project's code, because install scripts, build scripts and task
 * runners all execute files of the project.
 */
const READ_ONLY_SUBCOMMANDS: Record<string, ReadonlySet<string>> = {
  npm: new Set([
    'view',
    'info',
    'show',
    'ls',
    'list',
    'outdated',
    'audit',
    'help',
    'config',
    'search',
    'explain',
    'why',
  ]),
  pnpm: new Set(['view', 'info', 'ls', 'list', 'outdated', 'audit', 'help', 'config', 'why']),
  yarn: new Set(['info', 'list', 'outdated', 'audit', 'help', 'config', 'why']),
  bun: new Set(['pm', 'help']),
  cargo: new Set([
    'tree',
    'metadata',
    'search',
    'locate-project',
    'pkgid',
    'fmt',
    'help',
    'read-manifest',
  ]),
  go: new Set(['list', 'mod', 'env', 'version', 'vet', 'doc', 'fmt', 'build', 'help']),
  pip: new Set(['list', 'show', 'freeze', 'check', 'help', 'config', 'cache', 'index', 'inspect']),
  uv: new Set(['tree', 'help', 'version', 'cache', 'lock']),
  poetry: new Set(['show', 'check', 'help', 'config', 'env', 'lock', 'version']),
  bundle: new Set(['list', 'info', 'outdated', 'help', 'config', 'check']),
  composer: new Set(['show', 'info', 'outdated', 'validate', 'help', 'config', 'licenses']),
  dotnet: new Set(['list', 'help', '--info', '--version', 'sln', 'nuget']),
  deno: new Set(['info', 'doc', 'fmt', 'lint', 'check', 'help']),
};

/** Build tools and task runners whose every run executes files of the folder they work in. */
const BUILD_RUNNERS = new Set([
  'make',
  'gmake',
  'cmake',
  'ninja',
  'meson',
  'mvn',
  'gradle',
  'ant',
  'sbt',
  'lein',
  'rake',
  'just',
  'task',
  'tox',
  'nox',
  'pytest',
  'pre-commit',
  'mix',
  'rebar3',
  'stack',
  'cabal',
  'swift',
  'zig',
  'npx',
  'pnpx',
  'bunx',
  'pipx',
  'pdm',
  'hatch',
  'gem',
]);

/**
 * Gate of {@link checkFetchedThenRun}: the programs whose commands `fetchedBy` reads. A line
 * without them marks nothing as fetched, so nothing on it runs fetched code.
 */
export const FETCHED_THEN_RUN_GATE: CheckGate = {
  programs: new Set(['git', 'gh', 'glab', 'hg', 'svn', 'curl', 'wget']),
};

/** Finds a command that runs code fetched earlier on the same line from an unnamed source. */
export function checkFetchedThenRun(
  parsed: ParsedShell,
  paths: PathContext,
  messages: string,
  cdContext: CdContext,
): Finding | undefined {
  const fetched: Fetched[] = [];
  const folders = new SubstitutionFolders(paths);
  for (const command of parsed.commands) {
    const here = folders.of(command);
    // NOTE: a `cd` inside a subshell `( … )` is taken to last for the rest of the line.
    if (command.name === 'cd' || command.name === 'pushd') {
      folders.move(command, afterCd(command, here, cdContext));
      continue;
    }
    const found = fetched.find((entry) => runsFetched(command, here, entry));
    if (found !== undefined) {
      return finding(
        'code-from-external',
        `The command runs code fetched from ${found.source} earlier on the same line, a source the user did not name`,
        'fetched-code-run',
      );
    }
    for (const entry of fetchedBy(command, parsed, here)) {
      if (!namesSource(entry.source, messages)) {
        fetched.push(entry);
      }
    }
    // `tar xzf x.tgz` or `unzip x.zip` of a download writes fetched files too.
    const archive = isExtraction(command)
      ? fetched.find((entry) =>
          command.argv.slice(1).some((arg) => resolvePath(arg, here) === entry.path),
        )
      : undefined;
    if (archive !== undefined) {
      const folder = resolvePath(extractionFolder(command) ?? '.', here);
      fetched.push({ path: folder, source: archive.source, folder: true });
    }
  }
  return undefined;
}

/**
 * The working folder of each command of a line. Commands inside `$(…)` or `<(…)` run in a
 * subshell: they start in the folder of the line at that point and run before the command
 * that contains them, and a `cd` among them moves only the later commands of the same
 * substitution. Files they fetch stay on disk for the whole line.
 */
class SubstitutionFolders {
  private line: PathContext;
  /** Folders inside the substitutions met since the last command of the line itself. */
  private readonly inner = new Map<string, PathContext>();

  constructor(start: PathContext) {
    this.line = start;
  }

  /** Returns the folder `command` runs in. */
  of(command: SimpleCommand): PathContext {
    const key = substitutionKey(command.via);
    if (key === '') {
      this.inner.clear();
      return this.line;
    }
    return this.inner.get(key) ?? this.line;
  }

  /** Records that `command`, a `cd` or `pushd`, moved later commands of its scope to `after`. */
  move(command: SimpleCommand, after: PathContext): void {
    const key = substitutionKey(command.via);
    if (key === '') {
      this.line = after;
    } else {
      this.inner.set(key, after);
    }
  }
}

/** Positional arguments, skipping options and the values of the options listed. */
function positionals(args: readonly string[], valued: readonly string[]): string[] {
  const found: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (arg.startsWith('-')) {
      index += valued.includes(arg) ? 1 : 0;
      continue;
    }
    found.push(arg);
  }
  return found;
}

/** Returns the last path segment of a URL or slug without `.git`, as git names a clone's folder. */
function defaultFolder(source: string): string {
  const trimmed = source.replace(/[?#].*$/, '').replace(/\/+$/, '');
  const last = trimmed.split(/[/:]/).at(-1) ?? '';
  return last.replace(/\.git$/, '');
}

/** Files and folders a command writes from a network source. */
function fetchedBy(command: SimpleCommand, parsed: ParsedShell, here: PathContext): Fetched[] {
  const args = command.argv.slice(1);
  switch (command.name) {
    case 'git': {
      const words = positionals(args, ['-C', '-c', ...GIT_CLONE_VALUES]);
      if (words[0] !== 'clone') {
        return [];
      }
      return cloned(words[1], words[2], here);
    }
    case 'gh':
    case 'glab': {
      const words = positionals(args, ['-R', '--repo']);
      if (words[0] !== 'repo' || words[1] !== 'clone' || words[2] === undefined) {
        return [];
      }
      const folder = words[3] ?? defaultFolder(words[2]);
      return [{ path: resolvePath(folder, here), source: words[2], folder: true }];
    }
    case 'hg':
    case 'svn': {
      const words = positionals(args, ['-r', '--rev', '-b', '--branch', '-u', '--updaterev']);
      if (!['clone', 'checkout', 'co', 'export'].includes(words[0] ?? '')) {
        return [];
      }
      return cloned(words[1], words[2], here);
    }
    case 'curl':
    case 'wget':
      return downloaded(command, parsed, here);
    default:
      return [];
  }
}

function cloned(
  source: string | undefined,
  folder: string | undefined,
  here: PathContext,
): Fetched[] {
  if (source === undefined || OWN_REMOTE.test(source)) {
    return [];
  }
  // A computed URL is treated as an unnamed remote, and a plain path is a local clone.
  if (!REMOTE_SOURCE.test(source) && !source.startsWith('$')) {
    return [];
  }
  const target = folder ?? defaultFolder(source);
  return target === '' ? [] : [{ path: resolvePath(target, here), source, folder: true }];
}

/**
 * Returns where a curl or wget call saves what it fetches: `-o FILE`, `-O` (the URL's last segment),
 * a `>` redirect, or a folder when its output is piped into `tar x`.
 */
function downloaded(command: SimpleCommand, parsed: ParsedShell, here: PathContext): Fetched[] {
  const args = command.argv.slice(1);
  const source = args.find((arg) => /^(?:https?|ftp):\/\//i.test(arg));
  if (source === undefined) {
    return [];
  }

  const saved: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    const value = args[index + 1];
    const long = /^--(output|output-document|directory-prefix)(?:=(.*))?$/.exec(arg);
    if (long !== null) {
      const file = long[2] ?? value;
      if (file !== undefined && file !== '-') {
        saved.push(
          long[1] === 'directory-prefix' ? path.posix.join(file, defaultFolder(source)) : file,
        );
      }
      continue;
    }
    const short = /^-[a-zA-Z]+$/.test(arg) ? arg : '';
    const last = short.at(-1);
    // curl's `-o FILE` and wget's `-O FILE` take the next word, and curl's `-O` uses the URL's name.
    if ((last === 'o' || (last === 'O' && command.name === 'wget')) && value !== undefined) {
      if (value !== '-') {
        saved.push(value);
      }
      continue;
    }
    if (command.name === 'curl' && short.includes('O')) {
      saved.push(defaultFolder(source));
    }
    if (command.name === 'wget' && last === 'P' && value !== undefined) {
      saved.push(path.posix.join(value, defaultFolder(source)));
    }
  }

  for (const redirect of command.redirects) {
    if (redirect.operator.includes('>') && !redirect.operator.includes('&')) {
      saved.push(redirect.target);
    }
  }
  if (
    command.name === 'wget' &&
    saved.length === 0 &&
    !args.some((arg) => /^-[a-zA-Z]*O/.test(arg))
  ) {
    saved.push(defaultFolder(source));
  }

  // `curl URL | tar x` writes the archive's files into the folder tar extracts to.
  const pipeline = command.pipeline;
  const extractor = parsed.commands.find(
    (other) =>
      pipeline !== undefined &&
      other.pipeline?.id === pipeline.id &&
      other.pipeline.index === pipeline.index + 1 &&
      isExtraction(other),
  );
  const files = saved.map((file) => ({ path: resolvePath(file, here), source, folder: false }));
  if (extractor === undefined) {
    return files;
  }
  const folder = resolvePath(extractionFolder(extractor) ?? '.', here);
  return [...files, { path: folder, source, folder: true }];
}

/**
 * Returns the absolute paths of the files a curl or wget call saves, by every spelling of its
 * output options (`-o FILE`, `-qO FILE`, `--output-document=FILE`, `-O`, `-P DIR`, a `>`
 * redirect, or wget's default of the URL's last segment).
 */
export function savedDownloads(
  command: SimpleCommand,
  parsed: ParsedShell,
  here: PathContext,
): string[] {
  if (command.name !== 'curl' && command.name !== 'wget') {
    return [];
  }
  return downloaded(command, parsed, here)
    .filter((entry) => !entry.folder)
    .map((entry) => entry.path);
}

export function isExtraction(command: SimpleCommand): boolean {
  const first = command.argv[1] ?? '';
  return (
    ((command.name === 'tar' || command.name === 'bsdtar') && /^-?[a-zA-Z]*x/.test(first)) ||
    command.argv.includes('--extract') ||
    command.name === 'unzip' ||
    (command.name === '7z' && first === 'x')
  );
}

export function extractionFolder(command: SimpleCommand): string | undefined {
  const args = command.argv;
  const at = args.findIndex((arg) => arg === '-C' || arg === '--directory' || arg === '-d');
  return at > 0 ? args[at + 1] : undefined;
}

/** Checks whether the user named a source: its URL without the scheme, or `owner/repo`. */
function namesSource(source: string, messages: string): boolean {
  const address = source
    .replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
    .replace(/^[\w.-]+@([\w.-]+):/, '$1/')
    .replace(/\.git$/, '')
    .replace(/\/+$/, '');
  if (address.length >= 4 && messages.toLowerCase().includes(address.toLowerCase())) {
    return true;
  }
  const segments = address.split('/').filter((segment) => segment !== '');
  const slug = segments.slice(-2).join('/');
  return segments.length >= 2 && containsWord(messages, slug);
}

/**
 * Checks whether a command runs a fetched file, or a file of a fetched folder, or builds in
 * such a folder. A downloaded file given to a build tool is taken as data, such as a schema.
 */
function runsFetched(command: SimpleCommand, here: PathContext, fetched: Fetched): boolean {
  const inside = (value: string): boolean => isInside(resolvePath(value, here), fetched.path);
  const program = command.argv[0] ?? '';
  if (program.includes('/') && inside(program)) {
    return true;
  }

  const args = command.argv.slice(1);
  const operands = args.filter((arg) => !arg.startsWith('-'));
  if (isShell(command.name) || command.name === 'source' || command.name === '.') {
    return operands[0] !== undefined && inside(operands[0]);
  }
  if (interpreterName(command.name) !== undefined) {
    // `python -m pkg` imports from the working folder first.
    return (
      (operands[0] !== undefined && inside(operands[0])) || (args.includes('-m') && inside('.'))
    );
  }

  const pathArgs = args
    .map((arg) => arg.replace(/^--?[\w-]+=/, ''))
    .filter((arg) => arg === '.' || arg.includes('/'));
  const key = toolKey(command.name);
  const readOnly = Object.hasOwn(READ_ONLY_SUBCOMMANDS, key)
    ? READ_ONLY_SUBCOMMANDS[key]
    : undefined;
  if (!fetched.folder) {
    return false;
  }
  if (readOnly !== undefined) {
    const subcommand = operands[0] ?? '';
    if (readOnly.has(subcommand) || (command.name === 'pip' && subcommand !== 'install')) {
      return false;
    }
    // `pip install` runs a project only when given its folder, as `.` or `./repo`.
    if (toolKey(command.name) === 'pip') {
      return pathArgs.some(inside);
    }
    return inside('.') || pathArgs.some(inside);
  }
  if (BUILD_RUNNERS.has(command.name) || command.name === 'configure') {
    return inside('.') || pathArgs.some(inside);
  }
  return false;
}

/** Maps `pip3` and `python3 -m pip` style names to one key of {@link READ_ONLY_SUBCOMMANDS}. */
function toolKey(name: string): string {
  return /^pip\d*(?:\.\d+)?$/.test(name) ? 'pip' : name;
}
