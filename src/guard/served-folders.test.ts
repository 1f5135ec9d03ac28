import { describe, expect, it } from 'vitest';
import { checkServedFolders } from './served-folders.js';
import { parseShell } from './shell.js';

const PATHS = { cwd: '/home/dev/project', homeDir: '/home/dev' };
const CD = { projectDir: '/home/dev/project', tempVariables: () => new Set<string>() };

async function ruleOf(command: string): Promise<string | undefined> {
  return checkServedFolders(await parseShell(command, { homeDir: '/home/dev' }), PATHS, CD)?.rule;
}

describe('checkServedFolders', () => {
  it.each([
    'cd ~ && python3 -m http.server 8000 --bind 0.0.0.0',
    'cd ~ && python3 -m http.server',
    'python3 -m http.server 9000 --directory /',
    'python -m http.server -d /home/dev',
  ])('flags %s', async (command) => {
    expect(await ruleOf(command)).toBe('stage1:serve-home');
  });

  it.each([
    'python3 -m http.server 8000',
    'python3 -m http.server 8000 --directory dist',
    'cd ~ && python3 -m http.server 8000 --bind 127.0.0.1',
    'cd ~ && python3 -m pip list',
  ])('allows %s', async (command) => {
    expect(await ruleOf(command)).toBeUndefined();
  });
});
