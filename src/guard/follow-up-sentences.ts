/**
 * The kinds of sentence that may follow a request and leave it standing. The consent readers
 * of standing-requests.ts take a request back after any later sentence of no such kind, so a
 * withdrawal, a put-off, a condition or a worry in words no list holds ("Put that on ice.",
 * "Pending legal review.", "Oh, Lena left the team last week.", "Bitte nicht") makes the call
 * ask. The kinds are closed on purpose:
 * - an acknowledgement or a good report ("Thanks!", "ok", "Looks good", "Marketing signed off");
 * - a go-ahead, after a met condition or a pause ("The export finished, go ahead.");
 * - an addition ("Wait, also share it in #qa.", "Then restart the worker.", "logs/ too");
 * - another request, opened by a request verb that neither holds, puts off nor changes the
 *   request ("Tag the image.");
 * - a refusal or a spare of another action or target ("Don't publish it yet." after "Create a
 *   draft.", "Prod is fine, leave it."), or the user's own part ("I'll paste it in CI myself");
 * - a detail that names only what the request named ("Staging only, please."), or the
 *   identifier of something it named ("The old key id is AKIAEXAMPLEOLD0001.");
 * - a question for a detail ("What's the preview URL?").
 */

import { ENVIRONMENT_NAMES } from './environment-names.js';

/** Kind of a sentence after a request, as {@link followUpKind} reads it. */
export type FollowUpKind =
  | 'acknowledgement'
  | 'go-ahead'
  | 'addition'
  | 'request'
  | 'refusal-elsewhere'
  | 'detail'
  | 'question'
  | 'other';

