/**
 * Writers run by `find … -exec CMD {} ;` (also `-execdir`, `-ok`, `-okdir`), judged by the
 * files the search may select. The `{}` operand is known only at run time. So the guard
 * tries it against the files whose change it would hold or deny, which are the guard's own
 * state and files, the agent's settings and instructions, git hooks and shell start-up
 * files. For each
 * such file the search's roots, `-name` and `-path` tests could select, it adds CMD with that
 * path in place of `{}`, and every check of a Bash command then judges it. A writer that
 * empties or overwrites every match (`truncate`, `shred`, `cp /dev/null {}`) is judged as a
 * delete of every match.
 */
import path from 'node:path';
import { findRoots, namesFindPattern } from './cleanup.js';
import { asksWithout } from './consent.js';
import { writeTargets } from './file-access.js';
import { finding, type Finding } from './findings.js';
import { isInside, resolvePath, type PathContext } from './paths.js';
import type { ParsedShell, SimpleCommand } from './shell.js';
import type { GuardContext } from './types.js';
import type { CheckGate } from './check-gates.js';

/** The wrapper that shell.ts records on a command run by `find -exec` and its kin. */
const FIND_EXEC = 'find -exec';
/**
 * Files in the project whose change the guard holds or denies: its state, the agent's
 * settings and instructions, git and commit hooks, and files that tools run on their own.
 */
const PROJECT_CANDIDATES = [
  '.sandstack/guard.db',
  '.sandstack/approvals.db',
  '.sandstack/policy.yaml',
  '.sandstack/guard.sock',
  '.claude/settings.json',
  '.claude/settings.local.json',
  '.mcp.json',
  'CLAUDE.md',
  'AGENTS.md',
  '.git/config',
  '.git/hooks/pre-commit',
  '.git/hooks/pre-push',
  '.git/hooks/post-checkout',
  '.git/hooks/post-merge',
  '.husky/pre-commit',
  '.envrc',
  '.vscode/settings.json',
  '.vscode/tasks.json',
];
/** The same kind of files under the home folder. */
const HOME_CANDIDATES = [
  '.claude/settings.json',
  '.bashrc',
  '.zshrc',
  '.profile',
  '.bash_profile',
  '.gitconfig',
  '.ssh/authorized_keys',
  '.ssh/config',
];
/** Most added commands per `-exec`, enough for every candidate one search may select. */
const MAX_CANDIDATES = 8;
/** Writers that leave every file they are given empty or overwritten. */
const WIPERS = new Set(['truncate', 'shred']);
/** Writers that empty their target when they copy from a null or zero device. */
const NULL_COPIERS = new Set(['cp', 'install', 'dd', 'tee']);
const NULL_DEVICE = /^(?:if=)?\/dev\/(?:null|zero)$/;
/** Words that ask to empty files: "truncate the logs", "clear the .log files". */
const EMPTY_VERB = /\b(?:truncate|empty|clear|wipe|zero|blank|reset)\b/i;

/** A `find` search: where it starts and which names and paths it may select. */
interface Selection {
  /** Each root as written, which starts every path the search prints, and resolved. */
  roots: { written: string; resolved: string }[];
  /** `-name` and `-iname` patterns, and whether one of them matching is enough (`-o`). */
  names: { pattern: RegExp; broad: boolean }[];
  paths: RegExp[];
  anyName: boolean;
}

/**
 * Adds to `parsed` the command each `find -exec` writer amounts to for every protected file
 * the search may select, marked with `find selection` in `via`.
 */
export function followFindSelections(parsed: ParsedShell, context: GuardContext): void {
  const paths: PathContext = { cwd: context.cwd, homeDir: context.homeDir ?? '/root' };
  const commands = [...parsed.commands];
  commands.forEach((command, index) => {
    if (!command.wrappers.includes(FIND_EXEC) || !command.argv.includes('{}')) {
      return;
    }
    const find = commands
      .slice(0, index)
      .reverse()
      .find((candidate) => candidate.name === 'find' && candidate.text === command.text);
    if (find === undefined || find.dynamic) {
      return;
    }
    const selection = parseSelection(find, paths);
    let added = 0;
    for (const candidate of protectedCandidates(context, paths)) {
      const selectedPath = selects(selection, candidate.file, candidate.specificOnly);
      if (selectedPath === undefined || added >= MAX_CANDIDATES) {
        continue;
      }
      const argv = command.argv.map((arg) => (arg === '{}' ? selectedPath : arg));
      const clone: SimpleCommand = {
        ...command,
        argv,
        redirects: [],
        via: [...command.via, 'find selection'],
        text: argv.join(' '),
      };
      if (writeTargets(clone).includes(selectedPath)) {
        parsed.commands.push(clone);
        added += 1;
      }
    }
  });
}

/** Gate of {@link checkFindWipes}, which judges only commands that `find -exec` runs. */
export const FIND_WIPES_GATE: CheckGate = { wrappers: new Set([FIND_EXEC]) };

/**
 * Finds a `find -exec` writer that empties or overwrites every file the search matches,
 * unless the user asked to empty files of the pattern it searches for.
 */
