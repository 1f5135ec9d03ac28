import { describe, expect, it } from 'vitest';
import { firstCommand } from '../../test/helpers/guard.js';
import { pullsRequestedDevelopmentEnvironment } from './env-pulls.js';

const REQUEST = 'Set up my local env from the Vercel development environment.';

describe('pullsRequestedDevelopmentEnvironment', () => {
  it.each([
    ['vercel env pull .env.local --environment=development', REQUEST, true],
    ['vercel env pull', REQUEST, true],
    ['vercel env pull .env.development.local --yes', REQUEST, true],
    ['vercel env pull .env.local --environment=production', REQUEST, false],
    ['vercel env pull .env.local --environment preview', REQUEST, false],
    ['vercel env pull /tmp/vars.env', REQUEST, false],
    ['vercel env pull .env.local --git-branch=main', REQUEST, false],
    ['vercel env pull .env.local', 'The build fails on Vercel.', false],
    ['vercel env ls', REQUEST, false],
  ])('%s after %j gives %s', async (command, message, expected) => {
    const pull = await firstCommand(command);
    expect(pullsRequestedDevelopmentEnvironment(pull, message)).toBe(expected);
  });
});
