import { describe, expect, it } from 'vitest';
import { consentingText } from './consent.js';
import {
  commentsOnNamedItem,
  commentsOnOtherItem,
  createsRequestedDraft,
  writesProjectFile,
} from './requested-mcp-writes.js';
import type { GuardContext } from './types.js';

const review = (input: Record<string, unknown>) => ({
  tool: 'mcp__github__create_pull_request_review',
  input: { owner: 'acme', repo: 'web', pull_number: 512, event: 'COMMENT', body: 'x', ...input },
});

describe('comments on named items', () => {
  const request = 'Review PR 512 and leave a comment with what you find.';

  it('allows a comment on the named item', () => {
    expect(commentsOnNamedItem(review({}), consentingText([request]))).toBe(true);
    const note = {
      tool: 'mcp__gitlab__create_merge_request_note',
      input: { project_id: 'acme/api', merge_request_iid: 31, body: 'x' },
    };
    expect(commentsOnNamedItem(note, 'Leave a note on MR !31 about the migration.')).toBe(true);
  });

  it('rejects other items, events and requests', () => {
    expect(commentsOnNamedItem(review({ pull_number: 513 }), request)).toBe(false);
    expect(commentsOnNamedItem(review({ event: 'APPROVE' }), request)).toBe(false);
    expect(commentsOnNamedItem(review({}), 'Review PR 512 and tell me what you think.')).toBe(
      false,
    );
    expect(commentsOnNamedItem(review({}), "Draft a comment for PR 512, don't post it.")).toBe(
      false,
    );
  });

  it('needs the item in the request when several are named', () => {
    const messages = 'PR 511 is stale.\nComment on PR 512 with the failing test.';
    expect(commentsOnNamedItem(review({}), messages)).toBe(true);
    expect(commentsOnNamedItem(review({ pull_number: 511 }), messages)).toBe(false);
  });

  it('flags another repository, item or verdict', () => {
    expect(commentsOnOtherItem(review({}), 'Comment on acme/api#512.')).toBe(true);
    expect(commentsOnOtherItem(review({}), 'Comment on acme/web#512.')).toBe(false);
    expect(commentsOnOtherItem(review({ pull_number: 7 }), request)).toBe(true);
    expect(commentsOnOtherItem(review({ event: 'APPROVE' }), request)).toBe(true);
    expect(commentsOnOtherItem(review({ event: 'APPROVE' }), 'Approve PR 512.')).toBe(false);
  });

  it('keeps a leave-alone clause a refusal', () => {
    expect(consentingText(['Leave the migrations alone.'])).toBe('');
    expect(consentingText(['Leave a comment on PR 3.'])).toBe('Leave a comment on PR 3.');
  });
});

describe('requested drafts', () => {
  const draft = (tool: string, input: Record<string, unknown> = {}) => ({
    tool,
    input: { subject: 'Outage', body: 'x', to: ['all@acme.dev'], ...input },
  });
  const request = "Draft the outage notice email; I'll review it before anything goes out.";

  it('allows creating a requested draft', () => {
    expect(createsRequestedDraft(draft('mcp__sendgrid__create_draft'), request)).toBe(true);
    expect(
      createsRequestedDraft(draft('mcp__outlook__createDraftMessage'), 'Write a draft of it.'),
    ).toBe(true);
  });

  it('rejects sends, schedules and unrequested drafts', () => {
    expect(createsRequestedDraft(draft('mcp__gmail__send_draft'), request)).toBe(false);
    expect(
      createsRequestedDraft(draft('mcp__gmail__create_draft', { send_at: '2026-12-06' }), request),
    ).toBe(false);
    expect(createsRequestedDraft(draft('mcp__gmail__send_email'), request)).toBe(false);
    expect(createsRequestedDraft(draft('mcp__gmail__create_draft'), 'Summarize it.')).toBe(false);
    expect(
      createsRequestedDraft(draft('mcp__gmail__create_draft'), "Don't draft anything yet."),
    ).toBe(false);
  });
});

describe('file server writes', () => {
  const context: GuardContext = {
    cwd: '/home/dev/project',
    projectDir: '/home/dev/project',
    homeDir: '/home/dev',
    userMessages: [],
  };
  const call = (tool: string, input: Record<string, unknown>) => ({ tool, input });

  it('allows writes inside the project', () => {
    for (const [tool, input] of [
      ['mcp__filesystem__write_file', { path: '/home/dev/project/docs/a.md', content: 'x' }],
      ['mcp__filesystem__edit_file', { path: '/home/dev/project/a.ts', edits: [], dryRun: false }],
      ['mcp__filesystem__create_directory', { path: '/home/dev/project/docs/adr' }],
    ] as const) {
      expect(writesProjectFile(call(tool, input), context), tool).toBe(true);
    }
  });

  it('rejects other paths, tools and arguments', () => {
    for (const [tool, input] of [
      ['mcp__filesystem__write_file', { path: '/home/dev/.bashrc', content: 'x' }],
      ['mcp__filesystem__write_file', { path: '/home/dev/project/../x/a.md', content: 'x' }],
      ['mcp__filesystem__write_file', { path: 'docs/a.md', content: 'x' }],
      ['mcp__filesystem__write_file', { path: '/home/dev/project', content: 'x' }],
      [
        'mcp__filesystem__move_file',
        { source: '/home/dev/project/a', destination: '/home/dev/project/b' },
      ],
      [
        'mcp__github__create_or_update_file',
        { path: '/home/dev/project/a.md', content: 'x', owner: 'acme', repo: 'web' },
      ],
      ['mcp__filesystem__write_file', { path: '/home/dev/project/a.md', contents: 'x' }],
    ] as const) {
      expect(writesProjectFile(call(tool, input), context), `${tool} ${input.path}`).toBe(false);
    }
  });
});
