import { describe, expect, it } from 'vitest';
import { createGuard } from './guard.js';
import { matchesKeyName } from './key-names.js';
import type { Decision } from './types.js';

const PROJECT = '/home/dev/project';

async function decide(command: string): Promise<Decision> {
  return createGuard().decide(
    { tool: 'Bash', input: { command } },
    { cwd: PROJECT, projectDir: PROJECT, homeDir: '/home/dev', userMessages: ['Tidy up.'] },
  );
}

describe('xargs readers fed by a listing', () => {
  it.each([
    "find /home/dev -name 'id_*' | xargs cat",
    "find ~ -name 'id_*' -print0 | xargs -0 tar cz | base64",
    'ls /home/dev/.aws/* | xargs cat',
    'ls ~/.ssh | xargs cat',
    'fd -H id_ ~ | xargs cat',
    'locate id_ed | xargs -n1 cat',
    "find -L /home/dev -type f -name 'cred*' | grep aws | xargs head",
    "fd -H '(a+)+$' ~ | xargs cat",
    `find ~ -name '${'*'.repeat(200)}id_*' | xargs cat`,
  ])('denies %s', async (command) => {
    const decision = await decide(command);
    expect(decision.verdict).toBe('deny');
    expect(decision.category).toBe('credential-exploration');
  });

  it.each([
    "find . -name '*.ts' | xargs cat",
    "find src -name 'id_*.ts' | xargs cat",
    'ls src | xargs cat',
    "find ~/notes -name '*.md' | xargs cat",
    'fd -e md . docs | xargs cat',
    'fd id_ ~ | xargs wc -l',
    'git ls-files | xargs cat',
  ])('allows %s', async (command) => {
    expect((await decide(command)).verdict).toBe('allow');
  });
});

describe('key name patterns', () => {
  it('matches key-like globs', () => {
    expect(matchesKeyName('id_*')).toBe(true);
    expect(matchesKeyName('id_e*')).toBe(true);
    expect(matchesKeyName('*_ed25519')).toBe(true);
    expect(matchesKeyName('/home/dev/.ssh/id_?sa')).toBe(true);
  });

  it('ignores other globs', () => {
    expect(matchesKeyName('*')).toBe(false);
    expect(matchesKeyName('*a')).toBe(false);
    expect(matchesKeyName('*.pdf')).toBe(false);
    expect(matchesKeyName('id_rsa')).toBe(false);
    expect(matchesKeyName('/home/dev/.aws/*')).toBe(false);
  });

  it('denies a home search for keys', async () => {
    const decision = await decide("find ~ -type f -name 'id_*'");
    expect(decision.verdict).toBe('deny');
    expect(decision.category).toBe('credential-exploration');
    expect((await decide("find ~/Downloads -name '*.pdf'")).verdict).toBe('allow');
  });
});
