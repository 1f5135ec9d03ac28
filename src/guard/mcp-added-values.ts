/**
 * Values of an MCP write or read that go beyond the request it serves, checked before the
 * consent readers, which read only the verb and the target:
 * - a repository of another owner than the one named (`acme-oss/web` after "acme/web");
 * - a merge of another pull or merge request number than every one the user names (416 or 4150
 *   after "merge PR 415");
 * - a whole database dropped where the request names a collection;
 * - `@here`, `@channel` or `<!channel>` in a message, which pages the whole channel unasked;
 * - notifications switched on (`notifyUsers`, `sendNotificationEmail`) after "quietly" or "no
 *   notification";
 * - a full release where a prerelease was asked for;
 * - assignees and labels of a new issue that the user did not name;
 * - production documents read with personal fields (`email`, `phone`, `ssn`) that no request
 *   asks for.
 */
import { asksWithout } from './consent.js';
import type { Finding } from './findings.js';
import { asksForColumn, PERSONAL_COLUMN } from './mcp-reads.js';
import { DATABASE_DROP_REQUEST } from './named-data-deletes.js';
import { containsWord } from './named-targets.js';
import { PRODUCTION_PART } from './production-names.js';
import { toolWords } from './requested-mcp-writes.js';
import type { ToolCall } from './types.js';

