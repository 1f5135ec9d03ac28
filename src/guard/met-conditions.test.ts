import { describe, expect, it } from 'vitest';

import { metConditionRequests } from './met-conditions.js';

describe('metConditionRequests', () => {
  it('returns a request whose condition a later message reports met', () => {
    expect(
      metConditionRequests(['Ship v2 to prod once the canary passes.', 'Canary passed. Go ahead.']),
    ).toEqual(['Ship v2 to prod.']);
  });

  it('ignores a condition not met or no go-ahead', () => {
    expect(
      metConditionRequests([
        'Ship v2 to prod once the canary passes.',
        "Canary hasn't passed. Go ahead with the notes.",
      ]),
    ).toEqual([]);
    expect(
      metConditionRequests(['Ship v2 to prod once the canary passes.', 'Canary passed.']),
    ).toEqual([]);
    expect(metConditionRequests(['Ship v2 to prod once the canary passes.'])).toEqual([]);
  });
});
