/**
 * Structural consent: maps a guarded command to the kind of action it takes (merge, publish,
 * apply, delete, flush, force-push, tag, kill) and its target, and checks whether the user's
 * messages request that kind of action on the same target. A request is a clause whose verb,
 * in any of the kind's synonyms, is imperative or follows a request phrase ("go ahead and",
 * "can you", "it should be"). A mention ("write the release notes", "why is redis slow"), a
 * negated or conditional verb ("don't merge yet", "once CI is green we'll merge"), a narrower
 * request (dry run, plan, draft) and a request naming a different target are not consent.
 */
import { optionValue } from './options.js';
import { ENVIRONMENT_NAMES, PRODUCTION_NAMES } from './environment-names.js';
import { namesLocalNamespace } from './local-targets.js';
import { containsWord } from './named-targets.js';
import {
  asksForAdviceOnly,
  defersAction,
  withdrawsEarlierRequests,
  withoutQuotedText,
} from './consultations.js';
import { withoutPathWords } from './path-words.js';
import { namesPrereleaseTag } from './prerelease-tags.js';
import type { SimpleCommand } from './shell.js';
import { isRequestClause } from './follow-up-sentences.js';
import { requestStands, withoutDictatedContent } from './standing-requests.js';
import {
  withoutOpeningWithdrawal,
  withoutOtherWithdrawals,
  withoutWithdrawalsBesideRequest,
} from './withdrawal-scope.js';

/** The kinds of action whose consent is checked by structure rather than by keyword. */
export type ActionKind =
  'merge' | 'publish' | 'apply' | 'delete' | 'flush' | 'post' | 'force-push' | 'tag' | 'kill';

/** Verbs that ask for each kind of action, in any tense: "land", "landed", "landing". */
const KIND_VERBS: Record<ActionKind, string> = {
  merge: String.raw`merg\w*|land\w*|squash\w*|get\b.{0,30}?\bin\b|ship\w*`,
  publish: String.raw`publish\w*|releas\w*|ship\w*|push\w*(?: (?:it|this|them|that))? out|upload\w*|put\w*\b.{0,40}?\b(?:on|up)\b|get\b.{0,30}?\b(?:onto|on to|up on|out (?:on|to))\b`,
  apply: String.raw`appl(?:y|ies|ied|ying)|re-?submit\w*|roll\w*\b.{0,60}?\bout|go(?:es)? ahead|proceed\w*|execut\w*|carr(?:y|ies|ied|ying)\b.{0,20}?\bout\b|follow\w* through|run the plan|run\w* (?:terraform |tofu |terragrunt |kubectl )?apply|deploy\w*`,
  delete: String.raw`delet\w*|remov\w*|drop\w*|throw\w* away|threw away|discard\w*|tear\w* down|tore down|get rid of|destroy\w*|nuke\w*|wip\w*|clean\w* up|clear\w* out`,
  flush: String.raw`flush\w*|empt\w*|clear\w*|wip\w*|reset\w*|purg\w*|nuke\w*`,
  post: String.raw`post\w*|send\w*|sent|tell\w*|told|let\b.{1,40}?\bknow|notif\w*|announc\w*|messag\w*|ping\w*|shar(?:e|ed|ing)`,
  'force-push': String.raw`force[- ]?push\w*|force\w*\b.{0,30}?\bpush\w*|push\w*\b.{0,40}?\bforce\w*|overwrit\w*\b.{0,40}?\bremote|force it|(?:make|get)\b.{0,30}?\bremote\b.{0,30}?\b(?:match|mirror|look like)\w*|(?:reset|replace)\w*\b.{0,20}?\bremote\b.{0,30}?\b(?:to|with)\b`,
  tag: String.raw`tag\w*|point\w*|mov(?:e|ed|ing)|promot\w*|mark\w*`,
  kill: String.raw`kill\w*|stop\w*|terminat\w*|shut\w* down|end\b|quit\b`,
};

/**
 * Words after which a verb starts a requested action: the start of a clause, a polite or
 * modal request, or an approval such as "go ahead and".
 */
const REQUEST_LEAD = String.raw`(?:^|,|:|\band\b|\bthen\b|\bso\b|\bnow\b|\bplease\b|\bjust\b|\balso\b|\bok(?:ay)?\b|\b(?:can|could|would|will) you\b|\byou (?:can|may|should)\b|\bI(?:'d| would) like you to\b|\bI want you to\b|\bwe need to\b|\blet's\b|\bfeel free to\b|\btime to\b|\bready to\b|\bgo ahead and\b)`;

/** Passive requests: "it should be merged", "the namespace can be dropped". */
const PASSIVE_LEAD = String.raw`\b(?:should|can|needs? to|must|ought to) be\b`;

/** Builds the pattern of a clause that requests one of `verbs` (a regular expression source). */
function requestPattern(verbs: string): RegExp {
  return new RegExp(
    String.raw`(?:${REQUEST_LEAD}\s*(?:(?:please|just|now|then|go ahead and)\s+)*(?:${verbs})\b|${PASSIVE_LEAD}\s+(?:\w+ly\s+)?(?:${verbs})\b)`,
    'i',
  );
}

