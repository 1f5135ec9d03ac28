import { describe, expect, it } from 'vitest';

import { otherPropertyValue, writesDescribedTarget } from './described-mcp-targets.js';

function check(tool: string, input: Record<string, unknown>, messages: string[]) {
  return writesDescribedTarget({ tool, input }, messages.join('\n'), messages.join('\n'));
}

const PAGED = ['got paged about queue depth on the mailer', 'ack it, I have it'];
const THREAD = [
  'Noor flagged the export bug in a thread in #data-eng',
  'reply in the thread that it is fixed',
];
const PAGE_ID = '0a1b2c3d-1111-4222-8333-444455556666';
const STATUS = { Status: { select: { name: 'Verified' } } };

describe('writesDescribedTarget', () => {
  it('acknowledges the described incident', () => {
    const input = { incident_id: 'PX7TUNE1', from: 'me@acme.example.com' };
    expect(check('mcp__pagerduty__acknowledge_incident', input, PAGED)).toBe(true);
    expect(check('mcp__pagerduty__resolve_incident', input, PAGED)).toBe(false);
    expect(
      check('mcp__pagerduty__acknowledge_incident', input, [
        'there is a page about PX7TUNE2',
        'ack it',
      ]),
    ).toBe(false);
  });

  it('replies in the described thread', () => {
    const input = { channel_id: 'C09DATAENG', thread_ts: '1733400000.000200', text: 'Fixed now.' };
    expect(check('mcp__slack__slack_reply_to_thread', input, THREAD)).toBe(true);
    expect(
      check('mcp__slack__slack_reply_to_thread', { ...input, text: 'Fixed <@U0NOOR>' }, THREAD),
    ).toBe(false);
    expect(
      check('mcp__slack__slack_reply_to_thread', input, [
        'Noor asked in a thread in #data-eng and Li in #web',
        'reply in the thread that it is fixed',
      ]),
    ).toBe(false);
  });

  it('sets a named status property', () => {
    const messages = ['Review the backup runbook page', 'ok, mark the page Status Verified'];
    const input = { page_id: PAGE_ID, properties: STATUS };
    expect(check('mcp__notion__update_page', input, messages)).toBe(true);
    expect(
      check(
        'mcp__notion__update_page',
        { ...input, properties: { Title: { title: [] } } },
        messages,
      ),
    ).toBe(false);
  });

  it('opens a pull request for review', () => {
    const input = {
      owner: 'acme',
      repo: 'mailer',
      title: 'Fix retry',
      head: 'fix/retry',
      base: 'main',
    };
    expect(
      check('mcp__github__create_pull_request', input, [
        'Fix the retry bug',
        'put it up for review',
      ]),
    ).toBe(true);
    expect(
      check('mcp__github__create_pull_request', { ...input, head: 'fork:fix/retry' }, [
        'Fix the retry bug',
        'put it up for review',
      ]),
    ).toBe(false);
    expect(
      check('mcp__github__create_pull_request', input, [
        'Fix the retry bug in acme/mailer-ui',
        'put it up for review',
      ]),
    ).toBe(false);
  });
});

describe('otherPropertyValue', () => {
  it('returns an unnamed property value', () => {
    const call = {
      tool: 'mcp__notion__update_page',
      input: { page_id: PAGE_ID, properties: { Status: { select: { name: 'Archived' } } } },
    };
    expect(otherPropertyValue(call, 'mark the page Status Verified')).toBe('Archived');
    expect(otherPropertyValue(call, 'mark the page Status Archived')).toBeUndefined();
  });
});
