/**
 * Commands the user typed out in a request: "Run git clean -fdx, I want a pristine checkout."
 * The exact command in a request clause names every target and option, so it is consent to
 * that command. The messages given here must already have refusals, deferrals and requests for
 * advice removed (see consentingText), so a quoted command in a question never counts.
 */
import { requestsVerb } from './consent.js';
import type { SimpleCommand } from './shell.js';

const RUN_VERBS = String.raw`run\w*|ran|execut\w*|do|type\w*|use`;

function normalize(text: string): string {
  return text.replace(/[`'"]/g, '').replace(/\s+/g, ' ').trim().toLowerCase();
}

/**
 * Checks whether a request clause of `messages` runs `command` word for word: the clause
 * requests it ("run X", "please execute X") with no further options.
 */
export function typesExactCommand(command: SimpleCommand, messages: string): boolean {
  if (command.dynamic || command.wrappers.length > 0 || command.argv.length < 2) {
    return false;
  }
  const typed = normalize(command.argv.join(' '));
  const requests = new Set(requestsVerb(RUN_VERBS, messages).map(normalize));
  return messages
    .split('\n')
    .map(normalize)
    .some((clause) => {
      const at = clause.indexOf(typed);
      // Options or operands after the match mean the user typed another command than the one run.
      const rest = clause.slice(at + typed.length);
      return (
        at >= 0 &&
        !/^(?:[\w/.-]|\s+-)/.test(rest) &&
        [...requests].some((request) => request.includes(typed))
      );
    });
}
