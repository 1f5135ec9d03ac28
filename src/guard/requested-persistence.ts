/**
 * Changes to what runs again later that the user asked for by name: a crontab line whose
 * command path is replaced in place ("fix that line to use bin/prune-tmp.sh"), and a git
 * alias for a git subcommand ("add a global git alias st for status"). New cron entries,
 * shell aliases (`!cmd`) and edits the request does not name keep the persistence question.
 */
import { requestsVerb } from './consent.js';
import { containsWord } from './named-targets.js';
import type { ParsedShell, SimpleCommand } from './shell.js';

const FIX_VERBS = String.raw`fix\w*|chang\w*|updat\w*|replac\w*|point\w*|switch\w*|us(?:e|es|ing)|repoint\w*|correct\w*`;
/** A `sed` substitution with any delimiter and no flags but `g`: `s#OLD#NEW#`. */
const SUBSTITUTION = /^s([#|,:@/])((?:(?!\1).)+)\1((?:(?!\1).)+)\1g?$/;
/** A path or word without shell or cron syntax: no `%`, `$`, `;`, quote or space. */
const PLAIN_PATH = /^[\w./~-]+$/;
/**
 * A literal path of two or more parts with no regular expression syntax but `.`, so a sed
 * pattern of it matches one script, not every line (`s#/[^ ]*\.sh#…#` or `s#/opt#…#`).
 */
const LITERAL_PATH = /^(?:~|\.{1,2})?\/?[\w.-]+(?:\/[\w.-]+)+$/;

/** Returns the words of `text` without the quotes and punctuation around them. */
function pathWords(text: string): string[] {
  return text.split(/\s+/).map((word) => word.replace(/^[('"`]+|[)'"`,;:!?.]+$/g, ''));
}

/**
 * Checks whether a request names the path `path`: whole, or by a relative path of two or
 * more parts that it ends with (`bin/prune-tmp.sh` for `/home/dev/project/bin/prune-tmp.sh`).
 */
function namesPath(request: string, path: string): boolean {
  if (containsWord(request, path)) {
    return true;
  }
  return pathWords(request).some(
    (word) => word.includes('/') && !word.startsWith('/') && path.endsWith(`/${word}`),
  );
}

/**
 * Checks whether the messages name the script `path` as a whole path word, or a word of four
 * or more letters of its file name without the extension.
 */
function namesCronScript(messages: string, path: string): boolean {
  const stem = path.replace(/^.*\//, '').replace(/\.\w+$/, '');
  const words = (stem.match(/[a-z]{4,}/gi) ?? []).filter((word) => !/^(?:home|root)$/i.test(word));
  return pathWords(messages).includes(path) || words.some((word) => containsWord(messages, word));
}

/**
 * Checks that `command` is the `crontab -` at the end of `crontab -l | sed 's#OLD#NEW#' |
 * crontab -`, which rewrites existing lines and adds none. NEW must be a plain path in the
 * project that a request to fix, change or point a line names. OLD must be a literal path
 * that the messages name whole or describe by a word of its file name ("that nightly prune
 * job" for `/home/dev/old/prune.sh`), so the edit changes the one job the request is about.
 */
export function fixesRequestedCrontabLine(
  command: SimpleCommand,
  parsed: ParsedShell,
  messages: string,
  isProjectPath: (path: string) => boolean,
): boolean {
  const position = command.pipeline;
  if (position?.length !== 3 || position.index !== 2 || command.argv.join(' ') !== 'crontab -') {
    return false;
  }
  const stages = parsed.commands.filter((other) => other.pipeline?.id === position.id);
  const [list, edit] = stages;
  const script = edit?.argv.length === 2 ? edit.argv[1] : undefined;
  const substitution = SUBSTITUTION.exec(script ?? '');
  const pattern = substitution?.[2] ?? '';
  const replacement = substitution?.[3] ?? '';
  if (
    stages.length !== 3 ||
    list?.argv.join(' ') !== 'crontab -l' ||
    edit?.name !== 'sed' ||
    edit.dynamic ||
    substitution === null ||
    !LITERAL_PATH.test(pattern) ||
    !namesCronScript(messages, pattern) ||
    !PLAIN_PATH.test(replacement) ||
    !isProjectPath(replacement) ||
    stages.some((stage) => stage.redirects.length > 0 || stage.wrappers.length > 0)
  ) {
    return false;
  }
  return requestsVerb(FIX_VERBS, messages).some((request) => namesPath(request, replacement));
}

const ALIAS_VERBS = String.raw`add\w*|creat\w*|set\w*|mak\w*|defin\w*|alias\w*|giv\w*`;

/**
 * Checks that `command` is `git config [--global] alias.NAME 'SUBCOMMAND [ARGS]'` for a git
 * subcommand, and that one request for an alias names NAME and every word of the value. A
 * value starting with `!` runs a shell command, so it is not covered.
 */
export function setsRequestedGitAlias(command: SimpleCommand, messages: string): boolean {
  const args = command.argv.slice(1);
  const scoped = args[1] === '--global' ? args.slice(2) : args.slice(1);
  const [key = '', value = '', ...rest] = scoped;
  const name = /^alias\.([\w-]+)$/.exec(key)?.[1];
  if (
    command.name !== 'git' ||
    command.dynamic ||
    args[0] !== 'config' ||
    name === undefined ||
    rest.length > 0 ||
    !/^[a-z][\w-]*(?: [\w./@=-]+)*$/.test(value)
  ) {
    return false;
  }
  return requestsVerb(ALIAS_VERBS, messages).some(
    (request) =>
      /\balias(?:es)?\b/i.test(request) &&
      containsWord(request, name) &&
      value.split(' ').every((word) => containsWord(request, word)),
  );
}
