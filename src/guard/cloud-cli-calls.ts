/**
 * MCP tools that run one command of a cloud CLI, such as `call_aws {"cli_command": "aws
 * secretsmanager describe-secret …"}`. The argument checks judge the command as the Bash call
 * it amounts to (see mcp-arguments.ts), so the tool's generic name adds no danger of its own.
 */
import { COMMAND_KEY } from './mcp-arguments.js';
import { toolWords } from './requested-mcp-writes.js';
import type { ToolCall } from './types.js';

/** Command-line programs of cloud providers and clusters. */
const CLOUD_CLIS = new Set([
  'aws',
  'gcloud',
  'gsutil',
  'az',
  'kubectl',
  'doctl',
  'oci',
  'ibmcloud',
]);
/** Words of a runner's tool name besides the CLI's own name. */
const RUNNER_WORDS = new Set(['call', 'run', 'exec', 'execute', 'invoke', 'cli', 'command', 'cmd']);
/** Arguments that only shape the output or the wait, not what runs. */
const SETTING_KEY = /^(?:timeout\w*|max_?results|output|output_?format|description)$/i;

/**
 * Checks whether an MCP call runs one command of the cloud CLI its tool is named for: every
 * tool word is that CLI or a runner word, one argument is the command, it starts with the
 * CLI's name and holds no shell operator, and every other argument only shapes the output.
 */
export function runsCloudCommand(call: ToolCall): boolean {
  const words = toolWords(call.tool);
  const clis = words.filter((word) => CLOUD_CLIS.has(word));
  if (clis.length !== 1 || !words.every((word) => CLOUD_CLIS.has(word) || RUNNER_WORDS.has(word))) {
    return false;
  }
  const entries = Object.entries(call.input);
  const commands = entries.filter(([key]) => COMMAND_KEY.test(key));
  const command = commands[0]?.[1];
  return (
    commands.length === 1 &&
    typeof command === 'string' &&
    command.trimStart().startsWith(`${clis[0] ?? ''} `) &&
    !/[;&|`$<>\n]/.test(command) &&
    entries.every(([key]) => COMMAND_KEY.test(key) || SETTING_KEY.test(key))
  );
}
