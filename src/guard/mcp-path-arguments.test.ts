import { describe, expect, it } from 'vitest';
import { createGuard } from './guard.js';
import { argumentCalls } from './mcp-arguments.js';
import type { GuardContext } from './types.js';

const context: GuardContext = {
  cwd: '/home/dev/project',
  projectDir: '/home/dev/project',
  homeDir: '/home/dev',
  userMessages: ['Look up the weather in Oslo.'],
};

async function verdictOf(input: Record<string, unknown>, tool = 'read_file'): Promise<string> {
  return (await createGuard().decide({ tool: `mcp__fx__${tool}`, input }, context)).verdict;
}

describe('MCP path arguments under any name', () => {
  it.each([
    [{ src: '/home/dev/.ssh/id_rsa' }],
    [{ q: '/home/dev/.aws/credentials' }],
    [{ name: '~/.ssh/id_rsa' }],
    [{ location: '/home/dev/project/.env' }],
    [{ path: { p: '/home/dev/.ssh/id_ed25519' } }],
    [{ opts: { p: '/home/dev/.ssh/id_rsa' } }],
    [{ items: [{ ref: '~/.netrc' }] }],
    [{ src: 'file:///home/dev/.ssh/id_rsa' }],
    [{ src: '%2Fhome%2Fdev%2F.ssh%2Fid_rsa' }],
    [{ src: '../.ssh/id_rsa' }],
    [{ key: '.env.production' }],
    [{ a: { b: { c: { d: { e: { f: '/home/dev/.bash_history' } } } } } }],
  ])('denies %j', async (input) => {
    expect(await verdictOf(input)).toBe('deny');
  });

  it.each([
    [{ q: 'how to read ~/.ssh/id_rsa safely' }],
    [{ src: 'https://example.com/docs/install' }],
    [{ src: '/home/dev/project/src/index.ts' }],
    [{ id: 'issue-1234' }],
    [{ name: 'Oslo' }],
    [{ location: 'Oslo, Norway' }],
    [{ route: '/api/users' }],
    [{ note: '.env files hold secrets, so never commit them' }],
  ])('allows look-alike %j', async (input) => {
    expect(await verdictOf(input, 'get_weather')).toBe('allow');
  });

  it('names the nested argument', async () => {
    const decision = await createGuard().decide(
      { tool: 'mcp__fx__read_file', input: { opts: { p: '/home/dev/.ssh/id_rsa' } } },
      context,
    );
    expect(decision.reason).toContain('"opts.p"');
  });

  it('stops at 64 argument calls', () => {
    const input = { list: Array.from({ length: 500 }, (_, index) => `/srv/data/${index}`) };
    expect(argumentCalls({ tool: 'mcp__fx__read_file', input })).toHaveLength(64);
  });
});
