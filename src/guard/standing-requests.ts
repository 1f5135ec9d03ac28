/**
 * Whether a request still stands. A request that waits for a condition ("ship it once CI is
 * green", "open it unless the DBA objects"), that only supposes the action ("ship it is what
 * I'd say if tests passed"), that reports someone else's words ("the PM said ship it"), that
 * asks for a draft to review first, or that a later sentence takes back ("Roll it to prod.
 * Hmm, wait, the migration isn't done.", "Let's not.") or moves to another target ("Actually
 * give it to marco@acme.dev instead") is no consent. A later sentence takes a request back
 * unless follow-up-sentences.ts reads it as a kind that leaves it standing (an
 * acknowledgement, a go-ahead, an addition, another request, a detail or a question), so a
 * withdrawal in words no list here holds ("Put that on ice.") still takes it back. The rest of
 * the request's own sentence is read by the lists of this module alone.
 * Two readers share the wording lists of this module:
 * - `standingRequests` and `requestStands` judge deploy and apply requests: the deploy and
 *   apply readers, the merge and `npm dist-tag` actions of consent.ts, requested releases and
 *   print consent (secret-fields.ts);
 * - `standingClauses` judges clauses of any verb for every other consent reader: the rules
 *   of stage 1 (grants, requested shell work, prefix deletes, remote CLI changes, root
 *   commands) and the MCP writes of `checkMcp` in tiers.ts and named-mcp-writes.ts.
 *
 * NOTE: consultations.ts keeps its own list of withdrawals ("change of plan", "never mind")
 * that drop every earlier message before these readers see them. It stays apart because it
 * drops whole messages before the clauses are split, and "Scratch that, delete preview-483
 * instead." must keep the request after it.
 */
import { withoutQuotedText } from './consultations.js';
import { ENVIRONMENT_NAMES } from './environment-names.js';
import { followUpKind, isRequestClause } from './follow-up-sentences.js';
import { isMentionedRequest } from './mentioned-requests.js';
import {
  withoutOpeningWithdrawal,
  withoutOtherWithdrawals,
  withoutWithdrawalsBesideRequest,
  waitsFirst,
} from './withdrawal-scope.js';

/**
 * Words anywhere in a request that make it wait for something: "ship it once CI is green",
 * "open it unless the DBA objects", "as long as security signs off", "before 22:00", "prod
 * waits for the release window". "before" waits only for a time or for someone ("before QA
 * signs off"): "empty the log before the next run" asks for the action now. "wait" without
 * a subject ("wait for the build, then ship it") is a step, not a wait.
 */
const WAITS =
  /\b(?:once|after|when|whenever|until|till|unless|if|tomorrow|later|tonight|as\s+soon\s+as|(?:waits|will\s+wait)\s+(?:for|until|till|on)|(?:as|so)\s+long\s+as|on\s+condition|pending|provided|assuming|next\s+(?:week|month|time|sprint)|(?:in|with|for)\s+the\s+next\s+release)\b|\bbefore\s+(?:\d|noon\b|midnight\b|eod\b|end\s+of\b|tonight\b|tomorrow\b|(?:mon|tues|wednes|thurs|fri|satur|sun)day\b|(?:I|we|you|he|she|they)\b|\w+\s+(?:is|are|has|have|gets?|signs?|approves?|agrees?|says?|confirms?|checks?|reviews?)\b)/i;

/**
 * Parts of a request that name no wait although they use a word of {@link WAITS}: a schedule
 * ("every night at 2am"), a report asked for afterwards ("tell me when it's done"), a step
 * of the request itself ("after checking the config", "after the rebase") and a condition the
 * agent checks on the spot ("if it is missing", "if needed").
 */
const NO_WAIT_PARTS = new RegExp(
  [
    String.raw`\b(?:every|each)\s+(?:\w+\s+){0,2}?(?:day|night|morning|evening|hour|minute|week|weekday|weekend|month|(?:mon|tues|wednes|thurs|fri|satur|sun)day)s?\b(?:\s+at\s+\d{1,2}(?::\d\d)?\s*(?:am|pm)?)?`,
    String.raw`\b(?:nightly|daily|hourly|weekly|monthly)\b(?:\s+at\s+\d{1,2}(?::\d\d)?\s*(?:am|pm)?)?`,
    String.raw`\bat\s+\d{1,2}(?::\d\d)?\s*(?:am|pm)?\s+(?:every|each)\s+\w+`,
    String.raw`\b(?:tell|let|ping|notify|show)\s+me\s+(?:know\s+)?(?:when|once|after|if)\b[^.;!?]*`,
    String.raw`\bafter\s+(?:\w+ing\b|(?:the|your|that|this)\s+(?:rebase|build|check|fix|merge|cleanup|install|update|upgrade|tests?|run)\b(?!\s+(?:is|are|has|have|pass\w*|finish\w*|succeed\w*|complet\w*|land\w*|go\w*)\b))`,
    String.raw`\bif\s+(?:(?:it|they|one|the\s+\w+)\s+(?:is|are|isn'?t|aren'?t|does\s*n[o']t|do\s*n[o']t)\s+(?:missing|there|present|exists?|absent)|(?:it|they)\s+(?:already\s+)?exists?|(?:needed|necessary|any|present|missing|so)\b)`,
  ].join('|'),
  'gi',
);

