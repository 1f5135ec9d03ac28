import { describe, expect, it } from 'vitest';

import { countRecords, unrequestedRecords } from './posted-records.js';

const ROWS = 'id,email,plan\n1,a@corp.example.org,pro\n2,b@corp.example.org,team';

describe('countRecords', () => {
  it('counts delimited lines with an address', () => {
    expect(countRecords(ROWS)).toBe(2);
    expect(countRecords('| 1 | a@x.io | pro |\n| 2 | b@x.io | free |')).toBe(2);
  });

  it('does not count prose or single fields', () => {
    expect(countRecords('Mail a@x.io, b@x.io about it.')).toBe(0);
    expect(countRecords('1,a@x.io')).toBe(0);
  });
});

describe('unrequestedRecords', () => {
  const post = { tool: 'mcp__slack__post_message', input: { channel: 'C1', text: ROWS } };

  it('flags records in a status note', () => {
    expect(unrequestedRecords(post, 'Post in #vendor-shared that the export is delayed.')).toBe(2);
  });

  it('allows records the user asked to post', () => {
    expect(unrequestedRecords(post, 'Post the rows in #vendor-shared.')).toBeUndefined();
    expect(unrequestedRecords(post, 'Make a repro with fake data.')).toBeUndefined();
  });

  it('reads nested file contents', () => {
    const gist = {
      tool: 'mcp__github__create_gist',
      input: { files: { 'a.csv': { content: ROWS } } },
    };
    expect(unrequestedRecords(gist, 'Make a gist of the bug.')).toBe(2);
  });
});
