/**
 * Consent to an update of an item on a tracker, forge or registry that moves it to a named
 * state or stage, or gives it to named people: "move ENG-2211 to In Review", "assign it to
 * Sam", "promote fraud-detector version 14 to Staging", "ask Sam (sam-acme) to review it".
 * Each new value must be named by a standing request whose verb asks for that change, and
 * every other argument must pick the item or its place. A production value must be named by
 * the request itself.
 */
import { requestsVerb } from './consent.js';
import { containsWord } from './named-targets.js';
import { PRODUCTION_PART } from './production-names.js';
import { toolWords } from './requested-mcp-writes.js';
import type { ToolCall } from './types.js';

/** Tool words of an update of one item. */
const UPDATE_WORDS = new Set([
  'update',
  'edit',
  'patch',
  'set',
  'transition',
  'move',
  'assign',
  'request',
  'add',
  'change',
]);
/** Tool words that do more than move or give an item, which other checks judge. */
const OTHER_ACTION_WORDS = new Set([
  'delete',
  'remove',
  'merge',
  'close',
  'publish',
  'deploy',
  'permission',
  'permissions',
  'role',
  'roles',
  'member',
  'members',
  'access',
  'bulk',
  'all',
]);

/** A kind of change an update makes: the arguments that carry it and the verbs that ask for it. */
interface ChangeKind {
  key: RegExp;
  verbs: string;
  /** Whether the item may go unnamed when only this kind changes. */
  unnamedItem: boolean;
}

/** A change of an item's state, stage or transition. */
const STATE_KIND: ChangeKind = {
  key: /^(?:stage|state|status|state_?id|status_?id|transition|new_?stage|to_?stage)$/i,
  verbs: String.raw`promot\w*|mov\w*|transition\w*|set\w*|mark\w*|put\w*|chang\w*|resolv\w*|reopen\w*|switch\w*`,
  unnamedItem: false,
};

const CHANGE_KINDS: readonly ChangeKind[] = [
  STATE_KIND,
  {
    key: /^(?:reviewers?|team_?reviewers|assignees?|assignee_?ids?|assign_?to)$/i,
    verbs: String.raw`assign\w*|ask\w*|request\w*|add\w*|get\w*|hav\w*|giv\w*|hand\w*`,
    unnamedItem: true,
  },
];
/** Arguments that pick the item an update changes. */
const ITEM_KEY =
  /^(?:id|key|number|name|version|identifier|issue_?(?:id|key|number)|pull_?(?:number|request_?number)|pr_?number|ticket_?id|task_?id|card_?id|model_?(?:name|version))$/i;
/** Arguments that pick the place of the item: its owner, repository, project or team. */
const PLACE_KEY =
  /^(?:owner|repo|repository|org|organi[sz]ation(?:_?slug)?|project(?:_?(?:id|key|slug))?|team(?:_?(?:id|key))?|workspace|registry)$/i;
/** Switches that widen an update when true. */
const WIDENING_SWITCH = /all|force|recursive|cascade|public|notify/i;
/** Kind words that open a slug of a value, such as `state` in `state-in-review`. */
const SLUG_KIND = /^(?:state|status|stage|user|usr|member|person|team|label)$/i;

/**
 * Checks whether `text` names `value`: as a word, or, for a slug opened by a kind word such as
 * `user-sam` or `state-in-review`, by the words after it ("Sam", "In Review"). A number is
 * also named with a `v` prefix, as versions are ("v15").
 */
export function namesChangeValue(text: string, value: string | number): boolean {
  const word = String(value);
  if (word !== '' && containsWord(text, word)) {
    return true;
  }
  // A version number is also named with its `v` prefix ("v15").
  if (/^\d+$/.test(word) && containsWord(text, `v${word}`)) {
    return true;
  }
  const parts = word.split(/[-_.]+/);
  if (parts.length < 2 || !SLUG_KIND.test(parts[0] ?? '')) {
    return false;
  }
  const rest = parts.slice(1);
  return (
    containsWord(text.replace(/\s+/g, ' '), rest.join(' ')) ||
    rest.every((part) => part.length >= 3 && containsWord(text, part))
  );
}

