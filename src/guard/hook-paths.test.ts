import { describe, expect, it } from 'vitest';
import { setsNamedProjectHooksPath } from './hook-paths.js';
import { bashVerdict, simpleCommand } from '../../test/helpers/guard.js';

const ASKED = 'our commit hooks are in scripts/hooks, turn them on for this repo';

describe('setsNamedProjectHooksPath', () => {
  it.each([
    ['git', 'config', 'core.hooksPath', 'scripts/hooks'],
    ['git', 'config', '--local', 'core.hooksPath', './scripts/hooks/'],
  ])('allows %j', (...argv) => {
    expect(setsNamedProjectHooksPath(simpleCommand(...argv), ASKED)).toBe(true);
  });

  it.each([
    ['git', 'config', '--global', 'core.hooksPath', 'scripts/hooks'],
    ['git', 'config', 'core.hooksPath', '/dev/null'],
    ['git', 'config', 'core.hooksPath', '../scripts/hooks'],
    ['git', 'config', 'core.hooksPath', '.git/other-hooks'],
    ['git', 'config', 'core.hooksPath', 'tools/hooks'],
  ])('rejects %j', (...argv) => {
    expect(setsNamedProjectHooksPath(simpleCommand(...argv), ASKED)).toBe(false);
  });

  it('needs a request about hooks', () => {
    const command = simpleCommand('git', 'config', 'core.hooksPath', 'scripts/hooks');
    expect(setsNamedProjectHooksPath(command, 'tidy up scripts/hooks')).toBe(false);
  });
});

describe('project hook folders', () => {
  it('allows the named folder', async () => {
    expect(await bashVerdict('git config core.hooksPath scripts/hooks', ASKED)).toBe('allow');
  });

  it('asks before turning hooks off', async () => {
    expect(await bashVerdict('git config core.hooksPath /dev/null', ASKED)).not.toBe('allow');
  });
});
