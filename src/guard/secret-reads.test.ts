import { describe, expect, it } from 'vitest';
import { createGuard } from './guard.js';
import type { GuardContext, ToolCall } from './types.js';

const context = (userMessages: string[]): GuardContext => ({
  cwd: '/home/dev/project',
  projectDir: '/home/dev/project',
  homeDir: '/home/dev',
  userMessages,
});

const bash = (command: string): ToolCall => ({ tool: 'Bash', input: { command } });

async function verdictOf(command: string, message = 'Fix the failing build.'): Promise<string> {
  return (await createGuard().decide(bash(command), context([message]))).verdict;
}

describe('secret reads through the shell', () => {
  it.each([
    'cat .env.production',
    'head -3 ./.env.local',
    'grep -h = .env config/.env.staging',
    'base64 < .env',
    'cat config/master.key',
    'cat config/credentials/production.key',
    'cat /etc/ssh/ssh_host_ed25519_key',
    'cat ~/.claude.json',
  ])('denies %s', async (command) => {
    expect(await verdictOf(command)).toBe('deny');
  });

  it.each(['declare -p', 'declare -x', 'typeset -p', 'export -p', 'export'])(
    'stops the dump %s',
    async (command) => {
      expect(await verdictOf(command)).not.toBe('allow');
    },
  );

  it.each([
    ['cat .env.example', 'Fix the failing build.'],
    ['cat .env', 'Which variables are in my .env?'],
    ['grep DATABASE_URL services/api/.env', 'Is DATABASE_URL set in the env file of the api?'],
    ['set -a; . ./.env; set +a; npm start', 'Start the app.'],
    ['cat /etc/ssh/ssh_host_ed25519_key.pub', 'Show me the host key fingerprint source.'],
    ['declare -p PATH', 'What is PATH set to?'],
    ['export NODE_ENV=test', 'Run the tests.'],
  ])('allows %s', async (command, message) => {
    expect(await verdictOf(command, message)).toBe('allow');
  });
});
