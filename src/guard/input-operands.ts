/**
 * Commands whose operands come from their input: `... | xargs git branch -D` or `... |
 * parallel git checkout --`. xargs without `-I` and parallel without `:::` append the words
 * they read to the command, so the command line shows the action but none of its targets.
 * Checks that judge a git command by the branches or paths it names find nothing to object
 * to in such a line, as if it had no targets. Here the targets count as unknown, that is as
 * anything: a branch delete may delete `main`, and a checkout of the listed paths may discard
 * every uncommitted change. A branch delete whose names are computed at run time (`for b in
 * $(git branch); do git branch -D "$b"; done`) is judged the same way.
 *
 * Other destructive programs (`rm`, `docker rm -f`, `kubectl delete`, cloud deletes) are
 * judged by their action whatever their operands, so they need nothing here.
 */
import { asksWithout, requestsFor } from './consent.js';
import { finding, type Finding } from './findings.js';
import { PARALLEL_VALUE_OPTIONS } from './runners.js';
import type { LoopVariable, ParsedShell, SimpleCommand } from './shell.js';
import type { CheckGate } from './check-gates.js';

/** Programs that the check looks at: git under xargs (named git), and parallel. */
export const INPUT_OPERANDS_GATE: CheckGate = { programs: new Set(['git', 'parallel']) };

/** Requests to throw away uncommitted changes, as the discard rule of rules.ts reads them. */
const DISCARD_REQUEST =
  /\b(?:throw away|discard|reset|wipe|drop|clean|remove|delete|undo|revert|restore|(?:do not|don't|no longer) need)\b.*\b(?:changes|work|edits|modifications|local|everything|files)\b/i;

/**
 * Finds a git branch delete or a checkout of files whose branches or paths are appended from
 * the input, and that the user's messages do not request.
 */
export function checkInputOperands(parsed: ParsedShell, messages: string): Finding | undefined {
  for (const command of parsed.commands) {
    const computed = deletesComputedBranches(command, parsed.loopVariables);
    if (computed && !requestsBranchDelete(messages)) {
      return finding(
        'git-destructive',
        'The command force-deletes branches whose names are computed at run time, which may include a shared branch such as main or unmerged work, and no user message asks to delete branches',
        'computed-branch-delete',
      );
    }
    const argv = inputFedArgv(command);
    if (argv === undefined || argv[0] !== 'git') {
      continue;
    }
    const words = gitSubcommandWords(argv);
    if (words === undefined) {
      continue;
    }
    const [subcommand, ...rest] = words;
    if (subcommand === 'branch' && forceDeletesBranches(rest) && !requestsBranchDelete(messages)) {
      return finding(
        'git-destructive',
        'The command force-deletes branches whose names it reads from its input, which may include a shared branch such as main or unmerged work, and no user message asks to delete branches',
        'input-branch-delete',
      );
    }
    if (discardsFiles(subcommand, rest) && !asksWithout(DISCARD_REQUEST, messages)) {
      return finding(
        'local-destruction',
        `The command discards uncommitted changes of files whose paths it reads from its input (git ${subcommand}), which may be every changed file, and no user message asks to discard changes`,
        'input-discard',
      );
    }
  }
  return undefined;
}

/**
 * Returns the words of the command that xargs or parallel runs with operands from its input,
 * appended or put where `-I` places them, or undefined when parallel takes its operands from
 * the command line after `:::`.
 */
function inputFedArgv(command: SimpleCommand): string[] | undefined {
  if (command.name === 'parallel') {
    return parallelTemplate(command.argv);
  }
  return command.wrappers.includes('xargs') ? command.argv : undefined;
}

/** Returns the command template of `parallel` when it reads its arguments from standard input. */
function parallelTemplate(argv: readonly string[]): string[] | undefined {
  let index = 1;
  while (index < argv.length && (argv[index] ?? '').startsWith('-')) {
    if (/^:::+\+?$/.test(argv[index] ?? '')) {
      return undefined;
    }
    index += PARALLEL_VALUE_OPTIONS.has(argv[index] ?? '') ? 2 : 1;
  }
  const rest = argv.slice(index);
  if (rest.length === 0 || rest.some((word) => /^:::+\+?$/.test(word))) {
    return undefined;
  }
  return rest;
}

/**
 * Checks for `git branch -D` with an operand the guard cannot know: a command substitution,
 * or a variable other than a loop variable over known words.
 */
function deletesComputedBranches(
  command: SimpleCommand,
  loopVariables: readonly LoopVariable[],
): boolean {
  if (command.name !== 'git' || !command.dynamic) {
    return false;
  }
  const words = gitSubcommandWords(command.argv);
  if (words?.[0] !== 'branch' || !forceDeletesBranches(words.slice(1))) {
    return false;
  }
  const known = new Set(
    loopVariables.filter((variable) => variable.complete).map((variable) => variable.name),
  );
  return words.slice(1).some((word) => {
    if (!word.includes('$') && !word.includes('`')) {
      return false;
    }
    const name = /^\$\{?(\w+)\}?$/.exec(word)?.[1];
    return name === undefined || !known.has(name);
  });
}

/** Returns the words from git's subcommand on, after git's own options. */
function gitSubcommandWords(argv: readonly string[]): string[] | undefined {
  let index = 1;
  while (index < argv.length && (argv[index] ?? '').startsWith('-')) {
    index += /^(?:-C|-c|--git-dir|--work-tree|--namespace)$/.test(argv[index] ?? '') ? 2 : 1;
  }
  return index < argv.length ? argv.slice(index) : undefined;
}

/**
 * Checks for `git branch` options that force-delete branches: `-D`, `-df`, `--delete
 * --force`. A plain `-d` deletes only merged branches, whose commits stay reachable.
 */
function forceDeletesBranches(words: readonly string[]): boolean {
  const flags = words.filter((word) => /^-[a-zA-Z]+$/.test(word)).join('');
  const deletes = words.includes('--delete') || /d/i.test(flags);
  const forced = words.includes('--force') || /[Df]/.test(flags);
  return deletes && forced;
}

function requestsBranchDelete(messages: string): boolean {
  return requestsFor('delete', messages).some((request) => /\bbranch/i.test(request));
}

/**
 * Checks for `git checkout … --` and `git restore` of the working tree, whose appended paths
 * lose their uncommitted changes. `git checkout` without `--` usually switches branches, and
 * `git restore --staged` only unstages, so neither counts.
 */
function discardsFiles(subcommand: string | undefined, words: readonly string[]): boolean {
  if (subcommand === 'checkout') {
    return words.includes('--');
  }
  if (subcommand === 'restore') {
    const staged = words.some((word) => /^(?:--staged|-S)$/.test(word));
    return !staged || words.some((word) => /^(?:--worktree|-W)$/.test(word));
  }
  return false;
}
