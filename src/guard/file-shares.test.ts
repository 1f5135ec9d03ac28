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

describe('requestsFileShare across sentences', () => {
  const share = (input: Record<string, unknown>, standing: string) =>
    requestsFileShare({ tool: 'mcp__gdrive__share_file', input }, standing);
  const reader = {
    fileId: 'f2',
    role: 'reader',
    type: 'user',
    emailAddress: 'li@acme.example.com',
  };

  it('reads the file from the sentence before and the address from the one after', () => {
    expect(share(reader, 'Find the pricing sheet\nshare it with li@acme.example.com')).toBe(true);
    expect(share(reader, 'Send the pricing folder to Li\nli@acme.example.com, read only.')).toBe(
      true,
    );
  });

  it('keeps a read-only request to a reading role', () => {
    expect(
      share(
        { ...reader, role: 'commenter' },
        'Send the pricing folder to Li\nli@acme.example.com, read only.',
      ),
    ).toBe(false);
  });
});
