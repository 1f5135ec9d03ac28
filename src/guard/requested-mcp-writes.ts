/**
 * Tier consent for MCP writes the user requests in plain words. A comment or review comment
 * on the pull request or issue the user names, and a draft they ask for (created, never sent),
 * need that request. A file written by a file server inside the project is judged by the
 * argument checks as the Write or Edit it amounts to.
 */
import { requestsFor, requestsVerb, asksWithout } from './consent.js';
import { namedItems } from './forge-targets.js';
import { containsWord } from './named-targets.js';
import { refundsNamedTarget } from './requested-host-actions.js';
import { consentsToAction, requestTextsWithContext } from './resource-consent.js';
import { namesRemoteHost, remoteCommandReadsOnly } from './remote-reads.js';
import type { ResourceAction, ResourceVerb } from './resource-actions.js';
import { isInside, resolvePath } from './paths.js';
import { asksOnlyForDraft } from './unrequested-effects.js';
import type { SimpleCommand } from './shell.js';
import type { GuardContext, ToolCall } from './types.js';

/** Splits a tool name such as `create_pull_request_review` or `addIssueComment` into words. */
export function toolWords(tool: string): string[] {
  const [, , name = ''] = tool.split('__');
  return name
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[_-]+/);
}

const COMMENT_WORDS = new Set(['comment', 'comments', 'review', 'note', 'notes', 'reply']);
/** Words of tools that change, resolve or judge something besides adding a comment. */
const NOT_COMMENT_WORDS = new Set([
  'update',
  'edit',
  'delete',
  'remove',
  'resolve',
  'dismiss',
  'approve',
  'close',
  'lock',
  'requested',
  'reviewers',
]);
/** Input keys that name the pull request, merge request or issue a comment goes on. */
const ITEM_KEYS = [
  'pull_number',
  'pullNumber',
  'pr_number',
  'prNumber',
  'issue_number',
  'issueNumber',
  'merge_request_iid',
  'mergeRequestIid',
  'iid',
  'number',
];
const COMMENT_VERBS = String.raw`comment\w*|repl(?:y|ies|ied|ying)|respond\w*|(?:leav|post|add|submit|put|drop|send|writ)\w*\b.{0,40}?\b(?:comments?|review comments?|feedback|notes?|repl(?:y|ies))\b`;
/** An item named with its repository: `acme/web#512`, `github.com/acme/web/pull/512`. */
const QUALIFIED_ITEM =
  /([\w.-]+\/[\w.-]+)(?:#|!|\/pull\/|\/issues\/|\/-\/merge_requests\/|\/merge_requests\/)(\d+)\b/g;

/** Returns the item number of a comment tool's call, or undefined for any other call. */
function commentedItem(call: ToolCall): string | undefined {
  const words = toolWords(call.tool);
  if (
    !words.some((word) => COMMENT_WORDS.has(word)) ||
    words.some((word) => NOT_COMMENT_WORDS.has(word))
  ) {
    return undefined;
  }
  const key = ITEM_KEYS.find((name) => call.input[name] !== undefined);
  const value = key === undefined ? undefined : call.input[key];
  const item = typeof value === 'number' || typeof value === 'string' ? String(value) : '';
  return /^\d+$/.test(item) ? item : undefined;
}

/**
 * Checks that an MCP call adds a comment or a review of kind COMMENT to the pull request,
 * merge request or issue the user names by number, in a request to comment, reply or leave
 * feedback ("review PR 512 and leave a comment"). When the user names several items, the
 * request must name this one. Approvals, change requests, and edits or deletions of comments
 * are not covered.
 */
export function commentsOnNamedItem(call: ToolCall, messages: string): boolean {
  const item = commentedItem(call);
  const event = call.input['event'];
  if (
    item === undefined ||
    (event !== undefined && !(typeof event === 'string' && /^comment(?:ed)?$/i.test(event))) ||
    asksOnlyForDraft(messages) ||
    commentsOnOtherItem(call, messages)
  ) {
    return false;
  }
  const named = namedItems(messages);
  const requests = requestsVerb(COMMENT_VERBS, messages);
  return named.size === 1
    ? named.has(item) && requests.length > 0
    : requests.some((request) => namedItems(request).has(item));
}

/**
 * Checks whether a comment or review goes somewhere other than what the user named: the user
 * names items by number and not this one, names this number in another repository
 * (`acme/api#512` for a call on acme/web), or the review approves or requests changes when no
 * message asks for that.
 */
export function commentsOnOtherItem(call: ToolCall, messages: string): boolean {
  const item = commentedItem(call);
  if (item === undefined) {
    return false;
  }
  const named = namedItems(messages);
  if (named.size > 0 && !named.has(item)) {
    return true;
  }
  const owner = call.input['owner'];
  const repo = call.input['repo'];
  const slug = typeof owner === 'string' && typeof repo === 'string' ? `/${owner}/${repo}` : '';
  for (const match of messages.matchAll(QUALIFIED_ITEM)) {
    if (match[2] === item && !`/${match[1] ?? ''}`.toLowerCase().endsWith(slug.toLowerCase())) {
      return true;
    }
  }
  const event = typeof call.input['event'] === 'string' ? call.input['event'] : '';
  return (
    (/^approve$/i.test(event) && requestsVerb(String.raw`approv\w*`, messages).length === 0) ||
    (/^request_changes$/i.test(event) &&
      requestsVerb(String.raw`request\w* changes`, messages).length === 0)
  );
}

/** Tool words that send, schedule or publish what a draft holds. */
const SEND_WORDS = new Set([
  'send',
  'schedule',
  'publish',
  'deliver',
  'dispatch',
  'post',
  'submit',
]);
/** Input keys that make a draft tool send or schedule it. */
const SEND_KEY = /^(?:send|send_?(?:at|now|immediately)|schedule\w*|publish\w*|deliver\w*)$/i;
/** A request for a draft: "draft the notice", "write a draft of", "save it as a draft". */
const DRAFT_REQUEST =
  /(?:^|[,;:]\s*|\b(?:please|just|and|then|to|can you|could you)\s+)draft\b|\b(?:write|prepare|compose|create|make|save|start)\b.{0,40}?\bdrafts?\b|\bas (?:a )?drafts?\b/i;

/**
 * Checks whether an MCP call publishes what the user asked only to draft: `draft: false` on a
 * release, pull request or post ("create a draft release" does not ask for a published one),
 * with no clause of the request asking to publish it.
 */
export function publishesRequestedDraft(call: ToolCall, messages: string): boolean {
  return call.input['draft'] === false && asksOnlyToDraft(messages);
}

/** Checks whether the request asks for a draft and no clause of it asks to publish. */
export function asksOnlyToDraft(messages: string): boolean {
  return asksWithout(DRAFT_REQUEST, messages) && requestsFor('publish', messages).length === 0;
}

/**
 * Checks whether a shell command publishes a release that the request asked only to draft:
 * `gh release create` without `--draft`.
 */
export function publishesRequestedDraftRelease(command: SimpleCommand, messages: string): boolean {
  return (
    command.name === 'gh' &&
    command.argv[1] === 'release' &&
    command.argv[2] === 'create' &&
    !command.argv.some((arg) => arg === '--draft' || arg === '-d' || arg === '--draft=true') &&
    asksOnlyToDraft(messages)
  );
}

/**
 * Checks that an MCP call only creates a draft (`create_draft`, `draftEmail`) that the user
 * asks for, with no argument that sends or schedules it. Creating a draft sends nothing, so
 * the recipients in it need no consent of their own. Tools that send a draft are not covered.
 */
export function createsRequestedDraft(call: ToolCall, messages: string): boolean {
  const words = toolWords(call.tool);
  if (
    !words.some((word) => word === 'draft' || word === 'drafts') ||
    words.some((word) => SEND_WORDS.has(word))
  ) {
    return false;
  }
  const sends = Object.entries(call.input).some(
    ([key, value]) =>
      SEND_KEY.test(key) && value !== false && value !== null && value !== '' && value !== 0,
  );
  return !sends && asksWithout(DRAFT_REQUEST, messages);
}

/** File-server tools that write, edit or create what their `path` argument names. */
const FILE_WRITE_TOOL =
  /^(?:(?:write|edit|create|append|save)_(?:file|text_file|directory|dir|folder)|mkdir|make_directory)$/;
/** Arguments a file write may take: its path, and what the Write or Edit checks read. */
const FILE_WRITE_KEYS = new Set(['path', 'content', 'edits', 'dryRun', 'dry_run']);

/**
 * Checks that an MCP call writes, edits or creates one file or folder through a file server,
 * at an absolute path inside the project. Such a call is the Write or Edit it amounts to, and
 * the argument checks judge it with the same protected paths, so the tool name needs no
 * consent of its own. Moves and copies (whose `source` and `destination` are not resolved
 * through links), relative paths and any other argument are not covered.
 */
export function writesProjectFile(call: ToolCall, context: GuardContext): boolean {
  if (!FILE_WRITE_TOOL.test(toolWords(call.tool).join('_'))) {
    return false;
  }
  const file = call.input['path'];
  if (
    typeof file !== 'string' ||
    !file.startsWith('/') ||
    !Object.keys(call.input).every((key) => FILE_WRITE_KEYS.has(key))
  ) {
    return false;
  }
  const target = resolvePath(file, { cwd: context.cwd, homeDir: context.homeDir ?? '/root' });
  return isInside(target, context.projectDir) && target !== context.projectDir;
}

/** Tool words that delete, shared by the MCP write checks. */
export const DELETE_TOOL_WORDS: readonly string[] = [
  'delete',
  'remove',
  'drop',
  'destroy',
  'terminate',
];
/** Tool words that act on many resources at once, shared by the MCP write checks. */
export const BULK_TOOL_WORDS: readonly string[] = [
  'all',
  'bulk',
  'batch',
  'many',
  'mass',
  'everything',
];

/** Tool words of each kind of action that {@link mcpResourceAction} reads. */
const MCP_ACTION_WORDS: readonly [ReadonlySet<string>, ResourceVerb][] = [
  // Here a purge is a delete. The write consent of mcp-requests.ts treats a cache purge apart.
  [new Set([...DELETE_TOOL_WORDS, 'purge']), 'delete'],
  [new Set(['restart', 'reboot', 'bounce']), 'restart'],
  [new Set(['comment', 'reply', 'note']), 'reply'],
];
/**
 * Tool words that act on many resources or on more than what the arguments name. An `org` or
 * `account` tool counts as wide here because its action reaches every resource in it. The
 * write consent of mcp-requests.ts does not exclude those two words.
 */
const WIDE_WORDS = new Set([...BULK_TOOL_WORDS, 'org', 'account']);
/** Arguments that name the resource the action changes. */
const MCP_TARGET_KEY =
  /^(?:names?|ids?|keys?|prefix(?:es)?|objects?|files?|paths?|urls?|[a-z][a-zA-Z]*?(?:_?(?:names?|ids?|keys?|Names?|Ids?|Keys?|IdOrKey)))$/;
/** Arguments that name a bucket holding the changed objects; a request may describe it. */
const MCP_BUCKET_KEY = /^bucket(?:_?[nN]ame)?$/;
/** Arguments that pick an environment, which the request must name. */
const MCP_ENVIRONMENT_KEY = /^(?:env|environment|environment_?[kK]ey|stage)$/;
/**
 * Arguments that pick the account, vault or service holding the target. A name such as
 * `acmeprodstore` can mark production without a separator, so the user must name it too.
 */
const MCP_HOLDER_KEY = /^(?:account|storage_?[aA]ccount|vault|service|service_?[iI]d)$/;
/**
 * Arguments that only place the resource (a namespace, region or API version). Like a shell
 * call's namespace, they may go unnamed, but a production value among them must be named.
 */
const MCP_PLACE_KEY =
  /^(?:namespace|region|zone|location|api_?[vV]ersion|kind|type|project(?:_?(?:id|key|Id|Key))?|owner|repo|recursive)$/;
/** Arguments that contain the text of a comment. */
const MCP_BODY_KEY = /^(?:body|comment|text|content|message)$/;
/** An issue key such as `OPS-2211`. */
const ISSUE_KEY = /^[A-Z][A-Z0-9]+-\d+$/;
/** Boolean arguments that switch a flag or a resource on or off. */
const MCP_SWITCH_KEY = /^(?:on|enabled?|active)$/;

/** Returns `value` as a plain name to compare with a request, or undefined for a glob, list or empty value. */
function plainValue(value: unknown): string | undefined {
  const text = typeof value === 'number' ? String(value) : value;
  return typeof text === 'string' && /^[\w.@:/+-]{2,}$/.test(text) ? text : undefined;
}

/**
 * Returns the plain names of a value that is one name or a list of up to ten names, or
 * undefined when any of them is not plain or the list is empty or longer.
 */
function plainValues(value: unknown): string[] | undefined {
  const list = Array.isArray(value) ? value : [value];
  const names = list.map(plainValue);
  return names.length === 0 || names.length > 10 || names.some((name) => name === undefined)
    ? undefined
    : (names as string[]);
}

/**
 * Reads the action an MCP call takes on the resources its arguments name: a delete, restart
 * or comment by its tool words, or a switch by an `on`/`enabled` argument of an update tool.
 * Every argument must be a target, a bucket, an environment, a place or (for a comment) the
 * body, so an unlisted argument cannot widen the action. Returns undefined otherwise.
 */
export function mcpResourceAction(call: ToolCall): ResourceAction | undefined {
  const words = toolWords(call.tool);
  if (words.some((word) => WIDE_WORDS.has(word))) {
    return undefined;
  }
  const switches = Object.keys(call.input).filter((key) => MCP_SWITCH_KEY.test(key));
  const switched = switches.length === 1 ? call.input[switches[0] ?? ''] : undefined;
  const verb =
    MCP_ACTION_WORDS.find(([verbs]) => words.some((word) => verbs.has(word)))?.[1] ??
    (typeof switched === 'boolean' &&
    words.some((word) => /^(?:update|patch|set|toggle|turn|switch)$/.test(word))
      ? switched
        ? 'activate'
        : 'deactivate'
      : undefined);
  if (verb === undefined) {
    return undefined;
  }
  const targets: string[][] = [];
  const scope: string[] = [];
  const buckets: string[] = [];
  for (const [key, value] of Object.entries(call.input)) {
    if (MCP_SWITCH_KEY.test(key) && typeof value === 'boolean') {
      continue;
    }
    if (verb === 'reply' && MCP_BODY_KEY.test(key) && typeof value === 'string') {
      continue;
    }
    if (key === 'recursive' && typeof value === 'boolean') {
      continue;
    }
    const names = plainValues(value);
    const name = names?.length === 1 ? names[0] : undefined;
    if (names === undefined) {
      return undefined;
    }
    if (MCP_BUCKET_KEY.test(key) && name !== undefined) {
      buckets.push(name);
    } else if ((MCP_ENVIRONMENT_KEY.test(key) || MCP_HOLDER_KEY.test(key)) && name !== undefined) {
      scope.push(name);
    } else if (MCP_PLACE_KEY.test(key) && name !== undefined) {
      continue;
    } else if (MCP_TARGET_KEY.test(key) || words.includes(key.toLowerCase())) {
      // Each listed name is a target of its own, and an argument named by a word of the tool
      // (`container` of `storage_container_delete`) is the resource the tool acts on.
      targets.push(...names.map((each) => [each]));
    } else {
      return undefined;
    }
  }
  // A comment goes on one issue named by its key; numbered items are read by commentsOnNamedItem.
  if (verb === 'reply' && !(targets.length === 1 && ISSUE_KEY.test(targets[0]?.[0] ?? ''))) {
    return undefined;
  }
  if (targets.length === 0) {
    // With no other target, a bucket is what the action changes, so it must be named.
    return buckets.length === 1 ? { verb, targets: [buckets], scope } : undefined;
  }
  return {
    verb,
    targets,
    scope,
    described: buckets.map((name) => ({ kind: /\bbuckets?\b/i, name })),
  };
}

/**
 * Checks that an MCP call takes the action the user requested on the resources they named,
 * by the same reading as a shell command (see resource-consent.ts): a delete, restart, comment
 * on an issue key, switch of a flag in a named environment, or a refund of a named payment
 * for the amount given.
 */
export function actsAsRequestedInMcp(call: ToolCall, messages: string): boolean {
  const words = toolWords(call.tool);
  if (words.includes('refund') && words.some((word) => word === 'create' || word === 'refund')) {
    return refundsRequestedPayment(call, messages);
  }
  if (movesNamedItem(call, messages) || sendsToOwnAddress(call, messages)) {
    return true;
  }
  const action = mcpResourceAction(call);
  if (action === undefined) {
    return false;
  }
  const values = Object.values(call.input)
    .flat()
    .filter((value) => typeof value === 'string');
  return consentsToAction(action, values, messages);
}

/** Keys that name an audience rather than addresses: a segment, a list, a cohort. */
const AUDIENCE_KEY = /(?:^|_)(?:segments?|lists?|audiences?|cohorts?|groups?|contacts?)(?:_|$)/;

/**
 * Checks whether a test send names an audience. A test goes to the addresses the user gives,
 * and an audience reaches people the request does not name, whatever it is called ("all
 * customers"), so no consent reader may allow such a call.
 */
export function sendsTestToAudience(call: ToolCall): boolean {
  return (
    toolWords(call.tool).some((word) => word === 'test' || word === 'preview') &&
    Object.keys(call.input).some((key) =>
      AUDIENCE_KEY.test(key.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase()),
    )
  );
}

/** Arguments of a refund tool: the payment or PayPal capture, the amount in minor units and a reason. */
const REFUND_KEYS = new Set([
  'payment_intent',
  'charge',
  'amount',
  'reason',
  'paymentIntent',
  'capture_id',
  'captureId',
]);

/**
 * Checks that a refund tool refunds the charge or payment intent the user named, for the amount
 * they gave, as `stripe refunds create` is read in the shell.
 */
function refundsRequestedPayment(call: ToolCall, messages: string): boolean {
  if (!Object.keys(call.input).every((key) => REFUND_KEYS.has(key))) {
    return false;
  }
  const target =
    call.input['payment_intent'] ??
    call.input['paymentIntent'] ??
    call.input['charge'] ??
    call.input['capture_id'] ??
    call.input['captureId'];
  const amount = call.input['amount'];
  return (
    typeof target === 'string' &&
    (amount === undefined || typeof amount === 'number') &&
    refundsNamedTarget(target, amount === undefined ? undefined : String(amount), messages)
  );
}

/** A wish to see a change before it goes in: "I want to review it before it lands". */
const REVIEW_FIRST =
  /\b(?:review|look (?:it |this |them )?over|see|read|check)\b.{0,40}?\bbefore\b.{0,40}?\b(?:lands?|merg\w*|goes in|gets? (?:in|merged)|ships?)\b/i;

/** A refusal to put the change anywhere but this machine: "don't push anything". */
const REFUSES_PUSH =
  /\b(?:don'?t|do not|never|no)\b[^.;!?\n]{0,30}\b(?:push\w*|open\w*|creat\w*|PRs?|pull requests?|upload\w*)\b/i;

/**
 * Checks that an MCP call opens a pull request in the repository a request of the user names
 * ("bump the provider in acme/infra"), when they say they want to review the change before it
 * lands: a pull request is how a change is put up for review. A draft PR counts too. Merging it
 * is a separate call that keeps asking.
 */
export function opensPullRequestForReview(
  call: ToolCall,
  messages: string,
  allMessages: string,
): boolean {
  const words = toolWords(call.tool);
  const opens =
    words.includes('create') &&
    (words.includes('pull') || (words.includes('merge') && words.includes('request')));
  const owner = call.input['owner'];
  const repo = call.input['repo'] ?? call.input['project'];
  if (!opens || typeof repo !== 'string') {
    return false;
  }
  const slug = typeof owner === 'string' ? `${owner}/${repo}` : repo;
  const review = allMessages
    .split(/(?<=[.!?;])\s+|\n+/)
    .some(
      (sentence) =>
        REVIEW_FIRST.test(sentence) &&
        !/\b(?:don'?t|do not|never|no)\b/i.test(
          sentence.slice(0, REVIEW_FIRST.exec(sentence)?.index),
        ),
    );
  return (
    review &&
    !REFUSES_PUSH.test(allMessages) &&
    messages
      .split('\n')
      .some((request) => containsWord(request, slug) && !/\blocal(?:ly)?\b/i.test(request))
  );
}

/** Arguments of a browser typing tool (Playwright MCP `browser_type`). */
const TYPE_KEYS = new Set(['element', 'ref', 'text', 'submit', 'slowly']);
/** Field descriptions and request words that mark typed text as a secret. */
const SECRET_FIELD =
  /pass|token|secret|api.?key|private.?key|\bkey\b|otp|one.?time|\bcode\b|\bpin\b|card|cvv|cvc|ssn|credential|2fa|mfa/i;
const TYPE_VERBS = String.raw`log\w* (?:in(?:to)?|on(?:to)?)|sign\w* (?:in|up|on)|typ\w*|enter\w*|fill\w*|search\w*|put\w*|us(?:e|ing)|try\w*`;
/** A value that looks like a key or token: long, with no space or `@`, letters and digits mixed. */
const KEY_LIKE = /^(?=[^\s@]*\d)(?=[^\s@]*[a-z])[^\s@]{16,}$/i;

/**
 * Checks that a browser typing call types text the user gave in a request to log in, type,
 * enter, fill in or search ("log in with the test account test@example.com"), into a field
 * that is not for a secret. Text the user calls a password, token, key or code, text that
 * looks like a key, and any field whose description names a secret are not covered, so
 * typing them keeps asking.
 */
export function typesRequestedText(call: ToolCall, messages: string): boolean {
  const words = toolWords(call.tool);
  if (words.includes('form') || words.includes('fill')) {
    return fillsLocalFormAsRequested(call, messages);
  }
  const text = call.input['text'];
  const element = call.input['element'];
  if (
    !words.includes('type') ||
    !Object.keys(call.input).every((key) => TYPE_KEYS.has(key)) ||
    typeof text !== 'string' ||
    text.length < 3 ||
    text.length > 200 ||
    KEY_LIKE.test(text) ||
    (typeof element === 'string' && SECRET_FIELD.test(element))
  ) {
    return false;
  }
  return requestsVerb(TYPE_VERBS, messages).some(
    (request) => request.includes(text) && !SECRET_FIELD.test(request.replace(text, ' ')),
  );
}

/** Tool words of an MCP tool that runs one command on a remote host. */
const REMOTE_RUN_WORDS = new Set([
  'ssh',
  'remote',
  'execute',
  'exec',
  'run',
  'command',
  'cmd',
  'shell',
]);
/** Arguments of such a tool: the host and the command. */
const REMOTE_RUN_KEYS = new Set(['host', 'hostname', 'server', 'command', 'cmd']);

/**
 * Checks that an MCP call runs a read-only command (see remote-reads.ts) on a host the user
 * named ("check replication lag on db-replica-2"). The command text is also judged as a
 * shell command on its own, so this only decides that the call changes nothing remote.
 */
export function readsOnNamedRemoteHost(call: ToolCall, messages: string): boolean {
  const words = toolWords(call.tool);
  const host = call.input['host'] ?? call.input['hostname'] ?? call.input['server'];
  const command = call.input['command'] ?? call.input['cmd'];
  return (
    words.every((word) => REMOTE_RUN_WORDS.has(word)) &&
    Object.keys(call.input).every((key) => REMOTE_RUN_KEYS.has(key)) &&
    typeof host === 'string' &&
    typeof command === 'string' &&
    namesRemoteHost(messages, host) &&
    remoteCommandReadsOnly(command)
  );
}

/** Tool words of a call that moves an item to another state or assignee. */
const MOVE_WORDS = new Set(['transition', 'move', 'update', 'set', 'assign', 'edit', 'change']);
/** Arguments that give an item's new state, column or assignee. */
const STATE_KEYS = new Set(['transition', 'state', 'status', 'column', 'stage', 'lane']);
const ASSIGNEE_KEYS = new Set(['assignee', 'assignee_id', 'assigneeId', 'owner']);
/** Arguments that name the moved item. */
const ITEM_KEY =
  /^(?:id|key|item|item_?[iI]d|issue|issue_?(?:id|key|Id|Key)|ticket|ticket_?(?:id|key|Id|Key)|issueIdOrKey)$/;
/** An assignee value that means the user who asks. */
const SELF = /^@?(?:me|self|myself)$/i;
const MOVE_VERBS = String.raw`mov\w*|mark\w*|transition\w*|set\w*|put\w*|chang\w*|flip\w*|switch\w*|clos\w*|reopen\w*|resolv\w*|tak(?:e|es|ing)|grab\w*|pick\w* up|assign\w*`;
/** Request words by which the user takes an item: "take PLAT-219", "assign it to me". */
const TAKES_ITEM =
  /\b(?:tak(?:e|es|ing)|grab\w*|pick\w* (?:it |this |that )?up|assign\w* (?:it |this |that )?to me|assign me|I'll own)\b/i;

/** Checks that `request` names every word of a state such as "In Progress", in order. */
function namesState(request: string, state: string): boolean {
  const words = state.match(/[a-z0-9]+/gi) ?? [];
  return words.length > 0 && new RegExp(`\\b${words.join('[\\s_-]+')}\\b`, 'i').test(request);
}

/**
 * Checks that an MCP call moves one item that a request names by its key or id (`ACME-412`)
 * to the state the request names ("move ACME-412 to Done", "mark it in progress"), or assigns
 * it to the user who asked to take it. A pronoun request reads the sentence before it for the
 * key. Every other argument, a list of items, and an assignee other than the user are not
 * covered.
 */
export function movesNamedItem(call: ToolCall, messages: string): boolean {
  const words = toolWords(call.tool);
  if (!words.some((word) => MOVE_WORDS.has(word))) {
    return false;
  }
  let item: string | undefined;
  const states: string[] = [];
  let assignsSelf = false;
  for (const [key, value] of Object.entries(call.input)) {
    if (typeof value !== 'string' || value.length > 60) {
      return false;
    }
    if (ITEM_KEY.test(key) && item === undefined) {
      item = value;
    } else if (STATE_KEYS.has(key)) {
      states.push(value);
    } else if (ASSIGNEE_KEYS.has(key) && SELF.test(value)) {
      assignsSelf = true;
    } else {
      return false;
    }
  }
  if (item === undefined || !ISSUE_KEY.test(item) || (states.length === 0 && !assignsSelf)) {
    return false;
  }
  const requests = requestTextsWithContext(requestsVerb(MOVE_VERBS, messages), messages);
  return requests.some(
    (request) =>
      containsWord(request, item) &&
      states.every((state) => namesState(request, state)) &&
      (!assignsSelf || TAKES_ITEM.test(request)),
  );
}

const MAIL_WORDS = new Set(['send', 'email', 'mail', 'message']);
const SEND_KEYS = new Set(['to', 'subject', 'body', 'text', 'html', 'content']);
const SEND_VERBS = String.raw`e-?mail\w*|mail\w*|send\w*|sent|forward\w*`;
/** An email address, whole. */
const EMAIL_ADDRESS = /^[\w.+-]+@[\w-]+(?:\.[\w-]+)+$/;

/**
 * Checks that an MCP call sends one message to one address that a request to email or send
 * names as the user's own ("email me (ana@acme.com) the summary", "send it to my address
 * ana@acme.com"). Copies, attachments, several recipients and addresses of other people are
 * not covered, and a secret in the message is caught before this is read.
 */
export function sendsToOwnAddress(call: ToolCall, messages: string): boolean {
  const words = toolWords(call.tool);
  const to = call.input['to'];
  const address = Array.isArray(to) && to.length === 1 ? to[0] : to;
  if (
    !words.some((word) => MAIL_WORDS.has(word)) ||
    !Object.keys(call.input).every((key) => SEND_KEYS.has(key)) ||
    typeof address !== 'string' ||
    !EMAIL_ADDRESS.test(address)
  ) {
    return false;
  }
  return requestsVerb(SEND_VERBS, messages).some(
    (request) =>
      request.toLowerCase().includes(address.toLowerCase()) &&
      /\b(?:me|myself|my)\b/i.test(request),
  );
}

const FORM_KEYS = new Set(['url', 'fields', 'values', 'submit']);
const LOOPBACK_URL = /^https?:\/\/(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d+)?(?:[/?#]|$)/i;

/**
 * Checks that a browser form call fills a page on this machine (`http://localhost:3000/login`)
 * with values that one request to log in, fill in or use gives word for word ("log into my
 * local app with the seeded test user test@example.com / test1234"). A password the user gave
 * for a local app goes nowhere else, so it is covered here, unlike typing into a remote page.
 * A form on any other host, a value the request does not give, and a value that looks like a
 * key are not covered.
 */
function fillsLocalFormAsRequested(call: ToolCall, messages: string): boolean {
  const url = call.input['url'];
  const fields = call.input['fields'] ?? call.input['values'];
  if (
    !Object.keys(call.input).every((key) => FORM_KEYS.has(key)) ||
    typeof url !== 'string' ||
    !LOOPBACK_URL.test(url) ||
    typeof fields !== 'object' ||
    fields === null ||
    Array.isArray(fields)
  ) {
    return false;
  }
  const values = Object.values(fields);
  if (
    values.length === 0 ||
    values.some((value) => typeof value !== 'string' || value.length < 3 || KEY_LIKE.test(value))
  ) {
    return false;
  }
  return requestsVerb(TYPE_VERBS, messages).some(
    (request) =>
      /\b(?:local(?:ly)?|localhost|127\.0\.0\.1|on this machine|dev server)\b/i.test(request) &&
      values.every((value) => containsWord(request, value as string)),
  );
}
