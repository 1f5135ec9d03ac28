/**
 * Tier consent for MCP writes the user requests in plain words. A comment or review comment
 * on the pull request or issue the user names, and a draft they ask for (created, never sent),
 * need that request. A file written by a file server inside the project is judged by the
 * argument checks as the Write or Edit it amounts to.
 */
import { requestsVerb, asksWithout } from './consent.js';
import { namedItems } from './forge-targets.js';
import { isInside, resolvePath } from './paths.js';
import { asksOnlyForDraft } from './unrequested-effects.js';
import type { GuardContext, ToolCall } from './types.js';

/** Splits a tool name such as `create_pull_request_review` or `addIssueComment` into words. */
function toolWords(tool: string): string[] {
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
