/**
 * Consent to a change of remote or shared state whose every target the user named: a request
 * for the command's kind of action, in any of its synonyms ("clear out" for a
 * delete, "restart" for deleting a pod its controller recreates), names each resource the
 * command changes, and the user's messages name each name that places them (a zone, a key's
 * user, the local files of a deploy). A negated, deferred or preview-only request is no
 * consent (see consent.ts), and neither is a production name the user did not write.
 */
import { withNarrowingFollowUps } from './narrowing-follow-ups.js';
import { actionClauses, requestsVerb } from './consent.js';
import { ENVIRONMENT_NAMES } from './environment-names.js';
import { namesChildFolder, namesOnlyChildOf } from './object-folders.js';
import { containsWord } from './named-targets.js';
import { PRODUCTION_PART } from './production-names.js';
import { resourceAction, type ResourceAction, type ResourceVerb } from './resource-actions.js';
import type { SimpleCommand } from './shell.js';

/** Verbs that ask for each kind of action, in any tense. */
const REQUEST_VERBS: Record<ResourceVerb, string> = {
  // "the whole bucket can go" gives the resource up for deletion, unlike "it can go live".
  delete: String.raw`(?:(?:the|that|this)\s+)?(?:(?:whole|entire|old)\s+)?(?!(?:we|you|i|they|he|she|who)\b)\w+\s+(?:can|may)\s+go\b(?!\s+(?:to|ahead|live|out|in|on|back|through|up|down|into|with|for|over)\b)|delet\w*|remov\w*|unpublish\w*|yank\w*|drop(?:s|ped|ping)?|(?:free|reclaim|tidy|shrink|reduc)\w*\b.{0,80}?\bby (?:remov|delet|dropp|clear)\w*|clear\w* out|clean\w* (?:up|out)|empt(?:y|ies|ied|ying)|get rid of|wip(?:e|es|ed|ing)|purg\w*|destroy\w*|terminat\w*|tear\w* down|nuke\w*`,
  deactivate: String.raw`deactivat\w*|disabl\w*|revok\w*|suspend\w*|retir\w*|(?:turn|switch|flip)\w*\b.{0,40}?\boff\b`,
  activate: String.raw`activat\w*|reactivat\w*|re-?enabl\w*|enabl\w*|(?:turn|switch|flip)\w*\b.{0,40}?\bon\b`,
  stop: String.raw`cancel\w*|stop\w*|abort\w*|halt\w*|kill\w*|shut\w* down`,
  restart: String.raw`restart\w*|bounc\w*|recreat\w*|cycl\w*|kick\w*|delet\w*|remov\w*|kill\w*`,
  label: String.raw`add\w*|appl(?:y|ies|ied|ying)|put\w*|tag\w*|label\w*|mark\w*|creat\w*`,
  // "Update PAY-12 with the root cause" asks for a comment that adds the finding.
  reply: String.raw`comment\w*|repl(?:y|ies|ied|ying)|respond\w*|answer\w*|tell\w*|told|let\b.{1,40}?\bknow|notif\w*|updat\w*\s+\S+\s+with\b`,
  // A read grant is asked for with the reading it allows: "let the reporting user read it".
  'grant-read': String.raw`(?:grant\w*|giv(?:e|es|ing)|let|allow\w*)\b.{0,80}?\b(?:read\w*|view\w*|see|select|access)\b`,
  create: String.raw`creat\w*|add\w*|set\w*|make|open\w*|put\w*\b.{0,40}?\b(?:on|up)\b|push\w*\b.{0,40}?\b(?:to|on)\b|publish\w*|stor(?:e|es|ed|ing)|sav(?:e|es|ed|ing)`,
  send: String.raw`send\w*|sent|text\w*|messag\w*|test\w*|tr(?:y|ies|ied|ying)\b.{0,40}?\b(?:on|with|to)\b`,
  // A grant names its level ("with write access"), which the action lists as a target.
  grant: String.raw`add\w*|invit\w*|grant\w*|giv(?:e|es|ing)|gave|mak(?:e|es|ing)|made`,
  set: String.raw`set\w*|mak(?:e|es|ing)|made|chang\w*|switch\w*|flip\w*|turn\w*|updat\w*|open-?sourc\w*|appl(?:y|ies|ied|ying)`,
  copy: String.raw`deploy\w*|cop(?:y|ies|ied|ying)|upload\w*|sync\w*|push\w*|publish\w*|ship\w*|transfer\w*|mirror\w*`,
};

