/**
 * Scope of a withdrawal inside a request's own words. "Never mind the tests, just deploy
 * acme-api" withdraws the tests, not the deploy, and "Scratch that, delete preview-483
 * instead." withdraws the request before it and opens a new one. The readers of
 * standing-requests.ts take a request back on any withdrawal word, so they read the request's
 * words through these functions first.
 */

import { isRequestClause, wordsNotInRequest } from './follow-up-sentences.js';

/**
 * A withdrawal at the start of a clause and the words up to its last break before the new
 * request: "Scratch that, ", "No no, the other one: ", "Hold on, one more thing: ".
 */
const OPENING_WITHDRAWAL =
  /^\W*(?:(?:oh|ok(?:ay)?|actually|sorry|wait|hmm+)[\s,]+)*(?:scratch\s+(?:that|it|this)|scrap\s+(?:that|it|this)|no,?\s+no|nope|never\s*mind|nvm|forget\s+(?:it|that)|hold\s+on|hang\s+on|belay\s+that|on\s+second\s+thought)(?:[\s,:;\u2014\u2013-]+(?:the\s+other\s+one|I\s+meant|wrong\s+one|one\s+more\s+thing|my\s+bad))*\s*[,:;\u2014\u2013-]\s*/i;

/** Words after which a new request still waits or withdraws: "don't", "not yet", "later". */
const STILL_WAITS =
  /\b(?:don'?t|do\s+not|not|never|no|wait|hold|later|tomorrow|first|until|till|yet)\b/i;

/**
 * Returns `clause` without a withdrawal that opens it when a new request follows in the same
 * sentence ("Scratch that, delete preview-483 instead." is "delete preview-483 instead."), or
 * `clause` unchanged. The withdrawal still takes back the requests before it, which read the
 * whole sentence. A rest that is no request ("Scratch that, I'll do it.") or that negates or
 * waits ("Never mind, delete it later.") keeps the withdrawal.
 */
export function withoutOpeningWithdrawal(clause: string): string {
  const opening = OPENING_WITHDRAWAL.exec(clause);
  if (opening === null) {
    return clause;
  }
  const rest = clause.slice(opening[0].length);
  return isRequestClause(rest) && !STILL_WAITS.test(rest) ? rest : clause;
}

/**
 * A withdrawal with an object of its own: "never mind the tests", "don't bother with the
 * worker", "forget about the others". Group 1 is the object.
 */
const WITHDRAWS_OBJECT =
  /\b(?:never\s*mind|nvm|don'?t\s+bother\s+(?:with|about)|forget\s+about|skip)\s+((?:the|those|these|any|all)\s+[^,.;:!?\u2014\u2013]+)/gi;

/** A freeing of the request from a wait on the user or a check: "no need to wait for me". */
const NEEDS_NO_WAIT =
  /\b(?:no\s+need\s+to\s+wait|(?:you\s+)?don'?t\s+(?:need\s+to\s+|have\s+to\s+)?wait)(?:\s+(?:for|on)\s+(?:me|us|CI|the\s+(?:checks?|build|tests?|pipeline)))?(?=\s*(?:[,.;:!\u2014\u2013]|$))/gi;

/** Pronouns by which a withdrawal's object refers back to the request. */
const BACK_REFERENCE = /\b(?:it|that|this|them|one|rest|request|whole\s+thing)\b/i;

/**
 * Returns `sentence` without the withdrawals that name an object `request` does not name
 * ("Never mind the tests, just deploy acme-api on fly." after "deploy acme-api"), and without
 * a freeing from a wait ("no need to wait for me"). `request` may be `sentence` itself, and is
 * then read without the withdrawal. "Never mind the api" after "Restart the api" or "never
 * mind that" names the request's own target and is kept.
 */
export function withoutOtherWithdrawals(sentence: string, request: string): string {
  if (!/\b(?:mind|nvm|bother|forget|skip|wait)\b/i.test(sentence)) {
    return sentence;
  }
  let result = sentence.replace(NEEDS_NO_WAIT, ' ');
  for (const match of sentence.matchAll(WITHDRAWS_OBJECT)) {
    const object = match[1] ?? '';
    const requestWords = request.replace(match[0], ' ');
    if (!BACK_REFERENCE.test(object) && wordsNotInRequest(object, requestWords).length > 0) {
      result = result.replace(match[0], ' ');
    }
  }
  return result;
}

/**
 * Returns `clause` without the withdrawals of other objects that it contains besides its own
 * request ("Cancel workflow run 5512093378 — never mind the others, they're fine."), or
 * `clause` unchanged when no request is left ("Never mind the api deployment.").
 */
export function withoutWithdrawalsBesideRequest(clause: string): string {
  const rest = withoutOtherWithdrawals(clause, clause);
  return rest !== clause && isRequestClause(rest.trim()) ? rest : clause;
}

/**
 * A wait that opens a sentence or follows a break and names no later step: "Wait for the
 * checks first.", "…, but wait for me." "Wait for the build, then ship it." orders the
 * request, and "no need to wait for me" frees it.
 */
const WAITS_FIRST =
  /(?:^|[,;:\u2014\u2013]|\s-)\s*(?:(?:but|and|just|please|ok(?:ay)?|first)[\s,]+)*wait\s+(?:for|until|till|on)\b(?![^.!?]*\b(?:then|before|after|and)\b)/i;

/** Checks whether `text` keeps its request back until something happens (see WAITS_FIRST). */
export function waitsFirst(text: string): boolean {
  return /\bwait\b/i.test(text) && WAITS_FIRST.test(text);
}
