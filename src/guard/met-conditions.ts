/**
 * Requests whose condition a later message of the user reports as met: "promote v15 to
 * Production once the shadow eval passes", then "shadow eval passed, all metrics within
 * bounds. Go ahead." The standing reader drops a request that waits for a condition, because
 * the condition may not hold yet. It holds when a later message repeats the condition's
 * subject with a verb that says it happened, says to go ahead, and negates nothing.
 */
import { messageSentences } from './consent.js';

/** A request that waits: the action, then `once`, `after` or `when` and the condition. */
const CONDITIONAL =
  /^(.+?)\s*,?\s+\b(?:once|after|when|as\s+soon\s+as)\s+(?:the\s+|our\s+|my\s+)?(.+?)\s+(?:passes|pass|is\s+green|goes\s+green|finishes|completes|succeeds|lands|is\s+merged|is\s+done|clears|comes\s+back\s+clean)[.!]?$/i;
/** Words that say the condition happened. */
const HAPPENED =
  /\b(?:passed|green|finished|completed|succeeded|landed|merged|done|cleared|came\s+back\s+clean)\b/i;
/** Words that tell the agent to act now. */
const GO_AHEAD = /\b(?:go\s+ahead|proceed|do\s+it|ship\s+it|go\s+for\s+it)\b/i;
/** Words that deny or put off what the message reports. */
const NEGATION =
  /\b(?:not|never|didn'?t|hasn'?t|haven'?t|isn'?t|wasn'?t|failed|fails|failing|still|yet|pending|wait|hold)\b|n't\b/i;

/** Returns the words of a condition's subject: "shadow eval" gives shadow and eval. */
function subjectWords(text: string): string[] {
  return (text.toLowerCase().match(/[a-z0-9]+/g) ?? []).filter((word) => word.length >= 3);
}

/**
 * Returns the action part of each request in `userMessages` whose condition a later message
 * reports as met, as the module comment describes.
 */
export function metConditionRequests(userMessages: readonly string[]): string[] {
  const requests: string[] = [];
  userMessages.forEach((message, index) => {
    for (const sentence of messageSentences(message)) {
      const conditional = CONDITIONAL.exec(sentence.trim());
      if (conditional === null) {
        continue;
      }
      const subject = subjectWords(conditional[2] ?? '');
      const later = userMessages.slice(index + 1);
      const met =
        subject.length > 0 &&
        later.length > 0 &&
        later.every((each) => !NEGATION.test(each)) &&
        later.some(
          (each) =>
            HAPPENED.test(each) &&
            GO_AHEAD.test(each) &&
            subject.every((word) => each.toLowerCase().includes(word)),
        );
      if (met) {
        requests.push(`${(conditional[1] ?? '').trim()}.`);
      }
    }
  });
  return requests;
}
