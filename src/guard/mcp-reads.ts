/**
 * Reads through MCP tools that take more than the user's request covers. These are SQL
 * queries of password hashes or tokens, and personal-data rows of a database the user called
 * production when the request was for counts or the schema. A secret of another environment
 * than the one the user named is one too, and so are a browser's cookies of a site the user
 * did not name. Each check returns the finding that blocks the call, or undefined.
 */
import { containsWord } from './named-targets.js';
import type { Finding } from './findings.js';
import { toolWords } from './requested-mcp-writes.js';
import { isLocalHost, userNamesHost } from './uploads.js';
import type { ToolCall } from './types.js';

/** Returns the SQL text of an MCP call: its `sql` argument, or a `query` that is a statement. */
export function mcpSqlText(call: ToolCall): string | undefined {
  const sql = call.input['sql'] ?? call.input['query'] ?? call.input['statement'];
  return typeof sql === 'string' &&
    /^\s*(?:select|with|alter|create|insert|update|delete|drop|grant|truncate)\b/i.test(sql)
    ? sql
    : undefined;
}

/**
 * Catalog tables that hold password hashes of database roles: PostgreSQL `pg_shadow` and
 * `pg_authid`, MySQL `mysql.user`, SQL Server `sys.sql_logins`, and Supabase's `auth.users`.
 */
const CREDENTIAL_TABLE =
  /\b(?:pg_shadow|pg_authid|pg_user_mappings?|mysql\s*\.\s*user|sys\s*\.\s*sql_logins|auth\s*\.\s*users)\b/i;
/** Column names that hold a password, its hash, a token or a key. */
const CREDENTIAL_COLUMN =
  /^(?:passwd|password\w*|\w+_password\w*|rolpassword|authentication_string|password_hash|hashed_password|\w*_?(?:api_?key|secret|token|private_key|otp_secret|totp_secret|mfa_secret)s?|secret|token|salt)$/i;

/**
 * Returns the select list of each `SELECT … FROM` in `sql`, with every aggregate call
 * (`count(email)`) removed, because an aggregate returns no row's value.
 */
function selectLists(sql: string): string[] {
  const lists: string[] = [];
  for (const match of sql.matchAll(/\bselect\s+(?:distinct\s+)?([\s\S]+?)\s+from\b/gi)) {
    lists.push(
      (match[1] ?? '').replace(
        /\b(?:count|sum|avg|min|max|stddev\w*|variance|bool_\w+|array_length|length|char_length)\s*\([^()]*\)/gi,
        ' ',
      ),
    );
  }
  return lists;
}

/** Returns the column names a select list reads, without table prefixes, quotes and `AS` aliases. */
function selectedColumns(list: string): string[] {
  return list
    .split(',')
    .map((item) => item.replace(/\s+as\s+"?\w+"?\s*$/i, ''))
    .flatMap((item) => item.match(/[a-z_][\w.]*|\*/gi) ?? [])
    .map((word) => word.replace(/^.*\./, ''));
}

/**
 * Finds an SQL query that reads role password hashes or credential columns (`SELECT usename,
 * passwd FROM pg_shadow`, `SELECT api_token FROM integrations`) when no user message names
 * the table or column it reads. Listing roles reads `pg_roles`, which contains no hash.
 */
export function checkSqlCredentialRead(call: ToolCall, messages: string): Finding | undefined {
  const sql = mcpSqlText(call);
  const read = sql === undefined ? undefined : sqlCredentialRead(sql, messages);
  return read === undefined
    ? undefined
    : {
        category: 'credential-exploration',
        reason: `The ${call.tool} query reads "${read}", which holds passwords, hashes or tokens`,
        rule: 'tier:mcp-sql-credentials',
      };
}

/**
 * Returns the credential table or column that the `SELECT` or `WITH` query `sql` reads and no
 * user message names, or undefined. {@link checkSqlCredentialRead} describes the rule.
 */
export function sqlCredentialRead(sql: string, messages: string): string | undefined {
  if (!/^\s*(?:select|with)\b/i.test(sql)) {
    return undefined;
  }
  const table = CREDENTIAL_TABLE.exec(sql)?.[0];
  const columns = selectLists(sql)
    .flatMap(selectedColumns)
    .filter((column) => CREDENTIAL_COLUMN.test(column));
  return table !== undefined && !containsWord(messages, table.replace(/\s+/g, ''))
    ? table
    : columns.find((column) => !containsWord(messages, column));
}

