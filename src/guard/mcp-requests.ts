/**
 * Consent to an MCP write that a request names by its verb and its target: "ack incident
 * Q1XK7ACME", "close PLAT-2210", "purge just that file from the CDN cache". The tool name is
 * split into words, and its verb is read by family (close, acknowledge, promote, purge, add,
 * send, update), so each server's spelling of the same action counts. Every argument that
 * identifies what the call changes must be named by the request, or by an earlier message
 * when the request refers back with "it" or "that". A request that is negated, deferred, a
 * question or narrower than the action gives no consent (see consent.ts).
 */
import { requestsVerb } from './consent.js';
import { looksLikeSecret } from './clear-secrets.js';
import { appliesRequestedManifest, writesRequestedVaultPolicy } from './mcp-documents.js';
import { containsWord } from './named-targets.js';
import { PRODUCTION_PART } from './production-names.js';
import { mcpSqlText } from './mcp-reads.js';
import { addsRequestedColumn, namesResource } from './resource-consent.js';
import { BULK_TOOL_WORDS, DELETE_TOOL_WORDS, toolWords } from './requested-mcp-writes.js';
import { withoutDictatedContent } from './standing-requests.js';
import type { ToolCall } from './types.js';

/** Families of write verbs: the tool words of each, and the request verbs that ask for it. */
const FAMILIES: Record<string, { tool: ReadonlySet<string>; request: string }> = {
  close: {
    tool: new Set(['close', 'resolve', 'complete', 'finish', 'done']),
    request: String.raw`clos\w*|resolv\w*|finish\w*|complet\w*|mark\w*\b.{0,40}?\b(?:done|closed|resolved|completed?|fixed|finished)`,
  },
  retry: {
    tool: new Set(['retry', 'rerun']),
    request: String.raw`retr(?:y|ies|ied|ying)|re-?run\w*|run\b.{0,30}?\bagain`,
  },
  cancel: {
    tool: new Set(['cancel']),
    request: String.raw`cancel\w*`,
  },
  ack: {
    tool: new Set(['ack', 'acknowledge']),
    request: String.raw`ack(?:s|ed|ing)?|acknowledg\w*`,
  },
  promote: {
    tool: new Set(['promote']),
    request: String.raw`promot\w*|ship\w*|releas\w*|go live|put\w*\b.{0,30}?\blive`,
  },
  purge: {
    tool: new Set(['purge', 'invalidate', 'clear', 'flush', 'bust']),
    request: String.raw`purg\w*|invalidat\w*|clear\w*|flush\w*|bust\w*|refresh\w*`,
  },
  add: {
    tool: new Set(['add', 'append', 'insert', 'create', 'put', 'write', 'log', 'record']),
    request: String.raw`add\w*|append\w*|insert\w*|creat\w*|put\w*|writ\w*|log\w*|record\w*|jot\w*`,
  },
  send: {
    tool: new Set(['send', 'email', 'mail', 'message', 'sms', 'text', 'notify']),
    request: String.raw`e-?mail\w*|mail\w*|send\w*|sent|messag\w*|text\w*|tell\w*|told|let\b.{1,40}?\bknow|notif\w*|ping\w*`,
  },
  publish: {
    tool: new Set(['publish']),
    request: String.raw`publish\w*|releas\w*|ship\w*|go live|(?:make|put)\w*\b.{0,30}?\blive`,
  },
  fill: {
    tool: new Set(['fill']),
    request: String.raw`(?:use\w*\b.{0,40}?\bto\s+)?(?:fill\w*|complet\w*\b.{0,30}?\bform)`,
  },
  update: {
    tool: new Set(['update', 'set', 'put', 'patch', 'edit', 'modify', 'configure']),
    request: String.raw`set\w*|put\w*|updat\w*|chang\w*|turn\w*|enabl\w*|configur\w*|add\w*|edit\w*|modif\w*`,
  },
};
/** Item states that mean one of the families: `state: "Done"` closes the item. */
const STATE_FAMILY: readonly [RegExp, string][] = [
  [/^(?:done|closed?|resolved?|completed?|finished|fixed)$/i, 'close'],
  [/^(?:ack(?:nowledged)?)$/i, 'ack'],
  [/^(?:published?|live)$/i, 'publish'],
  [/^(?:cancel(?:l?ed)?)$/i, 'cancel'],
];
/**
 * Tool words of actions and objects that weaken security, grant access, delete, reach many
 * targets or move money. Their consent is read by the checks made for them, never here.
 */
