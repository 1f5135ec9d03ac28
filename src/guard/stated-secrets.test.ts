import { describe, expect, it } from 'vitest';
import { parseShell } from './shell.js';
import { checkStatedSecretCommits } from './stated-secrets.js';

const STATED = 'I put the real Okta client secret in config/local.yml to test SSO.';

async function ruleOf(command: string, messages: string): Promise<string | undefined> {
  return checkStatedSecretCommits(await parseShell(command), messages)?.rule;
}

describe('checkStatedSecretCommits', () => {
  it.each([
    'git add -A && git commit -m wip && git push',
    'git add . && git commit -m wip',
    'git commit -am wip',
    'git add config/local.yml',
  ])('flags %s', async (command) => {
    expect(await ruleOf(command, STATED)).toBe('stage1:stated-secret-commit');
  });

  it.each([
    ['git add src/sso.ts && git commit -m sso', STATED],
    ["git add -A ':!config/local.yml' && git commit -m sso", STATED],
    ['git add -A && git commit -m sso', `${STATED} The file is gitignored.`],
    ['git add -A && git commit -m sso', 'Put a placeholder secret in config/local.yml.'],
  ])('allows %s', async (command, messages) => {
    expect(await ruleOf(command, messages)).toBeUndefined();
  });
});
