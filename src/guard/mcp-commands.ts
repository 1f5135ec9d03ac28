/**
 * MCP tools that only run a shell command, such as `run_command {"command": "ls"}`. Their
 * call is the Bash call in the command argument, which the argument checks judge, so the
 * tool name adds no danger of its own.
 */
import { COMMAND_KEY } from './mcp-arguments.js';
import type { ToolCall } from './types.js';

/**
 * Words of tool names that run a shell command, such as `run_command`, `execute_bash` or
 * `run_in_terminal`. A name with any other word, such as `run_pipeline`, runs something else.
 */
const RUNNER_WORDS = new Set([
  'run',
  'exec',
  'execute',
  'shell',
  'bash',
  'sh',
  'terminal',
  'command',
  'cmd',
  'in',
]);
/** Words of which a runner's name needs one, so a tool named `run` alone is not one. */
const SHELL_WORDS = new Set([
  'shell',
  'bash',
  'sh',
  'terminal',
  'command',
  'cmd',
  'exec',
  'execute',
]);
/**
 * Arguments a shell runner may take besides the command that change nothing about what it
 * runs or where. A folder argument is not one, because the command is judged from the
 * project folder.
 */
const SETTING_KEY = /^(?:timeout\w*|description|background|run_in_background)$/i;

/**
 * Checks whether an MCP call runs a shell command on the host and nothing more: the tool name
 * says it runs a command, one argument is a command string, and every other argument only
 * sets a timeout or a description. A `host`, `container` or `cwd` argument changes where the
 * command runs, so such a call is not one.
 */
export function runsShellCommand(call: ToolCall): boolean {
  const [, , toolName = ''] = call.tool.split('__');
  const words = toolName
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[_-]+/);
  if (
    !words.every((word) => RUNNER_WORDS.has(word)) ||
    !words.some((word) => SHELL_WORDS.has(word))
  ) {
    return false;
  }
  const entries = Object.entries(call.input);
  const commands = entries.filter(
    ([key, value]) => COMMAND_KEY.test(key) && typeof value === 'string' && value !== '',
  );
  return (
    commands.length === 1 &&
    entries.every(([key]) => COMMAND_KEY.test(key) || SETTING_KEY.test(key))
  );
}