/** A later time the request names: "in a week", "at 5pm", "on Friday", "this evening". */
const LATER_TIME =
  /\b(?:in\s+(?:a|an|one|two|three|a\s+few|\d+)\s+(?:min(?:ute)?s?|hours?|days?|weeks?|months?)|at\s+(?:\d{1,2}(?::\d\d)?\s*(?:am|pm)|\d{1,2}:\d\d|noon|midnight)|this\s+(?:afternoon|evening|weekend)|(?:on\s+)?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)|end\s+of\s+(?:the\s+)?(?:day|week)|eod)\b/i;

/**
 * Words that make a request a supposition: "would", "I'd" or "we'd" outside a polite request
 * ("would you", "I'd like"), "in theory", "suppose", and "could" or "might" outside "could
 * you".
 */
const SUPPOSES =
  /(?<!\b(?:what|how|which|whether|where|who)\b[^.,;]*)\bwould\b(?!\s+(?:you|u|like|love|appreciate|be\s+(?:great|nice|good|glad|grateful|helpful)))|\b(?:I|we|you|they|he|she)'d\b(?!\s+(?:like|love|appreciate|be\s+(?:great|glad|grateful)))|\b(?:in\s+theory|hypothetically|suppos\w+|imagine|pretend|let'?s\s+say|say\s+we)\b|\b(?:could|might)\b(?!\s+(?:you|u)\b)/i;

/**
 * Someone other than the user named as the speaker of the request: "the PM said ship it",
 * "'Deploy to prod', Dana wrote", "according to the ticket". "I said" and "as we said" are
 * the user's own words and stay requests.
 */
