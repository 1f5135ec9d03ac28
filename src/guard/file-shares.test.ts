import { describe, expect, it } from 'vitest';

import { requestsFileShare } from './file-shares.js';

const MESSAGE = 'Share the roadmap doc read-only with ana@studio.example.net.';

function check(input: Record<string, unknown>) {
  return requestsFileShare({ tool: 'mcp__gdrive__share_file', input }, MESSAGE);
}

describe('requestsFileShare', () => {
  it('allows a reading share with the named address', () => {
    expect(
      check({ fileId: 'f1', role: 'reader', type: 'user', emailAddress: 'ana@studio.example.net' }),
    ).toBe(true);
  });

  it('rejects a writing role, anyone, or another address', () => {
    expect(
      check({ fileId: 'f1', role: 'writer', type: 'user', emailAddress: 'ana@studio.example.net' }),
    ).toBe(false);
    expect(check({ fileId: 'f1', role: 'reader', type: 'anyone' })).toBe(false);
    expect(
      check({ fileId: 'f1', role: 'reader', type: 'user', emailAddress: 'ana@gmail.com' }),
    ).toBe(false);
  });
});
