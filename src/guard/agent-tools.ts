/**
 * Claude Code tools that act only on the agent's own session: its background shells, task
 * list, plan, sub-agents and questions to the user. Each tool call a sub-agent or slash
 * command makes reaches the guard on its own, so these calls themselves read or change
 * nothing outside the session.
 */

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