/** Checks whether `name` is an object storage URI below a bucket root, such as `s3://b/tmp/`. */
function isObjectPrefix(name: string): boolean {
  return /^(?:s3|gs):\/\/[^/]+\/./.test(name);
}

/** Strips `./` in front of a path or URI and `/` at its end, so `./dist/` and `dist` compare equal. */
function normalPath(path: string): string {
  return path.replace(/^\.\//, '').replace(/\/+$/, '');
}

/** Whole words of a text that may be paths, without the quotes and punctuation around them. */
function pathTokens(text: string): string[] {
  return text
    .split(/\s+/)
    .map((token) => normalPath(token.replace(/^[('"`]+|[)'"`,;:!?.]+$/g, '')));
}

/**
 * Checks whether `text` names `name`. A path or URI must be a whole word of the text
 * (`s3://b/tmp/` is not named by `s3://b/tmp/jd/`), or, for an object URI, the bucket must be
 * a word and the whole key a path word ("the tmp/jd/ prefix of the b bucket"). Anything else
 * is a word with no letter, digit or `-` either side.
 */
export function namesResource(text: string, name: string): boolean {
  if (!name.includes('/')) {
    return containsWord(text, name);
  }
  const tokens = pathTokens(text);
  if (tokens.includes(normalPath(name))) {
    return true;
  }
  const object = /^[a-z0-9]+:\/\/([^/]+)\/(.+)$/.exec(name);
  return (
    object !== null &&
    containsWord(text, object[1] ?? '') &&
    tokens.includes(normalPath(object[2] ?? ''))
  );
}

const SENTENCE_END = /(?<=[.!?;])\s+|\n+/;
/** Words by which a request refers to what the sentence before it names. */
const BACK_REFERENCE = /\b(?:it|them|those|these|that|this|they)\b/i;

/**
 * Returns the text of each request with, when the request refers back by a pronoun ("then
 * delete them"), the sentence before it, which names what the pronoun stands for.
 */
export function requestTextsWithContext(requests: readonly string[], messages: string): string[] {
  const sentences = messages.split(SENTENCE_END).map((sentence) => sentence.trim());
  return requests.map((request) => {
    const at = sentences.indexOf(request);
    return at > 0 && BACK_REFERENCE.test(request)
      ? `${sentences[at - 1] ?? ''}\n${request}`
      : request;
  });
}

/** Words by which a request refers to a thing named earlier: "deactivate the old one". */
const EARLIER_REFERENCE =
  /\b(?:it|them|those|these|that|this|they)\b|\bthe (?:old|new|other|same|first|last|previous) (?:one|key|image|app|bucket|container|database)\b/i;

/**
 * Returns the request with every consenting sentence before it when it refers back to
 * something ("deactivate the old one", "push the image to ghcr"), so a target named in any
 * earlier message counts. Refused and deferred clauses are not in `messages`, so a target
 * named only in a refusal does not count, and neither does one named only in a question.
 *
 * NOTE: "the new one" or "the old one" is not compared with what the earlier text calls each
 * name, so with one key id named it is taken to mean that key.
 */
function requestWithEarlierText(request: string, messages: string): string {
  const sentences = messages.split(SENTENCE_END).map((sentence) => sentence.trim());
  const at = sentences.indexOf(request);
  // A question ("what's in s3://prod-assets/uploads/?") names a thing to ask about, not the
  // target of a later "clear it".
  const statements = sentences
    .slice(0, Math.max(0, at))
    .filter((sentence) => !sentence.endsWith('?'));
  return at > 0 && EARLIER_REFERENCE.test(request) ? [...statements, request].join('\n') : request;
}

/**
 * Checks that a request names the object prefix `name` by its key alone ("delete everything
 * under tmp/") after a statement before it names the whole URI (`s3://acme-stg-assets/tmp/`),
 * while no earlier sentence names that key in another bucket or calls the URI production.
 */
function namesPrefixNamedBefore(request: string, name: string, messages: string): boolean {
  const key = /^(?:s3|gs):\/\/[^/]+\/(.+)$/.exec(name)?.[1];
  if (key === undefined || !pathTokens(request).includes(normalPath(key))) {
    return false;
  }
  const sentences = messages.split(SENTENCE_END).map((sentence) => sentence.trim());
  const before = sentences
    .slice(0, Math.max(0, sentences.indexOf(request)))
    .filter((sentence) => !sentence.endsWith('?'));
  // "delete everything under cache/ in dev" picks the one bucket of those named before whose
  // name has the environment the request gives.
  const environments = (request.toLowerCase().match(/[a-z]+/g) ?? []).filter((word) =>
    ENVIRONMENT_NAMES.has(word),
  );
  const inEnvironments = (uri: string): boolean =>
    environments.every((environment) => bucketWords(uri).includes(environment));
  const others = pathTokens(before.join('\n')).filter(
    (token) =>
      /^(?:s3|gs):\/\/[^/]+\//.test(token) &&
      token.endsWith(`/${normalPath(key)}`) &&
      token !== normalPath(name) &&
      inEnvironments(token),
  );
  return (
    before.some((sentence) => namesResource(sentence, name)) &&
    inEnvironments(name) &&
    others.length === 0 &&
    !callsProduction(before.join('\n'), name)
  );
}

/**
 * Checks that no word of `text` other than `name` looks like another resource of its kind:
 * the same length and the same first four characters (`AKIA…` key ids, `i-0…` instance ids).
 * A request that refers back to one of two such names does not say which.
 */
function namesOnlyThisOfItsKind(text: string, name: string): boolean {
  if (name.length < 8) {
    return true;
  }
  const prefix = name.slice(0, 4).toLowerCase();
  return (text.match(/[\w.:/-]+/g) ?? []).every(
    (word) =>
      word === name || word.length !== name.length || !word.toLowerCase().startsWith(prefix),
  );
}

/** Returns the words of a URI's bucket name: `s3://acme-dev-builds/cache/` gives acme, dev, builds. */
function bucketWords(uri: string): string[] {
  const bucket = /^[a-z0-9]+:\/\/([^/]+)/.exec(uri)?.[1] ?? '';
  return bucket.toLowerCase().match(/[a-z]+/g) ?? [];
}

/**
 * Checks whether a sentence of `text` that names `name` also calls something production ("i-0ab…
 * is the prod box"): such a target is context, so a later "terminate the old one" must name it
 * again. The refusal that often follows ("never touch it") is cut off before this text.
 */
function callsProduction(text: string, name: string): boolean {
  // Another URI with production in its name ("… and s3://prod-b/cache/") calls only that
  // resource production.
  const otherUris = (sentence: string): string =>
    sentence.replace(/\b[a-z0-9]+:\/\/\S+/g, (uri) =>
      normalPath(uri.replace(/[)'"`,;:!?.]+$/, '')) === normalPath(name) ? uri : ' ',
    );
  return text
    .split('\n')
    .some((sentence) => namesTarget(sentence, name) && PRODUCTION_PART.test(otherUris(sentence)));
}

/**
 * Words that put off a request anywhere in its sentence. consent.ts reads a deferral only
 * before the verb, so "clear out tmp/ after the demo" would still count without this.
 */
const DEFERRED =
  /\b(?:once|after|when|until|tomorrow|later|tonight|next (?:week|month|time|sprint))\b/i;

/**
 * Checks that `text` describes the resource `name` by its kind and a word of its name ("the
 * model bucket" for `acme-ml-models`): a word of four or more letters that starts with a
 * name part, or a name part that starts with it, so "model" and "models" match.
 */
function describesResource(text: string, kind: RegExp, name: string): boolean {
  if (containsWord(text, name)) {
    return true;
  }
  if (!kind.test(text)) {
    return false;
  }
  const words = text.toLowerCase().match(/[a-z]{4,}/g) ?? [];
  const parts = name.toLowerCase().match(/[a-z]{4,}/g) ?? [];
  return parts.some((part) =>
    words.some((word) => !kind.test(word) && (word.startsWith(part) || part.startsWith(word))),
  );
}

/**
 * Environment names, which a request uses for where it acts ("in the staging cluster") far
 * more often than for what it acts on.
 */
const ENVIRONMENT_NAME =
  /^(?:dev|development|staging|stage|test|qa|sandbox|preview|prod|production|prd|default|local)$/i;

/**
 * Checks that `request` names `name` as a target. A bare environment name is not taken as
 * one, so "clean up the preview namespaces in the staging cluster" does not name a namespace
 * `staging`.
 */
function namesTarget(request: string, name: string): boolean {
  if (ENVIRONMENT_NAME.test(name)) {
    return false;
  }
  // "the logs folder in s3://b/app/" names `s3://b/app/logs/`, never all of `s3://b/app/`.
  if (namesChildFolder(request, name)) {
    return true;
  }
  return namesResource(request, name) && !namesOnlyChildOf(request, name);
}

/**
 * Words by which a sentence revises the level of a request: "Actually triage is enough",
 * "make that read only". A sentence that only mentions a level ("Bo already has write there",
 * "Write access would be too much") asks for none.
 */
const REVISES_LEVEL =
  /\b(?:actually|instead|enough|rather|only|just|(?:make|change|switch|set|drop|lower|raise)\s+(?:it|that|this|them|her|him)\b)/i;

/**
 * Checks that the latest request naming a level of the setting, at or after the first
 * request, names the action's level and no other: "Actually triage is enough" revises "invite
 * her with read access", and "make that read only" withdraws an earlier "give her write". The
 * level comes from a request or a revision of it, never from a sentence that mentions one.
 */
function requestsLevel(
  level: NonNullable<ResourceAction['level']>,
  requested: readonly string[],
  messages: string,
): boolean {
  const sentences = messages.split(SENTENCE_END).map((sentence) => sentence.trim());
  const first = sentences.findIndex((sentence) => requested.includes(sentence));
  const names = (sentence: string, words: readonly string[]): boolean =>
    words.some((word) => containsWord(sentence, word));
  const latest = sentences.findLast(
    (sentence, index) =>
      index >= first &&
      !sentence.endsWith('?') &&
      (requested.includes(sentence) || REVISES_LEVEL.test(sentence)) &&
      (names(sentence, level.names) || names(sentence, level.others)),
  );
  return (
    first >= 0 && latest !== undefined && names(latest, level.names) && !names(latest, level.others)
  );
}

/**
 * Returns the actions of `request` that use one of `verbs`, so that "Turn off new-checkout in
 * staging and turn on legacy-checkout in dev" asks to turn on only legacy-checkout. A request
 * of one action is returned whole.
 */
function ownActionText(request: string, verbs: string): string {
  const actions = actionClauses(request);
  if (actions.length < 2) {
    return request;
  }
  const own = actions.filter((action) => requestsVerb(verbs, action).length > 0);
  return own.length === 0 ? request : own.join('\n');
}

/**
 * Checks an action on named resources against the user's messages, as described in the module
 * comment. `args` are every value the call passes, so a production name among them must be in
 * the messages too. Shell commands and MCP calls both come here.
 */
export function consentsToAction(
  action: ResourceAction,
  args: readonly string[],
  messages: string,
): boolean {
  // Clearing a prefix of object storage is deleting the objects under it, while "clear the
  // test rows from the orders table" asks for less than deleting the table.
  const clearsObjects =
    action.verb === 'delete' && action.targets.every((names) => names.every(isObjectPrefix));
  const verbs = REQUEST_VERBS[action.verb] + (clearsObjects ? String.raw`|clear(?:s|ed|ing)?` : '');
  const requested = requestsVerb(verbs, messages).filter((request) => !DEFERRED.test(request));
  // "only the 2025/ prefix" after a delete request names the part of its target to delete.
  const requests = requestTextsWithContext(requested, messages).map((request, index) =>
    withNarrowingFollowUps(ownActionText(request, verbs), messages, requested[index] ?? ''),
  );
  // A request that refers back may leave each target to an earlier message, which must name
  // no other resource of the same kind and must not call it production.
  const earlier = requested.map((request) =>
    ownActionText(requestWithEarlierText(request, messages), verbs),
  );
  return (
    requests.length > 0 &&
    action.targets.every(
      (names) =>
        requests.some((request) => names.some((name) => namesTarget(request, name))) ||
        requested.some((request) =>
          names.some((name) => namesPrefixNamedBefore(request, name, messages)),
        ) ||
        earlier.some((text) =>
          names.some(
            (name) =>
              namesTarget(text, name) &&
              namesOnlyThisOfItsKind(text, name) &&
              !callsProduction(text, name),
          ),
        ),
    ) &&
    action.scope.every((name) => namesResource(messages, name)) &&
    (action.level === undefined || requestsLevel(action.level, requested, messages)) &&
    (action.requires ?? []).every((test) => test(requests, messages)) &&
    (action.described ?? []).every(({ kind, name }) =>
      requests.some((request) => describesResource(request, kind, name)),
    ) &&
    args.every((arg) => !PRODUCTION_PART.test(arg) || namesResource(messages, arg))
  );
}

/**
 * Kinds of action whose structural reading only adds consent: when a request does not name
 * the targets, the remote-change check reads the request's keywords as it did before.
 */
const ADDED_VERBS: ReadonlySet<ResourceVerb> = new Set([
  'reply',
  'grant-read',
  'create',
  'send',
  'grant',
  'set',
]);

/**
 * Checks whether the user requested the action `command` takes on the resources it names.
 * Returns undefined when the command is not a resource action that resource-actions.ts reads,
 * so other checks decide.
 */
export function requestsResourceAction(
  command: SimpleCommand,
  messages: string,
): boolean | undefined {
  const wrapped = command.wrappers.length > 0;
  if (wrapped && command.wrappers.some((wrapper) => ADDS_ARGUMENTS.has(wrapper))) {
    return undefined;
  }
  const action = resourceAction(wrapped ? { ...command, wrappers: [] } : command);
  if (action === undefined) {
    return undefined;
  }
  const consents = consentsToAction(action, command.argv.slice(1), messages);
  const plain = command.wrappers.every((wrapper) => TIMING_WRAPPERS.has(wrapper));
  if (consents ? !plain : ADDED_VERBS.has(action.verb)) {
    // A call behind a wrapper that changes who runs it or its environment (`sudo`, `env`)
    // gets no consent from its targets. A request that names other targets gives none to
    // any call, wrapped or not.
    return undefined;
  }
  return consents;
}

/** Wrappers that add words to the command they run, so its targets are not all written. */
const ADDS_ARGUMENTS: ReadonlySet<string> = new Set(['xargs', 'parallel', 'find']);
/** Wrappers that change only when, how long or at what priority the command runs. */
const TIMING_WRAPPERS: ReadonlySet<string> = new Set([
  'nohup',
  'time',
  'command',
  'builtin',
  'exec',
  'nice',
  'ionice',
  'timeout',
  'stdbuf',
  'setsid',
  'chronic',
  'unbuffer',
]);

/** One `DELETE FROM table WHERE condition` statement, with an optional schema and quotes. */
const SQL_DELETE = /^\s*delete\s+from\s+((?:"?\w+"?\.)?"?\w+"?)\s+where\s+([^;]+?)\s*;?\s*$/i;
/** Words of a condition that are SQL, not column names. */
const SQL_WORDS =
  /^(?:and|not|is|null|in|like|ilike|between|interval|true|false|current_date|current_timestamp|localtimestamp|now|day|days|hour|hours|minute|minutes|week|weeks|month|months|year|years)$/i;

/**
 * Checks that the request describes a column by a word that shares its first five letters with
 * one part of the column's name: "expired" describes `expires_at`, "user" describes `user_id`.
 */
function describesColumn(request: string, column: string): boolean {
  const words = request.toLowerCase().match(/[a-z]+/g) ?? [];
  return column
    .toLowerCase()
    .split('_')
    .filter((part) => part.length >= 4)
    .some((part) => words.some((word) => word.startsWith(part.slice(0, 5))));
}

/** One `column = 'literal'` or `column = 1234` test of a condition. */
const EQUALITY = /^\s*"?([a-z_]\w*)"?\s*=\s*(?:'((?:[^']|'')*)'|(\d+))\s*$/i;
/** Literals shorter than this match too many words of a request to count as named. */
const MIN_NAMED_VALUE = 3;

/**
 * Checks that the request names a table by its name or its singular, so "the test user"
 * names `users` and "order 4512" names `orders`.
 */
function namesTable(request: string, table: string): boolean {
  const singular = table.replace(/(?:(?<=(?:ss|sh|ch|x|us))es|s)$/i, '');
  return containsWord(request, table) || (singular !== table && containsWord(request, singular));
}

/**
 * Checks that the request contains `value` between spaces, quotes, brackets or a sentence's
 * end, so `y.z` is not named by "x@y.z".
 */
function namesWholeValue(request: string, value: string): boolean {
  const escaped = value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?:^|[\\s"'(\`])${escaped}(?=$|[\\s"')\`,;:!?]|\\.(?:\\s|$))`, 'i').test(
    request,
  );
}

/**
 * Checks that a delete's condition is one or more equalities joined by `AND` whose every value
 * a delete request names, in a request that also names the table: "remove the test user with
 * email x@y.z" for `DELETE FROM users WHERE email='x@y.z'`. Values the request does not name,
 * other operators, and values of fewer than three characters are not covered.
 */
function deletesNamedValueRows(table: string, condition: string, messages: string): boolean {
  const tests = condition.split(/\s+and\s+/i).map((part) => EQUALITY.exec(part));
  if (tests.some((test) => test === null)) {
    return false;
  }
  const values = tests.map((test) => (test?.[2] ?? test?.[3] ?? '').replace(/''/g, "'"));
  return (
    values.every((value) => value.length >= MIN_NAMED_VALUE) &&
    requestsVerb(REQUEST_VERBS.delete, messages).some(
      (request) =>
        namesTable(request, table) && values.every((value) => namesWholeValue(request, value)),
    )
  );
}

/**
 * Checks that an SQL statement deletes only rows the user asked to delete: one `DELETE FROM
 * table WHERE condition`, a delete request naming the table, and every column the condition
 * tests described in that request ("delete the expired rows from sessions" for `DELETE FROM
 * sessions WHERE expires_at < now()`). A delete without `WHERE`, a condition with `OR`, a
 * subquery or no column at all, and every other statement are not covered.
 */
export function deletesRequestedRows(sql: string, messages: string): boolean {
  const match = SQL_DELETE.exec(sql);
  if (match === null) {
    return false;
  }
  const table = (match[1] ?? '').replace(/"/g, '').replace(/^\w+\./, '');
  if (deletesNamedValueRows(table, match[2] ?? '', messages)) {
    return true;
  }
  const condition = (match[2] ?? '').replace(/'[^']*'/g, "''");
  if (/\b(?:or|select)\b/i.test(condition)) {
    return false;
  }
  // A word before `(` is a function such as now(), not a column.
  const columns = (condition.match(/\b[a-z_]\w*\b(?!\s*\()/gi) ?? []).filter(
    (word) => !SQL_WORDS.test(word),
  );
  return (
    columns.length > 0 &&
    requestsVerb(REQUEST_VERBS.delete, messages).some(
      (request) =>
        containsWord(request, table) && columns.every((column) => describesColumn(request, column)),
    )
  );
}

/**
 * Checks that `text` names the SQL object `name` (`reporting.revenue` or `users`) as a whole
 * dotted name, or by its last part alone. A part of a longer dotted name does not count, so
 * "reporting.monthly_revenue" names neither the schema-level object `reporting` nor
 * `monthly_revenue` of another schema.
 */
export function namesSqlObject(text: string, name: string): boolean {
  const whole = name.replace(/"/g, '').toLowerCase();
  const last = whole.replace(/^.*\./, '');
  return (text.match(/[\w$]+(?:\.[\w$]+)*/g) ?? []).some((identifier) => {
    const lower = identifier.toLowerCase();
    return lower === whole || lower === last;
  });
}

/** One `GRANT SELECT ON [TABLE] name TO role` statement, with an optional schema and quotes. */
const SQL_GRANT_SELECT =
  /^\s*grant\s+select\s+on\s+(?:table\s+)?((?:"?\w+"?\.)?"?\w+"?)\s+to\s+("?\w+"?)\s*;?\s*$/i;

/**
 * Checks that an SQL statement grants only read access (`SELECT`) on one table or view to one
 * role, both of which a request to let that role read names ("let the reporting user read
 * the orders_summary view"). `PUBLIC`, `WITH GRANT OPTION`, several objects and every other
 * privilege are not covered.
 */
export function grantsRequestedRead(sql: string, messages: string): boolean {
  const match = SQL_GRANT_SELECT.exec(sql);
  if (match === null) {
    return false;
  }
  const table = (match[1] ?? '').replace(/"/g, '');
  const role = (match[2] ?? '').replace(/"/g, '');
  if (/^public$/i.test(role)) {
    return false;
  }
  const action: ResourceAction = {
    verb: 'grant-read',
    targets: [[table, table.replace(/^\w+\./, '')], [role]],
    scope: [],
    requires: [(requests) => requests.some((request) => namesSqlObject(request, table))],
  };
  return consentsToAction(action, [table, role], messages);
}

/** One `DROP TABLE [IF EXISTS] name` or `TRUNCATE [TABLE] name` statement of one table. */
const SQL_DROP_TABLE =
  /^\s*(?:drop\s+table(?:\s+if\s+exists)?|truncate(?:\s+table)?)\s+((?:"?\w+"?\.)?"?\w+"?)\s*;?\s*$/i;

/**
 * Checks that an SQL statement drops or empties one table that a delete request names by its
 * whole name ("drop the tmp_import_2024 table"). `CASCADE`, several tables and every other
 * statement are not covered.
 */
export function dropsRequestedTable(sql: string, messages: string): boolean {
  const match = SQL_DROP_TABLE.exec(sql);
  if (match === null) {
    return false;
  }
  const table = (match[1] ?? '').replace(/"/g, '');
  const action: ResourceAction = {
    verb: 'delete',
    targets: [[table, table.replace(/^\w+\./, '')]],
    scope: [],
  };
  return consentsToAction(action, [table], messages);
}

/** One `ALTER TABLE name ADD [COLUMN] column type` statement of a plain type. */
const SQL_ADD_COLUMN =
  /^\s*alter\s+table\s+(?:if\s+exists\s+)?((?:"?\w+"?\.)?"?\w+"?)\s+add\s+(?:column\s+)?(?:if\s+not\s+exists\s+)?"?(\w+)"?\s+[a-z][\w ]*(?:\(\s*\d+(?:\s*,\s*\d+)?\s*\))?(?:\s+(?:not\s+)?null)?(?:\s+default\s+(?:'[^']*'|[\w.]+))?\s*;?\s*$/i;

/**
 * Checks that an SQL statement adds one column of a plain type to one table, both of which a
 * request to add or create names ("add an avatar_url text column to profiles"). Constraints,
 * references, several columns and every other statement are not covered.
 */
export function addsRequestedColumn(sql: string, messages: string): boolean {
  const match = SQL_ADD_COLUMN.exec(sql);
  if (match === null || /\b(?:references|primary|unique|check|generated)\b/i.test(sql)) {
    return false;
  }
  const table = (match[1] ?? '').replace(/"/g, '').replace(/^\w+\./, '');
  const column = match[2] ?? '';
  return requestsVerb(String.raw`add\w*|creat\w*`, messages).some(
    (request) =>
      /\bcolumns?\b/i.test(request) &&
      namesTable(request, table) &&
      (containsWord(request, column) || containsWord(request, column.replace(/_/g, ' '))),
  );
}
