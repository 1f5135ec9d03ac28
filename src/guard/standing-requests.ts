/**
 * Whether a request (to deploy, apply, refund, publish or fill a form) still stands. A request
 * that waits for a condition ("ship it once CI is green"), that only supposes the action
 * ("ship it is what I'd say if tests passed"), that reports someone else's words ("the PM said
 * ship it") or that a later sentence takes back ("Roll it to prod. Hmm, wait, the migration
 * isn't done.") is no consent.
 * These readers filter their requests through it:
 * - every deploy and apply reader, through `standingRequests`;
 * - the merge, `npm dist-tag` and other structural shell actions of consent.ts;
 * - requested releases, print consent (secret-fields.ts) and MCP writes named by kind
 *   (named-mcp-writes.ts);
 * - root and remote CLI consent (standing-clauses.ts);
 * - every MCP write reader of `checkMcp` in tiers.ts, through `standingClauses`: publishes,
 *   form fills, refunds, pages, comments and channel posts.
 *
 * NOTE: the prefix-delete reader (bucket-deletes.ts) does not call it.
 */
import { ENVIRONMENT_NAMES } from './environment-names.js';
import { isMentionedRequest } from './mentioned-requests.js';

/** Words anywhere in a request that make it wait for something: "ship it once CI is green". */
const WAITS =
  /\b(?:once|after|when|whenever|until|till|unless|if|before|tomorrow|later|tonight|as\s+soon\s+as|pending|provided|assuming|next\s+(?:week|month|time|sprint)|(?:in|with|for)\s+the\s+next\s+release)\b/i;

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
  /\b(?!(?:I|we)\b)[\w']+\s+(?:said|says|told|tells|asked|asks|wrote|writes|wants|wanted|suggested|suggests|thinks|thought|mentioned|claims|claimed|insists|insisted)\b|\baccording\s+to\b/i;

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
 * Checks whether `request` waits for a condition or a later time, supposes the action or
 * reports others. Words of the content it dictates (see {@link DICTATED_CONTENT}) do not count.
 */
export function isConditionalRequest(request: string): boolean {
  const own = withoutDictatedContent(request);
  return WAITS.test(own) || LATER_TIME.test(own) || SUPPOSES.test(own) || REPORTED.test(own);
}

/**
 * Words that take back the request before them with no object needed: "hold off", "never
 * mind", "not yet", "actually no", "stop!".
 */
const WITHDRAWS =
  /\b(?:hold\s+(?:off|on|up)(?!\s+to\b)|hang\s+on(?!\s+to\b)|cancel\s+(?:that|it|this)|never\s*mind|scratch\s+that|forget\s+(?:it|that|about\s+it)|belay\s+that|nope|nah|abort|not\s+(?:yet|until|before|now|today)|actually,?\s+(?:no|don'?t)|no,?\s+wait|on\s+second\s+thought)\b|\bstop\b(?=\s*(?:[.!,;\u2014-]|$))/i;

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
  if (WITHDRAWS.test(sentence) || TRAILING_CONDITION.test(sentence)) {
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
  if (request.endsWith('?') || isConditionalRequest(request)) {
    return false;
  }
  const targets = targetWords(request);
  const verb = DEPLOY_ACTIONS.exec(request);
  // The rest of the request's own sentence may take it back: "Ship it — no wait, not Monday".
  const rest = request.slice(verb === null ? 0 : verb.index + verb[0].length);
  if (
    WITHDRAWS.test(rest) ||
    (WAIT_INTERJECTION.test(rest) && takesBack(rest, targets)) ||
    negatesRepeatedAction(rest)
  ) {
    return false;
  }
  const later = at < 0 ? '' : allMessages.slice(at + request.length);
  if (isMentioned(request, allMessages, at, later)) {
    return false;
  }
  return !sentences(later).some((sentence) => takesBack(sentence, targets));
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
 * Returns the clauses of `messages` (one a line) for which `keep` is true, each given with its
 * position in `allMessages` (-1 when it is not found there), joined by newlines.
 */
function keepClauses(
  messages: string,
  allMessages: string,
  keep: (clause: string, at: number) => boolean,
): string {
  let from = 0;
  const kept: string[] = [];
  for (const clause of messages.split('\n')) {
    const at = allMessages.indexOf(clause, from);
    if (at >= 0) {
      from = at + clause.length;
    }
    if (keep(clause, at)) {
      kept.push(clause);
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
  const standing = keepClauses(
    messages,
    allMessages,
    (clause, at) => !DEPLOY_ACTIONS.test(clause) || standsAt(clause, allMessages, at),
  );
  lastStanding = { messages, allMessages, standing };
  return standing;
}

let lastStandingClauses: { messages: string; allMessages: string; standing: string } | undefined;

/**
 * Returns the clauses of `messages` (consenting text, one clause a line) that still stand by
 * {@link requestStands}, judging every clause whatever its verb. Readers of consent to actions
 * that no deploy verb names (MCP writes, refunds, form fills, page creation) use it, so that
 * "refund it if the manager approves" and "fill it in. Actually, hold off." give no consent.
 */
export function standingClauses(messages: string, allMessages: string): string {
  if (
    lastStandingClauses?.messages === messages &&
    lastStandingClauses.allMessages === allMessages
  ) {
    return lastStandingClauses.standing;
  }
  const standing = keepClauses(messages, allMessages, (clause, at) =>
    clauseStands(clause, allMessages, at),
  );
  lastStandingClauses = { messages, allMessages, standing };
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
 * Checks whether `sentence`, which comes after a clause, takes it back: it withdraws outright,
 * it says "wait" and then negates, defers or questions, it is only a condition, or it negates,
 * defers or questions the same action ("Don't refund it yet"). A sentence about another
 * action ("Create a draft." then "Don't publish it yet") or another target ("Post it in
 * #drafts." then "Don't post in #announcements") leaves the clause standing.
 */
function takesBackClause(sentence: string, clause: string, action: RegExp | undefined): boolean {
  if (takesBackAnything(sentence)) {
    return true;
  }
  return (
    action !== undefined &&
    action.test(sentence) &&
    !namesOtherTarget(sentence, clause) &&
    (NEGATES.test(sentence) || DEFERS.test(sentence) || YES_NO_QUESTION.test(sentence))
  );
}

/**
 * Checks whether a clause of any verb, found at `at` in `allMessages`, still stands, as
 * {@link standsAt} does for deploy requests. A deploy word inside the clause is often a noun
 * ("post the deploy failure"), so only the clause's own verb ties a later sentence to it.
 */
function clauseStands(clause: string, allMessages: string, at: number): boolean {
  if (clause.endsWith('?') || isConditionalRequest(clause)) {
    return false;
  }
  const action = clauseActionPattern(clause);
  if (
    WITHDRAWS.test(clause) ||
    (WAIT_INTERJECTION.test(clause) && takesBackClause(clause, clause, action))
  ) {
    return false;
  }
  const later = at < 0 ? '' : allMessages.slice(at + clause.length);
  return !sentences(later).some((sentence) => takesBackClause(sentence, clause, action));
}
