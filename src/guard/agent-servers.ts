/**
 * Registering an MCP server with an agent CLI (`claude mcp add`, `codex mcp add`): the server
 * becomes one of the agent's tools in later sessions, so it changes the agent's own controls.
 */
import { finding, type Finding } from './findings.js';
import { containsWord } from './named-targets.js';
import type { ParsedShell } from './shell.js';
import type { CheckGate } from './check-gates.js';

const AGENT_CLIS = new Set([
  'claude',
  'codex',
  'gemini',
  'cursor-agent',
  'amp',
  'qwen',
  'opencode',
]);
const MCP_ADD =
  /^(?:claude|codex|gemini|cursor-agent|amp|qwen|opencode)\s+mcp\s+(?:add(?:-json|-from-claude-desktop)?)\b/;
/** Servers whose tools run shell commands or arbitrary programs. */
const SHELL_SERVER =
  /shell|terminal|\bbash\b|\bzsh\b|\bsh\b|\bexec\w*|\bcommand(?:s|er|-runner)?\b|\bcmd\b|run-?commands?|\bssh\b/i;
const ADD_REQUEST =
  /\b(?:add\w*|register\w*|install\w*|set\w* up|configur\w*|connect\w*|enabl\w*)\b/i;

/** Gate of {@link checkMcpServerAdd}, which judges only the `mcp` commands of `AGENT_CLIS`. */
export const MCP_SERVER_ADD_GATE: CheckGate = { programs: AGENT_CLIS };

/**
 * Finds an MCP server registration the user did not request by the server's name. A server
 * that runs shell commands is reported as such, so the reviewer sees what the tool can do.
 */
export function checkMcpServerAdd(parsed: ParsedShell, messages: string): Finding | undefined {
  for (const command of parsed.commands) {
    // Checked before joining the words, because nearly every command fails it.
    if (command.argv[1] !== 'mcp' || !AGENT_CLIS.has(command.name)) {
      continue;
    }
    const text = command.argv.join(' ');
    if (!MCP_ADD.test(text)) {
      continue;
    }
    const args = command.argv.slice(3);
    const name = args.find(
      (arg, index) =>
        !arg.startsWith('-') &&
        !['-s', '--scope', '-e', '--env', '-t', '--transport', '-H', '--header'].includes(
          args[index - 1] ?? '',
        ),
    );
    const server = text.slice(text.indexOf(name ?? '') + (name ?? '').length);
    const runsShell = SHELL_SERVER.test(server) || SHELL_SERVER.test(name ?? '');
    const requested =
      name !== undefined &&
      !command.dynamic &&
      ADD_REQUEST.test(messages) &&
      /\bMCP\b|\bserver\b/i.test(messages) &&
      containsWord(messages, name) &&
      (!runsShell || /\bshell\b|\bterminal\b|\bcommands?\b/i.test(messages));
    if (!requested) {
      return finding(
        'self-modification',
        runsShell
          ? `The command registers "${name ?? '?'}", an MCP server that runs shell commands, as an agent tool`
          : `The command registers the MCP server "${name ?? '?'}" as an agent tool without the user naming it`,
        'mcp-server-add',
      );
    }
  }
  return undefined;
}
