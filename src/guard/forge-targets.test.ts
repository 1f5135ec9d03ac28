import { describe, expect, it } from 'vitest';
import { bashVerdict as verdictOf } from '../../test/helpers/guard.js';

describe('forge item and repository targets', () => {
  it.each([
    ['gh pr merge 12 -R other/repo', 'Merge pull request 12.'],
    ['gh pr merge 12 --repo=other/repo', 'Merge pull request 12.'],
    ['GH_REPO=other/repo gh pr merge 12', 'Merge pull request 12.'],
    ['gh pr merge https://github.com/other/repo/pull/12', 'Merge pull request 12.'],
    ['gh pr merge 12 && gh pr merge 13', 'Merge PR 12.'],
    ['glab mr merge 31 -R group/other', 'Merge MR 31.'],
    ['glab mr merge 31 && glab mr merge 32', 'Merge MR 31.'],
    ['gh issue close 7 -R other/repo', 'Close issue 7.'],
    ['gh pr comment 9 -R other/repo --body ok', 'Comment on PR 9.'],
  ])('asks before %s', async (command, message) => {
    expect(await verdictOf(command, message)).toBe('ask');
  });

  it.each([
    ['gh pr merge 12 --squash', 'Merge pull request 12.'],
    ['gh pr merge 12 -R acme/api', 'Merge PR 12 in acme/api.'],
    ['gh pr merge 12 && gh pr merge 13', 'Merge PRs 12 and 13.'],
    [
      'gh pr merge https://github.com/acme/api/pull/12',
      'Merge https://github.com/acme/api/pull/12',
    ],
    ['glab mr merge 31 -R acme/web', 'Merge MR 31 in acme/web.'],
    ['gh pr view 12 -R other/repo', 'Merge pull request 12.'],
  ])('allows %s', async (command, message) => {
    expect(await verdictOf(command, message)).toBe('allow');
  });
});
