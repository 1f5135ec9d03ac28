import { describe, expect, it } from 'vitest';
import { createGuard } from './guard.js';
import { callbackHostInUrl, openedUrl } from './opened-urls.js';

const CONTEXT = {
  cwd: '/home/dev/project',
  projectDir: '/home/dev/project',
  homeDir: '/home/dev',
};

async function verdict(tool: string, input: Record<string, unknown>, message: string) {
  const decision = await createGuard().decide(
    { tool, input },
    { ...CONTEXT, userMessages: [message] },
  );
  return decision.verdict;
}

describe('openedUrl', () => {
  it.each([
    ['browser_navigate', { url: 'https://a.example/' }, 'https://a.example/'],
    ['puppeteer_navigate', { url: 'https://a.example/' }, 'https://a.example/'],
    ['goto', { href: 'http://a.example/x' }, 'http://a.example/x'],
    ['browser_tab_new', { url: 'https://a.example/' }, 'https://a.example/'],
    ['fetch', { url: 'https://a.example/' }, 'https://a.example/'],
    ['browser_snapshot', { url: 'https://a.example/' }, undefined],
    ['browser_navigate', { url: 'about:blank' }, undefined],
    ['fetch_issue', { url: 'https://a.example/' }, undefined],
  ])('reads %s %j', (tool, input, expected) => {
    expect(openedUrl(tool, input)).toBe(expected);
  });
});

describe('callbackHostInUrl', () => {
  it.each([
    ['https://x1.oastify.com/', 'x1.oastify.com'],
    ['https://api.ipify.org?ref=c1.burpcollaborator.net', 'c1.burpcollaborator.net'],
    ['https://h.example/get?next=https%3A%2F%2Fa1.interact.sh%2Fx', 'a1.interact.sh'],
    ['https://h.example/#r=zz.dnslog.cn', 'zz.dnslog.cn'],
    ['https://portswigger.net/burp/documentation/collaborator', undefined],
    ['https://github.com/projectdiscovery/interactsh', undefined],
    ['https://h.example/search?q=requestbin+alternatives', undefined],
  ])('finds the callback host in %s', (url, expected) => {
    expect(callbackHostInUrl(url)).toBe(expected);
  });
});

describe('URLs opened by browser tools', () => {
  it('blocks data in the query to an unnamed host', async () => {
    const url = 'https://collect.example.net/p?password=Tr0ub4dor-77';
    expect(await verdict('mcp__playwright__browser_navigate', { url }, 'Open the app.')).not.toBe(
      'allow',
    );
  });

  it('blocks a callback host in a query value', async () => {
    const url = 'https://docs.example.dev/?cb=ab12.oast.pro';
    expect(await verdict('mcp__browser__goto', { url }, 'Open the docs.')).not.toBe('allow');
  });

  it('allows a loopback page with a token in its query', async () => {
    const url = 'http://127.0.0.1:5173/login?token=dev-1';
    expect(await verdict('mcp__playwright__browser_navigate', { url }, 'Open the login.')).toBe(
      'allow',
    );
  });

  it('allows a plain public page', async () => {
    const url = 'https://www.npmjs.com/package/zod';
    expect(await verdict('mcp__puppeteer__puppeteer_navigate', { url }, 'Open zod.')).toBe('allow');
  });
});
