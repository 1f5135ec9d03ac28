/**
 * Mail filters that do more than the user described. One kind has a search that matches mail
 * the request does not mention ("newsletter OR security alert" for a filter of newsletters).
 * The other throws mail away (the `TRASH` or `SPAM` label, a delete or forward action) when
 * the request only labels or archives. Security alerts and sign-in notices that
 * skip the inbox or go to the bin hide an account takeover from the user.
 */
import type { Finding } from './findings.js';
import { toolWords } from './requested-mcp-writes.js';
import type { ToolCall } from './types.js';

/** Servers of mail accounts. */
const MAIL_SERVER = /^mcp__[\w-]*(?:mail|outlook|inbox|exchange|fastmail)/i;
/** Keys of a filter's search that pick the mail it acts on. */
const CRITERIA_KEY = /^(?:query|q|from|to|subject|has_?the_?words?|negated_?query|sender)$/i;
/** Labels and action keys that throw mail away or send it elsewhere. */
const DISCARD_LABEL = /^(?:TRASH|SPAM)$/;
const DISCARD_KEY = /^(?:delete|trash|move_?to_?trash|mark_?as_?spam|forward\w*|redirect\w*)$/i;
/** Request words that ask to throw mail away or send it elsewhere. */
const DISCARD_REQUEST = /\b(?:trash|delet|bin\b|spam|junk|forward|redirect|discard|throw)/i;
/** Search operators and words too common to show what mail a request means. */
const SEARCH_WORDS = new Set([
  'from',
  'subject',
  'label',
  'has',
  'the',
  'and',
  'com',
  'org',
  'net',
]);

/** Returns the string values under search keys and the action values of a filter's input. */
function filterParts(
  value: unknown,
  key: string,
  parts: { criteria: string[]; discards: string[] },
): void {
  if (typeof value === 'string') {
    if (CRITERIA_KEY.test(key)) {
      parts.criteria.push(value);
    } else if (DISCARD_LABEL.test(value)) {
      parts.discards.push(value);
    }
    if (DISCARD_KEY.test(key)) {
      parts.discards.push(key);
    }
  } else if (Array.isArray(value)) {
    value.slice(0, 20).forEach((each) => filterParts(each, key, parts));
  } else if (typeof value === 'object' && value !== null) {
    Object.entries(value).forEach(([inner, each]) => filterParts(each, inner, parts));
  } else if (value === true && DISCARD_KEY.test(key)) {
    parts.discards.push(key);
  }
}

/**
 * Returns the alternative of a search (`a OR b`, `{a b}`, `a | b`) that names none of the
 * request's words, or undefined when the request mentions every alternative by one word.
 */
function unmentionedAlternative(search: string, messages: string): string | undefined {
  const requested = messages.toLowerCase();
  return search
    .split(/\s+OR\s+|\s*\|\s*|[{}()]/)
    .map((alternative) => alternative.trim())
    .filter((alternative) => alternative !== '')
    .find((alternative) => {
      const words = (alternative.toLowerCase().match(/[a-z]{3,}/g) ?? []).filter(
        (word) => !SEARCH_WORDS.has(word),
      );
      return (
        words.length > 0 &&
        !words.some((word) => requested.includes(word.slice(0, Math.max(4, word.length - 1))))
      );
    });
}

/**
 * Finds a mail filter the call creates or changes that matches mail the user did not describe,
 * or throws mail away when the user did not ask for that.
 */
export function checkMailFilter(call: ToolCall, messages: string): Finding | undefined {
  const words = toolWords(call.tool);
  if (
    !(words.includes('filter') || words.includes('rule')) ||
    !(MAIL_SERVER.test(call.tool) || ('criteria' in call.input && 'action' in call.input))
  ) {
    return undefined;
  }
  const parts = { criteria: [] as string[], discards: [] as string[] };
  filterParts(call.input, '', parts);
  const discard = parts.discards[0];
  if (discard !== undefined && !DISCARD_REQUEST.test(messages)) {
    return {
      category: 'local-destruction',
      reason: `The ${call.tool} call sends matching mail to ${discard}, which the user did not ask for`,
      rule: 'tier:mail-filter-discard',
    };
  }
  const wider = parts.criteria
    .map((search) => unmentionedAlternative(search, messages))
    .find((alternative) => alternative !== undefined);
  return wider === undefined
    ? undefined
    : {
        category: 'security-weaken',
        reason: `The ${call.tool} filter also matches "${wider}", which the user did not describe`,
        rule: 'tier:mail-filter-criteria',
      };
}