const EXCLUDED_WORDS = new Set([
  ...DELETE_TOOL_WORDS,
  ...BULK_TOOL_WORDS,
  'merge',
  'transfer',
  'policy',
  'policies',
  'permission',
  'permissions',
  'acl',
  'role',
  'roles',
  'member',
  'members',
  'collaborator',
  'access',
  'visibility',
  'public',
  'share',
  'protection',
  'ingress',
  'egress',
  'firewall',
  'security',
  'key',
  'keys',
  'token',
  'tokens',
  'secret',
  'secrets',
  'password',
  'credential',
  'credentials',
  'webhook',
  'webhooks',
  'invite',
  'user',
  'users',
  'admin',
  'owner',
  'ssl',
  'tls',
  'certificate',
  'mute',
  'silence',
  'snooze',
  'disable',
  'pause',
  'suppress',
  'billing',
  'payment',
  'subscription',
  'refund',
  'order',
]);
/** Tool verbs that say nothing of the object, so they do not stand for it in a request. */
const GENERIC_VERBS = new Set([
  'add',
  'append',
  'insert',
  'create',
  'put',
  'write',
  'log',
  'record',
  'send',
  'update',
  'set',
  'patch',
  'edit',
  'modify',
  'configure',
]);
/** Arguments that contain the text of a message, comment or page line. */
const CONTENT_KEY =
  /^(?:body|text|content|contents|message|subject|comment|description|title|note|summary|html|markdown|reason|resolution)$/i;
/** Arguments that place the target (a zone, project, team or repository) and may go unnamed. */
const PLACE_KEY =
  /^(?:zone|zone_?(?:id|name)|project|project_?(?:id|name|key)|team|team_?(?:id|key)|workspace|org|organization|owner|repo|region|namespace|site|space|app|application|service|service_?id)$/i;
/** Arguments that identify the user who acts, such as PagerDuty's `from`. */
const ACTOR_KEY = /^(?:from|requester|requester_?email|user_?email)$/i;
/** Arguments that give an item's new state. */
const STATE_KEY = /^(?:state|status|transition|state_?id|status_?id)$/i;
/** Arguments that identify what the call changes. */
const TARGET_KEY =
  /^(?:to|ids?|keys?|names?|uids?|slugs?|refs?|numbers?|files?|urls?|paths?|parent|bucket|bucket_name|release|deploy|deployment|version|build|[a-z_]+_(?:id|ids|key|name|number|uid|ref|title))$/;
/** Arguments that pick an environment, which the messages must name. */
const ENVIRONMENT_KEY = /^(?:env|environment|environment_key|stage)$/;
/**
 * Arguments that send a call's content to more places or add to it: copies, attachments,
 * channels, rooms, webhooks, callbacks and newsletters to subscribers. A call with one never
 * gets consent from words.
 */
const EXTRA_DELIVERY_KEY =
  /^(?:attachments?|cc|bcc|channel|channel_?id|room|webhook\w*|callback\w*|newsletter\w*|email_?segment|segment|audience|send_?email\w*|notify_?subscribers)$/i;
/** Boolean arguments that widen an action when true. */
const WIDENING_SWITCH = /all|everything|force|overwrite|recursive|cascade|public/i;
/** Mail domains of personal accounts, where a first name alone does not name the person. */
const PERSONAL_MAIL =
  /(?:^|\.)(?:gmail|googlemail|yahoo|hotmail|outlook|live|icloud|proton(?:mail)?|aol|gmx|yandex|mail)\./i;
