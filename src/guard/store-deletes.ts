/**
 * Consent to deletes in a data store or registry that the user asked for by name: "delete
 * version 3 of fraud-detector", "the orders_archive collection in dev is huge, drop it",
 * "delete the test users in dev, the ones with emails ending in @test.acme.com". A request
 * must ask to delete and name every item the call deletes. A delete of many records must
 * carry a filter whose values the messages give, and a delete of many records or a drop of a
 * collection must be in a store the messages call by a non-production name ("in dev").
 */
import { requestsVerb } from './consent.js';
import { containsWord } from './named-targets.js';
import { PRODUCTION_PART } from './production-names.js';
import { DELETE_TOOL_WORDS, toolWords } from './requested-mcp-writes.js';
import type { ToolCall } from './types.js';

/** Request verbs that ask to delete. */
const DELETE_VERBS = String.raw`delet\w*|drop\w*|remov\w*|clear\w*|clean\w*|purg\w*|wip\w*`;
/** Tool words that reach every record or item at once, which no request by name covers. */
const UNBOUNDED_WORDS = new Set(['all', 'bulk', 'everything', 'database', 'databases', 'db']);
/** Arguments that pick the store: a database, project or schema. */
const STORE_KEY =
  /^(?:database|db|database_?name|project|project_?(?:id|ref)|schema|instance|cluster)$/i;
/** Arguments that pick the item deleted. */
const ITEM_KEY =
  /^(?:collection|table|index|name|version|id|key|tag|digest|repository|repo|model|model_?name|collection_?name|table_?name|index_?name)$/i;
/** Arguments that select the records deleted. */
const FILTER_KEY = /^(?:filter|query|where|selector)$/i;
/** Arguments that carry an SQL statement. */
const SQL_KEY = /^(?:sql|query|statement)$/i;
/** Words that call a store non-production, in the messages or as a part of its name. */
const NON_PRODUCTION = /^(?:dev|development|test|testing|staging|stage|qa|sandbox|local|scratch)$/i;
/** Switches that widen a delete when true. */
const WIDENING_SWITCH = /all|force|recursive|cascade|many|drop/i;

/** Returns the literal values in a filter, at any depth, leaving out its operators. */
function filterValues(value: unknown): string[] | undefined {
  if (typeof value === 'string' || typeof value === 'number') {
    return [String(value)];
  }
  if (Array.isArray(value)) {
    const nested = value.map(filterValues);
    return nested.every((each) => each !== undefined) ? nested.flat() : undefined;
  }
  if (typeof value === 'object' && value !== null) {
    const nested = Object.values(value).map(filterValues);
    return nested.every((each) => each !== undefined) ? nested.flat() : undefined;
  }
  return undefined;
}

/**
 * Returns the text a filter value matches, without the pattern syntax of a regular expression
 * or an SQL `LIKE`: `@test\.acme\.com$` and `%@test.acme.com` give `@test.acme.com`.
 */
function literalOf(value: string): string {
  return value
    .replace(/^\^|\$$/g, '')
    .replace(/^\.\*|\.\*$/g, '')
    .replace(/\\(.)/g, '$1')
    .replace(/^%|%$/g, '');
}

/** Checks that the messages give a filter value: its literal text appears in them. */
function givesValue(messages: string, value: string): boolean {
  const literal = literalOf(value).toLowerCase();
  return (
    literal.length >= 3 &&
    !/[*?[\]()|+{}]/.test(literal) &&
    messages.toLowerCase().includes(literal)
  );
}

/** Checks that the messages call a store by a non-production name, as a word or a part of it. */
function callsNonProduction(messages: string, store: string): boolean {
  if (PRODUCTION_PART.test(store)) {
    return false;
  }
  if (containsWord(messages, store)) {
    return true;
  }
  return store
    .split(/[-_.]+/)
    .some((part) => NON_PRODUCTION.test(part) && containsWord(messages, part));
}

/**
 * Returns the condition literals of a single `DELETE FROM … WHERE …` statement, or undefined
 * when `sql` is anything else.
 * NOTE: the table is not compared with the request, only the condition's values and the store.
 */
function deleteConditionValues(sql: string): string[] | undefined {
  const statement = sql.trim().replace(/;\s*$/, '');
  const match = /^delete\s+from\s+[\w."]+\s+where\s+([^;]+)$/i.exec(statement);
  if (match === null) {
    return undefined;
  }
  const literals = [...(match[1] ?? '').matchAll(/'([^']*)'/g)].map((each) => each[1] ?? '');
  return literals.length > 0 ? literals : undefined;
}

/** A delete's arguments, sorted for the checks. */
interface SortedDelete {
  stores: string[];
  items: string[];
  filters: string[];
  many: boolean;
}

/** Sorts a delete's arguments; undefined when one is of no known kind. */
function sortDelete(input: ToolCall['input']): SortedDelete | undefined {
  const sorted: SortedDelete = { stores: [], items: [], filters: [], many: false };
  for (const [key, value] of Object.entries(input)) {
    if (typeof value === 'string' && SQL_KEY.test(key)) {
      // Only a single conditional DELETE is read. Any other statement is left to the SQL checks.
      const conditions = deleteConditionValues(value);
      if (conditions === undefined) {
        return undefined;
      }
      sorted.filters.push(...conditions);
      sorted.many = true;
    } else if (typeof value === 'boolean') {
      if (value && WIDENING_SWITCH.test(key)) {
        return undefined;
      }
    } else if (FILTER_KEY.test(key)) {
      const values = filterValues(value);
      if (values === undefined || values.length === 0) {
        return undefined;
      }
      sorted.filters.push(...values);
      sorted.many = true;
    } else if (STORE_KEY.test(key) && typeof value === 'string') {
      sorted.stores.push(value);
    } else if (ITEM_KEY.test(key) && (typeof value === 'string' || typeof value === 'number')) {
      sorted.items.push(String(value));
    } else {
      return undefined;
    }
  }
  return sorted;
}

/**
 * Checks that an MCP delete in a data store or registry is one the user asked for, as the
 * module comment describes. `standing` is the standing requests of the user and `allMessages`
 * all their messages, which may name the item before a request refers to it ("drop it").
 */
export function requestsStoreDelete(
  call: ToolCall,
  standing: string,
  allMessages: string,
): boolean {
  const words = toolWords(call.tool);
  const sqlTool = words.includes('sql') || words.includes('query');
  if (
    (!words.some((word) => DELETE_TOOL_WORDS.includes(word)) && !sqlTool) ||
    words.some((word) => UNBOUNDED_WORDS.has(word))
  ) {
    return false;
  }
  const sorted = sortDelete(call.input);
  if (sorted === undefined || (sorted.items.length === 0 && sorted.filters.length === 0)) {
    return false;
  }
  const dropsWhole = words.some((word) => /^(?:collection|table|index)$/.test(word));
  if (
    (sorted.many || dropsWhole) &&
    (sorted.stores.length === 0 ||
      !sorted.stores.every((store) => callsNonProduction(allMessages, store)))
  ) {
    return false;
  }
  return requestsVerb(DELETE_VERBS, standing).some(
    (request) =>
      sorted.items.every(
        (item) =>
          containsWord(request, item) ||
          (/\b(?:it|them|that|those|these)\b/i.test(request) && containsWord(allMessages, item)),
      ) &&
      sorted.filters.every((value) => givesValue(allMessages, value)) &&
      sorted.stores.every((store) => !PRODUCTION_PART.test(store) || containsWord(request, store)),
  );
}
