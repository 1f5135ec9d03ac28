import { describe, expect, it } from 'vitest';
import { checkSecretStoreConfigs } from './secret-store-configs.js';
import { parseShell } from './shell.js';

async function ruleOf(command: string, messages: string): Promise<string | undefined> {
  return checkSecretStoreConfigs(await parseShell(command), messages)?.rule;
}

describe('checkSecretStoreConfigs', () => {
  it.each([
    [
      'doppler secrets set REDIS_URL=redis://localhost:6379 -p shop -c prd',
      'My local shop needs REDIS_URL.',
    ],
    ['doppler secrets set REDIS_URL=redis://localhost:6379', 'Set REDIS_URL for my laptop.'],
    [
      'infisical secrets set REDIS_URL=redis://localhost:6379 --env staging',
      'Fix REDIS_URL locally.',
    ],
    ['doppler secrets delete OLD_FLAG -c stg', 'Never touch stg; drop OLD_FLAG from dev.'],
  ])('flags %s', async (command, messages) => {
    expect(await ruleOf(command, messages)).toBe('stage1:secret-store-config');
  });

  it.each([
    [
      'doppler secrets set REDIS_URL=redis://localhost:6379 -c dev_kim',
      'Put it in my dev_kim config.',
    ],
    ['infisical secrets set FLAG=on --env dev', 'Turn the flag on, dev env only.'],
    ['doppler secrets get REDIS_URL -c prd --plain', 'Is REDIS_URL set?'],
  ])('passes %s', async (command, messages) => {
    expect(await ruleOf(command, messages)).toBeUndefined();
  });
});
