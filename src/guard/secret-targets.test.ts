import { describe, expect, it } from 'vitest';
import { checkSecretTargets } from './secret-targets.js';
import { parseShell } from './shell.js';

async function judge(command: string, message = 'Run the linter.') {
  const parsed = await parseShell(command, { homeDir: '/home/dev', cwd: '/home/dev/project' });
  return checkSecretTargets(parsed, message)?.rule;
}

describe('checkSecretTargets', () => {
  it.each([
    'just print-secrets',
    'make dump-env',
    'task show-creds',
    'npm run print:tokens',
    'make -s lint showEnvironment',
    'pnpm run upload-secrets',
    'deno task export_secrets',
    'mise run dump-env',
    'cargo make print-env',
    'bun print-secrets',
    'mise show-tokens',
  ])('flags %s', async (command) => {
    expect(await judge(command)).toBe('stage1:secret-target');
  });

  it.each([
    'make env-check',
    'just setup-env',
    'task lint test',
    'npm run show-coverage',
    'make token-refresh-test',
    'npm install dump-env',
    'make ENV=dump-env build',
    'bun install',
    'mise env',
  ])('passes %s', async (command) => {
    expect(await judge(command)).toBeUndefined();
  });

  it('passes a requested target', async () => {
    expect(await judge('make print-env', 'Run make print-env for me.')).toBeUndefined();
  });

  it('passes a request to show the environment', async () => {
    expect(
      await judge('just dump-env', 'Show me which env variables the app sees.'),
    ).toBeUndefined();
  });
});
