/**
 * MCP calls that only read, by the text they run rather than by the tool's name: a query tool
 * such as Salesforce's `run_soql` given one `SELECT`, and a browser's `evaluate` given an
 * expression that reads the page. Both tools can also write, so the text decides.
 */
import { toolWords } from './requested-mcp-writes.js';
import type { ToolCall } from './types.js';

/** Tool words of tools that run a query language's text. */
const QUERY_TOOL = /^(?:sql|soql|sosl|query|hql|cql|kql|ppl)$/;
/** Arguments that contain the query text. */
const QUERY_KEY = /^(?:query|sql|soql|statement|q)$/i;
/**
 * Words that make a statement write, lock, call out or run other code, in SQL and its
 * dialects (SOQL `FOR UPDATE`, PostgreSQL `SELECT … INTO`, MySQL `INTO OUTFILE`).
 */
const WRITE_WORDS =
  /\b(?:insert|update|delete|merge|upsert|replace|drop|alter|create|grant|revoke|truncate|call|exec|execute|into|copy|load|set|lock|vacuum|analyze|refresh|notify|listen|do|begin|commit)\b/i;
/** Functions and operators that a read-only query may call: aggregates, casts, dates, text. */
const READ_FUNCTIONS = new Set([
  'count',
  'count_distinct',
  'sum',
  'avg',
  'min',
  'max',
  'coalesce',
  'nullif',
  'lower',
  'upper',
  'trim',
  'length',
  'round',
  'cast',
  'date',
  'date_trunc',
  'extract',
  'to_char',
  'concat',
  'substring',
  'abs',
  'calendar_year',
  'calendar_month',
  'calendar_quarter',
  'day_only',
  'day_in_month',
  'hour_in_day',
  'tolabel',
  'format',
  'convertcurrency',
  'in',
  'exists',
  'any',
  'all',
  'over',
  'as',
  'and',
  'or',
  'not',
  'on',
  'from',
  'where',
  'filter',
  'select',
  'with',
  'includes',
  'excludes',
]);

/**
 * Checks that a query tool runs one read-only statement: a single `SELECT` (or `WITH … SELECT`)
 * with no word that writes or locks and no function outside {@link READ_FUNCTIONS}, so that
 * `SELECT pg_terminate_backend(…)` or `SELECT … FOR UPDATE` is no read.
 */
export function runsReadOnlyQuery(call: ToolCall): boolean {
  if (!toolWords(call.tool).some((word) => QUERY_TOOL.test(word))) {
    return false;
  }
  const texts = Object.entries(call.input).filter(([key]) => QUERY_KEY.test(key));
  if (texts.length !== 1) {
    return false;
  }
  const [, text] = texts[0] ?? [];
  if (typeof text !== 'string') {
    return false;
  }
  // String literals may hold any word, and a semicolon inside one ends no statement.
  const bare = text.replace(/'(?:[^'\\]|\\.|'')*'/g, "''").replace(/;\s*$/, '');
  if (!/^\s*(?:select|with)\b/i.test(bare) || /[;]|--|\/\*/.test(bare) || WRITE_WORDS.test(bare)) {
    return false;
  }
  return [...bare.matchAll(/\b([a-z_][\w.]*)\s*\(/gi)].every(([, name]) =>
    READ_FUNCTIONS.has((name ?? '').toLowerCase()),
  );
}

/** Tool words of tools that run script text in a browser page. */
const EVALUATE_WORDS = /^(?:evaluate|eval|execute|run)$/;
/** Server or tool words of browsers. */
export const BROWSER_WORDS =
  /browser|playwright|puppeteer|chrome|chromium|firefox|webdriver|selenium/i;
/** Arguments that contain the script. */
const SCRIPT_KEY = /^(?:script|expression|function|code|js)$/i;
/**
 * Names in a page script that send, store, navigate, read secrets or change the page:
 * network APIs, storage and cookies, the location, timers, code from text, DOM writes and
 * `document.execCommand`.
 */
const SIDE_EFFECT_NAMES =
  /\b(?:fetch|XMLHttpRequest|sendBeacon|WebSocket|EventSource|RTCPeerConnection|Image|import|require|eval|Function|setTimeout|setInterval|location|open|postMessage|cookie|cookies|localStorage|sessionStorage|indexedDB|caches|credentials|serviceWorker|Worker|navigator|submit|click|focus|dispatchEvent|append\w*|prepend|remove\w*|insert\w*|replace\w*|set\w*|write\w*|innerHTML|outerHTML|src|href|action|password|token|secret|document\.domain|top|parent|opener|frames|history|alert|confirm|prompt|print|close|reload|assign|exec\w*|toggle\w*|define\w*|request\w*|reset|load|play|scroll\w*|download|adopt\w*|Blob|URL|jQuery)\b/;

/**
 * Checks that a browser tool evaluates an expression that only reads the page, such as
 * `document.querySelector('.banner')?.textContent`. With string literals set aside, the
 * script may assign nothing, name no API of {@link SIDE_EFFECT_NAMES} and contain no URL.
 *
 * NOTE: property reads through computed names (`window['fe' + 'tch']`) are rejected by the
 * `[` test rather than understood, so some read-only scripts still ask.
 */
export function evaluatesReadOnlyScript(call: ToolCall): boolean {
  const script = browserScript(call);
  return script !== undefined && readsOnly(script);
}

/**
 * Returns the script of a browser tool's evaluate call whose only argument is the script, or
 * undefined for any other call.
 */
export function browserScript(call: ToolCall): string | undefined {
  const words = toolWords(call.tool);
  if (!words.some((word) => EVALUATE_WORDS.test(word)) || !BROWSER_WORDS.test(call.tool)) {
    return undefined;
  }
  const entries = Object.entries(call.input);
  const scripts = entries.filter(([key]) => SCRIPT_KEY.test(key));
  if (scripts.length !== 1 || entries.length !== 1) {
    return undefined;
  }
  const [, script] = scripts[0] ?? [];
  return typeof script === 'string' ? script : undefined;
}

/** Checks that script text reads only, by the rules of {@link evaluatesReadOnlyScript}. */
export function readsOnly(script: string): boolean {
  // `$` is jQuery, whose getters are also setters (`$('#q').val('x')`).
  if (script.length > 2000 || /[`\\$]|\/\//.test(script)) {
    return false;
  }
  const literals = [...script.matchAll(/'([^']*)'|"([^"]*)"/g)].map(
    (match) => match[1] ?? match[2] ?? '',
  );
  const bare = script.replace(/'[^']*'|"[^"]*"/g, "''");
  return (
    !/['"]/.test(bare.replace(/''/g, '')) &&
    !/[[{;]/.test(bare) &&
    !/(?<![=!<>])=(?![=>])|\+\+|--|\bnew\b|\bdelete\b/.test(bare) &&
    !SIDE_EFFECT_NAMES.test(bare) &&
    literals.every((literal) => !/:\/\/|^\/\/|javascript:/i.test(literal))
  );
}
