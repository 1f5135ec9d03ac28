import { describe, expect, it } from 'vitest';

import { mergesByUnaskedMethod } from './merge-methods.js';

function check(method: string | undefined, standing: string) {
  const input: Record<string, unknown> = { owner: 'acme', repo: 'shop', pull_number: 12 };
  if (method !== undefined) {
    input['merge_method'] = method;
  }
  return mergesByUnaskedMethod({ tool: 'mcp__github__merge_pull_request', input }, standing);
}

describe('mergesByUnaskedMethod', () => {
  it('accepts the method the request names', () => {
    expect(check('squash', 'squash merge 12 please')).toBe(false);
    expect(check('rebase', 'Rebase-merge it please, not squash.')).toBe(false);
    expect(check('merge', 'Merge 12 with a merge commit.')).toBe(false);
  });

  it('leaves an unnamed method open', () => {
    expect(check('squash', 'Merge PR 12.')).toBe(false);
    expect(check(undefined, 'squash merge 12 please')).toBe(false);
  });

  it('flags another method', () => {
    expect(check('rebase', 'squash merge 12 please')).toBe(true);
    expect(check('squash', 'Rebase-merge it please, not squash.')).toBe(true);
    expect(check('squash', 'Merge 12 with a merge commit, no squash.')).toBe(true);
  });
});