const REPORTED =
  /\b(?!(?:I|we)\b)[\w']+\s+(?:said|says|told|tells|asked|asks|wrote|writes|wants|wanted|suggested|suggests|thinks|thought|mentioned|claims|claimed|insists|insisted|emailed|texted|messaged|pinged|posted|forwarded|requested)\b|\baccording\s+to\b/i;

/**
 * A request for a draft that the user reviews before it goes anywhere: "draft a comment … so
 * I can review it", "write up an issue … and show it to me before filing". It consents to no
 * write of the thing itself.
 */
const DRAFT_FOR_REVIEW =
  /\b(?:draft\w*|write\s+up|writ(?:e|ing)\s+(?:a|an|the)\b[^.;]*\bup|prepar\w*|compos\w*)\b.*\b(?:so\s+(?:that\s+)?(?:I|we)\s+can\s+(?:review|check|look\s+(?:at|over)|read|approve|edit)\b|for\s+(?:my|our|me\s+to)\s+review\b|(?:show|send|give)\s+(?:it|that|them)\s+to\s+me\s+(?:first|before)\b|(?:show|send)\s+me\s+(?:it\s+)?(?:first|before)\b|before\s+(?:filing|posting|sending|submitting|publishing|opening|creating|merging)\b)/i;

/** Checks whether `request` asks for a draft that the user reviews before it is filed or sent. */
export function asksForDraftToReview(request: string): boolean {
  return DRAFT_FOR_REVIEW.test(withoutDictatedContent(request));
}

/**
 * Checks whether the words of a report cover the whole request. After a comma the user may
 * ask in their own words ("Git says dubious ownership for this repo, fix it"), and that
 * request is theirs.
 */
function isReported(request: string): boolean {
  const report = REPORTED.exec(request);
  if (report === null) {
    return false;
  }
  // "According to the runbook, release it" reports the request after the comma too.
  if (/^according/i.test(report[0])) {
    return true;
  }
  const tail = request.slice(report.index + report[0].length);
  const own = /,\s*(?:(?:please|so|then|just|and)\s+)*([a-z]+)\b[^,]*$/i.exec(tail);
  return own === null || REPORTED.test(own[0]) || /["\u201c]/.test(tail.slice(0, own.index));
}

/**
 * Checks whether `clause` only reports someone else's request ("Tom wants PORT set to 4100"),
 * leaving out the content it dictates.
 */
export function reportsOthersRequest(clause: string): boolean {
  return isReported(withoutDictatedContent(clause));
}

/**
 * What a clause asks to send rather than when to act: the text after "saying", "telling
 * them", "with the subject" or a reminder's "to" ("email me a reminder to rotate the
 * certificate on Friday"), and a name made of capitalised words that ends in a weekday
 * ("the Black Friday campaign"). The times in them are the message's, not the request's.
 */
const DICTATED_CONTENT =
  /\b(?:saying|that\s+says|to\s+say|telling\s+(?:\S+\s+){0,3}?(?:that\b|:)|with\s+the\s+(?:text|message|subject|note|body)|remind(?:er)?\s+(?:\S+\s+){0,6}?(?:to|that|about))\b[^]*$/i;

/** A weekday at the end of a name: "Black Friday", "Cyber Monday", never the clause's first word. */
const NAMED_WEEKDAY =
  /(?<=\S\s+)[A-Z][a-z]+\s+(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b/g;

/** Returns `clause` without the content it dictates (see {@link DICTATED_CONTENT}). */
export function withoutDictatedContent(clause: string): string {
  return clause.replace(DICTATED_CONTENT, '').replace(NAMED_WEEKDAY, ' ');
}

/**
 * Checks whether `request` waits for a condition or a later time, supposes the action, reports
 * others or asks for a draft to review. Words of the content it dictates (see
 * {@link DICTATED_CONTENT}) and the parts of {@link NO_WAIT_PARTS} do not count.
 */
export function isConditionalRequest(request: string): boolean {
  const own = withoutDictatedContent(withoutQuotedText(request)).replace(NO_WAIT_PARTS, ' ');
  return (
    WAITS.test(own) ||
    LATER_TIME.test(own) ||
    SUPPOSES.test(own) ||
    isReported(own) ||
    asksForDraftToReview(own)
  );
}

/**
 * Words that take back the request before them with no object needed: "hold off", "never
 * mind", "not yet", "actually no", "let's not", "ignore my last message", "scrap that". The
 * verbs that may be a request's own ("cancel it", "abort", "stop") take it back only when they
 * open a sentence and end it or a phrase: "Abort." but not "abort workflow run 5512093378".
 */
const WITHDRAWS =
  /\b(?:hold\s+(?:off|on|up)(?!\s+to\b)|hang\s+on(?!\s+to\b)|never\s*mind|nvm|scratch\s+(?:that|it|this)|scrap\s+(?:that|it|this)|forget\s+(?:it|that|about\s+it)|belay\s+that|disregard\s+(?:that|it|this|my\s+(?:last|previous))|ignore\s+(?:that|my\s+(?:last|previous)|the\s+(?:last|previous)\s+(?:message|request))|hold\s+(?:that|this|the)\s+thought|(?:I|I've)\s+(?:have\s+)?changed\s+my\s+mind|let'?s\s+not|don'?t\s+bother|no\s+no|nope|nah|not\s+(?:yet|until|before|now|today)|actually,?\s+(?:no|don'?t)|no,?\s+wait|on\s+second\s+thought|let\s+me\s+(?:ask|check\s+with|talk\s+to|run\s+it\s+by)\b[^.!?]*\bfirst)\b|^\W*(?:(?:oh|ok(?:ay)?|no|actually|please|just|ugh|whoa)[\s,]+)*(?:cancel\s+(?:that|it|this)|abort|stop)\b(?=\s*(?:[.!,;\u2014-]|$))/i;

/**
 * "wait" as an interjection, not as the verb of "wait for the build to finish". What follows
 * it decides whether it takes the request back.
 */
const WAIT_INTERJECTION = /\bwait\b(?!\s+(?:for|until|till|on|to)\b)/i;

/**
 * A pause that opens a sentence or follows a dash or comma: "Wait.", "WAIT", "Hmm, wait, the
 * tests are red", "One sec.", "No." Unless what follows it adds work or asks for a detail, it
 * takes back the request before it.
 */
const PAUSE =
  /(?:^|[,;:.!?\u2014\u2013\u2026-])\s*(?:(?:oh|hmm+|uh|um|no|actually|ok(?:ay)?|but|and)[\s,]+)*(?:wait(?:\s+a\s+(?:sec|second|moment|minute|min))?(?!\s+(?:for|until|till|on|to)\b)|(?:one|just\s+a|half\s+a)\s+(?:sec|second|moment|minute|min)|no+(?=\s*(?:[.!,;\u2014\u2013\u2026-]|$)))\b/i;

/**
 * What may follow a pause without taking the request back: more work ("wait, also bump the
 * version") or a question for a detail ("wait, what's the preview URL?").
 */
const ADDS_TO_REQUEST =
  /\b(?:also|too|as\s+well|in\s+addition|additionally|plus|go\s+ahead)\b|^\W*(?:what(?!\s+if\b)|where|which|who|how)\b[^?]*\?\s*$/i;

/** Words that negate or refuse: "isn't done", "don't", "no deploys", "never". */
const NEGATES =
  /\b(?:not|no(?!\s+need\s+to\s+(?:re-?)?(?:confirm|ask|review|preview|check))|never|don'?t(?!\s+need\s+(?:the\s+|a\s+|to\s+)?(?:confirm|prompt|review|preview|ask))|doesn'?t|isn'?t|aren'?t|wasn'?t|weren'?t|hasn'?t|haven'?t|hadn'?t|can'?t|cannot|won'?t|shouldn'?t|mustn'?t|without|skip|avoid|broken|fail\w*|blocked)\b/i;

/** Words that put an action off: "later", "tomorrow", "first", "not until Monday". */
const DEFERS =
  /\b(?:later|tomorrow|tonight|first|until|till|next\s+(?:week|month|time|sprint|release)|after\s+the|once\s+\w+\s+(?:is|are|has|have)|before\s+(?:we|you|the))\b/i;

/** A yes/no question, which questions the action: "is prod healthy?", "did the tests pass?". */
const YES_NO_QUESTION =
  /(?:^|[,;:\u2014-])\s*(?:is|are|was|were|has|have|had|did|does|do|should|shall|can|could|will|would|are\s+you\s+sure|is\s+it\s+safe)\b[^?]*\?/i;

/**
 * A sentence that is only a condition on the one before it: "Only if CI is green.", "Not
 * before Monday.", "Once the migration is done." A condition with a main clause after a comma
 * ("After that, run the smoke tests.") is a request of its own.
 */
const TRAILING_CONDITION =
  /^\W*(?:(?:only|but|and|just|not|though)\s+)*(?:if|once|when|unless|until|till|after|before|as\s+soon\s+as|provided|assuming)\b(?![^,;]*\b(?:me|us|then)\b)[^,;]*$/i;

/**
 * Verbs that ask for a deploy or an apply. They mark the clauses this module judges and tell
 * a later sentence about the same action.
 */
const DEPLOY_ACTIONS =
  /\b(?:ship\w*|deploy\w*|roll\w*|releas\w*|push\w*|publish\w*|appl(?:y|ies|ied|ying)|promot\w*|launch\w*|provision\w*|migrat\w*|sync\w*|proceed\w*|execut\w*|go(?:es)?\s+(?:ahead|live)|pulumi\s+up|for\s+real|(?:the\s+same|match)\s+(?:on|in|for))\b/i;

/** Every deploy verb of a text, in order. */
const ALL_DEPLOY_ACTIONS = new RegExp(DEPLOY_ACTIONS.source, 'gi');

const PRONOUNS = new Set(['it', 'this', 'that', 'them']);

/**
 * Words that keep an action to one target: "keep it on staging", "stick to dev", "I want
 * staging". An environment next to "only", "just" or "instead" is read by {@link narrowsTo}.
 */
const KEEPS_TO =
  /\b(?:(?:keep|leave)\s+(?:it|this|that|them)\s+(?:on|in|at)|stick\s+(?:to|with)|stay\s+(?:on|in)|(?:I|we)\s+(?:want|prefer|meant|mean|need)|(?:I'?d|we'?d)\s+rather|rather)\b/i;

/**
 * Returns the words by which a later sentence refers to what `request` acts on: the
 * environments it names ("staging", "prod") and the pronouns it uses ("it").
 */
function targetWords(request: string): string[] {
  return request
    .toLowerCase()
    .split(/[^a-z]+/)
    .filter((word) => ENVIRONMENT_NAMES.has(word) || PRONOUNS.has(word) || word === 'live');
}

/**
 * Checks whether `sentence` keeps the action to an environment that the request did not name
 * and names none that it did: "Ship it to production." then "Staging only." or "Hmm, let's
 * keep it on staging for now."
 */
function narrowsTo(sentence: string, targets: readonly string[]): boolean {
  const environments = targets.filter((word) => ENVIRONMENT_NAMES.has(word));
  // "Prod only after QA signs off" sets a condition on another target and keeps this one.
  if (environments.length === 0 || namesAny(sentence, environments) || WAITS.test(sentence)) {
    return false;
  }
  const others = sentence
    .toLowerCase()
    .split(/[^a-z]+/)
    .filter((word) => ENVIRONMENT_NAMES.has(word));
  return others.some(
    (word) =>
      KEEPS_TO.test(sentence) ||
      new RegExp(
        String.raw`\b(?:only|just|instead\s+of)\s+(?:(?:on|to|in|the)\s+)*${word}\b|\b${word}\s+(?:only|instead|for\s+now)\b`,
        'i',
      ).test(sentence),
  );
}

function namesAny(sentence: string, words: readonly string[]): boolean {
  const lower = sentence.toLowerCase();
  return words.some((word) => new RegExp(String.raw`\b${word}\b`).test(lower));
}

/**
 * Checks whether `sentence` takes back whatever came before it, whatever its action: it
 * withdraws outright ("hold off"), it is only a condition ("Only if CI is green."), it says
 * "wait" and then negates, defers or questions ("wait, the migration isn't done"), or a pause
 * opens it and a fact or another instruction follows ("Wait, they used it for three weeks.",
 * "Wait, put it under my drafts instead."). "Wait, also bump the version" does not.
 */
function takesBackAnything(sentence: string): boolean {
  if (WITHDRAWS.test(sentence) || TRAILING_CONDITION.test(sentence) || waitsFirst(sentence)) {
    return true;
  }
  const wait = WAIT_INTERJECTION.exec(sentence);
  if (wait !== null) {
    const rest = sentence.slice(wait.index + wait[0].length);
    if (NEGATES.test(rest) || DEFERS.test(rest) || YES_NO_QUESTION.test(rest)) {
      return true;
    }
  }
  const pause = PAUSE.exec(sentence);
  return pause !== null && !ADDS_TO_REQUEST.test(sentence.slice(pause.index + pause[0].length));
}

/**
 * Checks whether `sentence`, which comes after a request, takes it back: it withdraws outright
 * ("hold off"), it says "wait" and then negates, defers or questions ("wait, the migration
 * isn't done", "wait, is it tested?"), it is only a condition ("Only if CI is green."), or it
 * negates, defers or questions the same action or target ("Don't deploy yet.", "Is prod
 * healthy?"). "wait for the build, then ship it" and "wait, also bump the version" do not.
 */
function takesBack(sentence: string, targets: readonly string[]): boolean {
  if (takesBackAnything(sentence)) {
    return true;
  }
  if (narrowsTo(sentence, targets)) {
    return true;
  }
  if (!DEPLOY_ACTIONS.test(sentence) && !namesAny(sentence, targets)) {
    return false;
  }
  return NEGATES.test(sentence) || DEFERS.test(sentence) || YES_NO_QUESTION.test(sentence);
}

/** Checks whether `text` negates a deploy verb after it: "…, or actually don't deploy". */
function negatesRepeatedAction(text: string): boolean {
  const verb = DEPLOY_ACTIONS.exec(text);
  return (
    verb !== null &&
    NEGATES.test(
      text
        .slice(0, verb.index)
        .split(/[,;:\u2014]/)
        .at(-1) ?? '',
    )
  );
}

/** Splits text into sentences the way the consent readers do. */
function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?;])\s+|\n+/)
    .map((sentence) => sentence.trim())
    .filter((sentence) => sentence !== '');
}