/** Column names of personal data about people. */
export const PERSONAL_COLUMN =
  /^(?:e_?mails?|\w+_email|phones?|\w*_?phone(?:_number)?|mobile|\w*_?address(?:_line\d?)?|street|zip(?:code)?|postal_code|post_code|ssn|social_security\w*|tax_id|national_id|passport\w*|dob|date_of_birth|birth_?date|birthday|first_name|last_name|full_name|given_name|family_name|surname|ip_address|last_ip|card_number|card_last4|iban|account_number|salary|gender)$/i;
/** Table names of records about people. */
const PEOPLE_TABLE =
  /^(?:users?|customers?|accounts?|members?|patients?|employees?|contacts?|profiles?|people|persons?|subscribers?|clients?|leads?|signups?|app_users|auth_users)$/i;
/** A sentence that calls the connection, replica or database production. */
const PRODUCTION_CONNECTION =
  /\b(?:prod|production|prd|live)\b[^.;!?\n]{0,40}\b(?:connection|replica|database|db|instance|cluster|server|read[- ]only)\b|\b(?:connection|replica|database|db)\b[^.;!?\n]{0,20}\b(?:is|are|'s|points? (?:at|to))\s+(?:the\s+)?(?:prod|production|prd|live)\b|\b(?:connected|hooked up|pointed|attached|pointing)\b[^.;!?\n]{0,30}\b(?:prod|production|prd)\b/i;
/** A negated sentence, which does not make the connection production. */
const NEGATED = /\b(?:not|isn'?t|aren'?t|never|no longer)\b/i;

/** Checks whether a user message says the connection of this conversation is production. */
export function connectionIsProduction(messages: readonly string[]): boolean {
  return messages.some((message) =>
    message
      .split(/(?<=[.!?;])\s+|\n+/)
      .some((sentence) => PRODUCTION_CONNECTION.test(sentence) && !NEGATED.test(sentence)),
  );
}

/**
 * Returns the names after `FROM` and `JOIN` in `sql` as written, with their database and
 * schema parts (`PROD.CRM.CUSTOMERS`) and without quotes.
 */
function qualifiedTables(sql: string): string[] {
  return [...sql.matchAll(/\b(?:from|join)\s+((?:"?\w+"?\.){0,2}"?\w+"?)/gi)].map((match) =>
    (match[1] ?? '').replace(/"/g, ''),
  );
}

/** Returns the table names after `FROM` and `JOIN` in `sql`, without schema and quotes. */
function readTables(sql: string): string[] {
  return qualifiedTables(sql).map((name) => name.replace(/^(?:\w+\.)+/, ''));
}

/** A database or schema name that marks production: `PROD`, `prod_crm`, `production`. */
const PRODUCTION_QUALIFIER = /^(?:prod|prd|production)(?:$|[_-])|[_-](?:prod|prd|production)$/i;

/**
 * Checks whether `sql` reads a table through a database or schema named for production, as
 * Snowflake's `PROD.CRM.CUSTOMERS` or PostgreSQL's `prod.users`.
 */
export function sqlNamesProduction(sql: string): boolean {
  return qualifiedTables(sql).some((name) =>
    name
      .split('.')
      .slice(0, -1)
      .some((part) => PRODUCTION_QUALIFIER.test(part)),
  );
}

/**
 * Checks whether a user message asks for the personal column `column` ("list their emails",
 * "show me the phone numbers") by the column's name or a word of it of four or more letters.
 */
export function asksForColumn(messages: string, column: string): boolean {
  const parts = column
    .toLowerCase()
    .split('_')
    .filter((part) => part.length >= 4);
  const words = messages.toLowerCase().match(/[a-z]+/g) ?? [];
  return (
    containsWord(messages, column) ||
    parts.some((part) =>
      words.some((word) => word === part || word === `${part}s` || word === `${part}es`),
    )
  );
}

/** Words by which a user asks for whole rows or records rather than counts. */
const ASKS_FOR_ROWS =
  /\b(?:rows?|records?|details|all (?:the )?(?:columns|fields)|full (?:row|record)s?|everything about|samples? (?:of )?(?:rows|records|data))\b/i;
/** `column = 'value'` of a WHERE clause, which picks rows the user may have named. */
const EQUALS_LITERAL = /\b\w+\s*=\s*'((?:[^']|'')+)'/g;

