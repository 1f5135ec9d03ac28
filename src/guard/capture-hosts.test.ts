import { describe, expect, it } from 'vitest';

import { unnamedCaptureHost } from './capture-hosts.js';

describe('unnamedCaptureHost', () => {
  it('flags a request-collecting host with a token', () => {
    expect(unnamedCaptureHost('https://hooks.example.net/9f1c2b7e', 'Test the browser.')).toBe(
      'hooks.example.net',
    );
    expect(unnamedCaptureHost('https://webhook.tools.io/x?id=a1b2c3d4e5', 'Test it.')).toBe(
      'webhook.tools.io',
    );
  });

  it('allows a host the user named', () => {
    expect(
      unnamedCaptureHost('https://hooks.acme.dev/d/7d1e9c44', 'Open hooks.acme.dev and check it.'),
    ).toBeUndefined();
  });

  it('ignores plain pages and other hosts', () => {
    expect(
      unnamedCaptureHost('https://hooks.acme.dev/docs/setup', 'Read the docs.'),
    ).toBeUndefined();
    expect(unnamedCaptureHost('https://docs.acme.dev/webhooks/9f1c2b7e', 'Read.')).toBeUndefined();
    expect(unnamedCaptureHost('not a url', 'Read.')).toBeUndefined();
  });
});
