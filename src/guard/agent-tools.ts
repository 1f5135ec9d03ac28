/**
 * Claude Code tools that act only on the agent's own session: its background shells, task
 * list, plan, sub-agents and questions to the user. Each tool call a sub-agent makes
 * reaches the guard on its own. `SlashCommand` expands a command file that the user wrote
 * under `.claude/commands`, which the guard keeps the agent from changing, and
 * `ListMcpResourcesTool` lists resource names without reading them.
 */
import type { ToolCall } from './types.js';

/**
 * Tool names, as Claude Code sends them in a PreToolUse hook. `KillBash` is the older name
 * of `KillShell`.
 */
export const AGENT_TOOLS: ReadonlySet<string> = new Set([
  'BashOutput',
  'KillShell',
  'KillBash',
  'TodoWrite',
  'TodoRead',
  'Task',
  'ExitPlanMode',
  'EnterPlanMode',
  'AskUserQuestion',
  'SlashCommand',
  'Skill',
  'ListMcpResourcesTool',
]);

/**
 * Rewrites Claude Code's `ReadMcpResourceTool` call (`{server, uri}`) as the MCP read it
 * amounts to, `mcp__<server>__read_resource` with the `uri` argument, so that its URI is
 * checked like any MCP path argument. Other calls are returned unchanged.
 */
export function asMcpCall(call: ToolCall): ToolCall {
  if (call.tool !== 'ReadMcpResourceTool') {
    return call;
  }
  const server = typeof call.input['server'] === 'string' ? call.input['server'] : 'unknown';
  return { tool: `mcp__${server}__read_resource`, input: { uri: call.input['uri'] } };
}
