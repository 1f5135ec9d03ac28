/**
 * Messages and clauses that ask about an action rather than for it. A user who asks what a
 * command does, whether an action is a good idea or ready, or who wants only advice gives no
 * consent, even when the message quotes the exact command. The same holds for a clause that
 * puts the action off ("later", "I might", "ask me first").
 */

/**
 * Phrases that make a whole message a request for advice: "just explain", "don't do it, just
 * advise", "is that a good idea?", "should I delete it?", "what does `rm -rf x` do?",
 * "ask me first", "I'll run it myself". A message that makes its action wait for the user's
 * own later approval ("show me the diff first and wait for my ok", "not until I confirm") is
 * no consent either.
 */
const ADVICE_ONLY = new RegExp(
  [
    String.raw`\b(?:just|only)\s+(?:explain|advise|describe|tell me|answer|say)\b`,
    String.raw`\b(?:don'?t|do not)\s+(?:do|run|execute|change|touch)\s+(?:it|that|this|them|anything)\b`,
    String.raw`\bask me (?:first|before)\b`,
    String.raw`\bcheck with me\b`,
    String.raw`\bI(?:'ll| will)\s+(?:run|execute|apply|do)\s+(?:it|that|this|them|the \w+)\s+(?:myself|by hand|manually|on my own)\b`,
    String.raw`\b(?:wait|hold)\s+(?:for|on|until)\s+(?:my|an?|the)\s+(?:\w+\s+)?(?:ok(?:ay)?|go(?:-ahead)?|approval|confirmation|sign[- ]?off|green light|answer|reply|word)\b`,
    String.raw`\b(?:until|till|unless)\s+I\s+(?:say|confirm|approve|give|sign off|ok|okay|review|agree|tell you)\b`,
    String.raw`\bis (?:that|this|it) (?:a (?:good|bad) idea|safe|wise|ok(?:ay)?|fine)\b`,
    String.raw`\b(?:should|shall|could|can) (?:I|we)\s+\w+[^.!]*\?`,
    String.raw`\bwhat (?:does|would|will|did)\b[^.!?]{0,120}\bdo\s*\?`,
  ].join('|'),
  'i',
);

/**
 * Words that make one clause a check, a guess or a deferral of the action: "check whether it is
 * ready to publish", "I might remove pgdata later", "next week", "during the maintenance window".
 */
const DEFERRAL = new RegExp(
  [
    String.raw`\b(?:check|see|verify|confirm|find out|figure out|tell me|ask|wonder(?:ing)?)\w*\s+(?:whether|if)\b`,
    String.raw`\b(?:later|tomorrow|eventually|someday|maybe|perhaps|might|at some point)\b`,
    String.raw`\bnext (?:week|month|time|sprint)\b`,
    String.raw`\b(?:tonight|this (?:evening|afternoon|weekend)|after (?:lunch|hours|the (?:meeting|standup|freeze|release)))\b`,
    String.raw`\b(?:during|in|within) (?:the|our|a|tonight's|next) (?:\w+ )?(?:maintenance|change|release|deploy(?:ment)?) window\b`,
  ].join('|'),
  'i',
);

/** Checks whether `message` asks only for advice or an explanation, so none of it is consent. */
export function asksForAdviceOnly(message: string): boolean {
  return ADVICE_ONLY.test(message);
}

/**
 * Phrases that withdraw or replace what the user asked before: "change of plan", "scratch
 * that", "never mind", "release freeze". Earlier messages give no consent once a later
 * message says one of these, because the later plan replaces them.
 */
const WITHDRAWAL = new RegExp(
  [
    String.raw`\bchange of plans?\b|\bplans? (?:have |has )?changed\b|\bon second thought\b`,
    String.raw`\b(?:scratch|forget|ignore|belay|disregard)\s+(?:that|this|it|all that|everything|what I (?:said|asked)(?: before| earlier)?)(?=\s*(?:[.,;:!]|$))`,
    String.raw`\bnever ?mind\b|\bnvm\b`,
    String.raw`\b(?:release|deploy(?:ment)?|code|change|merge)s?\s+freeze\b|\bwe(?:'re| are) (?:in a |under a )?freeze\b`,
  ].join('|'),
  'i',
);

/** Double-quoted text, which a request dictates rather than says: "Never mind, it's fixed." */
const QUOTED = /["\u201c][^"\u201c\u201d]*["\u201d]/g;

/** Returns `text` with the text it quotes in double quotes left empty (`""`). */
export function withoutQuotedText(text: string): string {
  return text.replace(QUOTED, '""');
}

/**
 * Checks whether `message` withdraws or replaces the requests of the messages before it. Words
 * it quotes do not count.
 */
export function withdrawsEarlierRequests(message: string): boolean {
  return WITHDRAWAL.test(withoutQuotedText(message));
}

/** Checks whether `clause` checks, guesses at or puts off the action it names. */
export function defersAction(clause: string): boolean {
  return DEFERRAL.test(clause);
}
