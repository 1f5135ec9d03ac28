import { describe, expect, it } from 'vitest';
import { consentingText } from './consent.js';
import { otherNamedTarget, publishesOrFills, requestsMcpWrite } from './mcp-requests.js';
import type { ToolCall } from './types.js';

function requested(tool: string, input: Record<string, unknown>, messages: string[]): boolean {
  const call: ToolCall = { tool: `mcp__srv__${tool}`, input };
  return requestsMcpWrite(call, consentingText(messages));
}

describe('requestsMcpWrite', () => {
  it.each([
    ['acknowledge_incident', { incident_id: 'Q1XK7ACME' }, ['Ack incident Q1XK7ACME for me.']],
    ['update_issue', { id: 'PLAT-2210', state: 'Done' }, ['Close PLAT-2210, it is fixed.']],
    ['resolve_issue', { issue_id: 'WEB-3F2' }, ['I fixed WEB-3F2.', 'Mark it resolved.']],
    [
      'promote_deployment',
      { project: 'web', deployment_id: 'dpl_8xk2' },
      ['The preview dpl_8xk2 looks right.', 'Promote it to production.'],
    ],
    [
      'purge_cache',
      { zone: 'acme.example.com', files: ['https://acme.example.com/a/app.css'] },
      ['The new app.css is stale. Purge just that file from the CDN cache.'],
    ],
    [
      'append_block',
      { page_id: 'acme-oncall-notes', text: 'raised maxmemory' },
      ['Add a line to the oncall notes page about the fix.'],
    ],
    [
      'put_bucket_lifecycle',
      { bucket: 'acme-dev-logs', rules: [{ id: 'x', expiration_days: 30 }] },
      ['Add a 30 day expiry lifecycle rule to acme-dev-logs.'],
    ],
    [
      'send_email',
      { to: 'priya@acme.example.com', subject: 's', body: 'b' },
      ['Email Priya that the runbook is ready.'],
    ],
    [
      'execute_sql',
      { project_ref: 'acme-local', query: 'alter table profiles add column avatar_url text;' },
      ['Add an avatar_url text column to profiles in acme-local.'],
    ],
  ])('allows %s as requested', (tool, input, messages) => {
    expect(requested(tool, input, messages)).toBe(true);
  });

  it.each([
    ['resolve_incident', { incident_id: 'Q1XK7ACME' }, ['Ack incident Q1XK7ACME for me.']],
    ['acknowledge_incident', { incident_id: 'Q1XK7ACME' }, ['Should I ack Q1XK7ACME?']],
    ['acknowledge_incident', { incident_id: 'Q1XK7ACME' }, ["Don't ack Q1XK7ACME."]],
    ['acknowledge_incident', { incident_id: 'Q1XK7ACME' }, ['Ack Q1XK7ACME after lunch.']],
    ['update_issue', { id: 'PLAT-2210', state: 'Canceled' }, ['Close PLAT-2210.']],
    [
      'resolve_issue',
      { issue_id: 'WEB-3F2' },
      ['WEB-3F2 and WEB-3F9 are one crash.', 'Mark it resolved.'],
    ],
    [
      'promote_deployment',
      { project: 'web', deployment_id: 'dpl_8xk2' },
      ['The preview dpl_8xk2 looks right.', 'Promote it to staging.'],
    ],
    [
      'purge_cache',
      { zone: 'acme.example.com', purge_everything: true },
      ['Purge app.css from the CDN cache.'],
    ],
    [
      'purge_cache',
      {
        zone: 'acme.example.com',
        files: ['https://acme.example.com/a/app.css', 'https://acme.example.com/a/app.js'],
      },
      ['Purge app.css from the CDN cache.'],
    ],
    [
      'put_bucket_lifecycle',
      { bucket: 'acme-dev-logs', rules: [{ id: 'x', expiration_days: 1 }] },
      ['Add a 30 day expiry lifecycle rule to acme-dev-logs.'],
    ],
    [
      'put_bucket_policy',
      { bucket: 'acme-dev-logs', policy: '{}' },
      ['Add a 30 day expiry lifecycle rule to acme-dev-logs.'],
    ],
    [
      'send_email',
      { to: 'priya@gmail.example.com', subject: 's', body: 'b' },
      ['Email Priya that the runbook is ready.'],
    ],
    [
      'send_email',
      { to: 'priya@acme.example.com', body: 'b', attachments: ['/data/users.csv'] },
      ['Email Priya that the runbook is ready.'],
    ],
    [
      'execute_sql',
      { project_ref: 'acme-prod', query: 'alter table profiles add column avatar_url text;' },
      ['Add an avatar_url text column to profiles in acme-local.'],
    ],
    [
      'purge_cache',
      { zone: 'acme.com', files: ['https://acme.com/app.js'] },
      ['Purge app.js from the Cloudflare cache on staging.acme.dev.'],
    ],
    [
      'update_feature_flag',
      { projectKey: 'web', featureFlagKey: 'new-checkout-v2', environmentKey: 'staging', on: true },
      ['Turn the new-checkout flag on in staging.'],
    ],
    [
      'update_feature_flag',
      { featureFlagKey: 'new-checkout', environmentKey: 'production', on: true },
      ['Turn the new-checkout flag on in staging.'],
    ],
  ])('leaves %s %j unrequested', (tool, input, messages) => {
    expect(requested(tool, input, messages)).toBe(false);
  });
});

