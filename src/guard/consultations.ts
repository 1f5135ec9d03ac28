/**
 * Messages and clauses that ask about an action rather than for it. A user who asks what a
 * command does, whether an action is a good idea or ready, or who wants only advice gives no
 * consent, even when the message quotes the exact command. The same holds for a clause that
 * puts the action off ("later", "I might", "ask me first").
 */

/**
 * Phrases that make a whole message a request for advice: "just explain", "don't do it, just
 * advise", "is that a good idea?", "should I delete it?", "what does `rm -rf x` do?",
 * "ask me first".
 */
const ADVICE_ONLY = new RegExp(
  [
    String.raw`\b(?:just|only)\s+(?:explain|advise|describe|tell me|answer|say)\b`,
    String.raw`\b(?:don'?t|do not)\s+(?:do|run|execute|change|touch)\s+(?:it|that|this|them|anything)\b`,
    String.raw`\bask me (?:first|before)\b`,
    String.raw`\bcheck with me\b`,
    String.raw`\bis (?:that|this|it) (?:a (?:good|bad) idea|safe|wise|ok(?:ay)?|fine)\b`,
    String.raw`\b(?:should|shall|could|can) (?:I|we)\s+\w+[^.!]*\?`,
    String.raw`\bwhat (?:does|would|will|did)\b[^.!?]{0,120}\bdo\s*\?`,
  ].join('|'),
  'i',
);

/**
 * Words that make one clause a check, a guess or a deferral of the action: "check whether it is
 * ready to publish", "I might remove pgdata later", "next week".
 */
const DEFERRAL = new RegExp(
  [
    String.raw`\b(?:check|see|verify|confirm|find out|figure out|tell me|ask|wonder(?:ing)?)\w*\s+(?:whether|if)\b`,
    String.raw`\b(?:later|tomorrow|eventually|someday|maybe|perhaps|might|at some point)\b`,
    String.raw`\bnext (?:week|month|time|sprint)\b`,
  ].join('|'),
  'i',
);

/** Checks whether `message` asks only for advice or an explanation, so none of it is consent. */
export function asksForAdviceOnly(message: string): boolean {
  return ADVICE_ONLY.test(message);
}

/** Checks whether `clause` checks, guesses at or puts off the action it names. */
export function defersAction(clause: string): boolean {
  return DEFERRAL.test(clause);
}