const KIND_REQUEST: Record<ActionKind, RegExp> = Object.fromEntries(
  Object.entries(KIND_VERBS).map(([kind, verbs]) => [kind, requestPattern(verbs)]),
) as Record<ActionKind, RegExp>;

/**
 * Clauses that ask for less than the action: a dry run, a plan, a draft, a preview. "draft"
 * and "preview" count as a noun or verb ("a draft", "preview the change"), not as a name
 * ("the preview namespace").
 */
const NARROWER =
  /\bdry[- ]?run\b|\bplan only\b|\bjust (?:the )?plan\b|\b(?:a|an|as|just|only) (?:\w+ )?(?:draft|preview)\b|(?:^|[,;:]\s*|\b(?:please|just|and|then|to)\s+)(?:draft|preview)\b|\b(?:draft|preview)\s+(?:the|it|this|that|them|a|an|my|our|what|how)\b|\b(?:draft|preview)\s*(?:[.!?,;]|$)|\bwhat would\b|\bsimulat\w*\b|\bshow me (?:the )?(?:diff|plan)\b|\bdon'?t (?:actually|really)\b/i;

/** A preview the request skips ("skip the preview"), which asks for more than a preview. */
const SKIPPED_PREVIEW = /\b(?:skip\w*|without|no)\s+(?:the\s+|a\s+|any\s+)?preview\b/gi;

/**
 * A draft the request publishes in full ("publish that draft", "release the draft"): the word
 * is the object of the action there, not a narrower action.
 */
const PUBLISHED_DRAFT =
  /\b(?:publish\w*|releas\w*|ship\w*|post\w*)\s+(?:the|that|this|these|those|my|our|your)\s+(?:\w+\s+)?drafts?\b/gi;

/**
 * A dry run or plan that already ran, as the subject of a report on its result ("dry run
 * passed", "plan only shows that queue"). Such a report asks for no narrower action.
 */
const REPORTED_PREVIEW =
  /\b(?:dry[- ]?run|plan)\s+(?:only\s+|just\s+)?(?:passed|succeeded|worked|went|came back|finished|completed|looked|looks|shows?|showed|lists?|listed|touches|touched|contains|includes|affects|destroys|deletes|removes|changes|adds)\b/gi;

/** Checks whether `sentence` asks for less than the action, by words outside its paths. */
function narrowsAction(sentence: string): boolean {
  const rest = sentence
    .replace(SKIPPED_PREVIEW, ' ')
    .replace(PUBLISHED_DRAFT, ' ')
    .replace(REPORTED_PREVIEW, ' ');
  return NARROWER.test(rest) && NARROWER.test(withoutPathWords(rest));
}

/**
 * "without" followed by something that only gets in the way of the action: a prompt, a
 * confirmation, being asked, downtime ("copy my key to the server without a password prompt",
 * "restart it without asking me"). Such a clause still requests the action, while "without"
 * before anything else ("without touching prod", "without pushing") refuses part of it.
 */
const WITHOUT_HINDRANCE =
  /\bwithout\s+(?:(?:a|an|any|the|further|extra|more|additional|interactive|manual|me|us|being)\s+)*(?:(?:password|passphrase|sudo|ssh|login|user|host[- ]?key|y\/n|yes\/no|tty|interactive)[- ]?)?(?:prompts?|prompting|prompted|asking|asked|confirm(?:ation|ations|ing)?|question(?:s|ing)?|interruptions?|interaction|downtime|delays?|waiting|hassle|fuss|typing|retyping|entering)\b(?:\s+(?:me|us|you|anyone))?(?:\s+(?:for|about)\s+(?:a|an|the|any|my|our)?\s*(?:password|passphrase|confirmation|permission|input|approval)s?\b)?/gi;

/**
 * Returns `clause` without its "without" phrases that name only a hindrance (see
 * {@link WITHOUT_HINDRANCE}), so that the refusal words left in it are real refusals.
 */
function withoutHindrances(clause: string): string {
  return clause.replace(WITHOUT_HINDRANCE, ' ');
}

/**
 * Checks whether `pattern` finds a refusal in `clause` once hindrance phrases and withdrawals
 * of other objects ("never mind the tests", "no need to wait for me") are set aside.
 */
function refuses(pattern: RegExp, clause: string): boolean {
  return (
    pattern.test(clause) && pattern.test(withoutHindrances(withoutOtherWithdrawals(clause, clause)))
  );
}