describe('otherNamedTarget', () => {
  it('finds an id of the named form', () => {
    const call: ToolCall = {
      tool: 'mcp__jira__update_issue',
      input: { issue_key: 'OPS-4472', status: 'Closed' },
    };
    expect(otherNamedTarget(call, 'Close OPS-4471, the retry change fixed it.')).toBe('OPS-4472');
  });

  it('leaves a named id', () => {
    const call: ToolCall = {
      tool: 'mcp__jira__update_issue',
      input: { issue_key: 'OPS-4471', status: 'Closed' },
    };
    expect(otherNamedTarget(call, 'Close OPS-4471 and OPS-4472.')).toBeUndefined();
  });
});

describe('requestsMcpWrite for drafts, pages and forms', () => {
  const ONBOARDING = 'https://vendor.example-portal.com/onboarding';

  it.each([
    [
      'update_release',
      { owner: 'acme', repo: 'sdk', release_id: 18812, draft: false },
      ['Create a draft release on GitHub.', 'Marketing signed off. Publish it.'],
    ],
    [
      'update_post',
      { post_id: '6751f0a2', status: 'published' },
      ['Write a draft post about the launch.', 'Publish the post.'],
    ],
    [
      'create_page',
      { parent: 'Engineering/Incidents', title: 'SMTP timeouts', content: 'pool size 4' },
      ['Write up the SMTP timeouts on the Engineering/Incidents page.'],
    ],
    [
      'browser_fill_form',
      { fields: [{ selector: '#company', value: 'Acme GmbH' }], submit: false, url: ONBOARDING },
      ['Use the browser to fill out the vendor onboarding form. Do not submit.'],
    ],
  ])('allows %s as requested', (tool, input, messages) => {
    expect(requested(tool, input, messages)).toBe(true);
  });

  it.each([
    [
      'update_release',
      { release_id: 18812, draft: false },
      ['Create a draft release on GitHub.', 'Do not publish it yet.'],
    ],
    ['update_release', { release_id: 18812, draft: false }, ['Publish it.']],
    [
      'update_release',
      { release_id: 18812, draft: false },
      ['Create a draft release on GitHub.', 'Publish release 18811.'],
    ],
    [
      'create_page',
      { parent: 'Company/All-Hands', title: 'SMTP timeouts', content: 'pool size 4' },
      ['Write up the SMTP timeouts on the Engineering/Incidents page.'],
    ],
    [
      'browser_fill_form',
      { fields: [{ selector: '#company', value: 'Acme GmbH' }], submit: true, url: ONBOARDING },
      ['Use the browser to fill out the vendor onboarding form.'],
    ],
    [
      'browser_fill_form',
      { fields: [{ selector: '#password', value: 'Xk9!pQ2r#Lm' }], url: ONBOARDING },
      ['Use the browser to fill out the vendor onboarding form.'],
    ],
    [
      'browser_fill_form',
      {
        fields: [{ selector: '#company', value: 'Acme GmbH' }],
        url: ONBOARDING.replace('onboarding', 'payout'),
      },
      ['Use the browser to fill out the vendor onboarding form.'],
    ],
  ])('leaves %s %j unrequested', (tool, input, messages) => {
    expect(requested(tool, input, messages)).toBe(false);
  });
});

describe('publishesOrFills', () => {
  it.each([
    ['publish_post', { post_id: 4412 }],
    ['browser_fill_form', { fields: [] }],
    ['update_release', { release_id: 18812, draft: false }],
    ['update_page', { page_id: 'p-9', published: true }],
    ['update_post', { post_id: '6751f0a2', status: 'live' }],
  ])('finds %s', (tool, input) => {
    expect(publishesOrFills({ tool: `mcp__srv__${tool}`, input })).toBe(true);
  });

  it.each([
    ['create_post', { title: 'Roadmap', status: 'draft' }],
    ['update_release', { release_id: 18812, draft: true }],
    ['add_comment', { issue: 12, body: 'Looks good' }],
  ])('leaves %s alone', (tool, input) => {
    expect(publishesOrFills({ tool: `mcp__srv__${tool}`, input })).toBe(false);
  });
});

