/**
 * Files read out of git's objects instead of the working tree. `git show HEAD:.env` prints
 * the `.env` of a commit, and `git log -p -- .env` every version it ever had, which may hold
 * secrets rotated out of the working tree but still valid. Each such read is written out as
 * `cat -- PATH`, so the credential-file checks judge it as they judge a read of the file.
 */
import type { ParsedShell, SimpleCommand } from './shell.js';
import { shellQuote } from './client-scripts.js';

/** Global git options that take a separate value. */
const GLOBAL_VALUED = new Set(['-C', '-c', '--git-dir', '--work-tree', '--namespace']);
/** Subcommands whose `REV:PATH` operands print the file at that revision. */
const OBJECT_READERS = new Set(['show', 'cat-file']);
/** Subcommands that print the content of the files their pathspecs name. */
const CONTENT_COMMANDS = new Set(['show', 'diff', 'log', 'whatchanged', 'archive', 'blame']);
/** `log` prints file content only with a patch. */
const PATCH_FLAG = /^(?:-p|--patch|-u|--patch-with-stat|--patch-with-raw|-L.*)$/;
/** A `REV:PATH` or `:PATH` operand, whose revision may be `$(…)`. A URL has `//` after the colon. */
const OBJECT_PATH = /^(?:(?:\$\([^)]*\)|[^\s:@/-])[^\s:]*|:\d?)?:(?!\/\/)([^\s)]+)$/;

/**
 * Returns one `cat -- PATH` line for every file that the git commands of `parsed` print from
 * history, or an empty string when none does.
 *
 * @example
 * gitHistoryReads(await parseShell('git show HEAD~2:.env')); // "cat -- '.env'"
 */
export function gitHistoryReads(parsed: ParsedShell): string {
  const lines: string[] = [];
  // `git cat-file -p $(git rev-parse HEAD:.env)` names the object by a hash that
  // `rev-parse` prints, so its `REV:PATH` operands count when an object reader uses it.
  const resolves = parsed.commands.some(
    (command) => command.name === 'git' && command.dynamic && historyPaths(command, true) !== null,
  );
  for (const command of parsed.commands) {
    if (command.name === 'git') {
      for (const path of historyPaths(command, resolves) ?? []) {
        lines.push(`cat -- ${shellQuote(path)}`);
      }
    }
  }
  return lines.join('\n');
}

/**
 * Returns the paths `command` prints from history, or null when it is no git command that
 * prints files. With `resolving`, `rev-parse` counts as an object reader.
 */
function historyPaths(command: SimpleCommand, resolving: boolean): string[] | null {
  const args = command.argv.slice(1);
  let index = 0;
  while (index < args.length && (args[index] ?? '').startsWith('-')) {
    index += GLOBAL_VALUED.has(args[index] ?? '') ? 2 : 1;
  }
  const subcommand = args[index] ?? '';
  const readsObjects = OBJECT_READERS.has(subcommand) || (resolving && subcommand === 'rev-parse');
  if (!readsObjects && !CONTENT_COMMANDS.has(subcommand)) {
    return null;
  }

  const rest = args.slice(index + 1);
  const separator = rest.indexOf('--');
  const options = separator < 0 ? rest : rest.slice(0, separator);
  const pathspecs = separator < 0 ? [] : rest.slice(separator + 1);
  const paths: string[] = [];

  if (readsObjects) {
    for (const operand of options) {
      const match = OBJECT_PATH.exec(operand);
      if (match !== null && !operand.startsWith('-')) {
        paths.push(match[1] ?? '');
      }
    }
  }
  if (subcommand === 'archive' && separator < 0) {
    // `git archive [options] TREE-ISH [PATH…]`: operands after the tree-ish are paths.
    const operands = options.filter(
      (arg, position) =>
        !arg.startsWith('-') &&
        !/^--?(?:o|output|format|prefix|remote)$/.test(options[position - 1] ?? ''),
    );
    paths.push(...operands.slice(1));
  }

  const printsContent =
    subcommand !== 'log' && subcommand !== 'whatchanged'
      ? true
      : options.some((option) => PATCH_FLAG.test(option));
  if (CONTENT_COMMANDS.has(subcommand) && printsContent) {
    paths.push(...pathspecs.filter((path) => !path.startsWith(':(')));
  }
  return paths.filter((path) => path !== '' && path !== '.');
}