/** Clauses whose verb is negated, deferred or conditional. */
const NOT_YET =
  /\b(?:don'?t|do not|never|not yet|no need|hold off|without|once|until|unless|before|after|if)\b/i;

/**
 * Returns the clauses of the user's messages that request an action of `kind`: each message is
 * split into sentences, and a sentence counts when the kind's verb starts a clause of it and it
 * neither narrows nor defers the action.
 */
export function requestsFor(kind: ActionKind, messages: string): string[] {
  return requestClauses(KIND_REQUEST[kind], messages);
}

/**
 * Returns the sentences of the user's messages that request one of `verbs`, a regular
 * expression source such as `push\w*|upload\w*`, by the same reading as {@link requestsFor}.
 */
export function requestsVerb(verbs: string, messages: string): string[] {
  return requestClauses(requestPattern(verbs), messages);
}

function requestClauses(pattern: RegExp, messages: string): string[] {
  return messages
    .split(/(?<=[.!?;])\s+|\n+/)
    .map((sentence) => sentence.trim())
    .filter(
      (sentence) =>
        sentence !== '' &&
        // NOTE: a request phrased as a question ("can we merge it now?") is rejected too.
        !/^(?:what|why|how|which|when|where|who|does|did|is|are|was|were|has|have|should I|do)\b/i.test(
          sentence,
        ) &&
        pattern.test(sentence) &&
        !narrowsAction(sentence) &&
        !refuses(NOT_YET, sentence.slice(0, pattern.exec(sentence)?.index ?? 0)),
    );
}

/** Words that, before a verb in the same sentence, turn a request into a refusal. */
const NEGATION =
  /\b(?:don'?t|do not|does not|doesn'?t|never|not|no need to|hold off|without|avoid|stop)\b/i;

/**
 * Checks whether some sentence of the user's messages matches `pattern` with no negation
 * before the match in that sentence, so "never create issues" does not consent to creating
 * one while "create an issue" does.
 */
export function asksWithout(pattern: RegExp, messages: string): boolean {
  const unanchored = new RegExp(pattern.source, pattern.flags.replace('g', ''));
  return messages.split(/(?<=[.!?;])\s+|\n+/).some((sentence) => {
    const match = unanchored.exec(sentence);
    return match !== null && !refuses(NEGATION, sentence.slice(0, match.index));
  });
}

/**
 * Words that make a clause a refusal or a deferral rather than a request. "I do not need my
 * local commits" gives up what the action discards, so it is no refusal, "no need to confirm
 * again" waives a confirmation rather than the action, "leave a comment" asks to write one,
 * "keep going" asks to go on, and "stale sessions keep me logged in" reports a symptom.
 */
const REFUSAL =
  /\b(?:(?:don'?t|do not|does not|doesn'?t)(?! (?:need|want|care)\b)|never|(?<!\bdo |\bdoes )not|no need to(?! (?:re-?)?(?:confirm|ask|review|preview|check)\w*\b)|hold off|without|avoid|keep(?!\s+(?:going|on|at it|working|trying|me|us)\b)|leave(?!\s+(?:(?:a|an|the|some|my|our|your|this|that)\s+)?(?:\w+\s+)?(?:comments?|reviews?|notes?|feedback|repl(?:y|ies)|messages?)\b)|before (?:we|I|you))\b/i;

/**
 * Returns the clauses of the user's messages that contain no refusal or deferral ("do not
 * delete /root/old", "keep ~/.cache/pip", "not yet"), one per line. Every check that reads
 * consent from the messages gets this text, so a refused action never counts as requested.
 * A clause ends at a sentence end, a semicolon, "but", or a comma before a refusal word or
 * before what the user will do ("…, I'll fix the hook later", "… and I'll squash it later"),
 * which is a clause of its own, and so does "before we …", which puts off only what follows it
 * ("download it and check its hash before we install it" asks for the download). A message that asks only for advice ("what does it do?", "is
 * that a good idea?") and a clause that checks or puts off the action ("check whether it is
 * ready", "later"), a clause that keeps the action for the user ("I'll merge it myself") and a
 * question the next sentence answers with "no" give no consent either. Other questions stay,
 * because a question consents to reading what it asks about.
 * Messages before the last one that withdraws earlier requests ("change of plan: ...") are
 * dropped, and so is the withdrawing clause itself ("release freeze until Monday").
 */
export function consentingText(messages: readonly string[]): string {
  return currentMessages(messages)
    .filter((message) => !asksForAdviceOnly(message))
    .flatMap((message) =>
      messageSentences(message).flatMap((sentence, index, sentences) =>
        answeredNo(sentence, sentences[index + 1]) ? [] : sentenceClauses(sentence),
      ),
    )
    .filter((clause) => !withholdsConsent(clause))
    .join('\n');
}

/** Splits a user message into its sentences, trimmed, at a sentence end or a line break. */
export function messageSentences(message: string): string[] {
  return message
    .split(/(?<=[.!?])\s+|\n+/)
    .map((sentence) => sentence.trim())
    .filter((sentence) => sentence !== '');
}

/**
 * Splits a sentence into the clauses {@link consentingText} judges one by one: at a semicolon,
 * "but", a comma before a refusal word, before what the user will do ("…, I'll fix the
 * hook later", "… and I'll squash it later"), and before "before we/I/you …". A sentence that
 * starts with "keep" or "leave" also splits before a delete verb after a comma or "and", so
 * "Keep pgdata, delete pgdata-old" requests the delete of pgdata-old and keeps pgdata.
 */
export function sentenceClauses(sentence: string): string[] {
  return sentence
    .split(
      /(?<=;)\s+|\s*\bbut\b\s*|,\s*(?=(?:don'?t|do not|never|not|keep|leave)\b|(?:I|we)(?:'ll|\s+will)\s)|(?<=^(?:please\s+)?(?:keep|leave)\b[^,;]*)(?:,\s*(?:and\s+|then\s+)?|\s+and\s+(?:then\s+)?)(?=(?:delete|remove|drop|destroy|purge|wipe|prune|erase|clean up|get rid of)\b)|\s+and\s+(?=(?:I|we)(?:'ll|\s+will)\s)|,?\s+(?=before (?:we|I|you)\b)/i,
    )
    .map((clause) => clause.trim())
    .filter((clause) => clause !== '');
}

/**
 * "and" before a second action of the same sentence: "Add Priya to the group and remove
 * 00u7marco from it", "Turn off new-checkout in staging and turn on legacy-checkout in dev".
 * "go ahead and delete them" is one action.
 */
const NEXT_ACTION =
  /(?<!\b(?:go\s+ahead|try|come|go))\s*,?\s+and\s+(?=(?:add|remove|delete|drop|turn|switch|enable|disable|create|open|close|invite|grant|revoke|give|send|post|share|comment|set|make|move|rename|archive|unassign|kick)\b)/i;

/**
 * Splits a clause into its actions, so that a target named for one action ("remove 00u7marco
 * from it") is not read as a target of another ("Add Priya to the group").
 */
export function actionClauses(clause: string): string[] {
  const clauses = clause.split(NEXT_ACTION);
  // "Remove sam from the Platform group and add Lee to it": the pronoun of a later action
  // stands for the place the action before it named.
  for (let index = 1; index < clauses.length; index++) {
    const place = PLACE_AT_END.exec(clauses[index - 1] ?? '')?.[1];
    if (place !== undefined) {
      clauses[index] = (clauses[index] ?? '').replace(
        PLACE_PRONOUN,
        (_, preposition: string) => `${preposition} ${place}`,
      );
    }
  }
  return clauses;
}

/** The place an action names at its end: "from the Platform group", "to #design". */
const PLACE_AT_END =
  /\b(?:to|from|in|into|on|of)\s+((?:the\s+)?[^\s,;.]+(?:\s+[^\s,;.]+){0,3})\s*[.!]?$/i;

/** A pronoun after a preposition, standing for a place named before: "add Lee to it". */
const PLACE_PRONOUN = /\b(to|from|in|into|on|of)\s+(?:it|them|that)\b/i;

/**
 * A clause in which the user keeps an action for themselves: "I'll run it during the
 * maintenance window", "I'll merge it myself after lunch". Such a clause is no request.
 * "I'll start fresh" or "I'll handle CORE-88" keep no action of the request back.
 */
const OWN_ACTION =
  /^(?:and\s+|so\s+)?I(?:'ll|\s+will)\s+(?:(?:just|then|probably|also)\s+)?(?:[a-z]+\s+(?:it|that|this|them|those)\b(?!.*\byou\b)|.*\b(?:myself|by hand|manually|on my own)\b)/i;

/**
 * Checks whether `clause` refuses, puts off or withdraws an action, or keeps it for the user
 * ("I'll merge it myself"), so that nothing it names is consented to.
 */
export function withholdsConsent(clause: string): boolean {
  // "Comment on it: \"Never mind, fixed by #415.\"" quotes the words and refuses nothing.
  // "Never mind the tests, just deploy acme-api" withdraws only the tests.
  const own = withoutWithdrawalsBesideRequest(withoutOpeningWithdrawal(withoutQuotedText(clause)));
  return (
    refuses(REFUSAL, own) ||
    // "Comment on it saying the patch goes out tomorrow" dictates the time and defers nothing.
    defersAction(withoutDictatedContent(own)) ||
    (withdrawsEarlierRequests(own) &&
      !isRequestClause(withoutOpeningWithdrawal(own.replace(LEADING_WITHDRAWAL, '')))) ||
    OWN_ACTION.test(clause)
  );
}

/**
 * A withdrawal that opens a clause before a new request: "Scratch that, delete preview-483
 * instead." The request after it is the user's.
 */
const LEADING_WITHDRAWAL =
  /^\W*(?:(?:no|ok(?:ay)?|actually|sorry)[\s,]+)*(?:scratch|forget|ignore|belay|disregard)\s+(?:that|this|it)\b[\s,;:.!\u2014-]*/i;

/**
 * A clause that tells the reader to leave a target alone: it starts with a refusal ("Don't
 * touch the latest tag", "No, keep the bucket", "leave it"). "It was never pushed" describes
 * the target rather than refusing it.
 */
const REFUSING_START =
  /^(?:(?:no|ok(?:ay)?|and|but|please|so|just|also)[,\s]+)*(?:don'?t|do not|never|not|avoid|keep|leave|hold off|stay away from|no)\b/i;

/**
 * Checks whether `clause` refuses the target it names: it starts with a refusal or keeps the
 * action for the user ("I'll run it during the maintenance window").
 */
export function refusesTarget(clause: string): boolean {
  return (REFUSING_START.test(clause) && refuses(REFUSAL, clause)) || OWN_ACTION.test(clause);
}

/**
 * Checks whether `sentence` is a question that the user's next sentence answers with "no"
 * ("Same on prod? No, just staging."), so what the question names is refused, not asked for.
 */
export function answeredNo(sentence: string, next: string | undefined): boolean {
  return (
    next !== undefined &&
    sentence.endsWith('?') &&
    /^(?:no|nope|nah|not)\b(?!\s+only\b)/i.test(next)
  );
}

/** Returns `messages` from the last one that withdraws the requests before it. */
function currentMessages(messages: readonly string[]): readonly string[] {
  for (let index = messages.length - 1; index > 0; index--) {
    if (withdrawsEarlierRequests(messages[index] ?? '')) {
      return messages.slice(index);
    }
  }
  return messages;
}

/** Words for kubectl contexts of a cluster on this machine. */
const LOCAL_CONTEXT = /^(?:kind-|k3d-|minikube|docker-desktop|rancher-desktop|colima|orbstack)/;
const LOCAL_WORDS =
  /\b(?:local(?:ly)?|localhost|my (?:laptop|machine|computer)|on this machine|kind|minikube|k3d|dev)\b/i;
const LOOPBACK = /^(?:localhost|127\.\d+\.\d+\.\d+|::1|\[::1\])$/i;

const ENVIRONMENTS = [...ENVIRONMENT_NAMES];
const PRODUCTION = PRODUCTION_NAMES;

/** Branches others build on. A force-push to one is never consented to by structure. */
export const SHARED_BRANCH =
  /^(?:refs\/heads\/)?(?:main|master|trunk|develop|production|prod|stable|release(?:[-/].*)?)$/;

/** Arguments that are not options or the values of the listed options. */
function positionals(args: readonly string[], valued: readonly string[]): string[] {
  return args.filter(
    (arg, index) => !arg.startsWith('-') && !valued.includes(args[index - 1] ?? ''),
  );
}

/** Environments a command names in its arguments, by whole word (`envs/dev`, `tfplan-dev`). */
function environmentsOf(command: SimpleCommand): Set<string> {
  const found = new Set<string>();
  for (const arg of command.argv.slice(1)) {
    for (const word of arg.toLowerCase().split(/[^a-z]+/)) {
      if (ENVIRONMENTS.includes(word)) {
        found.add(word);
      }
    }
  }
  return found;
}

function namesEnvironment(text: string, environment: string): boolean {
  if (containsWord(text, environment)) {
    return true;
  }
  return PRODUCTION.has(environment) ? /\bprod/i.test(text) : false;
}

/**
 * Checks that the target environment of an apply is what the user asked for: a production
 * target needs the word production, and a message that names only another environment is rejected.
 */
function appliesToRequestedEnvironment(command: SimpleCommand, messages: string): boolean {
  const targeted = environmentsOf(command);
  const named = ENVIRONMENTS.filter((environment) => namesEnvironment(messages, environment));
  if ([...targeted].some((environment) => PRODUCTION.has(environment))) {
    return named.some((environment) => PRODUCTION.has(environment));
  }
  if (named.length === 0 || targeted.size === 0) {
    return !named.some((environment) => PRODUCTION.has(environment));
  }
  return [...targeted].some((environment) => named.includes(environment));
}

/** Structural consent for `terraform apply` of a saved plan and `kubectl apply` to a local cluster. */
function consentsToApply(command: SimpleCommand, requests: string, messages: string): boolean {
  const args = command.argv.slice(1);
  if (command.dynamic || command.wrappers.length > 0) {
    return false;
  }
  if (['terraform', 'tofu', 'terragrunt'].includes(command.name)) {
    const positional = positionals(args, ['-var', '-var-file', '-target', '-parallelism']);
    if (positional[0] !== 'apply' || positional.length > 2 || /-auto-approve/.test(command.text)) {
      return false;
    }
    // `apply <plan file>` runs exactly what was reviewed, so "go ahead with it" consents when
    // the messages speak of a plan. A bare apply plans anew, so it needs the verb apply, and a
    // request that refers to a reviewed plan is only met by applying that plan file.
    const asksApply =
      positional.length === 2
        ? /\bappl|\broll/i.test(requests) || /\bplan\b/i.test(messages)
        : /\bappl/i.test(requests) && !/\bplan\b/i.test(messages);
    return asksApply && appliesToRequestedEnvironment(command, messages);
  }
  if (command.name === 'kubectl') {
    const context = optionValue(args, ['--context']);
    const files = optionValue(args, ['-f', '--filename']);
    if (
      files === undefined ||
      /^https?:/.test(files) ||
      args.some((arg) => arg.startsWith('--prune'))
    ) {
      return false;
    }
    const namesFiles = containsWord(messages, files.replace(/\/$/, ''));
    // A request that names its manifest file covers that file, not its folder or another file.
    const file = files.replace(/\/$/, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const namesWholeFile = new RegExp(`(?<![\\w./-])${file}(?![\\w/-]|\\.\\w)`).test(messages);
    if (!namesWholeFile && /[\w-]\.ya?ml\b/i.test(messages)) {
      return false;
    }
    if (context !== undefined && LOCAL_CONTEXT.test(context)) {
      return namesFiles || LOCAL_WORDS.test(messages);
    }
    // Another cluster must be named, by its context or the manifests, in the right environment.
    const namesContext = context !== undefined && containsWord(messages, context);
    return (namesFiles || namesContext) && appliesToRequestedEnvironment(command, messages);
  }
  return false;
}

/**
 * Structural consent for `kubectl delete namespace NAME` on a cluster of this machine, or on
 * the current context when a delete request names every namespace exactly.
 */
function consentsToNamespaceDelete(
  command: SimpleCommand,
  requests: string,
  messages: string,
): boolean {
  const args = command.argv.slice(1);
  const context = optionValue(args, ['--context']);
  const positional = positionals(args, ['--context', '-n', '--namespace', '--grace-period']);
  const names = positional.slice(2);
  const local = context !== undefined && LOCAL_CONTEXT.test(context);
  if (context === undefined && positional[0] === 'delete' && !command.dynamic) {
    // With no context, each namespace must be named exactly in a delete request, and no
    // system, environment or production name is taken as named.
    return (
      /^(?:ns|namespaces?)$/.test(positional[1] ?? '') &&
      names.length > 0 &&
      names.every(
        (name) =>
          /^[a-z0-9-]+$/.test(name) &&
          !/^(?:default|kube-[\w-]+)$/.test(name) &&
          !ENVIRONMENTS.includes(name) &&
          !/(?:^|-)(?:prod|production|prd|live)(?:-|$)/.test(name) &&
          containsWord(requests, name),
      )
    );
  }
  return (
    positional[0] === 'delete' &&
    /^(?:ns|namespaces?)$/.test(positional[1] ?? '') &&
    names.length > 0 &&
    names.every(
      (name) =>
        /^[a-z0-9-]+$/.test(name) &&
        (containsWord(messages, name) || (local && namesLocalNamespace(name, context, requests))),
    ) &&
    context !== undefined &&
    (local || containsWord(messages, context)) &&
    !command.dynamic
  );
}

/** Structural consent for `redis-cli FLUSHDB` or `FLUSHALL` on a redis of this machine. */
function consentsToFlush(command: SimpleCommand, messages: string): boolean {
  const args = command.argv.slice(1);
  // ASYNC and SYNC only choose how redis frees the memory.
  const verbs = args.filter((arg) => /^(?:FLUSHDB|FLUSHALL|A?SYNC)$/i.test(arg));
  if (command.name !== 'redis-cli' || verbs.length === 0 || command.dynamic) {
    return false;
  }
  // Every other redis command word would be a second, unrequested change.
  const positional = positionals(args, ['-h', '-p', '-n', '-a', '-u', '--user', '--pass']);
  if (positional.length !== verbs.length) {
    return false;
  }
  const host = optionValue(args, ['-h']) ?? '127.0.0.1';
  const url = optionValue(args, ['-u']);
  const urlHost =
    url === undefined ? host : (/^redis:\/\/(?:[^@/]*@)?([^:/]+)/.exec(url)?.[1] ?? '');
  const local = LOOPBACK.test(host) && LOOPBACK.test(urlHost);
  const namesStore = /\b(?:redis|cache[sd]?|cached)\b/i.test(messages);
  if (local) {
    return namesStore && LOCAL_WORDS.test(messages);
  }
  return namesStore && containsWord(messages, urlHost);
}

/** Pull request numbers a text names: `#214`, `PR 214`, `pull request 214`, `/pull/214`. */
function namedPullRequests(text: string): string[] {
  return [...text.matchAll(/(?:#|\bPR\s*#?|\bpull request\s*#?|\/pull\/)(\d+)\b/gi)].map(
    (match) => match[1] ?? '',
  );
}

/**
 * Structural consent for merging one pull request the user names or plainly means. A request
 * that refers back ("squash-merge it") means the one pull request that every message of the
 * user names, `allMessages` included: a question such as "is PR 214 ready?" names the PR but
 * gives no consent of its own.
 */
function consentsToMerge(command: SimpleCommand, messages: string, allMessages: string): boolean {
  if (command.name !== 'gh' || command.dynamic || /--admin\b/.test(command.text)) {
    return false;
  }
  const args = command.argv.slice(3);
  const target = positionals(args, ['--body', '-b', '--subject', '-t', '--repo', '-R'])[0];
  const named = namedPullRequests(messages);
  if (target === undefined) {
    return named.length === 0;
  }
  const number = /(\d+)$/.exec(target)?.[1];
  if (number === undefined) {
    return containsWord(messages, target);
  }
  const everyNamed = new Set(namedPullRequests(allMessages));
  if (
    named.length === 0 &&
    everyNamed.size === 1 &&
    everyNamed.has(number) &&
    requestsFor('merge', messages).some((request) => /\b(?:it|this|that)\b/i.test(request))
  ) {
    return true;
  }
  return named.length === 0
    ? containsWord(messages, number) ||
        /\b(?:the|this|my|that) (?:PR|pull request)\b/i.test(messages)
    : named.includes(number);
}

/** The registry each publishing tool uploads to, by the words a user calls it. */
const REGISTRY_WORDS: Record<string, RegExp> = {
  npm: /\bnpm\b|\bregistry\b|\bpackage\b/i,
  pnpm: /\bnpm\b|\bregistry\b|\bpackage\b/i,
  yarn: /\bnpm\b|\byarn\b|\bregistry\b|\bpackage\b/i,
  bun: /\bnpm\b|\bregistry\b|\bpackage\b/i,
  cargo: /\bcrates(?:\.io)?\b|\bcrate\b|\bregistry\b/i,
  twine: /\bpypi\b|\bregistry\b|\bpackage\b/i,
  poetry: /\bpypi\b|\bregistry\b|\bpackage\b/i,
  flit: /\bpypi\b|\bregistry\b|\bpackage\b/i,
  gem: /\brubygems\b|\bgem\b|\bregistry\b/i,
  uv: /\bpypi\b|\bregistry\b|\bpackage\b/i,
  hatch: /\bpypi\b|\bregistry\b|\bpackage\b/i,
  pdm: /\bpypi\b|\bregistry\b|\bpackage\b/i,
  dotnet: /\bnuget\b|\bregistry\b|\bpackage\b/i,
  nuget: /\bnuget\b|\bregistry\b|\bpackage\b/i,
  mix: /\bhex(?:\.pm)?\b|\bregistry\b|\bpackage\b/i,
  dart: /\bpub(?:\.dev)?\b|\bregistry\b|\bpackage\b/i,
  flutter: /\bpub(?:\.dev)?\b|\bregistry\b|\bpackage\b/i,
  deno: /\bjsr\b|\bregistry\b|\bpackage\b/i,
  vsce: /\bmarketplace\b|\bextension\b/i,
  ovsx: /\bopen ?vsx\b|\bextension\b/i,
  pod: /\bcocoapods\b|\btrunk\b|\bpod\b/i,
  helm: /\bchart\b|\bregistry\b/i,
};
const OTHER_REGISTRIES = /\b(?:npm|pypi|crates\.io|rubygems|packagist|hex\.pm|nuget)\b/gi;

/** Structural consent for publishing to the registry the user names or plainly means. */
function consentsToPublish(command: SimpleCommand, messages: string): boolean {
  const words = REGISTRY_WORDS[command.name];
  if (words === undefined || command.dynamic || command.wrappers.length > 0) {
    return false;
  }
  // An index picked by its name in the tool's config (`twine upload -r testpypi`) is the
  // target, so the messages must name it as written.
  const repository = ['twine', 'poetry'].includes(command.name)
    ? optionValue(command.argv.slice(1), ['--repository', '-r'])
    : undefined;
  if (repository !== undefined) {
    return /^[\w.-]+$/.test(repository) && containsWord(messages, repository);
  }
  if (!words.test(messages) && !/\b(?:version|v?\d+\.\d+\.\d+)\b/i.test(messages)) {
    return false;
  }
  // A message that names only another registry asks for a different target.
  const registries = [...messages.matchAll(OTHER_REGISTRIES)].map((match) =>
    match[0].toLowerCase(),
  );
  return registries.length === 0 || registries.some((name) => words.test(name));
}

/**
 * Structural consent for `npm dist-tag add PKG@VERSION TAG`, naming both version and tag.
 * `latest` is what every plain install gets, so a request must name it as the tag to move
 * ("promote it to latest") and the messages must name the package as well as the version.
 */
function consentsToTag(
  command: SimpleCommand,
  messages: string,
  requests: readonly string[],
): boolean {
  const requestText = requests.join('\n');
  const positional = positionals(command.argv.slice(1), ['--registry']);
  if (command.name !== 'npm' || positional[0] !== 'dist-tag' || positional[1] !== 'add') {
    return false;
  }
  const spec = positional[2] ?? '';
  const tag = positional[3] ?? 'latest';
  const version = /@([^@/]+)$/.exec(spec)?.[1];
  const name = spec.slice(0, spec.length - (version ?? '').length - 1);
  return (
    version !== undefined &&
    (tag !== 'latest' ||
      (containsWord(requestText, 'latest') &&
        name !== '' &&
        containsWord(messages, name) &&
        !/--registry/.test(command.text))) &&
    namesVersion(requests, messages, version) &&
    containsWord(messages, tag) &&
    positional.length === 4
  );
}

/**
 * Checks that a request names `version` as a whole word, or refers back ("move latest to it")
 * to the sentence before it, which names it. "2.4.1" does not name `2.4.1-canary.3`, and a
 * version named only in a statement about it ("2.4.1-canary.3 is broken") is not requested.
 */
function namesVersion(requests: readonly string[], messages: string, version: string): boolean {
  const sentences = messages.split(/(?<=[.!?;])\s+|\n+/).map((sentence) => sentence.trim());
  return requests.some((request) => {
    if (containsWord(request, version)) {
      return true;
    }
    const before = sentences[sentences.indexOf(request) - 1];
    return (
      /\b(?:it|this|that|them)\b/i.test(request) &&
      before !== undefined &&
      containsWord(before, version)
    );
  });
}

/**
 * Structural consent for a force push: every ref is a branch the user names that no one else
 * builds on. A push that names no branch, or a shared one, is never consented to here.
 */
function consentsToForcePush(command: SimpleCommand, messages: string): boolean {
  const positional = positionals(command.argv.slice(1), ['-C', '-c', '--repo', '-o']);
  const refs = positional.slice(positional.indexOf('push') + 2);
  return (
    !command.dynamic &&
    !/--mirror|--all\b|--tags\b|--delete\b/.test(command.text) &&
    refs.length > 0 &&
    refs.every((ref) => {
      const branch = ref
        .replace(/^\+/, '')
        .replace(/^.*:/, '')
        .replace(/^refs\/heads\//, '');
      const source = ref.replace(/^\+/, '').replace(/:.*$/, '');
      return (
        !SHARED_BRANCH.test(branch) &&
        (source === branch || source === 'HEAD') &&
        (containsWord(messages, branch) || namesPrereleaseTag(branch, messages))
      );
    })
  );
}

/**
 * Structural consent for `pkill -f PATTERN` and `killall NAME`: every word of the pattern is
 * named, and a kill of every process of a program needs the user to say "all" or "every".
 */
function consentsToKill(command: SimpleCommand, messages: string): boolean {
  const args = command.argv.slice(1);
  const targets = positionals(args, ['-s', '--signal', '-u', '-U', '-t', '-P', '-g']).filter(
    (arg) => !/^\d+$/.test(arg),
  );
  if (command.dynamic || targets.length !== 1 || command.wrappers.length > 0) {
    return false;
  }
  const words = (targets[0] ?? '').split(/[\s/=]+/).filter((word) => /^[\w.@][\w.@-]+$/.test(word));
  if (words.length === 0 || !words.every((word) => containsWord(messages, word))) {
    return false;
  }
  if (command.name === 'killall' || words.length === 1) {
    const name = words[0] ?? '';
    return new RegExp(
      String.raw`\b(?:all|every|each|any)\b.{0,20}\b${name.replace(/[.]/g, '\\.')}\b|\bkillall ${name}\b`,
      'i',
    ).test(messages);
  }
  return true;
}

/**
 * Returns the kind of action a command takes when its consent is checked by structure, or
 * undefined when it is not one of those commands.
 */
export function actionKind(command: SimpleCommand): ActionKind | undefined {
  const text = command.argv.join(' ');
  if (/^gh pr merge\b/.test(text)) {
    return 'merge';
  }
  if (
    /^(?:npm|pnpm|yarn|bun|yarn npm) publish\b|^cargo publish\b|^(?:twine upload|(?:poetry|flit|uv|hatch|pdm|deno|vsce|ovsx) publish|gem push|(?:dotnet )?nuget push|mix hex\.publish|(?:dart|flutter) pub publish|pod trunk push|helm push)\b/.test(
      text,
    )
  ) {
    return 'publish';
  }
  if (/^(?:terraform|tofu|terragrunt)\b.*\bapply\b|^kubectl\b.*\bapply\b/.test(text)) {
    return 'apply';
  }
  if (/^kubectl\b.*\bdelete\s+(?:ns|namespaces?)\b/.test(text)) {
    return 'delete';
  }
  if (/^redis-cli\b.*\bFLUSH(?:DB|ALL)\b/i.test(text)) {
    return 'flush';
  }
  if (/^git\b.*\bpush\b/.test(text)) {
    return 'force-push';
  }
  if (/^npm dist-tag add\b/.test(text)) {
    return 'tag';
  }
  if (/^(?:pkill|killall)\b/.test(text)) {
    return 'kill';
  }
  return undefined;
}

/**
 * Checks whether the user's messages request the action `command` takes, on its target.
 * `messages` is the consenting text; `allMessages`, every message, may only name the target.
 * Returns undefined when the command has no structural kind, so keyword consent applies.
 */
export function requestsAction(
  command: SimpleCommand,
  messages: string,
  allMessages: string = messages,
): boolean | undefined {
  const kind = actionKind(command);
  if (kind === undefined) {
    return undefined;
  }
  // A request that waits for a condition, reports someone else's words or is taken back
  // later gives no consent (see standing-requests.ts). `requestsFor` already drops questions
  // about the action, so a clause still ending in "?" is a polite request ("could you
  // squash-merge it?"), judged without its question mark.
  const requests = requestsFor(kind, messages).filter((request) =>
    requestStands(request.replace(/\?$/, ''), allMessages),
  );
  if (requests.length === 0) {
    return false;
  }
  const requestText = requests.join('\n');
  switch (kind) {
    case 'merge':
      return consentsToMerge(command, messages, allMessages);
    case 'publish':
      return consentsToPublish(command, messages);
    case 'apply':
      return consentsToApply(command, requestText, messages);
    case 'delete':
      return consentsToNamespaceDelete(command, requestText, messages);
    case 'flush':
      return consentsToFlush(command, messages);
    case 'force-push':
      return consentsToForcePush(command, messages);
    case 'tag':
      return consentsToTag(command, messages, requests);
    case 'kill':
      return consentsToKill(command, messages);
    case 'post':
      return false;
  }
}

/**
 * Checks whether the user requested a post to `channel` (`#web-team` or `web-team`) through a
 * messaging MCP tool.
 */
export function requestsPost(channel: string, messages: string): boolean {
  const name = channel.replace(/^[#@]/, '');
  // A draft asked for before the request to post ("draft the notes", then "post the draft in
  // #x") is what gets posted, so only the request and what follows it can narrow the post.
  return (
    name !== '' &&
    requestsFor('post', messages).some(
      (request) =>
        containsWord(request, name) &&
        !narrowsAction(messages.slice(Math.max(messages.indexOf(request), 0))),
    )
  );
}
