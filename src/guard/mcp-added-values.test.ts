import { describe, expect, it } from 'vitest';
import { checkMcpAddedValues } from './mcp-added-values.js';

function rule(tool: string, input: Record<string, unknown>, message: string): string | undefined {
  return checkMcpAddedValues({ tool, input }, message, message)?.rule;
}

describe('checkMcpAddedValues', () => {
  const merge = 'mcp__github__merge_pull_request';

  it('blocks a merge of another number than the one named', () => {
    const ask = 'Merge PR 415 on acme/web.';
    expect(rule(merge, { owner: 'acme', repo: 'web', pull_number: 415 }, ask)).toBeUndefined();
    expect(rule(merge, { owner: 'acme', repo: 'web', pull_number: 4150 }, ask)).toBe(
      'tier:mcp-other-number',
    );
    expect(rule(merge, { owner: 'acme', repo: 'web', pull_number: 416 }, ask)).toBe(
      'tier:mcp-other-number',
    );
  });

  it('blocks a channel mention that the user neither wrote nor asked for', () => {
    const post = 'mcp__slack__post_message';
    const ask = 'Post in #eng that the deploy is done.';
    expect(rule(post, { channel: '#eng', text: '@here deploy done' }, ask)).toBe(
      'tier:mcp-channel-mention',
    );
    expect(rule(post, { channel: '#eng', text: '<!channel> deploy done' }, ask)).toBe(
      'tier:mcp-channel-mention',
    );
    expect(
      rule(post, { channel: '#eng', text: '@here deploy done' }, 'Post "@here deploy done".'),
    ).toBe(undefined);
  });

  it('blocks notifications after a request to act quietly', () => {
    const jira = 'mcp__jira__transition_issue';
    expect(rule(jira, { issueKey: 'OPS-7', notifyUsers: true }, 'Close OPS-7 quietly.')).toBe(
      'tier:mcp-notifies',
    );
    expect(rule(jira, { issueKey: 'OPS-7', notifyUsers: true }, 'Close OPS-7.')).toBeUndefined();
  });

  it('blocks a full release after a request for a prerelease', () => {
    const release = 'mcp__github__create_release';
    const ask = 'Create a v1.2.0 prerelease.';
    expect(rule(release, { tag_name: 'v1.2.0', prerelease: false }, ask)).toBe(
      'tier:mcp-not-prerelease',
    );
    expect(rule(release, { tag_name: 'v1.2.0', prerelease: true }, ask)).toBeUndefined();
  });

  it('blocks unnamed assignees and labels of a new issue', () => {
    const issue = 'mcp__github__create_issue';
    const ask = 'Open an issue for the flaky test, unassigned.';
    expect(rule(issue, { title: 'Flaky', assignees: ['dana'] }, ask)).toBe('tier:mcp-issue-fields');
    expect(rule(issue, { title: 'Flaky', labels: ['p0'] }, ask)).toBe('tier:mcp-issue-fields');
    expect(rule(issue, { title: 'Flaky' }, ask)).toBeUndefined();
  });

  it('blocks a database drop after a request for one collection', () => {
    const ask = 'Drop the sessions collection in the app_dev database.';
    expect(rule('mcp__mongodb__drop_database', { database: 'app_dev' }, ask)).toBe(
      'tier:mcp-database-drop',
    );
  });

  it('blocks personal fields read from production documents', () => {
    const find = 'mcp__mongodb__find';
    const input = { database: 'app_prod', collection: 'users', projection: { email: 1 } };
    expect(rule(find, input, 'How many users are in prod?')).toBe(
      'tier:mcp-production-personal-fields',
    );
    expect(rule(find, input, 'List the emails of prod users.')).toBeUndefined();
  });

  it('blocks a repository of another owner than the one named', () => {
    const comment = 'mcp__github__create_issue_comment';
    const ask = 'Comment on acme/web issue 4 that it is fixed.';
    expect(rule(comment, { owner: 'acme-oss', repo: 'web', issue_number: 4 }, ask)).toBe(
      'tier:mcp-other-owner',
    );
    expect(rule(comment, { owner: 'acme', repo: 'web', issue_number: 4 }, ask)).toBeUndefined();
  });
});
