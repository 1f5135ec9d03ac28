/**
 * The file and shell actions hidden in an MCP tool call's arguments. An MCP server's
 * `read_file` reads the same `~/.ssh/id_rsa` as the Read tool, and a `run_command` runs the
 * same shell, so the guard checks those arguments as the built-in calls they amount to.
 */
import type { ToolCall } from './types.js';

/** One built-in call an MCP argument amounts to, with the argument it came from. */
export interface ArgumentCall {
  /** Path of the argument in the input, such as `path` or `paths[1]`. */
  argument: string;
  call: ToolCall;
}

/** Argument names whose string values are file paths. */
const PATH_KEY =
  /^(?:path|paths|file|files|file_?path|file_?name|filename|source|destination|target|dir|directory|cwd|uri|url_?path)$/i;
/** Argument names whose string values are shell commands or scripts. */
const COMMAND_KEY = /^(?:command|cmd|commands|script|shell|bash|sh|exec|run)$/i;
/** Tool names that write, move or delete what their path arguments name. */
const WRITING_TOOL =
  /write|edit|create|save|put|upload|move|rename|copy|delete|remove|unlink|mkdir|append|patch/i;
/** Most arguments checked per call, so a huge input cannot make the guard slow. */
const MAX_ARGUMENTS = 64;

/**
 * Lists the Read, Write and Bash calls that an MCP call's arguments amount to: string
 * values under path-like names become Read (or Write, for a tool whose name writes), and
 * those under command-like names become Bash. Nested objects and arrays are searched too.
 */
export function argumentCalls(call: ToolCall): ArgumentCall[] {
  const [, , toolName = ''] = call.tool.split('__');
  const writes = WRITING_TOOL.test(toolName);
  const content = typeof call.input['content'] === 'string' ? call.input['content'] : '';
  const found: ArgumentCall[] = [];
  const visit = (value: unknown, key: string, argument: string, depth: number): void => {
    if (found.length >= MAX_ARGUMENTS || depth > 4) {
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
      found.push({ argument, call: { tool: 'Bash', input: { command: value } } });
    } else if (PATH_KEY.test(key)) {
      const filePath = value.replace(/^file:\/\//, '');
      const tool = writes ? 'Write' : 'Read';
      const input = writes ? { file_path: filePath, content } : { file_path: filePath };
      found.push({ argument, call: { tool, input } });
    }
  };
  visit(call.input, '', '', 0);
  return found;
}