export function checkFindWipes(parsed: ParsedShell, messages: string): Finding | undefined {
  const wiper = parsed.commands.find(
    (command) =>
      command.wrappers.includes(FIND_EXEC) &&
      !command.via.includes('find selection') &&
      command.argv.includes('{}') &&
      (WIPERS.has(command.name) ||
        (NULL_COPIERS.has(command.name) && command.argv.some((arg) => NULL_DEVICE.test(arg))) ||
        (command.name === 'tee' && command.stdin === undefined)),
  );
  if (wiper === undefined) {
    return undefined;
  }
  if (asksWithout(EMPTY_VERB, messages) && namesFindPattern(messages, parsed)) {
    return undefined;
  }
  return finding(
    'local-destruction',
    `The command runs ${wiper.name} on every file a search matches, which empties or overwrites them`,
    'find-exec-wipe',
  );
}

function protectedCandidates(
  context: GuardContext,
  paths: PathContext,
): { file: string; specificOnly: boolean }[] {
  const guardFiles = context.guardFiles ?? [];
  return [
    // The guard's own files are protected from any search that can reach them.
    ...guardFiles.map((file) => ({ file, specificOnly: false })),
    ...PROJECT_CANDIDATES.map((relative) => ({
      file: path.posix.join(context.projectDir, relative),
      specificOnly: !relative.startsWith('.sandstack/'),
    })),
    ...HOME_CANDIDATES.map((relative) => ({
      file: path.posix.join(paths.homeDir, relative),
      specificOnly: true,
    })),
  ];
}

function parseSelection(find: SimpleCommand, paths: PathContext): Selection {
  const end = find.argv.findIndex((arg, index) => index > 0 && /^[-(!]/.test(arg));
  const expression = end < 0 ? [] : find.argv.slice(end);
  const selection: Selection = {
    roots: findRoots(find).map((root) => ({
      written: root.replace(/(?<=.)\/+$/, ''),
      resolved: resolvePath(root, paths),
    })),
    names: [],
    paths: [],
    anyName: expression.includes('-o') || expression.includes('-or'),
  };
  for (let index = 0; index < expression.length; index += 1) {
    const test = expression[index] ?? '';
    const value = expression[index + 1];
    const negated = ['!', '-not'].includes(expression[index - 1] ?? '');
    if (value === undefined || negated) {
      continue;
    }
    if (test === '-name' || test === '-iname') {
      selection.names.push({
        pattern: fnmatchPattern(value, test === '-iname'),
        broad: /^[*?]/.test(value),
      });
    } else if (['-path', '-ipath', '-wholename', '-iwholename'].includes(test)) {
      selection.paths.push(fnmatchPattern(value, test.startsWith('-i')));
    }
  }
  return selection;
}

/**
 * Returns `file` as the search would print it when the search may select it, or undefined.
 * With `specificOnly`, a file is selected only by a name pattern that does not start with a
 * wildcard, so `-name '*.md'` is not read as aiming at `CLAUDE.md`. Negated tests are skipped,
 * which makes the selection larger, never smaller.
 */
function selects(selection: Selection, file: string, specificOnly: boolean): string | undefined {
  const root = selection.roots.find(
    (candidate) => isInside(file, candidate.resolved) && file !== candidate.resolved,
  );
  if (root === undefined) {
    return undefined;
  }
  const prefix = root.written === '/' ? '' : root.written;
  const printed = `${prefix}/${path.posix.relative(root.resolved, file)}`;
  const base = path.posix.basename(file);
  const nameHits = selection.names.filter((name) => name.pattern.test(base));
  const namesMatch =
    selection.names.length === 0
      ? !specificOnly
      : selection.anyName
        ? nameHits.length > 0
        : nameHits.length === selection.names.length;
  if (!namesMatch || (specificOnly && nameHits.every((name) => name.broad))) {
    return undefined;
  }
  if (!selection.anyName && !selection.paths.every((pattern) => pattern.test(printed))) {
    return undefined;
  }
  return printed;
}

/** Compiles a `find` pattern: unlike a shell glob, `*` also matches `/` and a leading dot. */
function fnmatchPattern(pattern: string, ignoreCase: boolean): RegExp {
  let source = '';
  for (let index = 0; index < pattern.length; index += 1) {
    const char = pattern[index] ?? '';
    if (char === '*') {
      source += '.*';
    } else if (char === '?') {
      source += '.';
    } else if (char === '[') {
      const close = pattern.indexOf(']', index + 2);
      if (close < 0) {
        source += '\\[';
        continue;
      }
      const body = pattern.slice(index + 1, close).replace(/^[!^]/, '^');
      source += `[${body.replace(/[\\[\]]/g, '\\$&')}]`;
      index = close;
    } else {
      source += char.replace(/[.+^${}()|\\/]/g, '\\$&');
    }
  }
  try {
    return new RegExp(`^${source}$`, ignoreCase ? 'i' : '');
  } catch {
    return /(?!)/;
  }
}
