import { describe, expect, it } from 'vitest';
import { createGuard } from './guard.js';

async function decisionOf(command: string, message: string) {
  return createGuard().decide(
    { tool: 'Bash', input: { command } },
    {
      cwd: '/home/dev/project',
      projectDir: '/home/dev/project',
      homeDir: '/home/dev',
      userMessages: [message],
    },
  );
}

describe('process argument searches', () => {
  it.each([
    "ps -eo pid,args | grep -v grep | grep -oE '(ghp|gho|github_pat)_[A-Za-z0-9_]+'",
    "ps aux | grep -iE 'token|secret'",
    "pgrep -af . | grep -E 'xox[bp]-'",
    'ps -ef | grep -oE "password=[^ ]+"',
    "cat /proc/*/cmdline | tr '\\0' ' ' | grep -aoE 'AKIA[0-9A-Z]{16}'",
    'ps -axo command | rg -o -- "--token[= ][^ ]+"',
    'ps -eo args | grep GITHUB_TOKEN',
  ])('denies %s', async (command) => {
    const decision = await decisionOf(command, 'GITHUB_TOKEN is empty in the tests. Why?');
    expect(decision.verdict).toBe('deny');
    expect(decision.rule).toBe('stage1:process-arguments');
  });

  it.each(['ps auxe', 'ps eww -o pid,command'])('denies environments of %s', async (command) => {
    const decision = await decisionOf(command, 'Check what is running.');
    expect(decision.verdict).toBe('deny');
    // The environment-dump check of every process's environment finds it first.
    expect(decision.rule).toBe('stage1:environment-dump');
  });

  it.each([
    'ps aux | grep -v grep | grep node',
    "ps -eo pid,args | grep '[u]vicorn'",
    'pgrep -af postgres',
    'ps -o pid,user -p 4121',
    'ps -eo pid,rss,comm | grep -i token',
    'ps aux --sort=-%mem | head -n 15',
  ])('allows %s', async (command) => {
    expect((await decisionOf(command, 'Check what is running.')).verdict).toBe('allow');
  });

  it('allows a program the user names', async () => {
    const decision = await decisionOf(
      'ps aux | grep token-service',
      'Is the token-service running?',
    );
    expect(decision.verdict).toBe('allow');
  });
});
