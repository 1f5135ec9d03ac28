import { describe, expect, it } from 'vitest';
import { simpleCommand } from '../../test/helpers/guard.js';
import { namesCacheEntry } from './caches.js';
import { disablesSecurityJob } from './ci-controls.js';
import { lookAlikeHost, pushUrl } from './covert-channels.js';
import { printsStoredSecret, searchPatternToRegExp } from './credential-stores.js';
import { addedTokenLiteral, tokenLiteral } from './planted-secrets.js';
import { forkReplacement } from './supply-chain.js';

const HOME = '/home/dev';

describe('lookAlikeHost', () => {
  it.each([
    ['https://api.gіthub.com/user', 'api.gіthub.com'],
    ['git@xn--gthub-n4a.com:acme/app.git', 'xn--gthub-n4a.com'],
    ['https://api.github.com/user', undefined],
    ["git commit -m 'café ü'", undefined],
  ])('reads %s', (text, expected) => {
    expect(lookAlikeHost(text)).toBe(expected);
  });
});

describe('pushUrl', () => {
  it.each([
    [['git', 'push', 'https://example.com/x/y.git', 'HEAD'], 'https://example.com/x/y.git'],
    [['git', 'push', '-u', 'git@example.com:x/y.git', 'main'], 'git@example.com:x/y.git'],
    [['git', 'push', '--repo=ssh://example.com/x/y.git'], 'ssh://example.com/x/y.git'],
    [['git', 'push', '-o', 'ci.skip', 'origin', 'main'], undefined],
    [['git', 'push', 'file:///srv/backup.git', 'main'], undefined],
    [['git', 'push', '/srv/git/mirror.git'], undefined],
  ])('reads %j', (argv, expected) => {
    expect(pushUrl(simpleCommand(...argv))).toBe(expected);
  });
});

describe('printsStoredSecret', () => {
  it.each([
    [['docker-credential-desktop', 'get'], true],
    [['git', 'credential', 'fill'], true],
    [['git', 'config', '--get', 'credential.helper'], false],
    [['security', 'find-generic-password', '-w', '-s', 'x'], true],
    [['pass', 'show', 'work/aws'], true],
    [['pass', 'ls'], false],
    [['vault', 'kv', 'get', 'secret/app'], true],
    [['vault', 'kv', 'put', 'secret/app', 'a=b'], false],
  ])('reads %j', (argv, expected) => {
    expect(printsStoredSecret(simpleCommand(...argv))).toBe(expected);
  });
});

describe('searchPatternToRegExp', () => {
  it.each([
    ['**/id_*', HOME, `${HOME}/.ssh/id_rsa`, true],
    ['../.ssh/*', `${HOME}/project`, `${HOME}/.ssh/id_ed25519`, true],
    ['**/*.go', `${HOME}/project`, `${HOME}/.ssh/id_rsa`, false],
    ['Downloads/*.pdf', HOME, `${HOME}/.aws/credentials`, false],
  ])('matches %s under %s', (pattern, base, file, expected) => {
    expect(searchPatternToRegExp(pattern, base).test(file)).toBe(expected);
  });
});

describe('token literals', () => {
  it('finds a mixed token', () => {
    expect(tokenLiteral('key = "sk-proj-R4nd0mL00k1ngK3y9f8e7d6"')).toBe(
      'sk-proj-R4nd0mL00k1ngK3y9f8e7d6',
    );
  });

  it('skips placeholder tokens', () => {
    expect(tokenLiteral('key = "sk-proj-xxxxxxxxxxxxxxxxxxxxxxxx"')).toBeUndefined();
  });

  it('skips tokens already present', () => {
    const token = 'glpat-8Hk2mPq4Rs6Tv8Wx0Yz1';
    expect(addedTokenLiteral(`a ${token}`, `b ${token}`)).toBeUndefined();
  });
});

describe('disablesSecurityJob', () => {
  const file = '/p/.github/workflows/codeql.yml';

  it('flags an added if: false', () => {
    expect(
      disablesSecurityJob(file, 'jobs:\n  analyze:\n', 'jobs:\n  analyze:\n    if: false\n'),
    ).toBe(true);
  });

  it('flags a dropped scanner step', () => {
    const removed = '      - run: npm audit\n      - run: npm test\n';
    expect(
      disablesSecurityJob('/p/.github/workflows/ci.yml', removed, '      - run: npm test\n'),
    ).toBe(true);
  });

  it('allows a scanner version bump', () => {
    const removed = '      - uses: github/codeql-action/init@v2\n';
    const added = '      - uses: github/codeql-action/init@v3\n';
    expect(disablesSecurityJob(file, removed, added)).toBe(false);
  });

  it('ignores files outside CI', () => {
    expect(disablesSecurityJob('/p/docs/codeql.md', '', 'if: false')).toBe(false);
  });
});

describe('forkReplacement', () => {
  it('flags another owner', () => {
    const added = 'replace github.com/gorilla/mux => github.com/someone/mux v1.8.2';
    expect(forkReplacement('/p/go.mod', '', added)).toBe('github.com/someone/mux');
  });

  it('allows local paths', () => {
    expect(forkReplacement('/p/go.mod', '', 'replace github.com/acme/x => ../x')).toBeUndefined();
  });
});

describe('namesCacheEntry', () => {
  const entry = `${HOME}/.gradle/caches/modules-2/files-2.1/com.acme.internal`;

  it('accepts a named entry', () => {
    expect(namesCacheEntry('Drop com.acme.internal from my gradle cache.', entry, HOME)).toBe(true);
  });

  it('rejects the cache root', () => {
    expect(namesCacheEntry('Clear my gradle cache.', `${HOME}/.gradle/caches`, HOME)).toBe(false);
  });

  it('rejects an unnamed tool', () => {
    expect(namesCacheEntry('Drop com.acme.internal from the cache.', entry, HOME)).toBe(false);
  });
});
