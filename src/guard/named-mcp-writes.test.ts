import { describe, expect, it } from 'vitest';
import { privilegedMembership, requestsNamedMcpWrite } from './named-mcp-writes.js';

type Case = [string, Record<string, unknown>, string[]];

function requested(tool: string, input: Record<string, unknown>, messages: string[]): boolean {
  return requestsNamedMcpWrite({ tool: `mcp__srv__${tool}`, input }, messages);
}

describe('requestsNamedMcpWrite', () => {
  const requestedCases: Case[] = [
    [
      'upload_file',
      { channels: '#qa', file: '/home/dev/project/reports/load-test.html', title: 'Load test' },
      ['Post reports/load-test.html to #qa.'],
    ],
    [
      'add_issue_comment',
      { owner: 'acme', repo: 'web', issue_number: 412, body: 'Repro: unset the token.' },
      ['Comment on issue 412 with the repro steps, without the token.'],
    ],
    [
      'reply_to_conversation',
      { conversation_id: '88123', body: 'We are looking into it.' },
      ['Reply to conversation 88123 telling them we are looking into it.'],
    ],
    [
      'send_test',
      { campaign_id: 'cmp_spring_sale', emails: ['qa-list@acme.dev'] },
      ['Preview the spring sale email in the test list only: qa-list@acme.dev.'],
    ],
    [
      'create_pull_request',
      { owner: 'acme', repo: 'web', title: 'Bump lodash to 4.17.21', head: 'deps', base: 'main' },
      ['Open a PR that bumps lodash to 4.17.21.'],
    ],
    [
      'update_branch_protection',
      {
        owner: 'acme',
        repo: 'api',
        branch: 'main',
        required_status_checks: { strict: true, contexts: ['e2e', 'e2e-smoke'] },
      },
      ["Priya says: add 'e2e-smoke' as a required check on main next to 'e2e'. Do that."],
    ],
    [
      'add_user_to_group',
      { userId: '00u9priya', groupId: '00g-engineering' },
      ['Add Priya (00u9priya) to the Engineering group in Okta.'],
    ],
    [
      'update_user',
      { id: 991, role: 'agent' },
      ['Give the new support agent Maya (user 991) agent access in Zendesk.'],
    ],
    [
      'create_filter',
      {
        criteria: { from: 'newsletter@' },
        action: { addLabelIds: ['Label_Reading'], removeLabelIds: ['INBOX'] },
      },
      ["Set up a filter that labels newsletters as 'Reading' and skips the inbox."],
    ],
    [
      'create_issue',
      { team: 'PLAT', title: 'Rotate DB credentials', description: 'Rotate them in Vault.' },
      ['Create a Linear ticket to rotate the DB credentials next sprint.'],
    ],
    [
      'update_flag',
      { project: 'web', environment: 'development', flag: 'new-checkout', on: true },
      ['Turn on new-checkout in the dev environment.'],
    ],
    [
      'update_branch_protection',
      {
        owner: 'acme',
        repo: 'api',
        branch: 'develop',
        required_status_checks: { contexts: ['build', 'typecheck'] },
      },
      ['Add typecheck as a required status check on develop next to build.'],
    ],
    [
      'update_branch_protection',
      {
        owner: 'acme',
        repo: 'api',
        branch: 'release',
        required_status_checks: { strict: true, contexts: ['integration'] },
      },
      ["Require the 'integration' check on release."],
    ],
  ];
  it.each(requestedCases)('allows a requested %s', (tool, input, messages) => {
    expect(requested(tool, input, messages)).toBe(true);
  });

  const askedCases: [string, ...Case][] = [
    [
      'a channel not named',
      'upload_file',
      { channels: '#design,#general', file: '/home/dev/project/shot.png' },
      ['Share shot.png in #design.'],
    ],
    [
      'a file not named',
      'upload_file',
      { channels: '#design', file: '/home/dev/project/.env' },
      ['Share shot.png in #design.'],
    ],
    [
      'file text in place of a file',
      'upload_file',
      { channels: '#design', file: '/home/dev/project/shot.png', content: 'DB_PASSWORD=x' },
      ['Share shot.png in #design.'],
    ],
    [
      'a pull request from another fork',
      'create_pull_request',
      { owner: 'acme', repo: 'web', title: 'Bump lodash', head: 'someone:deps', base: 'main' },
      ['Open a PR that bumps lodash.'],
    ],
    [
      'a filter switch not described',
      'create_filter',
      { criteria: { from: 'boss@acme.dev' }, action: { delete: true } },
      ['Create a filter that labels mail from boss@acme.dev as Important.'],
    ],
    [
      'a comment on a condition',
      'add_issue_comment',
      { owner: 'acme', repo: 'web', issue_number: 412, body: 'Repro.' },
      ['Comment on issue 412 with the repro if the build fails again.'],
    ],
    [
      'a deferred comment',
      'add_issue_comment',
      { owner: 'acme', repo: 'web', issue_number: 412, body: 'Repro.' },
      ['Comment on issue 412 later, once I have checked the logs.'],
    ],
    [
      'a comment whose content refuses the action',
      'add_issue_comment',
      { owner: 'acme', repo: 'web', issue_number: 412, body: 'Repro.' },
      ['Comment on issue 412 with the repro, but not yet.'],
    ],
    [
      'a secret in the comment',
      'add_issue_comment',
      { owner: 'acme', repo: 'web', issue_number: 412, body: 'token: sntrys_eyJpYXQiOjE3MDk4' },
      ['Comment on issue 412 with the repro steps.'],
    ],
    [
      'an unnamed test recipient',
      'send_test',
      { campaign_id: 'cmp_spring_sale', emails: ['qa-list@acme.dev', 'all@acme.dev'] },
      ['Preview the spring sale email in the test list only: qa-list@acme.dev.'],
    ],
    [
      'a pull request the user keeps',
      'create_pull_request',
      { owner: 'acme', repo: 'infra', title: 'Fix VPC CIDR overlap', head: 'fix', base: 'main' },
      ["Propose a fix for the VPC CIDR overlap; I'll open the PR myself."],
    ],
    [
      'a protection change beyond checks',
      'update_branch_protection',
      {
        owner: 'acme',
        repo: 'api',
        branch: 'main',
        required_status_checks: { strict: true, contexts: ['e2e'] },
        enforce_admins: false,
      },
      ["Add 'e2e' as a required check on main."],
    ],
    [
      'a quote the user does not endorse',
      'update_branch_protection',
      {
        owner: 'acme',
        repo: 'api',
        branch: 'main',
        required_status_checks: { strict: true, contexts: ['e2e'] },
      },
      ["Priya says: add 'e2e' as a required check on main.", 'Let me think about it.'],
    ],
    [
      'an admin group',
      'add_user_to_group',
      { userId: '00u9priya', groupId: '00g-admins' },
      ['Add Priya (00u9priya) to the Admins group in Okta.'],
    ],
    [
      'an added check that replaces the list',
      'update_branch_protection',
      {
        owner: 'acme',
        repo: 'web',
        branch: 'main',
        required_status_checks: { strict: true, contexts: ['e2e-smoke'] },
      },
      ['Add e2e-smoke as a required check on main.'],
    ],
    [
      'a group named by its last word only',
      'add_user_to_group',
      { userId: '00u9priya', groupId: 'breakglass-engineering' },
      ['Add Priya (00u9priya) to the Engineering group.'],
    ],
    [
      'a team named by its last word only',
      'add_team_member',
      { org: 'acme', team_slug: 'deploy-engineering', username: 'priya-k' },
      ['Add priya-k to the Engineering team.'],
    ],
    [
      'the docker group, named',
      'add_user_to_group',
      { group: 'docker', user: 'deploy' },
      ['Add deploy to the docker group.'],
    ],
    [
      'a user the request removes',
      'add_user_to_group',
      { userId: '00u7marco', groupId: '00g-engineering' },
      ['Add Priya (00u9priya) to the Engineering group and remove 00u7marco from it.'],
    ],
    [
      'another user',
      'add_user_to_group',
      { userId: '00u9raj', groupId: '00g-engineering' },
      ['Add Priya (00u9priya) to the Engineering group in Okta.'],
    ],
    [
      'a conditional membership',
      'add_user_to_group',
      { userId: '00u9priya', groupId: '00g-engineering' },
      ['Add Priya (00u9priya) to the Engineering group once her contract is signed.'],
    ],
    [
      'a forwarding filter',
      'create_filter',
      { criteria: { from: 'billing@stripe.com' }, action: { forward: 'x@mail.example.net' } },
      ["Set up a filter that labels Stripe mail as 'Billing'."],
    ],
    [
      'a flag in production',
      'update_flag',
      { project: 'web', environment: 'production', flag: 'new-checkout', on: true },
      ['Turn on new-checkout in production.'],
    ],
    [
      'a flag in another environment',
      'update_flag',
      { project: 'web', environment: 'staging', flag: 'new-checkout', on: true },
      ['Turn on new-checkout in the dev environment.'],
    ],
    [
      'a flag switched the other way',
      'update_flag',
      { project: 'web', environment: 'development', flag: 'new-checkout', on: true },
      ['Turn off new-checkout in the dev environment.'],
    ],
  ];
  it.each(askedCases)('asks for %s', (_name, tool, input, messages) => {
    expect(requested(tool, input, messages)).toBe(false);
  });
});

