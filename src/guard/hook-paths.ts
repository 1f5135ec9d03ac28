/**
 * Requested `git config core.hooksPath FOLDER` for the repository's own hook folder. "We have
 * lint hooks in .githooks/, wire them up for this repo" asks for `git config core.hooksPath
 * .githooks`, which makes git run the hooks the project keeps in that folder. A global or
 * system setting, a folder outside the project, `/dev/null` (which turns every hook off) and a
 * folder the user did not name still reach the security and persistence rules.
 */
import { asksWithout } from './consent.js';
import { containsWord } from './named-targets.js';
import type { SimpleCommand } from './shell.js';

/** Words of a request about git hooks. */
const HOOK_WORDS = /\b(?:hooks?|pre-commit|pre-push|commit-msg)\b/i;

/** Options of `git config` that write outside the repository's own config. */
const WIDE_SCOPES = new Set(['--global', '--system', '--file', '-f', '--worktree']);

/** Returns the folder a `git config [--local] core.hooksPath FOLDER` call sets, if it is one. */
function hooksPathValue(command: SimpleCommand): string | undefined {
  const args = command.argv.slice(1);
  if (command.name !== 'git' || command.dynamic || args[0] !== 'config') {
    return undefined;
  }
  const rest = args.slice(1).filter((arg) => arg !== '--local');
  if (rest.length !== 2 || !/^core\.hookspath$/i.test(rest[0] ?? '')) {
    return undefined;
  }
  return rest.some((arg) => WIDE_SCOPES.has(arg)) ? undefined : rest[1];
}

/**
 * Checks whether `command` points this repository's hooks at a relative folder inside the
 * project that the user's consenting clauses `messages` name, in a request about hooks.
 */
export function setsNamedProjectHooksPath(command: SimpleCommand, messages: string): boolean {
  const folder = hooksPathValue(command)?.replace(/^\.\//, '').replace(/\/+$/, '');
  return (
    folder !== undefined &&
    /^[\w.][\w./-]*$/.test(folder) &&
    !folder.split('/').includes('..') &&
    !/^\.git(?:\/|$)/.test(folder) &&
    containsWord(messages, folder) &&
    // The folder's own name ("scripts/hooks") does not make a request about hooks.
    asksWithout(HOOK_WORDS, messages.split(folder).join(' '))
  );
}
