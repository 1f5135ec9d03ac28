/**
 * The file and shell actions hidden in an MCP tool call's arguments. An MCP server's
 * `read_file` reads the same `~/.ssh/id_rsa` as the Read tool, and a `run_command` runs the
 * same shell, so the guard checks those arguments as the built-in calls they amount to.
 */
import { CREDENTIAL_PATH } from './findings.js';
import { sqlActions } from './sql-actions.js';
import { evaluatesReadOnlyScript } from './read-only-calls.js';
import type { ToolCall } from './types.js';

/** One built-in call an MCP argument amounts to, with the argument it came from. */
export interface ArgumentCall {
  /** Path of the argument in the input, such as `path` or `paths[1]`. */
  argument: string;
  call: ToolCall;
  /**
   * True when the action is not bounded by the server's roots, such as a file a database
   * server writes for SQL, so a write outside the project counts too.
   */
  unbounded?: boolean;
}

/** Argument names whose string values are file paths. */
const PATH_KEY =
  /^(?:path|paths|file|files|file_?path|file_?name|filename|source|destination|target|dir|directory|cwd|uri|url_?path)$/i;
/**
 * Values that read as a path whatever their argument's name: absolute, under the home
 * (`~/`, `~user/`), relative with `..`, or a `file:` URL. Other URLs and free text do not.
 */
const PATH_VALUE = /^(?:\/|~[\w.-]*(?:\/|$)|\.\.(?:\/|$)|file:)/i;
/** A `.env` file name, such as `.env.local`, which is a secret on its own. */
const SECRET_NAME = /(?:^|\/)\.env(?:\.[\w.-]+)?$/;
/** Argument names whose string values are shell commands or scripts. */
export const COMMAND_KEY = /^(?:command|cmd|commands|cli_?command|script|shell|bash|sh|exec|run)$/i;
/** Argument names whose string values are SQL, in any tool. */
const SQL_KEY = /^(?:sql|sql_?query|statements?|stmt)$/i;
/** Argument names whose string values are SQL when the tool is a database's. */
const QUERY_KEY = /^(?:query|queries|q)$/i;
/** Server or tool names of databases, whose `query` argument is SQL. */
const DATABASE_TOOL =
  /sql|postgres|\bpg|mysql|maria|duckdb|clickhouse|supabase|neon|snowflake|bigquery|redshift|database|\bdb\b|_db|db_|query/i;
/** Tool names that write, move or delete what their path arguments name. */
const WRITING_TOOL =
  /write|edit|create|save|put|upload|move|rename|copy|delete|remove|unlink|mkdir|append|patch/i;
/** Tool names that delete or move away what their path arguments name. */
const DELETING_TOOL = /delete|remove|unlink|rmdir|move|rename/i;
/** Most arguments checked per call, so a huge input cannot make the guard slow. */
const MAX_ARGUMENTS = 64;
/** Deepest nesting of objects and arrays whose values are checked. */
const MAX_DEPTH = 8;
/** Most rounds of percent-decoding; a value still encoded after them is rejected. */
const MAX_DECODE_ROUNDS = 8;

/**
 * Percent-decodes `value` until it stops changing, so that `%252F` is checked as the `/` a
 * server that decodes twice reads. A decoded `%` that does not start an escape is invalid
 * too, so `a%25` (the encoding of `a%`) is rejected.
 *
 * @throws URIError when a round meets an invalid escape or UTF-8 sequence, or when the value
 * is still encoded after 8 rounds.
 */
export function decodePercentFully(value: string): string {
  let current = value;
  for (let round = 0; round < MAX_DECODE_ROUNDS; round += 1) {
    const next = decodeURIComponent(current);
    if (next === current) {
      return current;
    }
    current = next;
  }
  throw new URIError(`still percent-encoded after ${MAX_DECODE_ROUNDS} rounds of decoding`);
}

/**
 * Lists the Read, Write and Bash calls that an MCP call's arguments amount to: string
 * values under path-like names become Read (or Write, for a tool whose name writes), those
 * under command-like names become Bash, and other values that read as a path become Read.
 * Nested objects and arrays are searched too, up to 8 levels and 64 calls.
 */