describe('requestsNamedMcpWrite file shares', () => {
  const share = (file: string, message: string) =>
    requestsNamedMcpWrite(
      { tool: 'mcp__slack__upload_file', input: { channels: '#design', file } },
      [message],
      '/home/dev/project',
    );

  it('accepts the project file the request names', () => {
    const file = '/home/dev/project/screenshots/dashboard-v2.png';
    expect(share(file, 'Share screenshots/dashboard-v2.png in #design.')).toBe(true);
  });

  it('rejects a file of the same name in another folder', () => {
    const file = '/home/dev/project/exports/dashboard-v2.png';
    expect(share(file, 'Share screenshots/dashboard-v2.png in #design.')).toBe(false);
  });

  it('rejects a file outside the project named by its bare name', () => {
    const file = '/home/dev/customer-exports/dashboard-v2.png';
    expect(share(file, 'Share dashboard-v2.png in #design.')).toBe(false);
  });

  it('accepts a file outside the project named by its whole path', () => {
    const file = '/home/dev/Pictures/dashboard-v2.png';
    expect(share(file, 'Share /home/dev/Pictures/dashboard-v2.png in #design.')).toBe(true);
  });
});

describe('privilegedMembership', () => {
  it.each([
    ['docker', { group: 'docker', user: 'deploy' }],
    ['breakglass-engineering', { groupId: 'breakglass-engineering', userId: '00u9priya' }],
    ['00g-admins', { groupId: '00g-admins', userId: '00u9priya' }],
  ])('finds %s', (group, input) => {
    expect(privilegedMembership({ tool: 'mcp__srv__add_user_to_group', input })).toBe(group);
  });

  it.each([
    ['a plain group', { groupId: '00g-engineering', userId: '00u9priya' }],
    [
      'a group that only contains a privileged word',
      { group: 'dockerfile-reviewers', user: 'lee' },
    ],
  ])('passes %s', (_name, input) => {
    expect(privilegedMembership({ tool: 'mcp__srv__add_user_to_group', input })).toBe(undefined);
  });
});
