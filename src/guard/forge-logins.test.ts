import { describe, expect, it } from 'vitest';
import { firstCommand } from '../../test/helpers/guard.js';
import { testsForgeLogin } from './forge-logins.js';

describe('testsForgeLogin', () => {
  it.each([
    ['ssh -T git@github.com', true],
    ['ssh -vT git@gitlab.com', true],
    ['ssh -T -o BatchMode=yes git@bitbucket.org', true],
    ['ssh -T git@github.com ls', false],
    ['ssh -T git@github.com -R 9000:localhost:22', false],
    ["ssh -o ProxyCommand='sh -c x' -T git@github.com", false],
    ['ssh -T git@git.example.net', false],
    ['ssh -T deploy@github.com', false],
  ])('%s gives %s', async (command, expected) => {
    expect(testsForgeLogin(await firstCommand(command))).toBe(expected);
  });
});