/** Words by which a request refers to a target named before it. */
const BACK_REFERENCE = /\b(?:it|that|this|them|those|these)\b/i;
/** Words that put a request off anywhere in its sentence. */
const DEFERRED =
  /\b(?:once|after|until|when|tomorrow|later|tonight|not now|next (?:week|month|time|sprint))\b/i;

/** A value of an argument, read from the call. */
interface Argument {
  key: string;
  value: unknown;
}

/** The arguments of a call, sorted by what they are for; undefined when one cannot be read. */
interface SortedArguments {
  targets: Argument[];
  states: string[];
  /** Numbers and names of settings, which the request must give when they could mislead. */
  settings: (string | number)[];
}

/** Collects the strings, numbers and booleans of a setting's value, at any depth. */
function settingValues(value: unknown, key: string, into: (string | number)[]): boolean {
  if (typeof value === 'boolean') {
    return !(value && WIDENING_SWITCH.test(key));
  }
  if (typeof value === 'number' || typeof value === 'string') {
    into.push(value);
    return true;
  }
  if (Array.isArray(value)) {
    return value.length <= 20 && value.every((each) => settingValues(each, key, into));
  }
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).every(([inner, each]) => settingValues(each, inner, into));
  }
  return value === null;
}

/** A host name of three or more labels, such as `staging.acme.dev`. */
const HOST_NAME = /^[a-z0-9-]+(?:\.[a-z0-9-]+){2,}$/i;

/**
 * Checks whether the messages name a host other than the place `value` while not naming
 * `value`: "purge it on staging.acme.dev" is not about the zone `acme.com`.
 */