/** Words that open a sentence before what it says: "oh,", "then", "please", "sorry —". */
const OPENING_FILLER =
  /^(?:[\s,.:;!\u2014\u2013-]*(?:oh|ah|hmm+|um+|uh|erm|well|so|and|then|next|finally|afterwards|after\s+that|and\s+then|now|please|pls|plz|kindly|just|ok(?:ay)?|alright|sure|yes|yeah|yep|also|one\s+more\s+thing|wait(?!\s+(?:for|until|till|on)\b)|hold\s+on(?!\s+to\b)|actually|btw|by\s+the\s+way|oh\s+and|i\s+(?:want|need)\s+you\s+to|i'?d\s+like\s+you\s+to|can\s+you|could\s+you|would\s+you|will\s+you|go\s+ahead\s+and)\b)*[\s,.:;!\u2014\u2013-]*/i;

/**
 * Acknowledgements with nothing else in them: "Thanks!", "ok", "sounds good", "yes, go ahead".
 */
const ACKNOWLEDGEMENT =
  /^(?:[\s,.!\u2014-]*(?:ok(?:ay)?|k|yes|yep|yeah|yup|sure|thanks?(?:\s+(?:a\s+lot|so\s+much))?|thank\s+you|thx|ty|cheers|great|perfect|cool|nice|awesome|good|not\s+bad|sounds\s+(?:good|great|right)|looks\s+(?:good|right|fine)|lgtm|fine|right|correct|exactly|got\s+it|understood|alright|all\s+right|agreed|confirmed|approved|please|no\s+rush|go\s+ahead|go\s+for\s+it|do\s+it(?:\s+now)?|proceed|please\s+proceed|carry\s+on|go\s+on|that'?s\s+(?:it|right|all|fine|correct|the\s+one)|\u{1F44D}))+[\s,.!\u2014-]*$/iu;

/**
 * Social closings with nothing else in them: "Appreciate it.", "Take your time.", "Good luck!",
 * "Sorry for the typo earlier.", "We do this every sprint." They say nothing about the request.
 */
const SOCIAL_CLOSING =
  /^(?:[\s,.!\u2014-]*(?:(?:i\s+)?appreciate\s+it|much\s+appreciated|appreciated|many\s+thanks|thanks\s+in\s+advance|thank\s+you\s+(?:kindly|so\s+much|in\s+advance)|thanks?\s+(?:again|mate|a\s+ton|a\s+bunch)|cheers(?:,?\s+mate)?|mate|ta|sweet|brilliant|legend|nice\s+one|good\s+luck|you'?re\s+(?:a\s+star|the\s+best|a\s+legend)|happy\s+(?:monday|tuesday|wednesday|thursday|friday|weekend|holidays)|have\s+a\s+(?:good|nice|great)\s+(?:one|day|weekend)|take\s+your\s+time|sorry\s+for\s+the\s+(?:typo|typos|noise|confusion)(?:\s+(?:earlier|above|before))?|(?:it'?s|this\s+is)\s+the\s+usual\s+routine|(?:it'?s\s+)?routine|we\s+do\s+this\s+every\s+(?:sprint|week|month|release|day|time)|that'?s\s+all\s+for\s+(?:today|now)))+[\s,.!\u2014-]*$/i;

/**
 * A go-ahead inside a longer sentence: "The export finished, go ahead and delete it.", "Hold on
 * — yes, go ahead, I checked nothing uses it."
 */
const GO_AHEAD =
  /\b(?:go\s+ahead|can\s+go(?=\s*[.!]?$)|(?:is|are)\s+(?:safe|fine|ok(?:ay)?)\s+to\s+(?:delete|remove|drop|go)|go\s+for\s+it|(?:please\s+)?proceed|you'?re\s+(?:clear|good)\s+to\s+go|(?:yes|ok(?:ay)?|sure)[,!.]?\s+(?:please\s+)?do\s+it)\b/gi;

/** Words that add work to a request: "also", "too", "as well", "one more thing". */
const ADDITION =
  /\b(?:also|too|as\s+well|in\s+addition|additionally|plus|one\s+more\s+thing|and\s+then|after\s+that|afterwards|once\s+(?:that'?s\s+)?done|when\s+(?:that'?s\s+)?done|then)\b/i;

/** A question for a detail: "What's the preview URL?", "Which region is it in?". */
const DETAIL_QUESTION = /^(?:what(?!\s+if\b)|where|which|who|how|when|why)\b[^?]*\?\s*$/i;

/**
 * Wh-questions that object rather than ask for a detail: "Why?", "Who approved this?", "How
 * is that safe?", "What's the rush?", "How about we wait?", "What about the people still
 * using it?", "How should we proceed?". A question for a detail asks for a value the agent
 * should give; these ask the user's own doubt back.
 */
const OBJECTING_QUESTION =
  /^(?:why\b|how\s+come\b|who\s+(?:\w+\s+)?(?:approved|signed|okayed|ok'?d|authori[sz]ed|agreed|asked|said|decided|cleans|is\s+responsible|takes)\b|how\s+(?:is|was|would|will|can|could)\s+(?:\w+\s+){0,3}?(?:safe|ok(?:ay)?|fine|wise|allowed|a\s+good\s+idea)\b|how\s+(?:about|should\s+(?:we|i)\s+(?:proceed|go|continue|handle))\b|what(?:'?s|\s+is)\s+the\s+(?:rush|hurry|point|reason|harm|plan|risk|backup|fallback|rollback)\b|what\s+about\b|what\s+(?:if|happens|could)\b|where(?:'?s|\s+is|\s+are)\s+the\s+(?:backup|approval|ticket|sign[- ]?off|review|rollback|plan)\b)/i;

/**
 * Verbs by which a sentence asks for more work. A verb that holds, drops or puts off work
 * ("wait", "leave", "skip", "park", "pause", "drop", "cancel") is not among them, because
 * "Drop it." or "Pause on that." refers back to the request.
 */
const REQUEST_VERBS = new Set(
  `ack activate add allow apply archive assign attach back bump build cd check chmod chown clean clear clone close
  comment commit compile configure copy cp create cut deactivate delete deploy describe diff disable
  download edit email empty enable export fetch fill find fix flush force fork format generate get go
  give grant grep import increase install invite kill label link lint list load lock log
  lower make mark merge migrate mkdir mount move mute mv notify open patch pin ping point post print
  promote prune publish pull purge push raise read rebase reboot rebuild record recreate redeploy refund regenerate reindex
  reload remove rename render reopen reply report reset resize resolve respond restart restore
  resume retry return revoke rm roll rotate run save scale schedule search send set share
  ship show sign snapshot sort start submit suspend sync tag tail tell terminate test touch transfer
  trigger truncate turn unassign uninstall unlock unmute unpin unpublish update upgrade upload
  use validate verify view wait watch wipe write`.split(/\s+/),
);

/**
 * Verbs that undo what a request does, each with the request verbs it undoes; "roll back",
 * "revert" and "undo" undo any. "Revoke it." after "Grant …" takes the request back, while
 * "Restore it." after "Create a snapshot …" asks for more work.
 */
const UNDOES: ReadonlyMap<string, ReadonlySet<string>> = new Map(
  [
    [
      'restore',
      'delete remove drop rm destroy purge wipe prune erase empty truncate point move set',
    ],
    ['recreate', 'delete remove drop rm destroy purge'],
    ['revoke', 'grant give add share invite assign allow'],
    ['unpublish', 'publish release ship'],
    ['reopen', 'resolve close move mark'],
    ['close', 'merge open reopen'],
    ['remove', 'add grant give invite'],
    ['delete', 'create add'],
  ].map(([verb, undone]) => [verb ?? '', new Set((undone ?? '').split(' '))]),
);

/** An undo of whatever the request did: "Roll it back.", "Revert that.", "Undo it." */
const UNDOES_ANY =
  /^(?:roll\s+(?:it|that|this|them)\s+back|roll\s+back|revert|undo|back\s+(?:it|that)\s+out)\b/i;

/** The request's own target, for an undo: "it", "that", "the old one", "the previous one". */
const UNDONE_TARGET =
  /^\s*(?:it|that|this|them|those|the\s+(?:old|previous|original|last)\s+(?:one|value|version|record|target))\b/i;

/** Checks whether `opening`, a request, undoes the action of `request`: "Revoke it." */
function undoesRequest(opening: string, verb: string, request: string): boolean {
  if (UNDOES_ANY.test(opening)) {
    return true;
  }
  const undone = UNDOES.get(verb);
  const action = requestVerb(request);
  const reversed =
    undone !== undefined &&
    [...undone].some((other) => sameAction(action, other) || action.endsWith(`-${other}`));
  return (
    (reversed || verb === `un${action}`) &&
    UNDONE_TARGET.test(opening.slice(verb.length)) &&
    opening.slice(verb.length).split(/\s+/).filter(Boolean).length <= 4
  );
}

/**
 * A request that must come before the request, which holds it until then: "Ping me first.",
 * "Show me the plan first.", "Email Ana before doing it."
 */
const COMES_FIRST =
  /\b(?:first|beforehand|before\s+(?:(?:doing|running|making|you\s+do|we\s+do|going\s+ahead\s+with)\s+)?(?:it|that|this|anything))\s*[.!]?$/i;

/** Verbs that ask for thought or a wait instead of the work: "Think about it.", "Sit on it." */
const DELIBERATES =
  /^(?:think\s+(?:about|it\s+over|on)|sit\s+on|sleep\s+on|mull|ponder|reconsider|consider|reflect|wait\s+(?:(?:for|on)\s+(?:the\s+|my\s+|our\s+|an?\s+)?(?:go[- ]?ahead|ok(?:ay)?|green\s+light|approval|sign[- ]?off|confirmation|word|me|us)|until\s+(?:i|we)\b|a\s+(?:bit|while|moment|minute|sec|day)))\b/i;

/** Verbs of a request to tell or show someone, which "first" turns into a hold: "Ping me first." */
const FIRST_HOLD_VERBS = new Set(
  'ask call check dm email message notify ping post send show slack tell text'.split(' '),
);

/** Hesitations with nothing after them: "Um, actually.", "Um, well, hmm.", "Wait." */
const HESITATION = /\b(?:um+|uh+|hmm+|erm|actually|well|wait|hold\s+on)\b/i;

/** Verbs by which a later sentence changes the request rather than adding one: "Make it …". */
const MODIFYING_VERBS = new Set(['make', 'use', 'change', 'switch']);

/**
 * Verbs that stop or hold back work. As the first word of a request they ask for that
 * ("Cancel workflow run 5512093378."), but after a request with no object of their own or a
 * pronoun for one ("Drop it.", "Pause on that.") they take it back.
 */
const HOLD_VERBS = new Set(
  'cancel drop stop pause abort halt skip park shelve table freeze postpone delay defer'.split(' '),
);

/**
 * Words that put a request off or tie it to something still to happen, in an addition or a
 * new request: "for now", "pending", "subject to". The caller reads the conditions of
 * isConditionalRequest ("if", "until", "tomorrow") on what this module lets stand.
 */
const PUTS_OFF =
  /\b(?:run\s+(?:it|this|that)\s+(?:past|by)|check\s+with|ask\s+(?:\w+\s+){0,2}(?:first|before)|for\s+(?:now|the\s+moment|a\s+(?:bit|while)|today)|in\s+(?:a\s+(?:bit|while|minute|moment|sec(?:ond)?|few|couple|day|week)|an\s+hour|the\s+morning)|give\s+(?:it|me|us|them)\s+(?:a|an|some)\s+(?:bit|while|minute|moment|sec(?:ond)?|hour|day|week|few|time)|later|revisit|circle\s+back|on\s+(?:ice|hold)|park|pending|subject\s+to|contingent|depending|given\s+that|approv\w*|sign[- ]?off|anymore|any\s+more|no\s+longer)\b/i;

/** Words that negate or correct: "not", "don't", "no", "rather", "instead", "wrong". */
const NEGATES =
  /\b(?:not|no|never|don'?t|dont|doesn'?t|didn'?t|isn'?t|aren'?t|wasn'?t|weren'?t|hasn'?t|haven'?t|hadn'?t|can'?t|cannot|won'?t|wouldn'?t|shouldn'?t|without|rather|instead|wrong|correction|meant|mistake|oops|sorry)\b/i;

/**
 * Words before a go-ahead that leave it still to come or deny it: "Wait for the go ahead.",
 * "Unsure whether to proceed.", "How should we proceed?", "Nothing there is safe to delete."
 */
const GO_AHEAD_AWAITED =
  /\b(?:nothing|nobody|none|nor|wait(?:ing)?\s+(?:for|on|until|till)|until|till|whether|unsure|not\s+sure|how|should\s+(?:we|i)|need\s+(?:a|the|your)|get\s+(?:a|the)|give\s+(?:you|me)\s+(?:a|the))\b/i;

/**
 * A refusal that opens a sentence and the verb it refuses: "Don't publish it yet" refuses
 * "publish". The verb decides whether it refuses the request or another action.
 */
const OPENING_REFUSAL =
  /^(?:don'?t|dont|do\s+not|never|no\s+need\s+to)\s+(?:(?:actually|really|just|even|ever|yet|you|please|now|under\s+any\s+circumstances|whatever\s+you\s+do)[\s,]+)*(?:\w+\s+)??([a-z-]+)/i;

/**
 * Refusals that hold the request back by how they put it, whatever it acts on: "Don't you
 * dare.", "Don't jump the gun.", "Don't rush it.", "Don't even think about it.".
 */
const HOLDING_REFUSAL =
  /^(?:don'?t|dont|do\s+not|never)\s+(?:\w+\s+){0,2}?(?:dare|jump\s+the\s+gun|rush|hurry|think\s+about|go\s+through\s+with|pull\s+the\s+trigger)\b/i;

/** Verbs of a refusal that stand for any action: "don't do that", "don't touch it". */
const ANY_ACTION = new Set(
  'do go proceed bother continue start worry touch change modify run execute'.split(' '),
);

/** Verbs that remove something, which a refusal names for one another. */
const REMOVE_VERBS = new Set(
  'delete remove drop rm destroy purge wipe prune erase kill empty truncate'.split(' '),
);

/** A pronoun that refers back to what the request acts on: "don't touch it". */
const BACK_REFERENCE =
  /\b(?:it|that|this|them|those|these|the\s+above|anything|the\s+first\s+thing|what\s+I\s+(?:asked|said)|my\s+(?:last|previous|first)\s+(?:ask|request|message))\b/i;

/** Words that carry no content of their own in a detail: articles, pronouns, forms of "be". */
const FUNCTION_WORDS = new Set(
  `a an the it its it's this that these those them they one ones is are was were be been am
  i i'm me my we our us you your he she his her in on at of to for from with by and or as so
  just only both either same here there please pls thanks thank also too now still already
  yes yeah ok okay sure right correct exactly indeed really all each every any do does did
  has have had will would should can could named called number version id that's
  which what who whose whom where alone moment while bit time today yet for`.split(/\s+/),
);

/** A word that names a target by its form: `#eng`, `api-7d9c`, `ENG-412`, `v1.2.0`, `412`. */
const TARGET_FORM = /[#/@_\d]|\w[.-]\w/;

/** Splits text into lower-case words, keeping the characters of names like `acme/web`. */
function words(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\w#@./'-]+/)
    .map((word) => word.replace(/^['.-]+|['.,!?:;-]+$/g, ''))
    .filter((word) => word !== '');
}

/** Checks whether `word` is named in `named`, by itself or by a longer or shorter form. */
function isNamed(word: string, named: ReadonlySet<string>): boolean {
  if (named.has(word) || named.has(word.replace(/s$/, ''))) {
    return true;
  }
  // "roles" for "role", "deployment" for "deploy": a shared stem of 4 letters or more.
  if (TARGET_FORM.test(word) || word.length < 4) {
    return false;
  }
  const stem = word.slice(0, Math.max(4, word.length - 3));
  for (const other of named) {
    if (!TARGET_FORM.test(other) && other.length >= 4 && other.startsWith(stem)) {
      return true;
    }
  }
  return false;
}

/**
 * Returns the words of `sentence` that `request` does not name, leaving out function words:
 * what a detail adds to the request.
 */
export function wordsNotInRequest(sentence: string, request: string): string[] {
  const named = new Set(words(request));
  return words(sentence).filter((word) => !FUNCTION_WORDS.has(word) && !isNamed(word, named));
}

/** Returns the shape of a name: `staging-1` and `staging-2` are both `a-9`. */
function shape(word: string): string {
  return word.replace(/[a-z]+/g, 'a').replace(/\d+/g, '9');
}

/**
 * Checks whether `sentence` names a value of the same kind as one of `request` but another
 * one: "staging-2" after "staging-1", "#eng-deploys" after "#eng", "ENG-421" after "ENG-412".
 */
export function namesOtherValue(sentence: string, request: string): boolean {
  const values = words(request).filter((word) => TARGET_FORM.test(word));
  const named = new Set(values);
  return words(sentence)
    .filter((word) => TARGET_FORM.test(word) && !named.has(word))
    .some((word) =>
      values.some(
        (value) =>
          shape(value) === shape(word) ||
          (value.length >= 3 && (word.startsWith(value) || value.startsWith(word))),
      ),
    );
}

/** Returns the first word of `text` after its opening fillers, lower case. */
function firstWord(text: string): string {
  return /^[a-z][a-z-]*/i.exec(text.replace(OPENING_FILLER, ''))?.[0].toLowerCase() ?? '';
}

/** Returns the request verb at the start of `request` after its fillers, if any. */
export function requestVerb(request: string): string {
  return firstWord(request);
}

/**
 * Checks whether `clause` asks for an action: it opens with a request verb after its fillers
 * ("Please delete …", "Can you restart …"). A statement ("The export finished.") is no
 * request, so no later sentence needs to leave it standing.
 */
export function isRequestClause(clause: string): boolean {
  const verb = requestVerb(clause);
  return REQUEST_VERBS.has(verb.split('-').at(-1) ?? '') || HOLD_VERBS.has(verb);
}

/** Checks whether `verb` names the same action as `other`: "merge" and "rebase-merge". */
function sameAction(verb: string, other: string): boolean {
  return (
    verb === other ||
    verb.endsWith(`-${other}`) ||
    other.endsWith(`-${verb}`) ||
    (REMOVE_VERBS.has(verb) && REMOVE_VERBS.has(other))
  );
}

/**
 * Returns the kind of a sentence that opens with a refusal of `refused`: a refusal of another
 * action ("Don't publish it yet." after "Create a draft post.") or of a target the request did
 * not name ("Don't post in #announcements." after "Post it in #drafts.") leaves it standing.
 */
function refusalKind(opening: string, refused: string, request: string): FollowUpKind {
  // "Don't touch the latest tag, prod pulls that": only the refusal's own clause refers back.
  const refusal = opening.split(/[,;:\u2014]/)[0] ?? '';
  if (ANY_ACTION.has(refused) && BACK_REFERENCE.test(refusal)) {
    return 'other';
  }
  if (!ANY_ACTION.has(refused) && !sameAction(refused, requestVerb(request))) {
    return namesOtherValue(opening, request) ? 'other' : 'refusal-elsewhere';
  }
  const added = wordsNotInRequest(refusal, request).filter(
    (word) => word !== refused && !NEGATES.test(word),
  );
  // "Don't post anything in #announcements" names the other target by its form.
  if (added.some((word) => TARGET_FORM.test(word))) {
    return 'refusal-elsewhere';
  }
  return added.length > 0 && !BACK_REFERENCE.test(refusal) ? 'refusal-elsewhere' : 'other';
}

/**
 * A report that something is done or fine, with no negation: "Looks good", "Staging looks
 * healthy", "Marketing signed off", "Release notes approved", "The new key works now",
 * "Reviewed". It answers the request's condition, so it takes nothing back.
 */
const GOOD_REPORT =
  /^(?:(?:[\w#@./'-]+\s+){0,4}?(?:(?:looks?|seems?|is|are|was|were|has\s+been|have\s+been|went|came\s+back)\s+(?:(?:now|all|really)\s+)?(?:good|fine|great|right|healthy|green|ok(?:ay)?|approved|done|finished|clean|ready|correct|through|well|in\s+place|merged|live|passing)|works?|worked|passed|finished|succeeded|signed\s+off|approved|reviewed|checked|tested|verified|done)|(?:I|we)(?:'ve|\s+have)?\s+(?:already\s+|just\s+)?(?:checked|reviewed|tested|verified|looked\s+(?:at|over))\s+(?:it|that|this|the\s+[\w./-]+(?:\s+[\w./-]+)?))(?:\s+(?:good|fine|great|right|healthy|green|ok(?:ay)?|done|now|again|off|to\s+me))*\s*[.!]?$/i;

/**
 * Subjects of a report that hold work back when they are in place or live: "The legal hold is
 * in place.", "The embargo is in place.", "The incident is live.", and "It is live." for what
 * the request would change.
 */
const HOLDING_SUBJECT =
  /^(?:the\s+)?(?:[\w-]+\s+)?(?:hold|embargo|freeze|incident|outage|moratorium|ban|lockdown|blackout|code\s+freeze)\b|^(?:it|this|that)(?:'s|\s+is|\s+was)\s+(?:already\s+)?live\b/i;

/** Words that make a report bad or empty: "Nothing has been approved", "not done". */
const EMPTY_SUBJECT = /\b(?:no|not|nothing|none|nobody|never|n't|nor)\b|n't\b/i;

/** Checks whether `part` is an acknowledgement or a report that something is done or fine. */
function isAcknowledging(part: string): boolean {
  const statement = part.replace(OPENING_FILLER, '');
  return (
    ACKNOWLEDGEMENT.test(part) ||
    SOCIAL_CLOSING.test(part) ||
    (GOOD_REPORT.test(statement) &&
      !EMPTY_SUBJECT.test(statement) &&
      !KEPT_AS_IS.test(statement) &&
      !HOLDING_SUBJECT.test(statement))
  );
}

/** A report that keeps a target as it is: "prod is fine as is". {@link spareKind} reads it. */
const KEPT_AS_IS =
  /^(.+?)\s+(?:is|are|looks?|seems?)\s+(?:fine|good|ok(?:ay)?)\s+as\s+(?:it\s+)?is\b/i;

/**
 * A fact that someone or something the request did not name already has what it is about:
 * "Cy already has write there."
 */
const ALREADY_HAS = /^[\w@.-]+(?:\s+[\w@.-]+)?\s+already\s+(?:has|have|is|are)\b/i;

/**
 * A detail that gives the identifier of something the request named: "The old key id is
 * AKIAEXAMPLEOLD0001." An identifier of the same kind as one the request named ("The bucket
 * is acme-dev-tmp2.") changes the target instead.
 */
const IDENTIFIES = /^(?:the\s+)?((?:[\w'-]+\s+){0,4}?)(?:is|are|=)\s+([\w#@./:-]+)\s*[.!]?$/i;

/** Words of such a detail's subject beyond the request's own: "old", "id". */
const IDENTITY_WORDS = new Set('old new current id name arn url number address'.split(' '));

/**
 * The user's review before a later step: "I want to review it before it lands." It holds back
 * only the landing, so it takes back a merge or a deploy but not the change itself.
 */
const REVIEW_BEFORE_LANDING =
  /^I(?:\s+want\s+to|'d\s+like\s+to|'ll|\s+will)\s+(?:review|look\s+over|check|read|see)\s+(?:it|that|this|them)(?:\s+over)?\s+before\s+(?:it|they)\s+(?:lands?|merges?|ships?|goes\s+(?:in|out|live)|is\s+merged)\b/i;

/** Verbs of requests that land a change, which a review before landing holds back. */
const LANDING_VERBS = new Set('merge land ship deploy publish release push promote'.split(' '));

/**
 * A restriction on an environment the request did not name: "Prod only after QA signs off."
 * after "Go ahead on staging." "Staging first." orders the request, so it is no such
 * restriction.
 */
const ENVIRONMENT_RESTRICTION =
  /^(\w+)\s+(?:only\s+(?:after|once|when|if)|not\s+(?:until|before|yet)|stays?\b|can\s+wait|is\s+fine|untouched)/i;

/** Checks whether `opening` restricts an environment that `request` does not name. */
function restrictsOtherEnvironment(opening: string, request: string): boolean {
  const environment = ENVIRONMENT_RESTRICTION.exec(opening)?.[1]?.toLowerCase();
  return (
    environment !== undefined &&
    ENVIRONMENT_NAMES.has(environment) &&
    !words(request).includes(environment)
  );
}

/**
 * The user's own part of the work, which the request leaves to them: "I'll paste the new one
 * into the CI secrets myself." A pronoun ("I'll do it myself") takes the request itself.
 */
const OWN_PART =
  /^(?:and\s+)?I(?:'ll|\s+will)\s+([a-z]+)\b(?:\s+\S+){0,8}?\s+(?:myself|by\s+hand|manually|on\s+my\s+own)\b/i;

/** Parts of a sentence between commas, semicolons, colons and dashes. */
const PART_BREAK = /\s*[,;:\u2014\u2013]\s*|\s+-\s+/;

/**
 * Verbs that keep something as it is: "Keep prod as it is.", "Leave the stable tag alone",
 * "Hold on to the old version's logs." They spare another target, or hold back the request.
 */
const SPARES = /^(?:keep|leave|hold\s+on\s+to|hang\s+on\s+to|preserve|spare)\b/i;

/** A request for a report: "Let me know once it's done.", "Ping me when it finishes." */
const REPORT_REQUEST = /^(?:let\s+(?:me|us)\s+know|(?:tell|ping|notify|show)\s+(?:me|us))\b/i;

/**
 * Returns the kind of a sentence that keeps something (see {@link SPARES}). It spares another
 * target when it or, for a pronoun, the part before it names something the request does not:
 * "Prod is fine, leave it." after "Scale staging search to 1 replica."
 */
function spareKind(spared: string, before: string, request: string): FollowUpKind {
  const clause = spared.split(PART_BREAK)[0] ?? '';
  if (PUTS_OFF.test(clause)) {
    return 'other';
  }
  const object = clause
    .replace(SPARES, '')
    .replace(/\b(?:as\s+(?:it\s+)?is|alone|untouched)\b/gi, '');
  // "QA is still using it, leave it": the part before refers to the request itself.
  if (BACK_REFERENCE.test(object) && BACK_REFERENCE.test(before)) {
    return 'other';
  }
  // For a pronoun the part before must name the other target by its form or environment:
  // "Actualy no, leave it." names none.
  if (BACK_REFERENCE.test(object)) {
    return wordsNotInRequest(before, request).some(
      (word) => TARGET_FORM.test(word) || ENVIRONMENT_NAMES.has(word),
    )
      ? 'refusal-elsewhere'
      : 'other';
  }
  return wordsNotInRequest(object, request).some((word) => !GENERIC_STATE.has(word))
    ? 'refusal-elsewhere'
    : 'other';
}

/** Words of a report or a spare that name no target: "fine", "alone", "use". */
const GENERIC_STATE = new Set(
  'fine good ok okay alone still use used using in as is it keep leave healthy right'.split(' '),
);

/**
 * Returns the kind of `sentence`, which follows `request`. Only the kinds other than `other`
 * may leave the request standing; the caller still checks conditions on what it returns.
 * Acknowledgements and good reports at the start of the sentence ("Looks good, publish it.")
 * are read as such, and the rest of the sentence decides.
 */
export function followUpKind(sentence: string, request: string): FollowUpKind {
  const text = sentence.trim();
  const parts = text.split(PART_BREAK);
  let skipped = 0;
  while (skipped < parts.length && isAcknowledging(parts[skipped] ?? '')) {
    skipped++;
  }
  if (skipped === parts.length) {
    // "Export is done, proceed." reports the condition met and gives the go-ahead.
    return /go\s+ahead|proceed|go\s+for\s+it|do\s+it/i.test(text) ? 'go-ahead' : 'acknowledgement';
  }
  const goAhead = [...text.matchAll(GO_AHEAD)].at(-1);
  // "Do not proceed" refuses: the go-ahead's own clause must not negate it.
  const before = goAhead === undefined ? '' : text.slice(0, goAhead.index).split(PART_BREAK).at(-1);
  if (
    goAhead !== undefined &&
    !NEGATES.test(before ?? '') &&
    !GO_AHEAD_AWAITED.test(before ?? '') &&
    !text.endsWith('?')
  ) {
    const rest = text.slice(goAhead.index + goAhead[0].length);
    // "The export finished, go ahead and delete it": what comes after may name only the request.
    const action = /^\s+and\s+([^,;.!?]*)/i.exec(rest)?.[1] ?? '';
    const after = rest.slice(/^\s+and\s+[^,;.!?]*/i.exec(rest)?.[0].length ?? 0);
    if (
      !NEGATES.test(after) &&
      !PUTS_OFF.test(after) &&
      wordsNotInRequest(action, request).length === 0
    ) {
      return 'go-ahead';
    }
  }
  const remainder = skipped === 0 ? text : parts.slice(skipped).join(', ');
  const opening = remainder.replace(OPENING_FILLER, '');
  const verb = firstWord(opening);
  if (DETAIL_QUESTION.test(opening)) {
    return OBJECTING_QUESTION.test(opening) ? 'other' : 'question';
  }
  // "Is that too risky?", "Prod too?": a yes/no question consents to nothing, so even one
  // that widens the request holds it until the user answers. "Can you also tag it?" asks for
  // work by its request verb.
  if (text.endsWith('?')) {
    return REQUEST_VERBS.has(verb) &&
      ADDITION.test(text) &&
      !NEGATES.test(text) &&
      !PUTS_OFF.test(text)
      ? 'addition'
      : 'other';
  }
  if (HOLDING_REFUSAL.test(opening)) {
    return 'other';
  }
  const refused = OPENING_REFUSAL.exec(opening)?.[1]?.toLowerCase();
  if (refused !== undefined) {
    return refusalKind(opening, refused, request);
  }
  const kept = KEPT_AS_IS.exec(opening);
  if (kept !== null) {
    return spareKind(`keep ${kept[1] ?? ''}`, '', request);
  }
  const own = OWN_PART.exec(opening);
  if (own !== null) {
    const verb = (own[1] ?? '').toLowerCase();
    return BACK_REFERENCE.test(own[0]) ||
      ANY_ACTION.has(verb) ||
      sameAction(verb, requestVerb(request))
      ? 'other'
      : 'refusal-elsewhere';
  }
  if (ALREADY_HAS.test(opening) && !NEGATES.test(opening) && !BACK_REFERENCE.test(opening)) {
    return 'detail';
  }
  const identified = IDENTIFIES.exec(opening);
  if (
    identified !== null &&
    !HOLDING_SUBJECT.test(opening) &&
    wordsNotInRequest(identified[1] ?? '', request).every((word) => IDENTITY_WORDS.has(word)) &&
    !namesOtherValue(identified[2] ?? '', request)
  ) {
    return 'detail';
  }
  if (REVIEW_BEFORE_LANDING.test(opening)) {
    return LANDING_VERBS.has(requestVerb(request)) ? 'other' : 'refusal-elsewhere';
  }
  if (restrictsOtherEnvironment(opening, request)) {
    return 'refusal-elsewhere';
  }
  const prefix = text.slice(0, Math.max(0, text.length - opening.length));
  if (SPARES.test(opening)) {
    return spareKind(opening, prefix, request);
  }
  // "preview-481 is still in use, leave it."
  const last = (parts.at(-1) ?? '').replace(OPENING_FILLER, '');
  if (parts.length > 1 && SPARES.test(last)) {
    return spareKind(last, text.slice(0, text.lastIndexOf(parts.at(-1) ?? '')), request);
  }
  if (DELIBERATES.test(opening)) {
    return 'other';
  }
  if (REPORT_REQUEST.test(opening)) {
    return COMES_FIRST.test(opening) ? 'other' : 'request';
  }
  if (HOLD_VERBS.has(verb)) {
    const object = opening.slice(verb.length).split(PART_BREAK)[0] ?? '';
    return BACK_REFERENCE.test(object) || wordsNotInRequest(object, request).length === 0
      ? 'other'
      : newRequestKind(remainder, opening, verb, request);
  }
  if (REQUEST_VERBS.has(verb.split('-').at(-1) ?? '') || UNDOES_ANY.test(opening)) {
    return undoesRequest(opening, verb, request) ||
      (FIRST_HOLD_VERBS.has(verb) && COMES_FIRST.test(opening))
      ? 'other'
      : newRequestKind(remainder, opening, verb, request);
  }
  // "Oh wait, logs/ too." adds a target to the same action.
  if (
    /\b(?:too|as\s+well|also)\s*[.!]?$/i.test(opening) &&
    !NEGATES.test(opening) &&
    !PUTS_OFF.test(opening)
  ) {
    return 'addition';
  }
  if (WIDENS.test(opening) || PUTS_OFF.test(opening)) {
    return 'other';
  }
  // "Um, actually." says only that the user is having second thoughts.
  if (opening.trim() === '' && HESITATION.test(text)) {
    return 'other';
  }
  return wordsNotInRequest(opening, request).length === 0 || suppliesValue(remainder, request)
    ? 'detail'
    : 'other';
}

/**
 * Words by which a detail widens the request rather than narrowing it: "all namespaces",
 * "the whole bucket", "every prefix". FUNCTION_WORDS leaves "all" and "every" out of the
 * words a detail adds, so they are read here first.
 */
const WIDENS =
  /\b(?:all|every|each|any|whole|entire|everything|everyone|everybody|anyone|anywhere)\b|\*/i;

/**
 * Words besides its values that a fragment supplying a value may contain: fillers, thanks, and
 * nouns that name the kind of value ("the 2023/ prefix", "the web-qa namespace"). "all",
 * "whole" and "every" are not among them, so "the whole bucket" supplies nothing.
 */
const SUPPLYING_WORDS = new Set(
  `the a an it it's its is that's this one only just please pls thanks thank you yes yeah yep
  ok okay sure in your prefix folder dir directory path file namespace ns param parameter
  value key secret token variable var name id address email pod container branch tag channel
  stack context cluster region account user role table bucket repo project ssm s3 gcs arn`.split(
    /\s+/,
  ),
);

/** Phrases of such a fragment that narrow what it gives: "read only", "in your shell". */
const NARROWING_PHRASES =
  /\b(?:read[- ]?only|view[- ]?only|as\s+(?:a\s+)?(?:reader|viewer)|in\s+your\s+(?:shell|env|environment|terminal|session)|test\s+(?=value|key|token|secret))\b/gi;

/** Characters a fragment supplying a value may contain: no `*`, no quotes, no brackets. */
const SUPPLYING_CHARACTERS = /^[\w\s#@./:',!\u2014-]+$/;

/** Returns `word` without the slashes and colons around it: `/acme/` is `acme`. */
function bareValue(word: string): string {
  return word.replace(/^[:/]+|[:/]+$/g, '');
}

/**
 * Environment names that are also everyday words, which a value or a sentence uses in other
 * senses: "preview looks right", "orbit-test-reports", "preview-412" on the dev cluster.
 */
const EVERYDAY_ENVIRONMENTS = new Set(['preview', 'test', 'local', 'stage']);

/** Returns the environment names in `word` and its parts: `staging` for `acme-staging`. */
function environmentsIn(word: string): string[] {
  return [word, ...word.split(/[-_./:]+/)].filter(
    (part) => ENVIRONMENT_NAMES.has(part) && !EVERYDAY_ENVIRONMENTS.has(part),
  );
}

/**
 * Checks whether `fragment` only supplies a value the request needed and did not have, or
 * narrows it: "just the 2023/ prefix", "it's q8zt2", "counsel@lawfirm.example.org, read
 * only", "qa only" after "go ahead and up it". Besides its values it contains only
 * {@link SUPPLYING_WORDS} and the request's own words. A value of a kind the request named
 * ("api-2" after "api-1") or an environment other than the request's changes the target, and
 * any other word (a worry, a condition, "all") may take the request back.
 */
function suppliesValue(fragment: string, request: string): boolean {
  if (!SUPPLYING_CHARACTERS.test(fragment) || namesOtherValue(fragment, request)) {
    return false;
  }
  const named = new Set(words(request).map(bareValue));
  const environmentsNamed = new Set(words(request).flatMap(environmentsIn));
  let supplied = false;
  // "s3://orbit-scratch/" names the bucket the request named, and its scheme is no value.
  const values = fragment.replace(NARROWING_PHRASES, ' ').replace(/\b[a-z][a-z\d+]*:\/\//gi, '');
  for (const word of words(values)) {
    const bare = bareValue(word);
    const environments = environmentsIn(bare);
    if (
      environmentsNamed.size > 0 &&
      environments.some((environment) => !environmentsNamed.has(environment))
    ) {
      return false;
    }
    if (named.has(bare) || SUPPLYING_WORDS.has(word) || isNamed(word, named)) {
      continue;
    }
    if (!/[a-z0-9]/.test(bare) || !(TARGET_FORM.test(word) || environments.length > 0)) {
      return false;
    }
    supplied = true;
  }
  return supplied;
}

/**
 * Returns the kind of a sentence that opens with a request verb: an addition ("also …"),
 * another request, or a change of the request itself ("Restart it on staging-2", "Rebase-merge
 * it please, not squash"), which is `other`.
 */
function newRequestKind(
  text: string,
  opening: string,
  verb: string,
  request: string,
): FollowUpKind {
  if (NEGATES.test(opening) || PUTS_OFF.test(opening)) {
    return 'other';
  }
  if (ADDITION.test(text)) {
    return 'addition';
  }
  if (namesOtherValue(opening, request)) {
    return 'other';
  }
  // The request's own verb again, or "make" and "use" ("Use --dry-run first"), changes the
  // request unless it names only what the request named.
  if (sameAction(verb, requestVerb(request)) || MODIFYING_VERBS.has(verb)) {
    return wordsNotInRequest(opening, request).length === 0 ? 'detail' : 'other';
  }
  return 'request';
}
