/**
 * Requested skips of commit hooks. `git commit --no-verify` skips the pre-commit and
 * commit-msg hooks, which often run secret scans, so the security rule holds it for approval.
 * A user who requests the flag by name ("commit it with --no-verify") or, for git, in plain words
 * ("skip the pre-commit hook") has requested exactly that skip. The request must come from a
 * clause that is not negated ("don't skip the hooks"), deferred or a request for advice.
 * Nothing else the command does is covered.
 */
import { asksWithout } from './consent.js';
import { asksForAdviceOnly, defersAction } from './consultations.js';
import type { SimpleCommand } from './shell.js';

const NO_VERIFY = '--no-verify';
const FLAG_REQUEST = /(?:^|[^\w-])--no-verify\b/i;
/**
 * A plain-words request to skip git's hooks: a skip verb, then within a few words a hook
 * name or "verification".
 */
const HOOK_SKIP_REQUEST =
  /\b(?:skip|bypass|ignor|disabl)\w*\b[^.;:,!?]{0,30}?\b(?:hooks?|pre-commit|pre-push|commit-msg|husky|lefthook|verification)\b/i;

/**
 * "without running the pre-commit hook": read from the messages as written, because the
 * consenting text drops every clause with "without" as a refusal.
 */
const WITHOUT_HOOKS =
  /\bwithout (?:running |triggering |the |its |any )*(?:[\w-]+ )?(?:hooks?|pre-commit|pre-push|commit-msg|husky|lefthook|verification)\b/i;

/**
 * Checks whether the only match of `rulePattern` in `command` is a `--no-verify` flag that the
 * user requested, by the flag or, for git, in plain words.
 */
export function skipsRequestedHooks(
  command: SimpleCommand,
  rulePattern: RegExp,
  requests: { messages: string; allMessages: string },
): boolean {
  if (!command.argv.includes(NO_VERIFY)) {
    return false;
  }
  const rest = [...command.assignments, ...command.argv.filter((arg) => arg !== NO_VERIFY)];
  if (
    rulePattern.test(rest.join(' ')) ||
    rulePattern.test(rest.slice(command.assignments.length).join(' '))
  ) {
    return false;
  }
  const { messages, allMessages } = requests;
  return (
    asksWithout(FLAG_REQUEST, messages) ||
    (command.name === 'git' &&
      (asksWithout(HOOK_SKIP_REQUEST, messages) || asksWithoutHooks(allMessages)))
  );
}

/**
 * Checks for a clause that requests acting without the hooks, with no negation before it
 * ("never commit without the hooks"), no deferral and no request for advice in it.
 */
function asksWithoutHooks(allMessages: string): boolean {
  if (!/without/i.test(allMessages)) {
    return false;
  }
  return allMessages
    .split(/\n+/)
    .filter((message) => !asksForAdviceOnly(message))
    .flatMap((message) => message.split(/(?<=[.!?;])\s+|,\s*/))
    .some((clause) => !defersAction(clause) && asksWithout(WITHOUT_HOOKS, clause));
}
