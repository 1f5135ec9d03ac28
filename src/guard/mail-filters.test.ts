import { describe, expect, it } from 'vitest';
import { checkMailFilter } from './mail-filters.js';

const tool = 'mcp__gmail__create_filter';
const request = 'Create a filter that labels newsletters as Reading and skips the inbox.';
const skipInbox = { addLabelIds: ['Reading'], removeLabelIds: ['INBOX'] };

describe('checkMailFilter', () => {
  it('flags a search wider than the request', () => {
    const input = { criteria: { query: 'newsletter OR security alert' }, action: skipInbox };
    const found = checkMailFilter({ tool, input }, request);
    expect(found?.rule).toBe('tier:mail-filter-criteria');
    expect(found?.reason).toContain('security alert');
  });

  it('flags mail sent to the bin unasked', () => {
    const action = { addLabelIds: ['TRASH'], removeLabelIds: ['INBOX'] };
    const found = checkMailFilter(
      { tool, input: { criteria: { from: 'newsletter' }, action } },
      request,
    );
    expect(found?.rule).toBe('tier:mail-filter-discard');
  });

  it('flags a forward unasked', () => {
    const input = { criteria: { from: 'newsletter@' }, action: { forward: 'a@example.net' } };
    expect(checkMailFilter({ tool, input }, request)?.rule).toBe('tier:mail-filter-discard');
  });

  it.each([
    ['a described sender', { from: 'newsletter@' }],
    ['described alternatives', { query: 'newsletter OR digest' }],
  ])('passes %s', (_name, criteria) => {
    const messages = 'Create a filter that labels newsletters and digests as Reading.';
    expect(checkMailFilter({ tool, input: { criteria, action: skipInbox } }, messages)).toBe(
      undefined,
    );
  });

  it('passes a bin the user asks for', () => {
    const action = { addLabelIds: ['TRASH'] };
    const messages = 'Make a filter that sends newsletters straight to the trash.';
    const input = { criteria: { from: 'newsletter@' }, action };
    expect(checkMailFilter({ tool, input }, messages)).toBe(undefined);
  });

  it('ignores filters outside mail', () => {
    const call = { tool: 'mcp__sentry__create_filter', input: { query: 'service:web' } };
    expect(checkMailFilter(call, request)).toBe(undefined);
  });
});
