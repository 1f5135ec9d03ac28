/**
 * Globs that hide a name from the checks. The guard sees no filesystem, so a glob word is
 * tested against lists of names the checks protect: `rm -rf .s*` is judged as
 * `rm -rf .sandstack` too, and `/bin/r*m` as `/bin/rm`. A glob in the program position is
 * never allowed on its own, because the guard cannot know which program it runs.
 */
import path from 'node:path';
import { globToRegExp, hasGlob } from './globs.js';
import { SHELLS } from './interpreters.js';
import { isInside, resolvePath, type PathContext } from './paths.js';
import type { Finding } from './findings.js';
import type { ParsedShell, Redirect, SimpleCommand } from './shell.js';
import { writeTargets } from './file-access.js';
import { afterCd, type CdContext } from './working-folders.js';

/** The guard's state folder in the project, which `sandstack guard hook` uses by default. */
const GUARD_STATE = '.sandstack';

/**
 * Project paths that some check protects: the guard's state folder and files, the agent's
 * settings and instructions, and files that make git, direnv, editors or package managers
 * run code. A glob that matches one of them, or a folder above one, is judged as naming it.
 */
export const PROTECTED_PROJECT_PATHS: readonly string[] = [
  '.sandstack/guard.db',
  '.sandstack/guard.db-wal',
  '.sandstack/approvals.db',
  '.sandstack/daemon.sock',
  '.claude/settings.json',
  '.claude/settings.local.json',
  '.claude/commands/review.md',
  '.mcp.json',
  'CLAUDE.md',
  'AGENTS.md',
  '.cursor/rules/project.mdc',
  '.git/config',
  '.git/hooks/pre-commit',
  '.git/HEAD',
  '.envrc',
  '.vscode/tasks.json',
  '.vscode/launch.json',
  '.vscode/settings.json',
  '.devcontainer/devcontainer.json',
  '.husky/pre-commit',
  '.pre-commit-config.yaml',
  'lefthook.yml',
  '.npmrc',
  '.yarnrc.yml',
  'pip.conf',
  'bunfig.toml',
  'sandstack.yaml',
  'guard-policy.yaml',
];

/**
 * Program names a glob in the program position is tested against: the ones whose arguments
 * the checks judge. A glob that matches none of them still gets `ask`.
 */
const KNOWN_PROGRAMS: readonly string[] = [
  'rm',
  'rmdir',
  'shred',
  'unlink',
  'mv',
  'cp',
  'dd',
  'tee',
  'truncate',
  'chmod',
  'chown',
  'ln',
  'mkfs',
  'find',
  'xargs',
  'cat',
  'curl',
  'wget',
  'nc',
  'ncat',
  'socat',
  'scp',
  'rsync',
  'ssh',
  // The parser follows into every shell, so each is a name worth testing.
  ...SHELLS,
  'python',
  'python3',
  'perl',
  'ruby',
  'node',
  'git',
  'sudo',
  'kill',
  'pkill',
  'killall',
  'crontab',
  'systemctl',
  'sandstack',
  'npx',
  'docker',
  'kubectl',
  'terraform',
  'aws',
  'gcloud',
  'base64',
  'openssl',
];

/** Maximum variants of one command line that are judged, so many glob words stay cheap. */
const MAX_VARIANTS = 64;
/**
 * Maximum simple commands judged over all variants: each variant is the whole command line
 * again, so a long line gets fewer variants. Past it, the line goes to a human.
 */
const MAX_VARIANT_COMMANDS = 2048;
/** Programs that only list or name files, so a glob operand of theirs changes nothing. */
const LISTERS = new Set([
  'ls',
  'stat',
  'du',
  'file',
  'wc',
  'echo',
  'printf',
  'tree',
  'realpath',
  'readlink',
  'basename',
  'dirname',
  'test',
  '[',
  '[[',
]);

/** The variants of a command line, and whether some were left out to bound the work. */
export interface GlobVariants {
  variants: GlobVariant[];
  truncated: boolean;
}

/** A copy of a command line with one glob word replaced by a name it could match. */
export interface GlobVariant {
  parsed: ParsedShell;
  /** The glob as written. */
  glob: string;
  /** The name put in its place. */
  name: string;
}