/**
 * Checks whether `request`, found at `at` in `allMessages` (every message, joined by newlines),
 * still stands. It must be no question and no conditional request, and neither the rest of
 * its own sentence nor any later sentence may take it back.
 */
function standsAt(request: string, allMessages: string, at: number): boolean {
  if (
    request.endsWith('?') ||
    (isConditionalRequest(request) && !metLater(request, allMessages, at))
  ) {
    return false;
  }
  const targets = targetWords(request);
  const verb = DEPLOY_ACTIONS.exec(request);
  // The rest of the request's own sentence may take it back: "Ship it — no wait, not Monday".
  // "Scratch that, ship it to staging" opens a new request, and "never mind the tests"
  // withdraws only the tests.
  const rest = withoutOpeningWithdrawal(
    withoutWithdrawalsBesideRequest(request).slice(verb === null ? 0 : verb.index + verb[0].length),
  );
  if (
    WITHDRAWS.test(rest) ||
    waitsFirst(rest) ||
    (WAIT_INTERJECTION.test(rest) && takesBack(rest, targets)) ||
    negatesRepeatedAction(rest)
  ) {
    return false;
  }
  const later = at < 0 ? '' : allMessages.slice(at + request.length);
  if (isMentioned(request, allMessages, at, later)) {
    return false;
  }
  const { tail, after } = followingSentences(request, later);
  return (
    !tail.some((sentence) => takesBack(withoutOtherWithdrawals(sentence, request), targets)) &&
    !after.some(
      (sentence) =>
        !isGoAhead(sentence, request) &&
        (takesBack(withoutOtherWithdrawals(ownWords(sentence), request), targets) ||
          !leavesStanding(sentence, request)),
    )
  );
}

