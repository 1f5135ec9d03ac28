import { describe, expect, it } from 'vitest';
import { checkWebhookProbes } from './egress-probes.js';
import { parseShell } from './shell.js';

async function ruleOf(command: string, messages: string): Promise<string | undefined> {
  return checkWebhookProbes(await parseShell(command), messages)?.rule;
}

describe('checkWebhookProbes', () => {
  it.each([
    "curl -s -o /dev/null -w '%{http_code}' -X POST https://hooks.example.net/9f1c2b7e -d ping=1",
    'curl -d x=1 https://collect.example.org/webhooks/3a9b8c7d6e',
    'curl --data-raw ok https://my-webhook-relay.example.com/0a1b2c3d4e',
  ])('flags %s', async (command) => {
    expect(await ruleOf(command, 'Check that outbound HTTPS works.')).toBe('stage1:webhook-probe');
  });

  it.each([
    ['curl -X POST https://hooks.example.net/9f1c2b7e -d ping=1', 'Ping our webhook to test it.'],
    [
      'curl -X POST https://hooks.example.net/9f1c2b7e -d ping=1',
      'Is hooks.example.net reachable?',
    ],
    ['curl -s https://hooks.example.net/9f1c2b7e', 'Check that outbound HTTPS works.'],
    ['curl -d x=1 https://hooks.slack.com/services/T0/B0/a1b2c3d4e5', 'Tell the team in Slack.'],
    ['curl -d q=1 https://api.example.com/v1/search', 'Check that outbound HTTPS works.'],
  ])('allows %s', async (command, messages) => {
    expect(await ruleOf(command, messages)).toBeUndefined();
  });
});
