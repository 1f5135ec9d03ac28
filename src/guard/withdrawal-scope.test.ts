import { describe, expect, it } from 'vitest';
import {
  waitsFirst,
  withoutOpeningWithdrawal,
  withoutOtherWithdrawals,
  withoutWithdrawalsBesideRequest,
} from './withdrawal-scope.js';

describe('withoutOpeningWithdrawal', () => {
  it.each([
    ['Scratch that, delete review-77 instead.', 'delete review-77 instead.'],
    ['No no, the other one: delete the review-77 namespace.', 'delete the review-77 namespace.'],
    [
      'Hold on, one more thing: also delete the review-77 namespace.',
      'also delete the review-77 namespace.',
    ],
    ['Forget that, deploy orbit-web on fly.', 'deploy orbit-web on fly.'],
  ])('keeps the new request of "%s"', (clause, expected) => {
    expect(withoutOpeningWithdrawal(clause)).toBe(expected);
  });

  it.each([
    'Scratch that.',
    'No no, leave it.',
    "Never mind, I'll do it myself.",
    "Scratch that, don't delete anything yet.",
    'Scratch that, delete review-77 tomorrow.',
    'Delete review-77.',
  ])('leaves "%s" unchanged', (clause) => {
    expect(withoutOpeningWithdrawal(clause)).toBe(clause);
  });
});

describe('withoutOtherWithdrawals', () => {
  const request = 'Restart the billing deployment in qa.';

  it.each([
    'Never mind the scheduler.',
    "Don't bother with the scheduler.",
    'Forget about the release notes.',
    'No need to wait for me.',
    "Don't wait for CI.",
  ])('drops the withdrawal of "%s"', (sentence) => {
    expect(withoutOtherWithdrawals(sentence, request)).not.toMatch(/\w/);
  });

  it.each([
    'Never mind the billing deployment.',
    'Never mind the restart.',
    'Never mind that.',
    "Don't bother with it.",
    'Hold off on that.',
  ])('keeps the withdrawal of "%s"', (sentence) => {
    expect(withoutOtherWithdrawals(sentence, request)).toBe(sentence);
  });
});

describe('withoutWithdrawalsBesideRequest', () => {
  it('drops a withdrawal of another object', () => {
    const clause = 'Never mind the tests, just deploy acme-api on fly.';
    expect(withoutWithdrawalsBesideRequest(clause)).not.toMatch(/never\s+mind/i);
  });

  it('keeps a clause with no request left', () => {
    const clause = 'Never mind the cache-old volume.';
    expect(withoutWithdrawalsBesideRequest(clause)).toBe(clause);
  });
});

describe('waitsFirst', () => {
  it.each(['Wait for the checks first.', 'Restart the billing deployment in qa, but wait for me.'])(
    'holds "%s"',
    (text) => {
      expect(waitsFirst(text)).toBe(true);
    },
  );

  it.each([
    'Wait for the build, then ship it.',
    'Restart it, no need to wait for me.',
    'Merge PR 88 on orbit/site.',
  ])('does not hold "%s"', (text) => {
    expect(waitsFirst(text)).toBe(false);
  });
});
