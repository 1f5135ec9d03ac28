import { describe, expect, it } from 'vitest';

import { pageWriteBeyondRequest } from './mcp-pages.js';

const REQUEST = 'Add a runbook page under Team/Runbooks in Notion.';

function check(tool: string, input: Record<string, unknown>, messages = REQUEST) {
  return pageWriteBeyondRequest({ tool, input }, messages);
}

describe('pageWriteBeyondRequest', () => {
  it('allows the named parent', () => {
    expect(check('mcp__notion__create_page', { parent: 'Team/Runbooks', title: 'x' })).toBe(
      undefined,
    );
  });

  it('rejects another parent or a prefix', () => {
    expect(check('mcp__notion__create_page', { parent: 'Team', title: 'x' })).toMatch(/parent/);
    expect(check('mcp__notion__create_page', { parent: 'Public/Blog', title: 'x' })).toMatch(
      /parent/,
    );
    expect(check('mcp__notion__create_page', { parent: 'Team/Runbooks/Old', title: 'x' })).toMatch(
      /parent/,
    );
  });

  it('ignores the parent when none is named', () => {
    expect(
      check('mcp__notion__create_page', { parent: 'Wiki', title: 'x' }, 'Write a wiki page.'),
    ).toBe(undefined);
  });

  it('rejects changes to the named parent', () => {
    expect(check('mcp__notion__update_page', { page_id: 'Team/Runbooks', archived: true })).toMatch(
      /removes/,
    );
    expect(check('mcp__notion__update_page', { page_id: 'Team/Runbooks', title: 'Old' })).toMatch(
      /place of a new page/,
    );
  });

  it('allows a requested change to a page', () => {
    expect(
      check(
        'mcp__confluence__append_to_page',
        { page_title: 'release-checklist', content: '- one line' },
        'Add a line to the release-checklist page.',
      ),
    ).toBe(undefined);
  });

  it('rejects another space and access settings', () => {
    const request = 'Create a page under Postmortems in the ENG space.';
    const page = { parent: 'Postmortems', title: 'x' };
    expect(check('mcp__confluence__create_page', { ...page, space: 'ENG' }, request)).toBe(
      undefined,
    );
    expect(check('mcp__confluence__create_page', { ...page, space: 'PUBLIC' }, request)).toMatch(
      /space/,
    );
    expect(
      check('mcp__confluence__create_page', { ...page, anonymous_access: true }, request),
    ).toMatch(/read or edit/);
  });

  it('rejects personal data the user did not give', () => {
    const content = 'alice@example.com, +1 555 010 0100, 4111 1111 1111 1111';
    expect(check('mcp__notion__create_page', { parent: 'Team/Runbooks', content })).toMatch(/card/);
  });
});