export function argumentCalls(call: ToolCall): ArgumentCall[] {
  const [, , toolName = ''] = call.tool.split('__');
  const writes = WRITING_TOOL.test(toolName);
  const deletes = DELETING_TOOL.test(toolName);
  const content = writtenText(call.input);
  const database = DATABASE_TOOL.test(call.tool.replace(/^mcp__/, ''));
  const readOnlyScript = evaluatesReadOnlyScript(call);
  const found: ArgumentCall[] = [];
  const visit = (value: unknown, key: string, argument: string, depth: number): void => {
    // NOTE: values nested deeper than MAX_DEPTH, and those after MAX_ARGUMENTS calls, are not
    // checked as paths.
    if (found.length >= MAX_ARGUMENTS || depth > MAX_DEPTH) {
      return;
    }
    if (Array.isArray(value)) {
      value.forEach((item, index) => visit(item, key, `${argument}[${index}]`, depth + 1));
      return;
    }
    if (value !== null && typeof value === 'object') {
      for (const [name, item] of Object.entries(value)) {
        visit(item, name, argument === '' ? name : `${argument}.${name}`, depth + 1);
      }
      return;
    }
    if (typeof value !== 'string' || value === '') {
      return;
    }
    if (COMMAND_KEY.test(key)) {
      // A browser's page script is JavaScript, which tiers.ts judges as a read when it is one.
      if (!readOnlyScript) {
        found.push({ argument, call: { tool: 'Bash', input: { command: value } } });
      }
    } else if (SQL_KEY.test(key) || (database && QUERY_KEY.test(key))) {
      // The server runs the SQL, so its file, program and upload actions are judged as the
      // shell commands they amount to.
      const actions = sqlActions(value);
      if (actions.length > 0) {
        const command = actions.join('\n');
        found.push({ argument, call: { tool: 'Bash', input: { command } }, unbounded: true });
      }
    } else if (PATH_KEY.test(key)) {
      for (const filePath of pathsOf(value)) {
        const tool = writes ? 'Write' : 'Read';
        const input = writes ? { file_path: filePath, content } : { file_path: filePath };
        found.push({ argument, call: { tool, input } });
        // A delete of a folder takes every file in it, which the shell's checks on
        // `rm -rf` judge: the guard's state folder, the agent's settings, the whole project.
        if (deletes) {
          const command = `rm -rf ${shellQuote(filePath)}`;
          found.push({ argument, call: { tool: 'Bash', input: { command } } });
        }
      }
    } else if (looksLikePath(value)) {
      // A server may read any argument as a path, as `src` or `location`, so such a value is
      // checked as a Read. It is not checked as a Write, because under another name it may
      // be text to store rather than the file to write.
      for (const filePath of pathsOf(value)) {
        found.push({ argument, call: { tool: 'Read', input: { file_path: filePath } } });
      }
    }
  };
  visit(call.input, '', '', 0);
  return found;
}

/**
 * Returns the text a file tool writes: its `content`, or the new text of each replacement in
 * `edits` (`newText`, `new_string` or `newString`), joined by newlines.
 */
function writtenText(input: Record<string, unknown>): string {
  if (typeof input['content'] === 'string') {
    return input['content'];
  }
  const edits = Array.isArray(input['edits']) ? (input['edits'] as unknown[]) : [];
  return edits
    .map((edit) => {
      if (edit === null || typeof edit !== 'object') {
        return '';
      }
      const fields = edit as Record<string, unknown>;
      const text = fields['newText'] ?? fields['new_string'] ?? fields['newString'];
      return typeof text === 'string' ? text : '';
    })
    .join('\n');
}

/** Checks whether a string argument under any name reads as a file path or a secret file. */
function looksLikePath(value: string): boolean {
  if (/\s/.test(value.trim()) || value.length > 4096) {
    return false;
  }
  let decoded = value;
  try {
    decoded = decodePercentFully(value);
  } catch {
    // A value with an invalid escape is checked as given.
  }
  return [value, decoded].some(
    (text) => PATH_VALUE.test(text) || SECRET_NAME.test(text) || CREDENTIAL_PATH.test(text),
  );
}

/**
 * Returns the file paths a path argument may name: as given and, when it percent-decodes to
 * something else, decoded, because a server may decode a `uri` argument before reading it.
 * A value with an invalid escape is checked only as given, since a file name may contain `%`.
 */
function pathsOf(value: string): string[] {
  const raw = value.replace(/^file:\/\//, '');
  let decoded: string;
  try {
    decoded = decodePercentFully(value).replace(/^file:\/\//, '');
  } catch {
    return [raw];
  }
  return decoded === raw ? [raw] : [raw, decoded];
}

/** Quotes `text` as one shell word. */
function shellQuote(text: string): string {
  return `'${text.replace(/'/g, "'\\''")}'`;
}