/**
 * Words by which an addition waits only for the request before it: "when it's done", "once
 * that is finished", a closing "after".
 */
const AFTER_THE_REQUEST =
  /\b(?:when|once|after)\s+(?:it|that|this|they)(?:'s|'re|\s+is|\s+are|\s+has|\s+have)?\s+(?:been\s+)?(?:done|finished|complete[d]?|through|deployed|live|up|over|out)\b|\bafter(?:wards)?\s*[.!]?$/gi;

/** Returns `sentence` without the text it dictates or quotes, which is not the user's own. */
function ownWords(sentence: string): string {
  return withoutDictatedContent(withoutQuotedText(sentence));
}

/**
 * Splits the text after a request into the rest of the request's own sentence and the
 * sentences after it. A reason in the rest of the sentence ("Delete the old branch, it was
 * merged last week.") is part of the request, so only the known withdrawals read it. A
 * question answered by a sentence that starts with "no" ("Same on prod? No, just staging.")
 * is left out with its answer, because the answer refuses what the question offered.
 */
function followingSentences(request: string, later: string): { tail: string[]; after: string[] } {
  const end = /[.!?](?=\s|$)|\n/.exec(later);
  const ended = /[.!?]$/.test(request);
  let split = 0;
  if (!ended) {
    split = end === null ? later.length : end.index + end[0].length;
  }
  const all = sentences(later.slice(split));
  const answered = (index: number): boolean =>
    (all[index]?.endsWith('?') ?? false) && /^\W*no\b/i.test(all[index + 1] ?? '');
  const after = all.filter((_, index) => !answered(index) && !answered(index - 1));
  return { tail: sentences(later.slice(0, split)), after };
}

/**
 * Checks whether a later sentence gives the go-ahead for `request`, found at `at` in
 * `allMessages`, which waits for a condition: "Delete the bucket once the export finishes."
 * then "The export finished, go ahead and delete it." The user reports the condition met.
 */
function metLater(request: string, allMessages: string, at: number): boolean {
  const later = at < 0 ? '' : allMessages.slice(at + request.length);
  return followingSentences(request, later).after.some((sentence) => isGoAhead(sentence, request));
}

/**
 * Checks whether `sentence` gives a go-ahead that no condition holds back: "The export
 * finished, go ahead.", "Hold on — yes, go ahead, I checked nothing uses it."
 */
function isGoAhead(sentence: string, request: string): boolean {
  const own = ownWords(sentence);
  return followUpKind(own, request) === 'go-ahead' && !isConditionalRequest(own);
}

/**
 * Checks whether `sentence`, which follows `request` in a later sentence, is of a kind that
 * leaves it standing (see follow-up-sentences.ts). A request or an addition stands only when
 * it sets no condition itself: "Do it only if Ana confirms." takes the request back.
 */
function leavesStanding(sentence: string, request: string): boolean {
  // "Forget about the release notes." withdraws only what it names.
  const words = ownWords(sentence);
  const own = withoutOtherWithdrawals(words, request);
  if (own !== words && !/\w/.test(own)) {
    return true;
  }
  switch (followUpKind(own, request)) {
    case 'other':
      return false;
    case 'addition':
    case 'request':
    case 'go-ahead':
      return !isConditionalRequest(own.replace(AFTER_THE_REQUEST, ' '));
    default:
      return true;
  }
}

/**
 * Checks whether every deploy verb of `request` is mentioned rather than requested, read in
 * its whole sentence: the text before it since the last sentence end, and a continuation
 * that starts in lower case ("Deploy it to production... is what the README says").
 */
