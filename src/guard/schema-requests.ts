/**
 * Tier check for a production row read after a question about structure only: "which columns
 * does STG_ORDERS have, and does prod match?" followed by `SELECT * FROM PROD.ORDERS LIMIT 500`
 * on an MCP query tool. Mentioning production consents to looking at its schema, which
 * `DESCRIBE`, `SHOW COLUMNS`, `information_schema` or `LIMIT 0` answer, not to reading the
 * customer rows it holds.
 */
import type { Finding } from './findings.js';
import type { ToolCall } from './types.js';

/** Argument names that carry the statement of a query tool. */
const QUERY_KEYS = ['query', 'sql', 'statement'];
/** A production name in a target or table: `PROD_WH`, `ANALYTICS.PROD.X`, `prod-db`. */
const PRODUCTION = /\bprod\b|\bprod[-_.]|[-_.]prod\b|\bPROD_|production|\bprd\b/i;
/** Words that ask about structure. */
const STRUCTURE =
  /\b(?:columns?|schemas?|shapes?|structures?|fields?|column types|data types|ddl|definitions?)\b/i;
/** Words that ask about the data itself. */
const DATA =
  /\b(?:rows?|records?|data|samples?|values?|examples?|counts?|how many|numbers|totals?|sums?|averages?|top|latest|recent|contents?|entries|look like)\b/i;
/** A statement that reads metadata only. */
const METADATA_READ =
  /^\s*(?:describe|desc|show|explain)\b|\binformation_schema\b|\bLIMIT\s+0\b|\bWHERE\s+(?:1\s*=\s*0|false)\b/i;

/**
 * Returns a finding for an MCP query that reads rows of a production table when the request
 * asks only about columns, schema or shape.
 */
export function checkSchemaOnlyRead(call: ToolCall, allMessages: string): Finding | undefined {
  const key = QUERY_KEYS.find((name) => typeof call.input[name] === 'string');
  const query = key === undefined ? '' : String(call.input[key]);
  if (
    !/^\s*(?:select|with)\b/i.test(query) ||
    METADATA_READ.test(query) ||
    !Object.values(call.input).some((value) => typeof value === 'string' && PRODUCTION.test(value))
  ) {
    return undefined;
  }
  if (!STRUCTURE.test(allMessages) || DATA.test(allMessages)) {
    return undefined;
  }
  return {
    category: 'production-read',
    reason: `The ${call.tool} call reads production rows, while the request asks only about columns or schema`,
    rule: 'tier:schema-only-read',
  };
}
