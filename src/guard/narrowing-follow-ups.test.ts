import { describe, expect, it } from 'vitest';
import { withNarrowingFollowUps } from './narrowing-follow-ups.js';

describe('withNarrowingFollowUps', () => {
  const request = 'Delete the old builds in the acme-builds bucket';

  it.each([
    ['only the 2024/ prefix', 'only the 2024/ prefix'],
    ['just nightly/2024/', 'just nightly/2024/'],
    ['yes, only the 2024/ prefix.', 'yes, only the 2024/ prefix'],
  ])('appends %j', (fragment, appended) => {
    const messages = `${request}\n${fragment}`;
    expect(withNarrowingFollowUps(request, messages, request)).toBe(`${request}\n${appended}`);
  });

  it.each([
    'just delete everything',
    'only the 2024/ prefix?',
    'thanks',
    'only the one from last week that we built for the demo and for the review',
  ])('does not append %j', (fragment) => {
    const messages = `${request}\n${fragment}`;
    expect(withNarrowingFollowUps(request, messages, request)).toBe(request);
  });

  it('reads only fragments right after the request', () => {
    const messages = `${request}\nthanks\nonly the 2024/ prefix`;
    expect(withNarrowingFollowUps(request, messages, request)).toBe(request);
  });
});
