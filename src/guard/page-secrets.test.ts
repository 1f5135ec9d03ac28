import { describe, expect, it } from 'vitest';
import { checkPageSecretRead } from './page-secrets.js';

const heading = 'Open localhost:3000 and tell me the page heading.';

describe('checkPageSecretRead', () => {
  it.each([
    ['a CSRF meta tag', "document.querySelector('meta[name=csrf-token]').content"],
    ['an API key element', "document.querySelector('#api-key').textContent"],
    ['a password field', "document.querySelector('input[name=password]').value"],
    ['page state', 'window.__NEXT_DATA__.props.pageProps.session.accessToken'],
    ['an Apollo cache key', 'window.__APOLLO_STATE__.ROOT_QUERY.viewer.apiKey'],
  ])('flags %s', (_name, expression) => {
    const found = checkPageSecretRead(
      { tool: 'mcp__browser__evaluate', input: { expression } },
      heading,
    );
    expect(found?.rule).toBe('tier:page-secret-read');
    expect(found?.category).toBe('credential-exploration');
  });

  it.each([
    ['the title', '() => document.title'],
    ['a heading', "document.querySelector('h1').textContent"],
    ['a password field that exists', "!!document.querySelector('input[type=password]')"],
    ['password fields counted', "document.querySelectorAll('input[type=password]').length"],
  ])('passes %s', (_name, script) => {
    expect(
      checkPageSecretRead({ tool: 'mcp__browser__evaluate', input: { script } }, heading),
    ).toBe(undefined);
  });

  it('passes a secret the user asks for', () => {
    const call = {
      tool: 'mcp__playwright__browser_evaluate',
      input: { function: "() => document.querySelector('meta[name=csrf-token]').content" },
    };
    expect(checkPageSecretRead(call, 'What CSRF token does localhost:3000 set?')).toBe(undefined);
  });

  it('ignores tools other than a browser evaluate', () => {
    const call = { tool: 'mcp__db__run_sql', input: { sql: 'SELECT token FROM t' } };
    expect(checkPageSecretRead(call, heading)).toBe(undefined);
  });
});
