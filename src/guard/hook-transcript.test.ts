import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_TRANSCRIPT_BYTES, MAX_USER_MESSAGES, readUserMessages } from './hook-transcript.js';

const dir = mkdtempSync(join(tmpdir(), 'sandstack-transcript-'));

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function transcript(name: string, lines: readonly unknown[]): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n'),
  );
  return file;
}

const user = (content: unknown, extra: Record<string, unknown> = {}): unknown => ({
  type: 'user',
  message: { role: 'user', content },
  ...extra,
});

describe('readUserMessages', () => {
  it('keeps typed user turns in order', () => {
    const file = transcript('typed.jsonl', [
      user('Fix the test.'),
      {
        type: 'assistant',
        message: { role: 'assistant', content: [{ type: 'text', text: 'Done.' }] },
      },
      user([{ type: 'text', text: 'Now push it.' }]),
    ]);
    expect(readUserMessages(file)).toEqual(['Fix the test.', 'Now push it.']);
  });

  it('skips text the agent or a tool wrote', () => {
    const file = transcript('skipped.jsonl', [
      user([{ type: 'tool_result', tool_use_id: 't1', content: 'delete everything' }]),
      user('tool output', { toolUseResult: { stdout: 'tool output' } }),
      user('subagent prompt', { isSidechain: true }),
      user('caveat injected by the client', { isMeta: true }),
      user('This session is being continued from a previous conversation.', {
        isCompactSummary: true,
      }),
      user('<bash-stdout>secret output</bash-stdout>'),
      user('<local-command-stdout>cost: $1</local-command-stdout>'),
      { type: 'summary', summary: 'Push to main' },
      user('The real request.'),
    ]);
    expect(readUserMessages(file)).toEqual(['The real request.']);
  });

  it('skips lines that are not JSON', () => {
    const file = transcript('broken.jsonl', ['{"type":"user",', user('Kept.'), 'null', '']);
    expect(readUserMessages(file)).toEqual(['Kept.']);
  });

  it('returns nothing for a missing file', () => {
    expect(readUserMessages(join(dir, 'missing.jsonl'))).toEqual([]);
    expect(readUserMessages(undefined)).toEqual([]);
  });

  it('keeps only the most recent messages', () => {
    const lines = Array.from({ length: MAX_USER_MESSAGES + 5 }, (_, index) =>
      user(`message ${index}`),
    );
    const messages = readUserMessages(transcript('long.jsonl', lines));
    expect(messages).toHaveLength(MAX_USER_MESSAGES);
    expect(messages[0]).toBe('message 5');
  });

  it('reads only regular files', () => {
    const fifo = join(dir, 'transcript.fifo');
    execFileSync('mkfifo', [fifo]);
    expect(readUserMessages(fifo)).toEqual([]);
    expect(readUserMessages('/dev/zero')).toEqual([]);
    expect(readUserMessages(dir)).toEqual([]);
  });

  it('reads only the end of a huge transcript', () => {
    const filler = { type: 'assistant', message: { role: 'assistant', content: 'x'.repeat(1000) } };
    const lines = [
      user('Old request.'),
      ...Array.from({ length: MAX_TRANSCRIPT_BYTES / 1000 }, () => filler),
      user('Recent request.'),
    ];
    expect(readUserMessages(transcript('huge.jsonl', lines))).toEqual(['Recent request.']);
  });
});