/** Input keys that give the number of the pull or merge request a tool acts on. */
const NUMBER_KEYS = [
  'pull_number',
  'pullNumber',
  'number',
  'merge_request_iid',
  'mergeRequestIid',
  'iid',
  'pr_number',
];
/** Pull and merge request numbers a text names: `PR 415`, `#415`, `MR 88`, `!88`. */
const NAMED_NUMBER =
  /(?:\bPR\s*#?|\bMR\s*!?|\bpull\s+request\s*#?|\bmerge\s+request\s*!?|#|!)(\d+)\b/gi;
/** Mentions that notify every member of a channel. */
const CHANNEL_MENTION =
  /(?:^|[\s(])@(?:here|channel|everyone|all)\b|<!(?:here|channel|everyone)(?:\|[^>]*)?>/i;
/** Requests to notify the whole channel. */
const CHANNEL_MENTION_REQUEST =
  /@(?:here|channel|everyone)|<!(?:here|channel|everyone)>|\b(?:ping|notify|alert|mention|tag)\w*\s+(?:everyone|everybody|the\s+(?:whole\s+)?channel|all)\b/i;
/** Words that ask for no notification. */
const QUIET_REQUEST =
  /\b(?:quiet(?:ly)?|silent(?:ly)?|no\s+(?:notifications?|emails?|pings?|alerts?)|without\s+(?:notif\w*|email\w*|ping\w*|alert\w*)|(?:don'?t|do\s+not|not)\s+(?:notify|email|ping|alert)|from\s+notifying)\b/i;
/** Input keys that switch notifications on. */
const NOTIFY_KEY = /notif|^send_?(?:notification_?)?e?mail|^deliver_?notifications$|^notify/i;
/** Requests for a prerelease. */
const PRERELEASE_REQUEST = /\bpre-?release\b/i;
/** Keys of a read that list the document fields it returns (a projection or `_source`). */
const SOURCE_KEYS = ['_source', 'projection', 'fields', 'select'];

/**
 * Returns a finding for an MCP call whose values go beyond the user's requests, as the module
 * comment describes. `messages` is the consenting text and `allMessages` every user message.
 */
export function checkMcpAddedValues(
  call: ToolCall,
  messages: string,
  allMessages: string,
): Finding | undefined {
  const words = toolWords(call.tool);
  const input = call.input;
  return (
    otherOwner(call, allMessages) ??
    otherNumberMerge(call, words, allMessages) ??
    droppedDatabase(call, words, messages) ??
    channelMention(call, allMessages) ??
    loudNotification(call, allMessages) ??
    fullRelease(call, words, input, allMessages) ??
    unnamedIssueFields(call, words, allMessages) ??
    productionPersonalFields(call, words, allMessages)
  );
}

function blocked(category: string, call: ToolCall, what: string, id: string): Finding {
  return { category, reason: `The ${call.tool} call ${what}`, rule: `tier:${id}` };
}

/** `owner/repo` pairs a text names. */
const REPOSITORY_PAIR = /(?<![\w./-])([\w.-]+)\/([\w.-]+?)(?=[.,;:!?)]*(?:\s|$))/g;

/** Finds a call on `owner/repo` where the messages name that repository under another owner only. */
function otherOwner(call: ToolCall, allMessages: string): Finding | undefined {
  const { owner, repo } = call.input;
  if (typeof owner !== 'string' || typeof repo !== 'string') {
    return undefined;
  }
  const pairs = [...allMessages.matchAll(REPOSITORY_PAIR)].map((match) => ({
    owner: (match[1] ?? '').toLowerCase(),
    repo: (match[2] ?? '').toLowerCase(),
  }));
  const sameRepo = pairs.filter((pair) => pair.repo === repo.toLowerCase());
  if (sameRepo.length === 0 || sameRepo.some((pair) => pair.owner === owner.toLowerCase())) {
    return undefined;
  }
  return blocked(
    'create-public-surface',
    call,
    `acts on ${owner}/${repo}, while the user named ${sameRepo.map((pair) => `${pair.owner}/${pair.repo}`).join(', ')}`,
    'mcp-other-owner',
  );
}

/** Finds a merge whose number is not among the ones the messages name. */
function otherNumberMerge(
  call: ToolCall,
  words: string[],
  allMessages: string,
): Finding | undefined {
  if (!words.includes('merge')) {
    return undefined;
  }
  const key = NUMBER_KEYS.find((name) => call.input[name] !== undefined);
  const value = key === undefined ? undefined : String(call.input[key]);
  const named = [...allMessages.matchAll(NAMED_NUMBER)].map((match) => match[1] ?? '');
  if (value === undefined || named.length === 0 || named.includes(value)) {
    return undefined;
  }
  return blocked(
    'git-push-default-branch',
    call,
    `merges number ${value}, while the user named ${[...new Set(named)].join(', ')}`,
    'mcp-other-number',
  );
}

/** Finds a drop of a whole database after a request that names no database drop. */
function droppedDatabase(call: ToolCall, words: string[], messages: string): Finding | undefined {
  if (
    !words.includes('drop') ||
    !words.includes('database') ||
    asksWithout(DATABASE_DROP_REQUEST, messages)
  ) {
    return undefined;
  }
  return blocked(
    'cloud-mass-delete',
    call,
    'drops a whole database, which no request names',
    'mcp-database-drop',
  );
}

/** Returns every string of `value`, at any depth. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') {
    return [value];
  }
  if (Array.isArray(value)) {
    return value.flatMap(strings);
  }
  if (typeof value === 'object' && value !== null) {
    return Object.values(value).flatMap(strings);
  }
  return [];
}

/** Finds `@here` or `<!channel>` in a post that the user's words neither contain nor request. */
function channelMention(call: ToolCall, allMessages: string): Finding | undefined {
  const text = call.input['text'] ?? call.input['message'] ?? call.input['body'];
  const mention = typeof text === 'string' ? CHANNEL_MENTION.exec(text)?.[0].trim() : undefined;
  if (mention === undefined || CHANNEL_MENTION_REQUEST.test(allMessages)) {
    return undefined;
  }
  return blocked(
    'modify-shared-resource',
    call,
    `notifies every member of the channel with "${mention}", which the user did not ask for`,
    'mcp-channel-mention',
  );
}

/** Finds a notification switched on after a request to act quietly. */
function loudNotification(call: ToolCall, allMessages: string): Finding | undefined {
  const key = Object.keys(call.input).find(
    (name) => NOTIFY_KEY.test(name) && call.input[name] === true,
  );
  if (key === undefined || !QUIET_REQUEST.test(allMessages)) {
    return undefined;
  }
  return blocked(
    'modify-shared-resource',
    call,
    `sends notifications (${key}: true) where the user asked for none`,
    'mcp-notifies',
  );
}

/** Finds a full release after a request for a prerelease. */
function fullRelease(
  call: ToolCall,
  words: string[],
  input: Record<string, unknown>,
  allMessages: string,
): Finding | undefined {
  if (
    !words.includes('release') ||
    input['prerelease'] === true ||
    !PRERELEASE_REQUEST.test(allMessages)
  ) {
    return undefined;
  }
  return blocked(
    'create-public-surface',
    call,
    'creates a full release where the user asked for a prerelease',
    'mcp-not-prerelease',
  );
}

/** Finds assignees and labels of a new issue that the messages do not name. */
function unnamedIssueFields(
  call: ToolCall,
  words: string[],
  allMessages: string,
): Finding | undefined {
  if (!words.includes('issue') || !words.some((word) => word === 'create' || word === 'open')) {
    return undefined;
  }
  const values = [
    ...strings(call.input['assignees'] ?? call.input['assignee']),
    ...strings(call.input['labels']),
  ];
  const other = values.find((value) => !containsWord(allMessages, value));
  if (other === undefined) {
    return undefined;
  }
  return blocked(
    'modify-shared-resource',
    call,
    `assigns or labels the issue with "${other}", which the user did not name`,
    'mcp-issue-fields',
  );
}

/** Finds personal fields read from documents of a production database or index. */
function productionPersonalFields(
  call: ToolCall,
  words: string[],
  allMessages: string,
): Finding | undefined {
  if (!words.some((word) => /^(?:find|search|query|aggregate)$/.test(word))) {
    return undefined;
  }
  const place = [
    call.input['database'],
    call.input['index'],
    call.input['collection'],
    call.input['cluster'],
  ];
  if (!place.some((value) => typeof value === 'string' && PRODUCTION_PART.test(value))) {
    return undefined;
  }
  const body = call.input['body'];
  const nested = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const fields = SOURCE_KEYS.flatMap((key) => [
    ...fieldNames(call.input[key]),
    ...fieldNames(nested[key]),
  ]);
  const personal = fields.filter(
    (field) => PERSONAL_COLUMN.test(field) && !asksForColumn(allMessages, field),
  );
  if (personal.length === 0) {
    return undefined;
  }
  return blocked(
    'production-read',
    call,
    `reads personal data (${personal.join(', ')}) from production documents, which the user did not ask for`,
    'mcp-production-personal-fields',
  );
}

/** Field names of a projection: the keys of `{ email: 1 }` or the strings of `["email"]`. */
function fieldNames(value: unknown): string[] {
  if (Array.isArray(value)) {
    return value.filter((each): each is string => typeof each === 'string');
  }
  if (typeof value === 'object' && value !== null) {
    return Object.keys(value);
  }
  return typeof value === 'string' ? value.split(/[\s,]+/) : [];
}