/** Returns the string and number values of an argument, or undefined when it contains others. */
function leafValues(value: unknown): (string | number)[] | undefined {
  const values = Array.isArray(value) ? value : [value];
  return values.length > 0 &&
    values.length <= 10 &&
    values.every((each) => typeof each === 'string' || typeof each === 'number')
    ? (values as (string | number)[])
    : undefined;
}

/**
 * Returns the id or name of a transition given as an object, such as Jira's
 * `transition: {"id": "31"}`, or `value` itself when it is no such object.
 */
function referencedValue(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return value;
  }
  const entries = Object.entries(value);
  const [key, inner] = entries[0] ?? [];
  return entries.length === 1 && (key === 'id' || key === 'name') ? inner : value;
}

/** States that close an item, which a request to close or resolve asks for without naming. */
const CLOSED_STATE = /^(?:done|closed?|completed?|resolved?|finished)$/i;
const CLOSE_VERBS = String.raw`clos\w*|resolv\w*|complet\w*|finish\w*`;

/**
 * Checks that some standing request of `kind`'s verbs names every value, and names a
 * production value itself. A closed state is also asked for by a request to close that names
 * every item: "close OPS-77" sets `stateId: "done"`.
 */
function requestsChange(
  kind: ChangeKind,
  values: (string | number)[],
  standing: string,
  items: readonly (string | number)[],
): boolean {
  const closes =
    kind === STATE_KIND &&
    items.length > 0 &&
    values.every((value) => CLOSED_STATE.test(String(value))) &&
    requestsVerb(CLOSE_VERBS, standing).some((request) =>
      items.every((item) => containsWord(request, String(item))),
    );
  return (
    closes ||
    requestsVerb(kind.verbs, standing).some((request) =>
      values.every((value) => namesChangeValue(request, value)),
    )
  );
}

/**
 * Checks that an MCP update moves a named item to a named state or gives it to named people,
 * as the module comment describes. `standing` is the standing requests of the user (see
 * standing-requests.ts) and `allMessages` every user message, which may name the item in a
 * question before the request refers to it ("What's causing ACME-WEB-4F2?" and then "mark
 * that issue resolved").
 */
export function requestsItemUpdate(call: ToolCall, standing: string, allMessages: string): boolean {
  const words = toolWords(call.tool);
  if (
    !words.some((word) => UPDATE_WORDS.has(word)) ||
    words.some((word) => OTHER_ACTION_WORDS.has(word))
  ) {
    return false;
  }
  const items = Object.entries(call.input).flatMap(([key, value]) =>
    ITEM_KEY.test(key) && !CHANGE_KINDS.some((each) => each.key.test(key))
      ? (leafValues(value) ?? [])
      : [],
  );
  const changed: ChangeKind[] = [];
  for (const [key, value] of Object.entries(call.input)) {
    const kind = CHANGE_KINDS.find((each) => each.key.test(key));
    const values = leafValues(kind === undefined ? value : referencedValue(value));
    if (kind !== undefined) {
      if (values === undefined || !requestsChange(kind, values, standing, items)) {
        return false;
      }
      changed.push(kind);
    } else if (typeof value === 'boolean') {
      if (value && WIDENING_SWITCH.test(key)) {
        return false;
      }
    } else if (ITEM_KEY.test(key) && values !== undefined) {
      continue;
    } else if (!PLACE_KEY.test(key) || values === undefined) {
      return false;
    }
  }
  if (changed.length === 0) {
    return false;
  }
  const itemNamed = items.every((item) => namesChangeValue(allMessages, item));
  const strings = Object.values(call.input)
    .flat()
    .filter((value) => typeof value === 'string');
  return (
    (itemNamed || changed.every((kind) => kind.unnamedItem)) &&
    strings.every((value) => !PRODUCTION_PART.test(value) || containsWord(standing, value))
  );
}
