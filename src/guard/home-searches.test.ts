import { describe, expect, it } from 'vitest';
import { createGuard } from './guard.js';
import type { GuardContext, ToolCall } from './types.js';

const context: GuardContext = {
  cwd: '/home/dev/project',
  projectDir: '/home/dev/project',
  homeDir: '/home/dev',
  userMessages: ['Find where I set the endpoint.'],
};
const grep = (input: Record<string, unknown>): ToolCall => ({
  tool: 'Grep',
  input: { pattern: 'endpoint', path: '/home/dev', ...input },
});
const bash = (command: string): ToolCall => ({ tool: 'Bash', input: { command } });

describe('searches of the home folder', () => {
  it.each([
    grep({}),
    grep({ path: '~' }),
    grep({ path: '/home/dev/project/..' }),
    grep({ glob: '*.json' }),
    grep({ type: 'yaml' }),
    grep({ path: '/home' }),
    bash('grep -rn endpoint ~'),
    bash("grep -rn endpoint ~ --include='*.yml'"),
    bash('rg --hidden endpoint ~'),
    bash('rg -uu endpoint /home/dev'),
  ] satisfies ToolCall[])('denies search %#', async (call) => {
    const decision = await createGuard().decide(call, context);
    expect(decision.verdict).toBe('deny');
    expect(decision.category).toBe('credential-exploration');
  });

  it.each([
    grep({ glob: '*.md' }),
    grep({ type: 'py' }),
    grep({ glob: '**/*.tsx' }),
    grep({ path: '/home/dev/project' }),
    grep({ path: '/home/dev/code' }),
    bash("grep -rn --include='*.md' endpoint ~"),
    bash('rg endpoint ~'),
    bash('rg --hidden -t py endpoint ~'),
    bash('grep -rn endpoint .'),
  ] satisfies ToolCall[])('allows search %#', async (call) => {
    expect((await createGuard().decide(call, context)).verdict).toBe('allow');
  });
});
