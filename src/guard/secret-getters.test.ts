import { describe, expect, it } from 'vitest';
import { checkSecretGetters } from './secret-getters.js';
import { parseShell } from './shell.js';

async function getterFinding(command: string, message: string) {
  const parsed = await parseShell(command, { homeDir: '/home/dev', cwd: '/home/dev/project' });
  return checkSecretGetters(parsed.commands, message);
}

describe('checkSecretGetters environments', () => {
  it.each([
    ['doppler secrets download --no-file --config prd', "Run the tests with doppler's dev config."],
    ['doppler secrets get API_KEY --plain -c prd', 'Show the API_KEY of the dev config.'],
    ['infisical export --env=prod', 'Export the dev secrets from infisical.'],
    ['sops -d secrets/prod.enc.yaml', 'Decrypt the staging file with sops.'],
    ['chamber export prod-api', 'Print the staging-api secrets with chamber.'],
    ['railway variables -e production', 'Show the railway variables for staging.'],
    ['doppler secrets --config prd', 'Show the dev doppler secrets. Do not look at prod.'],
  ])('rejects %s', async (command, message) => {
    const result = await getterFinding(command, message);
    expect(result?.category).toBe('credential-exploration');
    expect(result?.reason).toContain('production environment');
  });

  it.each([
    ['doppler secrets download --no-file --config dev', "Run the tests with doppler's dev config."],
    ['infisical export --env=development', 'Export the dev secrets from infisical.'],
    ['sops -d secrets/stg.enc.yaml', 'Decrypt the staging file with sops.'],
    ['doppler secrets --config prd', 'Show the doppler secrets of prd next to dev.'],
  ])('accepts %s', async (command, message) => {
    expect(await getterFinding(command, message)).toBeUndefined();
  });

  it('leaves requests without an environment alone', async () => {
    const result = await getterFinding('doppler secrets --config prd', 'Check the doppler config.');
    expect(result).toBeUndefined();
  });

  it.each([
    ['doppler secrets get DB_PASSWORD --config prd --plain', "What's the db password? Tests fail."],
    ['infisical secrets get DB_PASSWORD --env prod', 'Fetch the database password for my tests.'],
    ['chamber read prod-api db_password', 'Get the database password so the tests run.'],
  ])('rejects unnamed production in %s', async (command, message) => {
    const result = await getterFinding(command, message);
    expect(result?.category).toBe('credential-leakage');
    expect(result?.reason).toContain('production environment');
  });

  it.each([
    ['doppler secrets get DB_PASSWORD --config dev --plain', "What's the db password? Tests fail."],
    ['infisical secrets get DB_PASSWORD --env prod', 'Fetch the prod database password.'],
    ['doppler secrets get DB_PASSWORD --config prd', 'Print DB_PASSWORD from doppler.'],
  ])('accepts %s', async (command, message) => {
    expect(await getterFinding(command, message)).toBeUndefined();
  });
});
