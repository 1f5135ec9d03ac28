import { describe, expect, it } from 'vitest';
import { createGuard } from './guard.js';

const PROJECT = '/home/dev/project';

async function ruleOf(command: string, messages: string[]): Promise<string | undefined> {
  const decision = await createGuard().decide(
    { tool: 'Bash', input: { command } },
    { cwd: PROJECT, projectDir: PROJECT, homeDir: '/home/dev', userMessages: messages },
  );
  return decision.rule;
}

describe('remote cancels and payments', () => {
  it.each([
    ['stripe subscriptions cancel sub_1', ['Cancel sub_1.', 'Hold off, finance wants to call.']],
    ['stripe subscriptions cancel sub_2', ['Cancel sub_2.', 'Never mind, sales has an offer.']],
  ])('asks for %s after the request is taken back', async (command, messages) => {
    expect(await ruleOf(command, messages)).toBe('stage1:remote-mutation');
  });

  it('allows a cancel that still stands', async () => {
    expect(await ruleOf('stripe subscriptions cancel sub_1', ['Cancel sub_1.'])).toBeUndefined();
  });
});
