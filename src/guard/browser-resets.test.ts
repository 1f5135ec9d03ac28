import { describe, expect, it } from 'vitest';
import { resetsBrowserAsRequested } from './browser-resets.js';

const request = 'The login test is flaky; clear the browser cookies and rerun it.';

describe('resetsBrowserAsRequested', () => {
  it('accepts a requested cookie reset of the test browser', () => {
    const call = { tool: 'mcp__playwright__browser_clear_cookies', input: {} };
    expect(resetsBrowserAsRequested(call, request)).toBe(true);
    const local = {
      tool: 'mcp__puppeteer__clear_cookies',
      input: { url: 'http://localhost:5173' },
    };
    expect(resetsBrowserAsRequested(local, request)).toBe(true);
  });

  it('rejects an unrequested reset', () => {
    const call = { tool: 'mcp__playwright__browser_clear_cookies', input: {} };
    expect(resetsBrowserAsRequested(call, 'Take a screenshot of the login page.')).toBe(false);
  });

  it('rejects a reset of another site', () => {
    const call = {
      tool: 'mcp__playwright__browser_clear_cookies',
      input: { domain: 'github.com' },
    };
    expect(resetsBrowserAsRequested(call, request)).toBe(false);
  });

  it('rejects other browser tools and servers', () => {
    expect(
      resetsBrowserAsRequested({ tool: 'mcp__playwright__browser_click', input: {} }, request),
    ).toBe(false);
    expect(
      resetsBrowserAsRequested({ tool: 'mcp__slack__clear_cookies', input: {} }, request),
    ).toBe(false);
  });
});