/**
 * Finds a query that reads personal data of many people (personal columns, or `SELECT *` of a
 * table of people) on a database a user message says is production, or through a database or
 * schema named for production (`PROD.CRM.CUSTOMERS`), when no message asks for
 * those columns or rows: the user asked for counts or for the schema, and the rows go beyond
 * it. A query whose every `column = 'value'` test pins a value the user wrote (looking up the
 * one customer they named) is not covered here.
 */
export function checkProductionPersonalRead(
  call: ToolCall,
  userMessages: readonly string[],
  messages: string,
): Finding | undefined {
  const sql = mcpSqlText(call);
  const what =
    sql === undefined || !(connectionIsProduction(userMessages) || sqlNamesProduction(sql))
      ? undefined
      : personalDataRead(sql, messages);
  return what === undefined
    ? undefined
    : {
        category: 'production-read',
        reason: `The ${call.tool} query reads personal data (${what}) on a production database, which the user did not ask for`,
        rule: 'tier:mcp-production-personal',
      };
}

/**
 * Returns what the `SELECT` or `WITH` query `sql` reads of people's personal data beyond what
 * the user messages ask for (the columns, or "every column of TABLE"), or undefined. The
 * caller decides that the database is production; {@link checkProductionPersonalRead}
 * describes the rule.
 */
export function personalDataRead(sql: string, messages: string): string | undefined {
  if (!/^\s*(?:select|with)\b/i.test(sql)) {
    return undefined;
  }
  const columns = selectLists(sql).flatMap(selectedColumns);
  const personal = columns.filter((column) => PERSONAL_COLUMN.test(column));
  const tables = readTables(sql).filter((table) => PEOPLE_TABLE.test(table));
  const everyColumn = columns.includes('*') && tables.length > 0;
  const unasked = personal.filter((column) => !asksForColumn(messages, column));
  if (unasked.length === 0 && !(everyColumn && !ASKS_FOR_ROWS.test(messages))) {
    return undefined;
  }
  const pinned = [...sql.matchAll(EQUALS_LITERAL)].map((match) => match[1] ?? '');
  if (pinned.length > 0 && pinned.every((value) => value.length >= 3 && messages.includes(value))) {
    return undefined;
  }
  return unasked.length > 0 ? unasked.join(', ') : `every column of ${tables[0] ?? ''}`;
}

/** Tool words of a call that reads a stored secret or an encrypted parameter. */
const SECRET_TOOL_WORDS = new Set([
  'secret',
  'secrets',
  'secretsmanager',
  'vault',
  'keyvault',
  'parameter',
  'parameters',
  'ssm',
]);
const READ_WORDS = new Set([
  'get',
  'read',
  'access',
  'reveal',
  'retrieve',
  'fetch',
  'value',
  'show',
  'decrypt',
]);
/** Arguments that name the secret. */
const SECRET_ID_KEY =
  /^(?:secret_?(?:id|name|arn|path)?|name|names|id|path|key|arn|parameter_?name|vault(?:_?name)?|SecretId|Name)$/i;
/** Spellings of each environment in secret names and in requests. */
const ENVIRONMENT_SPELLINGS: Record<string, readonly string[]> = {
  production: ['prod', 'production', 'prd', 'live'],
  staging: ['staging', 'stage', 'stg'],
  development: ['dev', 'development'],
  test: ['test', 'testing', 'qa'],
  sandbox: ['sandbox', 'sbx'],
};
const ENVIRONMENT_OF = new Map(
  Object.entries(ENVIRONMENT_SPELLINGS).flatMap(([environment, words]) =>
    words.map((word) => [word, environment] as const),
  ),
);

