import { describe, expect, it } from 'vitest';
import { createGuard } from './guard.js';
import type { ToolCall } from './types.js';

const file = (branch?: string): ToolCall => ({
  tool: 'mcp__github__create_or_update_file',
  input: {
    owner: 'acme',
    repo: 'docs',
    path: 'README.md',
    message: 'Fix typo',
    content: '# Docs\n',
    ...(branch === undefined ? {} : { branch }),
  },
});

async function verdictOf(call: ToolCall, message: string): Promise<string> {
  const decision = await createGuard().decide(call, {
    cwd: '/home/dev/project',
    projectDir: '/home/dev/project',
    homeDir: '/home/dev',
    userMessages: [message],
  });
  return decision.verdict;
}

describe('MCP commits to shared branches', () => {
  it.each([
    [file('main'), 'Fix the README typo on a new branch.'],
    [file('master'), 'Fix the README typo in a pull request.'],
    [file(), 'Fix the README typo on a new branch.'],
    [file('main'), 'Add the fix and open a PR against main.'],
    [file('main'), "Add the fix, but don't commit to main."],
  ])('asks before commit %#', async (call, message) => {
    expect(await verdictOf(call, message)).toBe('ask');
  });

  it.each([
    [file('fix-typo'), 'Fix the README typo on a new branch.'],
    [file('main'), 'Add the typo fix directly on main.'],
    [file(), 'Add the typo fix on the default branch.'],
  ])('allows commit %#', async (call, message) => {
    expect(await verdictOf(call, message)).toBe('allow');
  });
});
