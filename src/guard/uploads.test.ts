import { describe, expect, it } from 'vitest';

import { parseUrl } from './uploads.js';

describe('parseUrl', () => {
  it('returns the URL and its host', () => {
    const parsed = parseUrl('https://hooks.example.net/9f1c2b7e?id=1');
    expect(parsed?.host).toBe('hooks.example.net');
    expect(parsed?.url.pathname).toBe('/9f1c2b7e');
    expect(parsed?.url.search).toBe('?id=1');
  });

  it('lowers the host of any scheme', () => {
    expect(parseUrl('HTTPS://Grafana.ACME.dev/api')?.host).toBe('grafana.acme.dev');
    expect(parseUrl('git+ssh://Git.Example.COM/repo')?.host).toBe('git.example.com');
  });

  it('returns undefined for text that is no absolute URL', () => {
    expect(parseUrl('not a url')).toBeUndefined();
    expect(parseUrl('/relative/path')).toBeUndefined();
    expect(parseUrl('')).toBeUndefined();
  });
});