function isMentioned(request: string, allMessages: string, at: number, later: string): boolean {
  const verbs = [...request.matchAll(ALL_DEPLOY_ACTIONS)];
  if (verbs.length === 0) {
    return false;
  }
  const before = at < 0 ? '' : allMessages.slice(0, at);
  const lead = before.slice(
    Math.max(before.lastIndexOf('\n'), before.search(/[.!?]\s+[^.!?]*$/)) + 1,
  );
  const continuation = /^\s+[a-z][^.!?\n]*/.exec(later)?.[0] ?? '';
  const sentence = lead + request + continuation;
  return verbs.every((verb) =>
    isMentionedRequest(
      sentence,
      lead.length + verb.index,
      lead.length + verb.index + verb[0].length,
    ),
  );
}

/** Checks whether `request`, a sentence or clause of the user's messages, still stands. */
export function requestStands(request: string, allMessages: string): boolean {
  return standsAt(request, allMessages, allMessages.lastIndexOf(request));
}

/**
 * Returns the clauses of `messages` (one a line) as `keep` returns them, each given with its
 * position in `allMessages` (-1 when it is not found there), joined by newlines. `keep`
 * returns undefined for a clause that does not stand.
 */
function keepClauses(
  messages: string,
  allMessages: string,
  keep: (clause: string, at: number) => string | undefined,
): string {
  let from = 0;
  const kept: string[] = [];
  for (const clause of messages.split('\n')) {
    const at = allMessages.indexOf(clause, from);
    if (at >= 0) {
      from = at + clause.length;
    }
    const standing = keep(clause, at);
    if (standing !== undefined) {
      kept.push(standing);
    }
  }
  return kept.join('\n');
}

let lastStanding: { messages: string; allMessages: string; standing: string } | undefined;

/**
 * Returns the clauses of `messages` (consenting text, one clause a line) that still stand by
 * {@link requestStands}, read against `allMessages`. The result for the last input is kept,
 * because every deploy rule of one call reads the same messages.
 */
export function standingRequests(messages: string, allMessages: string): string {
  if (lastStanding?.messages === messages && lastStanding.allMessages === allMessages) {
    return lastStanding.standing;
  }
  // A clause with no deploy verb ("Preview on dev looked fine.") states a fact, which a
  // later sentence cannot take back.
  // "Make it a preview deploy rather than prod." consents to a preview deploy alone.
  const standing = keepClauses(messages, allMessages, (clause, at) =>
    !DEPLOY_ACTIONS.test(clause) || standsAt(clause, allMessages, at)
      ? clause.replace(REJECTED_VALUE, '')
      : undefined,
  );
  lastStanding = { messages, allMessages, standing };
  return standing;
}

/** Options of {@link standingClauses}. */
export interface StandingOptions {
  /**
   * Keep questions ("why is nginx on app-01 returning 502?"), which consent to reading what
   * they ask about. Readers of writes leave it unset, so a question consents to no write.
   */
  keepQuestions?: boolean;
}

/** Results of {@link standingClauses} for the latest inputs, oldest first. */
const recentStanding = new Map<string, string>();
/** Inputs kept in {@link recentStanding}: the checks of one call read a few clause lists. */
const RECENT_STANDING_LIMIT = 8;

/**
 * Returns the clauses of `messages` (consenting text, one clause a line) that still stand,
 * judging every clause whatever its verb. A clause stands when it does not wait for a
 * condition, suppose, report someone else's words or ask for a draft to review, and no later
 * sentence takes it back.
 * Every consent reader beyond deploys and applies reads its requests through it: MCP writes,
 * refunds, form fills, grants, requested shell work, remote CLI changes and root commands.
 * The results for the last few inputs are kept, because every check of one call reads the
 * same messages.
 */
export function standingClauses(
  messages: string,
  allMessages: string,
  options: StandingOptions = {},
): string {
  const keepQuestions = options.keepQuestions === true;
  const key = `${keepQuestions ? 'q' : ''}\u0000${messages}\u0000${allMessages}`;
  const known = recentStanding.get(key);
  if (known !== undefined) {
    return known;
  }
  const standing = keepClauses(messages, allMessages, (clause, at) =>
    keepQuestions && clause.endsWith('?') && !isReported(clause)
      ? clause
      : standingClause(clause, allMessages, at),
  );
  if (recentStanding.size >= RECENT_STANDING_LIMIT) {
    recentStanding.delete(recentStanding.keys().next().value ?? '');
  }
  recentStanding.set(key, standing);
  return standing;
}

/** Words before the verb of a request: "please", "now", "ok,", "also". */
const LEADING_FILLER =
  /^(?:\W*(?:please|pls|now|then|also|and|so|ok(?:ay)?|just|go\s+ahead\s+and|can\s+you|could\s+you)\b)*\W*/i;

/** Returns a pattern of the clause's first verb, by which a later sentence names the action. */
function clauseActionPattern(clause: string): RegExp | undefined {
  const verb = /^[a-z]+/i.exec(clause.replace(LEADING_FILLER, ''))?.[0].toLowerCase() ?? '';
  const stem = verb.length > 4 ? verb.slice(0, -1) : verb;
  return stem.length >= 3 ? new RegExp(String.raw`\b${stem}\w*`, 'i') : undefined;
}

