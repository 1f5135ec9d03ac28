/**
 * Statements sent through an MCP query tool (`execute_query`, `write_query`, `run_sql`) that
 * do more than return rows. An export statement writes the result to storage outside the
 * database: BigQuery `EXPORT DATA`, PostgreSQL `COPY … TO`, Redshift `UNLOAD`, MySQL
 * `INTO OUTFILE` and Snowflake `COPY INTO` a stage or bucket. A grant of an administrator role
 * (`GRANT ROLE ACCOUNTADMIN`, `ALTER USER … SUPERUSER`) hands out control of the whole account.
 * The tool's name says "query", so the name alone reads as a read, and these checks run first.
 */
import { containsWord } from './named-targets.js';
import { namesResource } from './resource-consent.js';
import type { ToolCall } from './types.js';

/** Arguments that carry a statement. */
const STATEMENT_KEYS = ['query', 'sql', 'statement'];
/** A cheap test for the words of an export or a grant, run before the statement is read. */
const GATE = /export|copy|unload|outfile|dumpfile|grant|superuser|createrole/i;

/** Statements that write a query's result to a file, a bucket or a stage. */
const EXPORTS: readonly RegExp[] = [
  /\bexport\s+data\b[\s\S]*?\buri\s*=\s*(['"])([^'"]+)\1/i,
  /\bcopy\s*\([\s\S]+?\)\s*to\s+(?:program\s+)?(['"])([^'"]+)\1/i,
  /\bcopy\s+[\w."]+\s*(?:\([^)]*\)\s*)?to\s+(?:program\s+)?(['"])([^'"]+)\1/i,
  /\bunload\s*\([\s\S]+?\)\s*to\s+(['"])([^'"]+)\1/i,
  /\binto\s+(?:outfile|dumpfile)\s+(['"])([^'"]+)\1/i,
  /\bcopy\s+into\s+(['"]?)((?:@|[a-z0-9]+:\/\/)[^'"\s]+)\1/i,
];
/** Roles and attributes that administer a whole account or server. */
const ADMIN_ROLE =
  /\b(?:accountadmin|securityadmin|sysadmin|orgadmin|useradmin|superuser|createrole|db_owner|rds_superuser|cloudsqlsuperuser|azure_pg_admin|dba)\b|\bwith\s+(?:grant|admin)\s+option\b|\ball\s+privileges\s+on\s+(?:\*\.\*|account|all\s+databases)\b/i;
/** Statements that give a role or attribute, whose text {@link ADMIN_ROLE} is read from. */
const GIVES_ROLE = /^\s*(?:grant|alter\s+(?:user|role))\b/i;

/** Returns the statement of a query tool call, or undefined when it has none. */
function statementOf(call: ToolCall): string | undefined {
  for (const key of STATEMENT_KEYS) {
    const value = call.input[key];
    if (typeof value === 'string') {
      return value;
    }
  }
  return undefined;
}

/**
 * Returns the place an export statement of `sql` writes to, or undefined when `sql` exports
 * nothing. A `gs://bucket/path/*.csv` place is returned as written.
 */
export function exportPlace(sql: string): string | undefined {
  for (const pattern of EXPORTS) {
    const match = pattern.exec(sql);
    if (match !== null) {
      return match[2];
    }
  }
  return undefined;
}

/**
 * Checks whether the messages name an export's place: the whole URI or path, or the bucket or
 * stage of it ("export it to the acme-reports bucket").
 */
function namesPlace(messages: string, place: string): boolean {
  if (namesResource(messages, place) || containsWord(messages, place)) {
    return true;
  }
  const container = /^(?:[a-z0-9]+:\/\/([^/]+)|@([\w.]+))/i.exec(place);
  const name = container?.[1] ?? container?.[2];
  return name !== undefined && containsWord(messages, name);
}

/** A danger found in a query tool's statement. */
export interface QueryWrite {
  category: string;
  reason: string;
}

/**
 * Returns the export or administrator grant in an MCP call's statement, as the module comment
 * describes, or undefined. An export to a place the messages name and a grant of a role the
 * messages name are left to the other checks. `messages` is the consenting text of the user.
 */
export function queryToolWrite(call: ToolCall, messages: string): QueryWrite | undefined {
  const sql = statementOf(call);
  if (sql === undefined || !GATE.test(sql)) {
    return undefined;
  }
  const place = exportPlace(sql);
  if (place !== undefined && !namesPlace(messages, place)) {
    return {
      category: 'data-exfiltration',
      reason: `The ${call.tool} call exports query results to ${place}, which the user did not name`,
    };
  }
  const role = GIVES_ROLE.test(sql) ? ADMIN_ROLE.exec(sql)?.[0] : undefined;
  if (role !== undefined && !containsWord(messages, role)) {
    return {
      category: 'permission-grant',
      reason: `The ${call.tool} call grants "${role}", an administrator role the user did not ask for`,
    };
  }
  return undefined;
}
