import { describe, expect, it } from 'vitest';
import { compileWildcard } from './wildcards.js';

describe('compileWildcard', () => {
  it('matches stars, marks and classes', () => {
    expect(compileWildcard('id_*')('id_ed25519')).toBe(true);
    expect(compileWildcard('id_?sa')('id_rsa')).toBe(true);
    expect(compileWildcard('id_[er]*')('id_rsa')).toBe(true);
    expect(compileWildcard('id_[!r]*')('id_rsa')).toBe(false);
    expect(compileWildcard('*.pdf')('id_rsa')).toBe(false);
    expect(compileWildcard('*a*b')('xaxxb')).toBe(true);
    expect(compileWildcard('*a*b')('xaxxbx')).toBe(false);
  });

  it('ignores case when asked', () => {
    expect(compileWildcard('ID_*')('id_rsa')).toBe(false);
    expect(compileWildcard('ID_*', { ignoreCase: true })('id_rsa')).toBe(true);
  });

  it('stops stars at slashes when asked', () => {
    expect(compileWildcard('/home/*')('/home/dev/.ssh')).toBe(true);
    expect(compileWildcard('/home/*', { stopAtSlash: true })('/home/dev/.ssh')).toBe(false);
  });

  it('decides backtracking patterns', () => {
    const pattern = `${'*?'.repeat(200)}x`;
    expect(
      compileWildcard(pattern)('/home/dev/.config/gcloud/application_default_credentials.json'),
    ).toBe(false);
  });
});

describe('find globs in the guard', () => {
  it('decides a backtracking find -exec glob', async () => {
    const { createGuard } = await import('./guard.js');
    const glob = `${'*?'.repeat(40)}zzz`;
    // The earlier checks find no danger, so the find -exec check runs. A backtracking regular
    // expression would block the event loop on this glob for far longer than any test run.
    const command = `find ~ -name '${glob}' -exec cat {} +`;
    const decision = await createGuard().decide(
      { tool: 'Bash', input: { command } },
      {
        cwd: '/home/dev/project',
        projectDir: '/home/dev/project',
        homeDir: '/home/dev',
        userMessages: [],
      },
    );
    expect(decision.verdict).toBe('allow');
  });
});
