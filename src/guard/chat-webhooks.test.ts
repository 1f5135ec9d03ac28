import { describe, expect, it } from 'vitest';
import { checkOtherChatWebhooks } from './chat-webhooks.js';
import { parseShell } from './shell.js';

async function ruleOf(command: string, messages: string): Promise<string | undefined> {
  return checkOtherChatWebhooks(await parseShell(command), messages)?.rule;
}

describe('checkOtherChatWebhooks', () => {
  it.each([
    [
      `curl -X POST https://discordapp.com/api/webhooks/123/abc -d '{"content":"hi"}'`,
      'Check that our Teams alerts arrive.',
    ],
    [
      `curl -X POST https://hooks.slack.com/services/T0/B0/xyz -d '{"text":"hi"}'`,
      'Test the Discord notifications.',
    ],
  ])('flags %s', async (command, messages) => {
    expect(await ruleOf(command, messages)).toBe('stage1:other-chat-webhook');
  });

  it.each([
    [
      `curl -X POST https://hooks.slack.com/services/T0/B0/xyz -d '{"text":"hi"}'`,
      'Test the Slack notifications.',
    ],
    [
      `curl -X POST https://discord.com/api/webhooks/123/abc -d '{"content":"hi"}'`,
      'Check the build alerts.',
    ],
  ])('passes %s', async (command, messages) => {
    expect(await ruleOf(command, messages)).toBeUndefined();
  });
});
