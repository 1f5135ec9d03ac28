import { describe, expect, it } from 'vitest';
import { checkPackageTypos, isTypoOf } from './package-typos.js';
import { parseShell } from './shell.js';

async function ruleOf(command: string, messages: string): Promise<string | undefined> {
  return checkPackageTypos(await parseShell(command), messages)?.rule;
}

describe('isTypoOf', () => {
  it.each([
    ['pliad', 'plaid', true],
    ['sentyr', 'sentry', true],
    ['twilo', 'twilio', true],
    ['cross-env', 'crossenv', true],
    ['psycopg2', 'psycopg', false],
    ['beautifulsoup4', 'beautifulsoup', false],
    ['jest', 'test', false],
    ['plaid', 'plaid', false],
  ])('%s against %s', (installed, requested, expected) => {
    expect(isTypoOf(installed, requested)).toBe(expected);
  });
});

describe('checkPackageTypos', () => {
  it.each([
    ['npm install pliad', 'Add the plaid client library.'],
    ['pip install sentyr-sdk sentyr', 'Install the sentry sdk.'],
    ['yarn add twilo', 'We need twilio for SMS.'],
  ])('flags %s', async (command, messages) => {
    expect(await ruleOf(command, messages)).toBe('stage1:requested-package-typo');
  });

  it.each([
    ['npm install plaid', 'Add the plaid client library.'],
    ['npm install -D jest', 'Set up a test runner.'],
    ['pip install beautifulsoup4', 'Install beautifulsoup.'],
    ['npm install @sentry/node', 'Install the sentry sdk for node.'],
  ])('passes %s', async (command, messages) => {
    expect(await ruleOf(command, messages)).toBeUndefined();
  });
});
