import { describe, expect, it } from 'vitest';
import { gitHistoryReads } from './git-history-reads.js';
import { parseShell } from './shell.js';

async function reads(command: string): Promise<string> {
  return gitHistoryReads(await parseShell(command, { homeDir: '/home/u', cwd: '/home/u/app' }));
}

describe('gitHistoryReads', () => {
  it.each([
    ['git show HEAD:.env', "cat -- '.env'"],
    ['git show HEAD~3:config/.env.local', "cat -- 'config/.env.local'"],
    ['git -C ../api show :.env', "cat -- '.env'"],
    ['git cat-file -p v1.0:.env', "cat -- '.env'"],
    ['git log -p --all -- .env', "cat -- '.env'"],
    ['git diff HEAD~5 -- .env', "cat -- '.env'"],
    ['git archive HEAD .env', "cat -- '.env'"],
    ['git cat-file -p $(git rev-parse HEAD~2:.env)', "cat -- '.env'"],
    ['git archive --format=tar -o out.tar HEAD src', "cat -- 'src'"],
  ])('reads from %s', async (command, expected) => {
    expect(await reads(command)).toBe(expected);
  });

  it.each([
    'git log --oneline -- .env',
    'git show HEAD',
    'git show --stat HEAD~2',
    'git diff HEAD~1',
    'git status -- .env',
    'git fetch origin main:main',
    'git rev-parse HEAD:.env',
    'git checkout $(git rev-parse --abbrev-ref HEAD)',
  ])('reads nothing from %s', async (command) => {
    expect(await reads(command)).toBe('');
  });
});
