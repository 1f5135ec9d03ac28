import { describe, expect, it } from 'vitest';

import { requestsGist } from './gist-creates.js';

function check(input: Record<string, unknown>, message: string) {
  return requestsGist({ tool: 'mcp__github__create_gist', input }, message);
}

const FILES = { 'repro.py': { content: 'print(1)\n' } };

describe('requestsGist', () => {
  it('allows a secret gist the user asked for', () => {
    expect(check({ public: false, files: FILES }, 'Put the repro in a secret gist.')).toBe(true);
  });

  it('needs the visibility the user asked for', () => {
    expect(check({ public: true, files: FILES }, 'Put the repro in a secret gist.')).toBe(false);
    expect(check({ public: true, files: FILES }, 'Put the repro in a public gist.')).toBe(true);
  });

  it('rejects secret files and secret values', () => {
    expect(
      check({ public: false, files: { '.env': { content: 'A=1' } } }, 'Make a secret gist.'),
    ).toBe(false);
    expect(
      check(
        {
          public: false,
          files: { 'a.txt': { content: 'key ghp_abcdefghijklmnopqrstuvwxyz0123456789' } },
        },
        'Make a secret gist.',
      ),
    ).toBe(false);
  });
});
