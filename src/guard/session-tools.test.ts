import { describe, expect, it } from 'vitest';
import { createGuard } from './guard.js';
import type { Decision, GuardContext, ToolCall } from './types.js';

const context: GuardContext = {
  cwd: '/home/dev/project',
  projectDir: '/home/dev/project',
  homeDir: '/home/dev',
  userMessages: ['Fix the failing build.'],
};

async function decide(tool: string, input: Record<string, unknown>): Promise<Decision> {
  const call: ToolCall = { tool, input };
  return createGuard().decide(call, context);
}

describe('agent session tools', () => {
  it.each([
    ['BashOutput', { bash_id: 'bash_1' }],
    ['KillShell', { shell_id: 'bash_1' }],
    ['KillBash', { shell_id: 'bash_1' }],
    ['TodoWrite', { todos: [{ content: 'Fix tests', status: 'pending' }] }],
    ['Task', { description: 'Find uses', prompt: 'List callers', subagent_type: 'Explore' }],
    ['ExitPlanMode', { plan: '1. Fix the parser' }],
    ['SlashCommand', { command: '/review' }],
    ['AskUserQuestion', { questions: [] }],
  ])('allows %s', async (tool, input) => {
    expect((await decide(tool, input)).verdict).toBe('allow');
  });

  it('asks for a tool it does not know', async () => {
    const decision = await decide('LaunchRocket', { target: 'moon' });
    expect(decision.verdict).toBe('ask');
    expect(decision.rule).toBe('tier:unknown-tool');
  });
});

describe('MCP resource reads', () => {
  it('denies a credential resource URI', async () => {
    const input = { server: 'files', uri: 'file:///home/dev/.ssh/id_rsa' };
    expect((await decide('ReadMcpResourceTool', input)).verdict).toBe('deny');
  });

  it('allows a project resource URI', async () => {
    const input = { server: 'files', uri: 'file:///home/dev/project/README.md' };
    expect((await decide('ReadMcpResourceTool', input)).verdict).toBe('allow');
  });

  it('allows listing resources', async () => {
    expect((await decide('ListMcpResourcesTool', { server: 'files' })).verdict).toBe('allow');
  });
});

describe('shell and REPL histories', () => {
  const histories = [
    '.bash_history',
    '.zsh_history',
    '.python_history',
    '.psql_history',
    '.mysql_history',
    '.node_repl_history',
  ];

  it.each(histories)('denies Read of ~/%s', async (name) => {
    expect((await decide('Read', { file_path: `/home/dev/${name}` })).verdict).toBe('deny');
  });

  it.each(histories)('denies cat of ~/%s', async (name) => {
    expect((await decide('Bash', { command: `cat ~/${name}` })).verdict).toBe('deny');
  });

  it.each(['history | tail -20', 'cat docs/history.md', 'git log --oneline -20'])(
    'allows look-alike %s',
    async (command) => {
      expect((await decide('Bash', { command })).verdict).toBe('allow');
    },
  );

  it('allows Read of a project history file', async () => {
    const decision = await decide('Read', { file_path: '/home/dev/project/src/history.ts' });
    expect(decision.verdict).toBe('allow');
  });
});

describe('Glob denial reason', () => {
  it('names the credential folder searched', async () => {
    const decision = await decide('Glob', { pattern: '/home/dev/.ssh/*' });
    expect(decision.verdict).toBe('deny');
    expect(decision.reason).toContain('/home/dev/.ssh/*');
    expect(decision.reason).not.toContain('"/home/dev/project"');
  });
});
