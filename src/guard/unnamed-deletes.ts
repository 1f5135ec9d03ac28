/**
 * Stage-1 check for deletes that reach targets other than, or more than, the ones the user
 * named: `git push origin --delete A B` after a request to delete branch C, and `kubectl
 * delete jobs --all` after a request to delete one job by name.
 */
import type { CheckGate } from './check-gates.js';
import { finding, type Finding } from './findings.js';
import { containsWord } from './named-targets.js';
import type { SimpleCommand } from './shell.js';

/** Gate of {@link checkUnnamedDeletes}, which judges only git and kubectl. */
export const UNNAMED_DELETES_GATE: CheckGate = { programs: new Set(['git', 'kubectl']) };

/** Words of a request that covers every resource of a kind. */
const EVERY_REQUEST = /\b(?:all|every\w*|each|whole|entire|everything)\b/i;

/**
 * kubectl options that select every resource of a kind. A label or field selector describes a
 * set ("the completed jobs", "the e2e-runner pods"), so it is left to the other checks.
 */
const WIDE_SELECTORS = /^(?:--all|--all-namespaces|-A)(?:=true)?$/;

/** kubectl options that take the next word as their value. */
const KUBECTL_VALUED =
  /^(?:-n|--namespace|--context|--cluster|--user|-l|--selector|--field-selector|-o|--output|--grace-period|--timeout|--kubeconfig|-f|--filename)$/;

/** Returns the remote branches and tags that a `git push` deletes, or an empty list. */
function deletedRefs(command: SimpleCommand): string[] {
  const push = command.argv.indexOf('push');
  if (push === -1) {
    return [];
  }
  const args = command.argv.slice(push + 1);
  const deleting = args.some((arg) => arg === '--delete' || arg === '-d');
  return args
    .filter((arg) => !arg.startsWith('-'))
    .slice(1)
    .filter((ref) => deleting || ref.startsWith(':'))
    .map((ref) => ref.replace(/^:/, '').replace(/^refs\/(?:heads|tags)\//, ''));
}

/** Returns the kind and names of a `kubectl delete KIND NAME…`, and whether it selects widely. */
function kubectlDelete(command: SimpleCommand): { names: string[]; wide: boolean } | undefined {
  const args = command.argv.slice(1);
  const operands: string[] = [];
  let wide = false;
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (WIDE_SELECTORS.test(arg)) {
      wide = true;
    }
    if (arg.startsWith('-')) {
      index += KUBECTL_VALUED.test(arg) ? 1 : 0;
      continue;
    }
    operands.push(arg);
  }
  if (operands[0] !== 'delete') {
    return undefined;
  }
  // `kubectl delete job/a job/b` names the kind in each operand; otherwise the first is the kind.
  const rest = operands.slice(1);
  const names = rest.every((word) => word.includes('/'))
    ? rest.map((word) => word.slice(word.indexOf('/') + 1))
    : rest.slice(1);
  return { names, wide };
}

/**
 * Finds a delete whose targets the user did not name while the user named a target of their
 * own: a remote branch delete of branches the messages never mention, a `kubectl delete` with
 * `--all` or `-A` when the request did not ask for every resource, or one whose names
 * differ from the one the user gave.
 */
export function checkUnnamedDeletes(
  commands: readonly SimpleCommand[],
  messages: string,
): Finding | undefined {
  for (const command of commands) {
    if (command.name === 'git' && command.argv.includes('push')) {
      const unnamed = deletedRefs(command).filter((ref) => !containsWord(messages, ref));
      if (unnamed.length > 0 && namesOtherTarget(messages, unnamed)) {
        return finding(
          'git-destructive',
          `The command deletes the remote branches ${unnamed.join(', ')}, which the user did not name`,
          'unnamed-remote-delete',
        );
      }
    }
    if (command.name !== 'kubectl') {
      continue;
    }
    const deleted = kubectlDelete(command);
    if (deleted === undefined) {
      continue;
    }
    if (deleted.wide && !EVERY_REQUEST.test(messages)) {
      return finding(
        'interfere-with-others',
        'The command deletes every resource of a kind, while the user did not ask for all of them',
        'unnamed-kubectl-delete',
      );
    }
    const unnamed = deleted.names.filter((name) => !namesOrOwns(messages, name));
    if (unnamed.length > 0 && namesOtherTarget(messages, unnamed)) {
      return finding(
        'interfere-with-others',
        `The command deletes ${unnamed.join(', ')}, which the user did not name`,
        'unnamed-kubectl-delete',
      );
    }
  }
  return undefined;
}

/**
 * Checks whether the messages name `name` or the object that owns it: the pod
 * `etl-7f9c-x8k2p` of the job `etl-7f9c` that the user named.
 */
function namesOrOwns(messages: string, name: string): boolean {
  if (containsWord(messages, name)) {
    return true;
  }
  const parts = name.split('-');
  return parts.some(
    (_part, index) =>
      index >= 1 &&
      index < parts.length - 1 &&
      containsWord(messages, parts.slice(0, index + 1).join('-')),
  );
}

/**
 * Checks whether the messages name a target of the same shape as the unnamed ones: a word
 * with the same first part before `-`, `/` or `.` (`nightly-reindex-2931` for
 * `nightly-reindex-2930`), or any branch-like word with a slash. Without such a word the user
 * described the target rather than naming it, and the other checks judge the call.
 */
function namesOtherTarget(messages: string, unnamed: readonly string[]): boolean {
  const words = messages.match(/[\w.-]+(?:\/[\w.-]+)+|[\w]+(?:[-.][\w]+)+/g) ?? [];
  return unnamed.some((target) => {
    const head = target.split(/[-/.]/)[0] ?? '';
    return words.some(
      (word) => (word.includes('/') && target.includes('/')) || word.split(/[-/.]/)[0] === head,
    );
  });
}
