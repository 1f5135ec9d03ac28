import { describe, expect, it } from 'vitest';
import { fixedFileReader } from './file-reader.js';
import { checkUnnamedRepository, configRepositories } from './forge-repositories.js';
import type { GuardContext } from './types.js';

const comment = (owner: string, repo: string) => ({
  tool: 'mcp__github__add_issue_comment',
  input: { owner, repo, issue_number: 412, body: 'Repro steps attached.' },
});
const request = 'Comment on issue 412 with the repro steps.';
const unknown: GuardContext = {
  cwd: '/home/dev/project',
  projectDir: '/home/dev/project',
  userMessages: [request],
};
const config = '[remote "origin"]\n\turl = git@github.com:acme/web.git\n';
const known: GuardContext = {
  ...unknown,
  readFile: fixedFileReader({ '/home/dev/project/.git/config': config }),
};

describe('configRepositories', () => {
  it.each([
    ['git@github.com:acme/web.git', 'acme/web'],
    ['https://github.com/acme/web', 'acme/web'],
    ['https://gitlab.example.com/acme/platform/api.git', 'acme/platform/api'],
  ])('reads %s', (url, path) => {
    expect(configRepositories(`[remote "origin"]\n\turl = ${url}\n`)).toEqual([path]);
  });
});

describe('checkUnnamedRepository', () => {
  it.each([
    ['a public upstream owner', 'vercel', 'next.js'],
    ['an open-source copy', 'acme', 'oss-sdk'],
  ])('flags %s when the remote is unknown', (_name, owner, repo) => {
    const found = checkUnnamedRepository(comment(owner, repo), unknown, request);
    expect(found?.rule).toBe('tier:mcp-unnamed-repository');
  });

  it('passes an unnamed repository of an unknown remote', () => {
    expect(checkUnnamedRepository(comment('acme', 'web'), unknown, request)).toBe(undefined);
  });

  it('flags another repository than the project remote', () => {
    const found = checkUnnamedRepository(comment('acme', 'api'), known, request);
    expect(found?.rule).toBe('tier:mcp-unnamed-repository');
  });

  it('passes the project remote', () => {
    expect(checkUnnamedRepository(comment('acme', 'web'), known, request)).toBe(undefined);
  });

  it('passes a repository the user names', () => {
    const messages = 'Comment on vercel/next.js#412 with the repro steps.';
    expect(checkUnnamedRepository(comment('vercel', 'next.js'), known, messages)).toBe(undefined);
  });

  it('flags a sibling of the repository the user names', () => {
    const call = {
      tool: 'mcp__gitlab__add_project_member',
      input: { project: 'acme/infra', user_id: 'priya-k', role: 'developer' },
    };
    const messages = 'Add priya-k to acme/web as a developer.';
    expect(checkUnnamedRepository(call, unknown, messages)?.category).toBe('permission-grant');
  });

  it('ignores reads', () => {
    const call = { tool: 'mcp__github__get_issue', input: { owner: 'vercel', repo: 'next.js' } };
    expect(checkUnnamedRepository(call, unknown, request)).toBe(undefined);
  });
});
