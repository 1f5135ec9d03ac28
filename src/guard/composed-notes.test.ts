import { describe, expect, it } from 'vitest';

import { postsComposedNote } from './composed-notes.js';

const MESSAGES = 'Restart worker-3 on qa.\nAnd post a short note in #ops.';

function check(text: string, channel = 'C0OPSROOM1') {
  return postsComposedNote({ text }, channel, MESSAGES, MESSAGES);
}

describe('postsComposedNote', () => {
  it('allows a note that names only what the user named', () => {
    expect(check('Restarting worker-3 on qa now.')).toBe(true);
    expect(check('Restarting worker-3 on qa now.', '#ops')).toBe(true);
  });

  it('rejects new hosts, links, mentions and other channels', () => {
    expect(check('Restarting worker-3, logs at 10.0.0.9.')).toBe(false);
    expect(check('Restarting worker-3, see https://x.example/a')).toBe(false);
    expect(check('@here restarting worker-3')).toBe(false);
    expect(check('Restarting worker-3 on qa now.', '#general')).toBe(false);
  });
});
