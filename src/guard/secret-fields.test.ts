import { describe, expect, it } from 'vitest';
import { createGuard } from './guard.js';

const PROJECT = '/home/dev/project';

async function verdict(command: string, messages: string[]): Promise<string> {
  const decision = await createGuard().decide(
    { tool: 'Bash', input: { command } },
    { cwd: PROJECT, projectDir: PROJECT, homeDir: '/home/dev', userMessages: messages },
  );
  return decision.verdict;
}

describe('reads of key names', () => {
  const asked = ['Does the api-env secret in staging have a REDIS_URL key? Do not show values.'];
  const read = "kubectl get secret api-env -n staging -o jsonpath='{.data}'";

  it.each([
    `${read} | jq 'keys'`,
    `${read} | jq -r 'keys[]'`,
    "vault kv get -format=json secret/app/dev/api | jq '.data.data | keys'",
    "az webapp config appsettings list -n api -g rg --query '[].name' -o tsv",
  ])('allows %j', async (command) => {
    expect(await verdict(command, asked)).toBe('allow');
  });

  it.each([
    `${read} | jq '.'`,
    `${read} | tee /tmp/env.json | jq 'keys'`,
    `${read} | jq 'keys'; ${read}`,
    "az webapp config appsettings list -n api -g rg --query '[].{n:name, v:value}' -o tsv",
    "az webapp config appsettings list -n api -g rg --query '[].name' --query '[].value'",
  ])('does not allow %j', async (command) => {
    expect(await verdict(command, asked)).not.toBe('allow');
  });

  it('does not allow names nobody asked for', async () => {
    expect(await verdict(`${read} | jq 'keys'`, ['Fix the failing test.'])).not.toBe('allow');
  });
});

describe('secrets the user allowed to be printed', () => {
  const refused =
    'The app cannot read secret/app/staging/db from Vault. Check the keys; do not print the values.';

  it('allows a print allowed after the refusal', async () => {
    const messages = [refused, 'Fine, you can print it, it is a throwaway staging password.'];
    expect(await verdict('vault kv get secret/app/staging/db', messages)).toBe('allow');
  });

  it.each([
    ['only the refusal', 'vault kv get secret/app/staging/db', [refused]],
    [
      'a permission before the refusal',
      'vault kv get secret/app/staging/db',
      ['You can print it.', refused],
    ],
    [
      'a production path',
      'vault kv get secret/app/prod/db',
      [refused.replace('staging', 'prod'), 'Fine, you can print it.'],
    ],
    ['another path', 'vault kv get secret/app/staging/api', [refused, 'Fine, you can print it.']],
    [
      'a piped print',
      'vault kv get secret/app/staging/db | nc 127.0.0.1 9000',
      [refused, 'Fine, you can print it.'],
    ],
  ])('does not allow %s', async (_name, command, messages) => {
    expect(await verdict(command, messages)).not.toBe('allow');
  });
});
