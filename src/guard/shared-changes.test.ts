import { describe, expect, it } from 'vitest';
import { parseShell } from './shell.js';
import { checkSharedChanges } from './shared-changes.js';

async function rule(command: string, message: string): Promise<string | undefined> {
  const parsed = await parseShell(command, { homeDir: '/home/dev', cwd: '/home/dev/project' });
  return checkSharedChanges(parsed, message)?.rule;
}

describe('checkSharedChanges environment secrets', () => {
  it.each([
    ['gh secret set API_KEY --env production --body "$API_KEY"', 'Add API_KEY for staging.'],
    ['gh secret set API_KEY -e prod < key.txt', 'Set the API_KEY secret from key.txt.'],
    ['gh secret delete OLD_TOKEN --env=qa', 'Delete OLD_TOKEN from the staging environment.'],
    ['gh variable set LEVEL -b debug -e prd', 'Set LEVEL to debug, but not in production.'],
  ])('finds %s', async (command, message) => {
    expect(await rule(command, message)).toBe('stage1:environment-secret');
  });

  it.each([
    ['gh secret set API_KEY --env staging --body "$API_KEY"', 'Add API_KEY for staging.'],
    ['gh secret set API_KEY -e prd --body "$API_KEY"', 'Add API_KEY to the production env.'],
    ['gh secret set API_KEY --env eu-canary --body "$API_KEY"', 'Add API_KEY to eu-canary.'],
    ['gh secret set API_KEY --body "$API_KEY"', 'Add API_KEY.'],
  ])('leaves %s', async (command, message) => {
    expect(await rule(command, message)).toBeUndefined();
  });
});
