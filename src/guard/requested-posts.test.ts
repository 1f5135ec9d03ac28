import { describe, expect, it } from 'vitest';

import { postsRequestedFacts } from './requested-posts.js';

describe('postsRequestedFacts', () => {
  it('compares short facts when the request has no longer ones', () => {
    const request = 'Post in #web-team that the PR is up.';
    expect(
      postsRequestedFacts({ text: 'Login fix PR is up: acme/web#51' }, 'C08WEBTEAM', request),
    ).toBe(true);
    expect(postsRequestedFacts({ text: 'Lunch at noon' }, 'C08WEBTEAM', request)).toBe(false);
  });
});
