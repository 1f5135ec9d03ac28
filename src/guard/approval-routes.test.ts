import { describe, expect, it } from 'vitest';
import { createGuard } from './guard.js';
import type { Decision } from './types.js';

const PROJECT = '/home/dev/project';

function decide(command: string): Promise<Decision> {
  return createGuard().decide(
    { tool: 'Bash', input: { command } },
    {
      cwd: PROJECT,
      projectDir: PROJECT,
      homeDir: '/home/dev',
      userMessages: ['Test the approve and deny endpoints of our app with curl.'],
    },
  );
}

describe('approval routes under any prefix', () => {
  it.each([
    'curl -X POST http://127.0.0.1:8080/sandstack/approvals/apr_0123456789ab/approve',
    'curl -X POST "$API/guard/approvals/$ID/approve"',
    'curl -X POST http://127.0.0.1:8080/queue/apr_0123456789ab/deny',
    'curl -X POST "$API/sandstack/approvals/$ID/$VERB"',
    'curl -X POST "$API/q/apr_0123456789ab/$VERB"',
    'curl -X POST http://127.0.0.1:8080/sandstack/v1/approvals/abc/approve',
    'wget --post-data= http://127.0.0.1/x/approvals/apr_0123456789ab/%61pprove',
  ])('denies %s', async (command) => {
    const decision = await decide(command);
    expect(decision.verdict).toBe('deny');
    expect(decision.rule).toBe('stage1:guard-control');
  });

  it.each([
    'curl -X POST http://localhost:3000/api/approvals/42/approve',
    'curl -X POST http://localhost:3000/api/users/42/deny',
    'curl "$API/sandstack/approvals/$ID"',
  ])('allows %s', async (command) => {
    expect((await decide(command)).verdict).toBe('allow');
  });
});