/** Returns the environments that the words of `text` name. */
function environmentsIn(text: string): Set<string> {
  const found = new Set<string>();
  for (const word of text.toLowerCase().split(/[^a-z0-9]+/)) {
    const environment = ENVIRONMENT_OF.get(word);
    if (environment !== undefined) {
      found.add(environment);
    }
  }
  return found;
}

/**
 * Finds a secret read (`secretsmanager_get_secret_value`, `vault_read_secret`,
 * `ssm_get_parameter`) whose secret name carries an environment the user's messages do not
 * name while they name another one: "check the staging config" does not ask for
 * `prod/payments/stripe-live`. A secret without an environment in its name, and a read when
 * the user named no environment, are not covered here.
 */
export function checkOtherEnvironmentSecret(
  call: ToolCall,
  allMessages: string,
): Finding | undefined {
  const words = toolWords(call.tool);
  if (
    !words.some((word) => SECRET_TOOL_WORDS.has(word)) ||
    !words.some((word) => READ_WORDS.has(word))
  ) {
    return undefined;
  }
  const names = Object.entries(call.input)
    .filter(
      ([key, value]) =>
        SECRET_ID_KEY.test(key) && (typeof value === 'string' || Array.isArray(value)),
    )
    .flatMap(([, value]) => (Array.isArray(value) ? value : [value]))
    .filter((value): value is string => typeof value === 'string');
  const asked = environmentsIn(allMessages);
  for (const name of names) {
    const environments = environmentsIn(name);
    if (
      asked.size > 0 &&
      environments.size > 0 &&
      ![...environments].some((each) => asked.has(each))
    ) {
      return {
        category: 'credential-exploration',
        reason: `The ${call.tool} call reads the secret "${name}" of ${[...environments].join(', ')}, while the user asked about ${[...asked].join(', ')}`,
        rule: 'tier:mcp-other-environment-secret',
      };
    }
  }
  return undefined;
}

/** Browser tools that read a site's cookies or storage, where its session tokens live. */
const BROWSER_STATE_READ =
  /cookie|local_?storage|session_?storage|storage_?state|get_?storage|indexed_?db|saved_?passwords/i;
/** Tools that change the state rather than read it. */
const BROWSER_STATE_WRITE = /(?:^|_)(?:set|add|clear|delete|remove)(?:_|$)/i;
/** A request about cookies or browser storage, for a call that names no site. */
const BROWSER_STATE_REQUEST = /\b(?:cookies?|local ?storage|session ?storage|storage state)\b/i;

/** Returns the hosts of the URLs and domains that an MCP input names. */
function inputHosts(value: unknown, hosts: string[] = []): string[] {
  if (typeof value === 'string') {
    const host =
      /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/\s]*@)?([^/:?#\s]+)/i.exec(value)?.[1] ??
      /^\.?((?:[a-z0-9-]+\.)+[a-z]{2,})$/i.exec(value)?.[1];
    if (host !== undefined) {
      hosts.push(host.toLowerCase());
    }
  } else if (Array.isArray(value)) {
    for (const item of value) {
      inputHosts(item, hosts);
    }
  } else if (value !== null && typeof value === 'object') {
    for (const item of Object.values(value)) {
      inputHosts(item, hosts);
    }
  }
  return hosts;
}

/**
 * Finds a browser-automation read of cookies or storage (Playwright, Puppeteer, browser-use)
 * for a site the user did not name. A read that names no site returns every site's cookies,
 * so it needs a request about cookies or storage.
 */
export function checkBrowserStateRead(call: ToolCall, messages: string): Finding | undefined {
  const tool = call.tool.split('__').slice(2).join('__');
  if (!BROWSER_STATE_READ.test(tool) || BROWSER_STATE_WRITE.test(tool)) {
    return undefined;
  }
  const hosts = inputHosts(call.input);
  const unnamed =
    hosts.length === 0
      ? BROWSER_STATE_REQUEST.test(messages)
        ? undefined
        : 'every site'
      : hosts.find((host) => !isLocalHost(host) && !userNamesHost(messages, host));
  return unnamed === undefined
    ? undefined
    : {
        category: 'credential-exploration',
        reason: `The ${call.tool} call reads the cookies or storage of ${unnamed}, which the user did not ask about`,
        rule: 'tier:browser-state-read',
      };
}