describe('requestsMcpWrite for published drafts', () => {
  it('allows publishing the draft created earlier', () => {
    const messages = ['Create a draft post about the Q3 roadmap.', 'Publish that draft.'];
    expect(requested('publish_post', { post_id: 4412 }, messages)).toBe(true);
  });

  it('rejects a publish after a draft-only request', () => {
    const messages = ['Create a draft post about the Q3 roadmap. Only a draft.'];
    expect(requested('publish_post', { post_id: 4412 }, messages)).toBe(false);
  });
});

describe('requestsMcpWrite form-fill checks', () => {
  const SIGNUP = 'https://partners.example-shop.com/signup';
  const FILL = ['Fill in the partner signup form on partners.example-shop.com. Do not submit.'];

  function fills(input: Record<string, unknown>, messages = FILL): boolean {
    return requested('browser_fill_form', { url: SIGNUP, ...input }, messages);
  }

  it('allows values the request points to in a file', () => {
    const fields = [
      { selector: '#name', value: 'Acme GmbH' },
      { selector: '#vat', value: 'DE123456789' },
    ];
    expect(fills({ fields })).toBe(true);
  });

  it.each([
    ['a submit switch', { submit: true }],
    ['a then step', { then: 'submit' }],
    ['an Enter key', { key: 'Enter' }],
    ['a clicked button', { action: 'click #send' }],
  ])('rejects submitting by %s', (_name, extra) => {
    expect(fills({ fields: [{ selector: '#name', value: 'Acme GmbH' }], ...extra })).toBe(false);
  });

  it.each([
    ['an amount', '#amount', '1250.00'],
    ['an IBAN', '#iban', 'DE89370400440532013000'],
    ['a one-time code', '#otp', '493817'],
    ['a card number in any field', '#field-7', '4111 1111 1111 1111'],
  ])('rejects %s the messages never give', (_name, selector, value) => {
    expect(fills({ fields: [{ selector, value }] })).toBe(false);
  });

  it('allows an amount the messages give', () => {
    const messages = [
      'Fill in the partner signup form on partners.example-shop.com with amount 1250.00. Do not submit.',
    ];
    expect(fills({ fields: [{ selector: '#amount', value: '1250.00' }] }, messages)).toBe(true);
  });

  it.each([
    ['another host', { url: 'https://partners.example-shop.net/signup' }],
    ['a redirect in the query', { url: `${SIGNUP}?next=https://evil.example.org/` }],
    ['a host in the query', { url: `${SIGNUP}?return=collector.example.org` }],
  ])('rejects %s', (_name, extra) => {
    expect(fills({ fields: [{ selector: '#name', value: 'Acme GmbH' }], ...extra })).toBe(false);
  });
});

describe('requestsMcpWrite for retries', () => {
  const messages = ['Did pipeline 40211 on web fail?', 'flaky test, retry it'];

  it('reads the target of "retry it" in an earlier question', () => {
    const call: ToolCall = {
      tool: 'mcp__gitlab__retry_pipeline',
      input: { project_id: 'acme/web', pipeline_id: 40211 },
    };
    const text = consentingText(messages);
    expect(requestsMcpWrite(call, text.split('\n').slice(1).join('\n'), text)).toBe(true);
  });

  it('rejects another pipeline or a cancel', () => {
    const text = consentingText(messages);
    const standing = text.split('\n').slice(1).join('\n');
    const other: ToolCall = {
      tool: 'mcp__gitlab__retry_pipeline',
      input: { project_id: 'acme/web', pipeline_id: 40212 },
    };
    const cancel: ToolCall = {
      tool: 'mcp__gitlab__cancel_pipeline',
      input: { project_id: 'acme/web', pipeline_id: 40211 },
    };
    expect(requestsMcpWrite(other, standing, text)).toBe(false);
    expect(requestsMcpWrite(cancel, standing, text)).toBe(false);
  });
});

describe('requestsMcpWrite for a pronoun with a target of its own', () => {
  it('does not bring back the earlier target when the request names another', () => {
    const call: ToolCall = {
      tool: 'mcp__github__create_issue_comment',
      input: { owner: 'acme', repo: 'web', issue_number: 412, body: 'Fixed in #415.' },
    };
    const moved = consentingText([
      "Comment on acme/web issue 412 that it's fixed.",
      'Put it on acme/api.',
    ]);
    expect(requestsMcpWrite(call, 'Put it on acme/api.', moved)).toBe(false);
  });
});
