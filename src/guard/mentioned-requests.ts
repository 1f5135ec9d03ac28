/**
 * Deploy requests that the user mentions rather than gives: a request named as a runbook step
 * or quoted from a document ("Ship it to production is step 4 of the runbook", "The ticket
 * reads: deploy it to production", "Explain what 'ship it' means"), and requests to prepare,
 * write or review a deploy rather than to run it ("Prepare to deploy it to production", "Add
 * a Makefile target: deploy it to production").
 */

/** Nouns of documents and messages whose text a user quotes or asks about. */
const DOCUMENT_NOUN =
  /\b(?:ticket|runbook|readme|docs?|documentation|wiki|issue|comment|e-?mail|message|chat|slack|thread|changelog|description|card|story|checklist|spec|playbook|transcript|memo|makefile|script)\b/i;

/** Verbs that report text or write it down, which make what follows a colon their content. */
const QUOTING_VERB =
  /\b(?:reads?|says?|said|states?|goes|wrote|writes?|quotes?|mentions?|add|create|draft|document|generate|insert|append|put|prepare)\b/i;

/** A lead-in that requests what follows the colon: "Follow the runbook: …". */
const CARRY_OUT =
  /^\W*(?:please\s+)?(?:follow|do|run|execute|perform|carry\s+out|go\s+through|now)\b/i;

/**
 * Verbs that prepare, write or review a deploy, ending the text before the deploy verb:
 * "Prepare to deploy", "Review the release", "Set up the deploy job", "Write a GitHub
 * workflow to deploy".
 */
const PREPARES =
  /\b(?:prepare|prep|draft|write|review|plan|document|describe|outline|script|set\s+up|configure|explain)\b(?:\s+(?:to|for|the|a|an|our|my|your|this|that|its|how|what|we|you|i|would|will|should))*(?:(?:\s+[\w-]+){1,3}?\s+(?:to|for|that|which))?\s*$/i;

/** Words that start a new clause, so a preparing verb before them does not govern the verb after. */
const CLAUSE_BREAK = /[,;:\u2014]|\b(?:and|then|but|also|now)\b/gi;

/**
 * A request used as the subject of a sentence: "Ship it to production is step 4 of the
 * runbook", "Deploy it to production... is what the README says".
 */
const REQUEST_AS_SUBJECT =
  /^([^,;:!?()\u2014"]*?)(?:\.{3}|\u2026)?\s+(?:is|was|means)\s+(?:what|how|step|part|in|on|from|listed|written|the|a|an|our|my|your|their|just|only)\b/i;

/** Words that start a relative clause inside the request, whose verb is not the sentence's. */
const RELATIVE =
  /\b(?:that|which|who|whatever|what|where|since|because|as|while|whether|if|when)\b/i;

/** A quoted span: '…', "…", `…` or curly quotes, opened after a space and closed before one. */
const QUOTED_SPAN =
  /(?:^|[\s(])['"`\u2018\u201c]([^'"`\u2018\u2019\u201c\u201d]+)['"`\u2019\u201d](?=[\s.,;:!?)]|$)/g;

/** A lead-in before a quoted command that requests running it: "run `fly deploy`". */
const RUNS_QUOTED = /^\W*(?:please\s+)?(?:run|execute|type|use|try|do|call|invoke|just\s+run)\W*$/i;

/**
 * Checks whether the deploy verb at `verbStart`..`verbEnd` of `sentence` is mentioned rather
 * than requested: it follows a colon after a document or a quoting verb, it is the subject of
 * "is" or "means", it sits in quotes that no "run" asks to carry out, or a preparing verb
 * governs it.
 */
export function isMentionedRequest(sentence: string, verbStart: number, verbEnd: number): boolean {
  const before = sentence.slice(0, verbStart);
  const colon = before.lastIndexOf(': ');
  if (colon >= 0) {
    const leadIn = before.slice(0, colon);
    if ((DOCUMENT_NOUN.test(leadIn) || QUOTING_VERB.test(leadIn)) && !CARRY_OUT.test(leadIn)) {
      return true;
    }
  }
  const subject = REQUEST_AS_SUBJECT.exec(sentence.slice(verbEnd));
  if (subject !== null && !RELATIVE.test(subject[1] ?? '')) {
    return true;
  }
  if (isQuotedMention(sentence, verbStart)) {
    return true;
  }
  const clauseStart = Math.max(
    0,
    ...[...before.matchAll(CLAUSE_BREAK)].map((match) => match.index + match[0].length),
  );
  return PREPARES.test(before.slice(clauseStart));
}

/** Checks whether the verb at `verbStart` lies in a quoted span that no "run" asks to carry out. */
function isQuotedMention(sentence: string, verbStart: number): boolean {
  for (const match of sentence.matchAll(QUOTED_SPAN)) {
    const open = match.index + match[0].indexOf(match[1] ?? '') - 1;
    const close = open + (match[1]?.length ?? 0) + 1;
    if (verbStart > open && verbStart < close) {
      const leadIn = sentence.slice(0, open);
      return leadIn.trim() !== '' && !RUNS_QUOTED.test(leadIn);
    }
  }
  return false;
}