function namesOtherHost(messages: string, value: string): boolean {
  if (!value.includes('.') || containsWord(messages, value)) {
    return false;
  }
  return messages
    .split(/[\s,;:()"'`]+/)
    .map((word) => word.replace(/[.!?]+$/, ''))
    .some((word) => HOST_NAME.test(word) && word.toLowerCase() !== value.toLowerCase());
}

/** Sorts the arguments of a call. An environment the messages do not name makes it unreadable. */
function sortArguments(
  input: Record<string, unknown>,
  messages: string,
): SortedArguments | undefined {
  const sorted: SortedArguments = { targets: [], states: [], settings: [] };
  for (const [key, value] of Object.entries(input)) {
    if (EXTRA_DELIVERY_KEY.test(key)) {
      return undefined;
    }
    if (CONTENT_KEY.test(key) && typeof value === 'string') {
      continue;
    }
    if (PLACE_KEY.test(key) && (typeof value === 'string' || typeof value === 'number')) {
      if (typeof value === 'string' && namesOtherHost(messages, value)) {
        return undefined;
      }
      continue;
    }
    if (ACTOR_KEY.test(key) && typeof value === 'string' && /^[\w.+-]+@[\w.-]+$/.test(value)) {
      continue;
    }
    const snake = key.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
    if (ENVIRONMENT_KEY.test(snake)) {
      if (typeof value !== 'string' || !namesResource(messages, value)) {
        return undefined;
      }
      continue;
    }
    if (STATE_KEY.test(key) && typeof value === 'string') {
      sorted.states.push(value);
    } else if (TARGET_KEY.test(snake)) {
      const values = Array.isArray(value) ? value : [value];
      if (
        values.length === 0 ||
        values.length > 10 ||
        !values.every((each) => typeof each === 'string' || typeof each === 'number')
      ) {
        return undefined;
      }
      sorted.targets.push(...values.map((each) => ({ key, value: each })));
    } else if (!settingValues(value, key, sorted.settings)) {
      return undefined;
    }
  }
  return sorted;
}

/** Returns the word that names a target's kind, such as `page` for `page_id`. */
function kindWord(key: string): string {
  return key
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/_?(?:ids?|keys?|names?|numbers?|uids?|refs?|title)$/, '');
}

/** Checks whether `text` has a word that starts with `part` or that `part` starts with. */
function hasWordLike(text: string, part: string): boolean {
  return (text.toLowerCase().match(/[a-z0-9]+/g) ?? []).some(
    (word) => word.length >= 3 && (word.startsWith(part) || part.startsWith(word)),
  );
}

/**
 * Checks that `text` names the target `value`. Any value is named as a word, and a file URL or
 * path by its file name. An address is also named by its first name at a company domain
 * ("email Priya"). A slug such as `acme-oncall-notes` is also named by the kind of its key
 * ("page") and every part after the first ("the oncall notes page").
 */
function namesValue(text: string, key: string, value: string): boolean {
  if (containsWord(text, value) || namesResource(text, value)) {
    return true;
  }
  const address = /^([a-z]+)(?:[._+-][\w.+-]*)?@([\w.-]+)$/i.exec(value);
  if (address !== null) {
    return (
      (address[1] ?? '').length >= 3 &&
      containsWord(text, address[1] ?? '') &&
      !PERSONAL_MAIL.test(address[2] ?? '')
    );
  }
  const file = /^(?:[a-z]+:\/\/[^/]+)?\/(?:[^?#]*\/)?([^/?#]+\.\w+)(?:[?#].*)?$/i.exec(value);
  if (file !== null) {
    return containsWord(text, file[1] ?? '');
  }
  const parts = value.toLowerCase().split(/[-_.]+/);
  const kind = kindWord(key);
  return (
    parts.length >= 2 &&
    kind.length >= 3 &&
    containsWord(text, kind) &&
    parts.slice(1).every((part) => part.length >= 2 && hasWordLike(text, part))
  );
}

/** Reduces a value to its shape (letters to `a`, digits to `0`), so two issue keys compare equal. */
function shape(value: string): string {
  return value.replace(/[a-z]/gi, 'a').replace(/\d/g, '0');
}

/** A word in the form of a target: `acme/api`, `#eng`, `PLAT-7`, `db_main`, `api.acme.dev`. */
const OWN_TARGET = /(?:^|\s)[#@]?[\w-]*(?:[/#@_\d]|\w\.\w)[\w./#@-]*/;

/**
 * Checks whether a request that refers back by a pronoun also names a target of its own: "Put
 * it on acme/api." moves the earlier request to acme/api, so "it" does not bring back the
 * earlier target.
 */
function namesOwnTarget(request: string): boolean {
  return OWN_TARGET.test(request.replace(/[.!?,;:]+(?=\s|$)/g, ''));
}

/**
 * Checks that the request names the target, or refers back to it by a pronoun. A pronoun
 * counts only when the sentences before it name the target and no other value of the same
 * shape, and the request itself names no other target. "PLAT-1 duplicates PLAT-2, close it"
 * does not say which one.
 */
function requestNames(request: string, before: string, key: string, value: string): boolean {
  if (namesValue(request, key, value)) {
    return true;
  }
  if (!BACK_REFERENCE.test(request) || namesOwnTarget(request) || !namesValue(before, key, value)) {
    return false;
  }
  const form = shape(value);
  return (
    !/\d/.test(value) ||
    !before
      .split(/[\s,;:()"'`]+/)
      .some(
        (word) =>
          word !== value &&
          word.replace(/[.!?]$/, '') !== value &&
          shape(word.replace(/[.!?]$/, '')) === form,
      )
  );
}

/**
 * Checks that an MCP write is what a request of the user asks for, as the module comment
 * describes. `messages` is the consenting text of the user's messages. A request that refers
 * back ("retry it") is read with the user's messages before it in `allMessages`, questions
 * included, because "Is pipeline 40211 green?" names what "retry it" means.
 */
export function requestsMcpWrite(
  call: ToolCall,
  messages: string,
  allMessages = messages,
): boolean {
  if (appliesRequestedManifest(call, messages) || writesRequestedVaultPolicy(call, messages)) {
    return true;
  }
  const words = toolWords(call.tool);
  if (words.some((word) => EXCLUDED_WORDS.has(word))) {
    return false;
  }
  const sql = mcpSqlText(call);
  if (sql !== undefined) {
    return requestsMcpSql(call, sql, messages);
  }
  const sorted = sortArguments(call.input, messages);
  if (sorted === undefined || sorted.targets.length === 0) {
    return false;
  }
  const families = writeFamilies(words, sorted, call.input);
  if (families.includes('fill') && !fillsWithoutSubmitting(call, messages)) {
    return false;
  }
  const sentences = allMessages.split(/(?<=[.!?;])\s+|\n+/).map((sentence) => sentence.trim());
  return families.some((family) =>
    familyRequests(family, messages).some((request) => {
      const before = sentences.slice(0, Math.max(sentences.indexOf(request), 0)).join('\n');
      return requestCovers(call, sorted, request, before, messages, family);
    }),
  );
}

/**
 * Checks that the SQL statement `sql` of an MCP call is one the user requested. The request
 * must also name the value of every other argument, such as the database.
 */
function requestsMcpSql(call: ToolCall, sql: string, messages: string): boolean {
  return (
    addsRequestedColumn(sql, messages) &&
    Object.values(call.input).every(
      (value) => value === sql || (typeof value === 'string' && namesResource(messages, value)),
    )
  );
}

/**
 * Returns the verb families of a write: those of its tool words, or those of its new states
 * when it sets any. A purge gets none unless its tool names a cache or every target is a URL
 * or path, because any other purge is a delete. Turning a draft into a published item is a
 * publish, whatever verb the tool has.
 */
function writeFamilies(
  words: readonly string[],
  sorted: SortedArguments,
  input: ToolCall['input'],
): string[] {
  const families = Object.keys(FAMILIES).filter((family) =>
    words.some((word) => FAMILIES[family]?.tool.has(word)),
  );
  if (
    families.includes('purge') &&
    !words.some((word) => /^(?:cache|cdn|invalidation)$/.test(word)) &&
    !sorted.targets.every(({ value }) => /^(?:https?:\/\/|\/)/.test(String(value)))
  ) {
    return [];
  }
  if (input['draft'] === false || input['published'] === true) {
    return ['publish'];
  }
  if (sorted.states.length === 0) {
    return families;
  }
  // A new state is the action, so the request must ask for that state's family.
  const stateFamilies = sorted.states.flatMap((state) =>
    STATE_FAMILY.filter(([pattern]) => pattern.test(state)).map(([, family]) => family),
  );
  return stateFamilies.length === sorted.states.length ? stateFamilies : [];
}

/**
 * Returns the sentences that request a family's verb now, not later. A request to promote
 * must also name production.
 */
function familyRequests(family: string, messages: string): string[] {
  return requestsVerb(FAMILIES[family]?.request ?? '', messages).filter(
    (request) =>
      !DEFERRED.test(withoutDictatedContent(request)) &&
      (family !== 'promote' || PROMOTED.test(request)),
  );
}

/** Field names and selectors of secrets: `#password`, `input[name=api_key]`, `cvc`. */
const SECRET_FIELD =
  /pass(?:word|wd|phrase)|secret|token|api[_-]?key|private[_-]?key|cvc|cvv|card[_-]?number|\bpin\b|otp/i;

/**
 * Checks that a form fill leaves the form unsent and types no secret: a request to fill a form
 * is no request to submit it, and a secret typed into a page leaves the machine even unsent.
 * A secret is recognized by a field name in the call, or by a value that looks like one and
 * is neither an email address nor an id of capitals and digits (a VAT or order number).
 */
function fillsWithoutSubmitting(call: ToolCall, messages: string): boolean {
  return (
    !submitsForm(call.input) &&
    !typesUngivenSensitiveValue(call.input, messages) &&
    !leavesNamedHost(call.input, messages) &&
    !SECRET_FIELD.test(JSON.stringify(call.input)) &&
    typedValues(call.input).every(
      (value) =>
        !looksLikeSecret(value) || /^[\w.+-]+@[\w-]+(?:\.[\w-]+)+$|^[A-Z0-9-]+$/.test(value),
    )
  );
}

/** Words of a key or value that submit a form: a submit button, a key press, a click. */
const SUBMITS = /submit|send|\b(?:press|enter|return|click|tap|button)\b/i;

/**
 * Checks whether a form fill submits the form by any key: a `submit` switch that is not
 * false, `then: "submit"`, a field that presses Enter or clicks a button.
 */
function submitsForm(value: unknown, key = ''): boolean {
  if (/submit|send|press|enter|click/i.test(key) && value !== false) {
    return true;
  }
  if (typeof value === 'string') {
    return !/^url$/i.test(key) && SUBMITS.test(value) && value.length <= 60;
  }
  if (Array.isArray(value)) {
    return value.some((each) => submitsForm(each, key));
  }
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).some(([inner, each]) => submitsForm(each, inner));
  }
  return false;
}

/**
 * Field names of amounts, bank accounts, card and identity numbers and one-time codes. Their
 * values must be given in the messages, because a request to fill a form never implies them.
 */
const SENSITIVE_FIELD =
  /amount|price|total|sum|iban|bic|swift|account|routing|sort_?code|card|\bcc_?(?:num|no)|ssn|social|national|passport|tax_?id|birth|dob|mfa|2fa|otp|one_?time|verification|\bcode\b/i;

/**
 * Checks whether a form fill types a value the messages do not give into a sensitive field,
 * or types a payment card number (see {@link isCardNumber}) the messages do not give into any
 * field. Other values, such as a VAT id or an address, may come from a file the request
 * points to ("our VAT id from docs/company.md").
 */
function typesUngivenSensitiveValue(input: ToolCall['input'], messages: string): boolean {
  const given = messages.replace(/[\s-]/g, '');
  return fieldEntries(input).some(
    ([field, value]) =>
      (SENSITIVE_FIELD.test(field) || isCardNumber(value)) &&
      !given.includes(value.replace(/[\s-]/g, '')),
  );
}

/** Checks whether `value` is a payment card number: 13 to 19 digits that pass the Luhn check. */
function isCardNumber(value: string): boolean {
  const digits = value.replace(/[\s-]/g, '');
  if (!/^\d{13,19}$/.test(digits)) {
    return false;
  }
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) {
        digit -= 9;
      }
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** Returns each typed value of a form fill with the name or selector of its field. */
function fieldEntries(input: ToolCall['input']): [string, string][] {
  const fields = input['fields'];
  if (Array.isArray(fields)) {
    return fields.flatMap((field) => {
      if (typeof field !== 'object' || field === null) {
        return [];
      }
      const record = field as Record<string, unknown>;
      const name = [record['selector'], record['name'], record['label'], record['ref']]
        .filter((each) => typeof each === 'string')
        .join(' ');
      return typeof record['value'] === 'string' ? [[name, record['value']]] : [];
    });
  }
  if (typeof fields === 'object' && fields !== null) {
    return Object.entries(fields).flatMap(([name, value]) =>
      typeof value === 'string' || typeof value === 'number' ? [[name, String(value)]] : [],
    );
  }
  return [];
}

/**
 * Checks whether a form's URL leaves the host the messages name, or carries another URL or
 * host in its query or fragment (a redirect after the form is sent).
 */
function leavesNamedHost(input: ToolCall['input'], messages: string): boolean {
  const url = Object.entries(input).find(([key]) => /^url$/i.test(key))?.[1];
  if (typeof url !== 'string') {
    return false;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return true;
  }
  if (/https?:|%2f%2f|\/\/|=[\w-]+\.[a-z]{2,}/i.test(`${parsed.search}${parsed.hash}`)) {
    return true;
  }
  const hosts = (
    messages.match(/(?<![@\w.-])[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b/gi) ?? []
  ).filter((word) => !/\.(?:md|txt|json|ya?ml|csv|pdf|ts|js|py)$/i.test(word));
  return hosts.length > 0 && !hosts.some((host) => host.toLowerCase() === parsed.hostname);
}

/** Keys of a form fill that locate a field or the page rather than give what is typed. */
const LOCATOR_KEY = /^(?:selector|ref|element|name|label|type|url|target|id)$/i;

/** Returns the strings a form fill types, at any depth, leaving out selectors and the URL. */
function typedValues(value: unknown, key = ''): string[] {
  if (typeof value === 'string') {
    return LOCATOR_KEY.test(key) ? [] : [value];
  }
  if (Array.isArray(value)) {
    return value.flatMap((each) => typedValues(each, key));
  }
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([inner, each]) => typedValues(each, inner));
  }
  return [];
}

/**
 * Checks that the request, with the sentences `before` it, names the page a form is on by the
 * words of the URL's last path segment ("the vendor onboarding form" for `/onboarding`).
 */
function namesFormPage(text: string, url: string): boolean {
  const segment = /^https?:\/\/[^/]+\/(?:[^?#]*\/)?([^/?#]+)\/?(?:[?#].*)?$/i.exec(url)?.[1];
  const parts = (segment ?? '').toLowerCase().split(/[-_.]+/);
  return (
    parts.join('').length >= 4 &&
    parts.every((part) => part.length >= 3 && containsWord(text, part))
  );
}

/**
 * A request earlier in the session to create a draft of an item: "create a draft release",
 * "write a draft post". `KIND` stands for the kind of the target's key.
 */
const CREATED_DRAFT = String.raw`\b(?:creat|prepar|writ|mak|open|start|draft)\w*\b.{0,30}?\bdraft\b.{0,20}?\bKIND|\bdraft\w*\s+(?:(?:a|an|the|our|new)\s+)?KIND`;

/**
 * Checks that a request to publish refers back ("publish it") to the one item of the target's
 * kind that an earlier message asked to create as a draft, while no message gives another
 * value of the target's form. The id of an item created in the session is one the user rarely
 * repeats.
 */
function publishesCreatedDraft(
  request: string,
  before: string,
  messages: string,
  key: string,
  value: string,
): boolean {
  const kind = kindWord(key);
  // "publish the release notes" is about another object than the release.
  const theKind = new RegExp(
    String.raw`\bthe\s+(?:draft\s+)?${kind}\b(?!\s+(?:notes?|page|branch|tag|log|title|description|announcement|email|docs?)\b)`,
    'i',
  );
  const theDraft = /\bthe\s+draft\b/i;
  if (
    kind.length < 3 ||
    !(BACK_REFERENCE.test(request) || theKind.test(request) || theDraft.test(request))
  ) {
    return false;
  }
  const created = new RegExp(CREATED_DRAFT.replaceAll('KIND', `${kind}s?\\b`), 'i');
  return (
    created.test(before) &&
    !messages
      .split(/[\s,;:()"'`]+/)
      .some((word) => isOtherItemId(word.replace(/[.!?]+$/, ''), value))
  );
}

/**
 * Checks whether a word of the messages is the id of an item other than `value`: a word of
 * the value's form, or any word of four or more letters and digits with a digit in it. A year
 * such as 2026 is no id.
 */
function isOtherItemId(word: string, value: string): boolean {
  if (word === value || /^(?:19|20)\d\d$/.test(word)) {
    return false;
  }
  return shape(word) === shape(value) || (/^[a-z0-9]{4,}$/i.test(word) && /\d/.test(word));
}

/** Words by which a request to promote names production, which every promotion reaches. */
const PROMOTED = /\b(?:prod\w*|live)\b/i;

/**
 * Checks that one request, with the sentences `before` it, covers the call. The request must
 * name every target and give every number and every host, path or address of the settings.
 * It must name the object by a tool word, the kind of a target's key, or an id with digits.
 * The messages must contain every production value of the call.
 */
function requestCovers(
  call: ToolCall,
  sorted: SortedArguments,
  request: string,
  before: string,
  messages: string,
  family: string,
): boolean {
  const objects = toolWords(call.tool).filter(
    (word) => word.length >= 3 && !GENERIC_VERBS.has(word),
  );
  const namesObject =
    objects.some((word) => hasWordLike(request, word)) ||
    sorted.targets.some(
      ({ key, value }) =>
        (kindWord(key).length >= 3 && containsWord(request, kindWord(key))) ||
        /\d/.test(String(value)),
    );
  return (
    namesObject &&
    sorted.targets.every(
      ({ key, value }) =>
        requestNames(request, before, key, String(value)) ||
        (family === 'publish' &&
          publishesCreatedDraft(request, before, messages, key, String(value))) ||
        (family === 'fill' && namesFormPage(`${before}\n${request}`, String(value))),
    ) &&
    // NOTE: a plain word among the settings (a new value such as `off`) need not be in the
    // request. Only numbers and values that look like hosts, paths or addresses are compared.
    // The values typed into a form come from what the request points to ("our address from
    // docs/company.md"), so only secrets are kept out of them (see fillsWithoutSubmitting).
    (family === 'fill' ||
      sorted.settings.every((value) =>
        typeof value === 'number'
          ? containsWord(request, String(value))
          : !/[./@:]/.test(value) || namesResource(`${before}\n${request}`, value),
      )) &&
    Object.values(call.input)
      .flat()
      .every(
        (value) =>
          typeof value !== 'string' ||
          !PRODUCTION_PART.test(value) ||
          namesResource(messages, value),
      )
  );
}

/**
 * Returns a target of an MCP write that no user message names while they name another value
 * of the same form: "close OPS-4471" does not name `OPS-4472`. Only values of letters and
 * digits (issue keys, incident and deployment ids) are compared, because plain numbers and
 * words share their form with too much else.
 */
export function otherNamedTarget(call: ToolCall, allMessages: string): string | undefined {
  const words = toolWords(call.tool);
  const sorted = sortArguments(call.input, allMessages);
  if (
    sorted === undefined ||
    !words.some((word) => Object.values(FAMILIES).some(({ tool }) => tool.has(word)))
  ) {
    return undefined;
  }
  const tokens = allMessages.split(/[\s,;:()"'`]+/).map((word) => word.replace(/[.!?]+$/, ''));
  return sorted.targets
    .map(({ value }) => String(value))
    .find(
      (value) =>
        value.length >= 5 &&
        /\d/.test(value) &&
        /[a-z]/i.test(value) &&
        !tokens.includes(value) &&
        tokens.some((word) => word !== value && shape(word) === shape(value)),
    );
}

/**
 * Checks whether an MCP call publishes or fills a form: its tool has the verb, or it sets a
 * published state. Only {@link requestsMcpWrite} reads consent to these, because a generic
 * verb of the request ("create a draft post", "add a page") does not ask for them.
 */
export function publishesOrFills(call: ToolCall): boolean {
  const words = toolWords(call.tool);
  return (
    words.includes('publish') ||
    words.includes('fill') ||
    call.input['draft'] === false ||
    call.input['published'] === true ||
    Object.entries(call.input).some(
      ([key, value]) =>
        STATE_KEY.test(key) && typeof value === 'string' && /^(?:published?|live)$/i.test(value),
    )
  );
}