/** Words that name a target by its form: `#announcements`, `ch_3PqR`, `Team/Runbooks`, `v3.2`. */
const TARGET_FORM = /[#/@_\d]|\w[.-]\w/;

/** Checks whether `sentence` names a target of a distinct form that `clause` does not name. */
function namesOtherTarget(sentence: string, clause: string): boolean {
  const named = new Set(clause.toLowerCase().split(/[\s,;:()"'`]+/));
  return sentence
    .toLowerCase()
    .split(/[\s,;:()"'`]+/)
    .map((word) => word.replace(/[.!?]+$/, ''))
    .some((word) => TARGET_FORM.test(word) && !named.has(word) && !named.has(`${word}.`));
}

/**
 * A sentence that keeps another target out of the action rather than taking it back: "Don't
 * touch the latest tag, prod pulls that." A pronoun ("don't touch it") refers to the request's
 * own target.
 */
const SPARES_OTHER_TARGET =
  /^\W*(?:(?:but|and|just|please)\s+)*(?:don'?t|do\s+not|never)\s+(?:touch|change|modify|delete|remove|overwrite|move|retag)\s+(?!(?:it|that|this|them|anything)\b)/i;

/**
 * Words by which a later sentence replaces the request's target: "Actually give it to
 * marco@acme.dev instead", "Actually use 198.51.100.8". "Actually, also add the e2e check"
 * adds work and keeps the request.
 */
const REPLACES = /\b(?:instead|rather\s+than)\b|^\W*actually\b/i;

/** A comma and a statement after a request: ", 412 is the customer-facing one". */
const REASON_TAIL =
  /,\s*(?:(?:since|because|as)\s+)?(?:the\s+)?[\w#@./-]+\s+(?:is|are|was|were|has|have|goes|go|gets|includes?)\b[^]*$/i;

/** Checks whether `sentence` names an environment that `clause` does not name. */
function namesOtherEnvironment(sentence: string, clause: string): boolean {
  const named = new Set(clause.toLowerCase().split(/[^a-z]+/));
  return sentence
    .toLowerCase()
    .split(/[^a-z]+/)
    .some((word) => ENVIRONMENT_NAMES.has(word) && !named.has(word));
}

/**
 * Checks whether `sentence` moves the request to another target: it replaces ("instead",
 * "actually …") and names a target of a distinct form or an environment that the clause does
 * not name. The latest sentence that names a target of that kind is the request's target.
 */
function replacesTarget(sentence: string, clause: string): boolean {
  return (
    REPLACES.test(sentence) &&
    !ADDS_TO_REQUEST.test(sentence.replace(REASON_TAIL, '')) &&
    (namesOtherTarget(sentence, clause) || namesOtherEnvironment(sentence, clause))
  );
}

/**
 * Checks whether `sentence`, which comes after a clause, takes it back: it withdraws outright,
 * it says "wait" and then negates, defers or questions, it is only a condition, it moves the
 * request to another target, or it negates, defers or questions the same action ("Don't refund
 * it yet"). A sentence about another action ("Create a draft." then "Don't publish it yet") or
 * another target ("Post it in #drafts." then "Don't post in #announcements", "Don't touch the
 * latest tag") leaves the clause standing.
 */
function takesBackClause(sentence: string, clause: string, action: RegExp | undefined): boolean {
  if (takesBackAnything(sentence) || replacesTarget(sentence, clause)) {
    return true;
  }
  return (
    action !== undefined &&
    action.test(sentence) &&
    !namesOtherTarget(sentence, clause) &&
    !SPARES_OTHER_TARGET.test(sentence) &&
    (NEGATES.test(sentence) || DEFERS.test(sentence) || YES_NO_QUESTION.test(sentence))
  );
}

/** A pause that opens a clause only to add to it: "Hold on, one more thing: also …". */
const PAUSE_BEFORE_ADDITION =
  /^(?:\W*(?:oh|hmm+|wait|hold\s+on|hang\s+on|one\s+sec(?:ond)?)\b)+[\s,:;.!\u2014-]*(?=(?:one\s+more\s+thing|also|and\s+also)\b)/i;

/** A later sentence that keeps one environment as it is: "Hmm, prod is fine as is." */
const KEEPS_ENVIRONMENT =
  /^\W*(?:(?:hmm+|oh|ok(?:ay)?|actually)[\s,]+)*(?:(\w+)\s+(?:is|are)\s+(?:fine|good|ok(?:ay)?)\s+as\s+(?:it\s+)?is|(?:keep|leave)\s+(\w+)\s+(?:as\s+(?:it\s+)?is|alone))\b/i;

/**
 * Returns `clause` without the environment that `sentence` keeps as it is, when the clause
 * names it next to another: "Scale the api in staging and prod." then "Prod is fine as is."
 */
function narrowedClause(sentence: string, clause: string): string | undefined {
  const kept = KEEPS_ENVIRONMENT.exec(sentence);
  const environment = (kept?.[1] ?? kept?.[2])?.toLowerCase();
  if (environment === undefined || !ENVIRONMENT_NAMES.has(environment)) {
    return undefined;
  }
  const joined = new RegExp(String.raw`\s+and\s+${environment}\b|\b${environment}\s+and\s+`, 'i');
  const narrowed = clause.replace(joined, '');
  return narrowed === clause ? undefined : narrowed;
}

/** Access levels a grant names, one of which a later sentence may put in place of another. */
const ACCESS_LEVEL =
  /\b(?:read|pull|triage|write|push|maintain|admin|viewer|editor|owner|reader|writer|commenter|developer|maintainer|reporter|guest|member)\b/i;

/** An access level as a word of its own, not part of a name like `ana-writer`. */
const NAMED_LEVEL = new RegExp(
  String.raw`(?<![\w@./-])(?:${ACCESS_LEVEL.source.slice(2, -2)})(?![\w@/-])`,
  'i',
);

/** A later sentence that names a new access level: "Actually make it write", "triage is enough". */
const NEW_LEVEL = new RegExp(
  String.raw`^\W*(?:actually,?\s+)?(?:make\s+(?:it|that)\s+(${ACCESS_LEVEL.source.slice(2, -2)})(?:\s+instead)?|(${ACCESS_LEVEL.source.slice(2, -2)})\s+(?:is|will\s+be)\s+enough)\s*(?:[,.!;\u2014]|$)`,
  'i',
);

/**
 * Returns `clause` with the access level that `sentence` names put in place of the one it
 * named: "Invite qa-bot with triage." then "Make that read instead, it is only a bot."
 */
function revisedLevel(sentence: string, clause: string): string | undefined {
  const revision = NEW_LEVEL.exec(sentence);
  const level = revision?.[1] ?? revision?.[2];
  const old = NAMED_LEVEL.exec(clause)?.[0];
  if (level === undefined || old === undefined) {
    return undefined;
  }
  return clause.replace(NAMED_LEVEL, level);
}

/** "3 instead of 6": the value a later sentence puts in place of one the request named. */
const INSTEAD_OF = /([^\s,;:]+)\s+instead\s+of\s+([^\s,;:.!?]+)/i;

/**
 * Returns `clause` with the value that `sentence` replaces by name ("make it 3 instead of 6")
 * put in place, or undefined when the sentence names no value of the clause that way.
 */
function revisedClause(sentence: string, clause: string): string | undefined {
  const revision = INSTEAD_OF.exec(sentence);
  if (revision === null) {
    return revisedLevel(sentence, clause) ?? narrowedClause(sentence, clause);
  }
  const [, value = '', replaced = ''] = revision;
  const escaped = replaced.replace(/[.*+?^${}()|[\]\\]/g, String.raw`\$&`);
  const named = new RegExp(String.raw`(?<![\w.@/-])${escaped}(?![\w@/-])`, 'gi');
  const revised = clause.replace(named, value);
  return revised === clause ? undefined : revised;
}

/**
 * Returns a clause of any verb, found at `at` in `allMessages`, as it still stands, or
 * undefined when it does not, as {@link standsAt} decides for deploy requests. A deploy word
 * inside the clause is often a noun ("post the deploy failure"), so only the clause's own verb
 * ties a later sentence to it. A later "3 instead of 6" revises the value in the clause.
 */
function standingClause(clause: string, allMessages: string, at: number): string | undefined {
  if (
    clause.endsWith('?') ||
    (isConditionalRequest(clause) && !metLater(clause, allMessages, at))
  ) {
    return undefined;
  }
  const action = clauseActionPattern(clause);
  // "Comment on it: \"Never mind, fixed by #415.\"" dictates the words, and "Hold on, one more
  // thing: also delete …" pauses only to add the request.
  // "Scratch that, delete preview-483 instead." opens a new request, and "never mind the
  // tests" withdraws only the tests.
  const opened = withoutOpeningWithdrawal(ownWords(clause).replace(PAUSE_BEFORE_ADDITION, ''));
  const own = withoutWithdrawalsBesideRequest(opened);
  if (
    WITHDRAWS.test(own) ||
    waitsFirst(own) ||
    (WAIT_INTERJECTION.test(own) && takesBackClause(own, own, action))
  ) {
    return undefined;
  }
  const later = at < 0 ? '' : allMessages.slice(at + clause.length);
  // "Actually put it on 413 instead, 412 is the customer-facing one": the reason names the old
  // target, which the request no longer asks for.
  let standing = REPLACES.test(clause) ? clause.replace(REASON_TAIL, '') : clause;
  const { tail, after } = followingSentences(clause, later);
  for (const sentence of tail) {
    if (takesBackClause(withoutOtherWithdrawals(sentence, standing), standing, action)) {
      return undefined;
    }
  }
  // Only a request needs a later sentence to leave it standing: a statement ("The export
  // finished.") is read by the known withdrawals alone.
  const request = isRequestClause(clause);
  for (const sentence of after) {
    const revised = revisedClause(sentence, standing);
    if (revised !== undefined) {
      standing = revised;
    } else if (
      !isGoAhead(sentence, standing) &&
      (takesBackClause(withoutOtherWithdrawals(ownWords(sentence), standing), standing, action) ||
        (request && !leavesStanding(sentence, standing)))
    ) {
      return undefined;
    }
  }
  // "Post it in #eng-deploys rather than #eng." consents to #eng-deploys alone.
  return standing.replace(REJECTED_VALUE, '');
}

/** The value a request turns down: ", not squash", "rather than #eng", "instead of prod". */
const REJECTED_VALUE =
  /,?\s*\b(?:rather\s+than|instead\s+of|not)\s+(?:the\s+|a\s+|an\s+)?[\w#@./-]+(?=\s*(?:[.!,;]|$))/gi;