/**
 * Lists copies of `parsed` in which one glob word stands for a name it could match, up to
 * {@link MAX_VARIANTS} (fewer for a long line): a glob program for a known program, a write, delete or move target
 * for a protected project path, and any other operand for a file of the guard's state
 * folder (unless the program only lists files). `dotglob` (set with `shopt -s dotglob` in
 * `raw`) lets `*` match a leading dot, as bash does.
 */
export function globVariants(
  parsed: ParsedShell,
  raw: string,
  paths: PathContext,
  cdContext: CdContext,
): GlobVariants {
  const { projectDir } = cdContext;
  if (!hasGlob(raw)) {
    return { variants: [], truncated: false };
  }
  const limit = Math.min(
    MAX_VARIANTS,
    Math.floor(MAX_VARIANT_COMMANDS / Math.max(1, parsed.commands.length)),
  );
  let truncated = false;
  const dotglob = /\bdotglob\b|\bGLOBIGNORE=/.test(raw);
  const { protectedPaths, stateOnly } = protectedCandidates(projectDir);
  const matching = keptPathsMatching(dotglob);
  const variants: GlobVariant[] = [];
  const add = (index: number, replaced: SimpleCommand, glob: string, name: string): void => {
    if (variants.length >= limit) {
      truncated = true;
      return;
    }
    const commands = parsed.commands.map((other, at) => (at === index ? replaced : other));
    variants.push({ parsed: { ...parsed, commands }, glob, name });
  };
  // A `cd` moves the folder that later globs match in, as it moves later paths.
  let here = paths;
  parsed.commands.forEach((command, index) => {
    const current = here;
    here = afterCd(command, here, cdContext);
    const program = command.argv[0] ?? '';
    if (isGlobPattern(program)) {
      for (const name of programsMatching(program, dotglob)) {
        add(index, replaceWord(command, 0, name), program, name);
      }
    }
    const written = new Set(writeTargets(command));
    command.argv.forEach((word, at) => {
      if (at === 0 || !isGlobPattern(word) || /[$`]/.test(word)) {
        return;
      }
      const candidates = written.has(word)
        ? protectedPaths
        : LISTERS.has(command.name)
          ? []
          : stateOnly;
      for (const name of matching(word, current, candidates)) {
        add(index, replaceWord(command, at, name), word, name);
      }
    });
    command.redirects.forEach((redirect, at) => {
      if (!redirect.operator.includes('>') || !isGlobPattern(redirect.target)) {
        return;
      }
      for (const name of matching(redirect.target, current, protectedPaths)) {
        add(index, replaceRedirect(command, redirect, at, name), redirect.target, name);
      }
    });
  });
  return { variants, truncated };
}

/**
 * Checks whether `word` is a glob bash would expand: `*`, `?`, or a bracket expression with
 * its closing `]`. The test command `[` alone is no glob.
 */
export function isGlobPattern(word: string): boolean {
  return /[*?]|\[.+\]/.test(word);
}

/**
 * Returns the finding for a command whose program is a glob (`/bin/r*m`): the guard cannot
 * know which program runs, so a human decides.
 */
export function checkProgramGlobs(parsed: ParsedShell): Finding | undefined {
  const command = parsed.commands.find((candidate) => isGlobPattern(candidate.argv[0] ?? ''));
  if (command === undefined) {
    return undefined;
  }
  return {
    category: 'unparsed',
    reason: `The program "${command.argv[0] ?? ''}" is a glob, so the guard cannot tell which program runs; write its name in full`,
    rule: 'stage1:program-glob',
  };
}

/** Returns the finding for a command line with more glob words than the guard judges. */
export function tooManyGlobs(): Finding {
  return {
    category: 'unparsed',
    reason: `The command has more glob words that can match protected paths or programs than the guard judges (${MAX_VARIANT_COMMANDS} commands in all), so a human must review it`,
    rule: 'stage1:too-many-globs',
  };
}

/** Rewrites a finding of a variant so that its reason names the glob and the name it matched. */
export function variantFinding(variant: GlobVariant, found: Finding): Finding {
  return {
    ...found,
    reason: `"${variant.glob}" can match "${variant.name}": ${found.reason}`,
  };
}

/** Protected paths of one project folder, as {@link protectedCandidates} returns them. */
interface ProtectedCandidates {
  projectDir: string;
  /** Absolute protected paths, with every folder above them in the project. */
  protectedPaths: readonly string[];
  /** The protected paths inside the guard's state folder. */
  stateOnly: readonly string[];
}

/**
 * The candidates of the last project folder. They depend on the folder alone, and a guard
 * decides many calls in one project, so one entry saves building them per decision.
 */
let lastCandidates: ProtectedCandidates | undefined;

/** Returns the protected paths under `projectDir` and those inside its guard state folder. */
function protectedCandidates(projectDir: string): ProtectedCandidates {
  if (lastCandidates?.projectDir !== projectDir) {
    const protectedPaths = protectedPathsUnder(projectDir);
    const guardState = path.posix.join(projectDir, GUARD_STATE);
    const stateOnly = protectedPaths.filter((candidate) => isInside(candidate, guardState));
    lastCandidates = { projectDir, protectedPaths, stateOnly };
  }
  return lastCandidates;
}

/** Absolute protected paths under `projectDir`, with every folder above them in the project. */
function protectedPathsUnder(projectDir: string): string[] {
  const candidates = new Set<string>();
  for (const relative of PROTECTED_PROJECT_PATHS) {
    let current = path.posix.join(projectDir, relative);
    while (current !== projectDir && isInside(current, projectDir)) {
      candidates.add(current);
      current = path.posix.dirname(current);
    }
  }
  return [...candidates];
}

/**
 * Returns {@link pathsMatching} for one command line, which keeps its result per candidate list,
 * working folder and word: long lines repeat the same glob words, and each compiles to a new
 * pattern.
 */
function keptPathsMatching(
  dotglob: boolean,
): (word: string, paths: PathContext, candidates: readonly string[]) => string[] {
  const results = new Map<readonly string[], Map<string, string[]>>();
  return (word, paths, candidates) => {
    if (candidates.length === 0) {
      return [];
    }
    const byWord = results.get(candidates) ?? new Map<string, string[]>();
    results.set(candidates, byWord);
    const key = `${paths.cwd}\0${word}`;
    let names = byWord.get(key);
    if (names === undefined) {
      names = pathsMatching(word, paths, candidates, dotglob);
      byWord.set(key, names);
    }
    return names;
  };
}

function pathsMatching(
  word: string,
  paths: PathContext,
  candidates: readonly string[],
  dotglob: boolean,
): string[] {
  const resolved = resolvePath(word, paths);
  const pattern = compile(resolved, dotglob);
  return candidates
    .filter((candidate) => pattern.test(candidate))
    .map((candidate) => {
      const relative = path.posix.relative(paths.cwd, candidate);
      return relative === '' || relative.startsWith('..') ? candidate : relative;
    });
}

function programsMatching(word: string, dotglob: boolean): string[] {
  const folder = word.includes('/') ? word.slice(0, word.lastIndexOf('/') + 1) : '';
  const pattern = compile(word.slice(folder.length), dotglob);
  // The folder part keeps its glob: the basename is what names the program.
  return KNOWN_PROGRAMS.filter((name) => pattern.test(name)).map((name) => `${folder}${name}`);
}

/**
 * Patterns that {@link compile} built, by `dotglob` and glob. A session repeats its glob words
 * across calls, and building a pattern costs more than matching it. The patterns have no `g`
 * flag, so sharing them keeps no match state between calls.
 */
const compiled = [new Map<string, RegExp>(), new Map<string, RegExp>()] as const;
/** Patterns kept per `dotglob` value before the cache starts over. */
const MAX_COMPILED = 512;

function compile(pattern: string, dotglob: boolean): RegExp {
  const cache = compiled[dotglob ? 1 : 0];
  let regex = cache.get(pattern);
  if (regex === undefined) {
    regex = globToRegExp(pattern);
    if (dotglob) {
      regex = new RegExp(regex.source.replaceAll('(?!\\.)', ''));
    }
    if (cache.size >= MAX_COMPILED) {
      cache.clear();
    }
    cache.set(pattern, regex);
  }
  return regex;
}

function replaceWord(command: SimpleCommand, at: number, name: string): SimpleCommand {
  const argv = command.argv.map((word, position) => (position === at ? name : word));
  const program = argv[0] ?? '';
  return {
    ...command,
    argv,
    name: at === 0 ? path.posix.basename(program) : command.name,
    text: command.text.replace(command.argv[at] ?? '', name),
  };
}

function replaceRedirect(
  command: SimpleCommand,
  redirect: Redirect,
  at: number,
  name: string,
): SimpleCommand {
  const redirects = command.redirects.map((other, position) =>
    position === at ? { ...redirect, target: name } : other,
  );
  return { ...command, redirects, text: command.text.replace(redirect.target, name) };
}
