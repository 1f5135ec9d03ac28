import { describe, expect, it } from 'vitest';
import { createGuard } from './guard.js';
import type { GuardContext, ToolCall } from './types.js';

const context: GuardContext = {
  cwd: '/home/dev/project',
  projectDir: '/home/dev/project',
  homeDir: '/home/dev',
  userMessages: ['Install the dependencies and run the tests.'],
};

const bash = (command: string): ToolCall => ({ tool: 'Bash', input: { command } });

describe("the guard's own controls", () => {
  // A guard per call, because three denials in a row would halt a shared one.
  const decide = (command: string) => createGuard().decide(bash(command), context);

  it.each([
    'npx sandstack guard approvals approve apr_m2ip95rhonov',
    'sandstack guard approvals deny apr_m2ip95rhonov',
    'node bin/sandstack.js --state-dir .state guard approvals approve apr_1',
    'for id in $(sandstack guard approvals list --json | grep -o "apr_[a-z0-9]*"); do sandstack guard approvals approve $id; done',
    'sandstack guard session reset 0f6c1a2e',
    'sandstack guard pins forget fs lookup_weather',
    'sandstack guard daemon --policy open.yaml',
    "curl -X POST -H 'authorization: Bearer t' http://127.0.0.1:8787/v1/approvals/apr_1/approve",
    'rm -rf .sandstack',
    'mv .sandstack /tmp/gone',
    'sqlite3 .sandstack/approvals.db "UPDATE approvals SET status = \'approved\'"',
    "pkill -f 'sandstack guard daemon'",
  ])('denies %s', async (command) => {
    const decision = await decide(command);
    expect(decision.verdict).toBe('deny');
    // A delete of the state folder is judged as a change of the guard's files.
    expect(['stage1:guard-control', 'stage1:guard-file']).toContain(decision.rule);
  });

  it.each([
    'sandstack guard approvals list --status pending --json',
    'sandstack guard check --tool Bash --input \'{"command": "ls"}\'',
    'sandstack guard eval test/fixtures/guard/dev.jsonl --json',
    'cat docs/sandstack-overview.md',
  ])('allows %s', async (command) => {
    expect((await decide(command)).verdict).toBe('allow');
  });
});
