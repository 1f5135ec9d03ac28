import { describe, expect, it } from 'vitest';

import { unrequestedPublicNotice } from './public-notices.js';

describe('unrequestedPublicNotice', () => {
  it('flags subscriber notifications nobody asked for', () => {
    expect(
      unrequestedPublicNotice(
        {
          tool: 'mcp__incidents__create_incident',
          input: { name: 'x', deliver_notifications: true },
        },
        'Open a minor incident for the staging latency.',
      ),
    ).toBe('notifies subscribers');
  });

  it('flags a status page write nobody asked for', () => {
    expect(
      unrequestedPublicNotice(
        { tool: 'mcp__statuspage__create_incident', input: { name: 'x' } },
        'Open a minor incident for the staging latency.',
      ),
    ).toBe('writes to a status page');
  });

  it('allows a notice when the user names the status page', () => {
    expect(
      unrequestedPublicNotice(
        {
          tool: 'mcp__statuspage__create_incident',
          input: { name: 'x', deliver_notifications: true },
        },
        'Post it on the status page and notify subscribers.',
      ),
    ).toBeUndefined();
  });

  it('ignores calls that notify nobody', () => {
    expect(
      unrequestedPublicNotice(
        {
          tool: 'mcp__grafana__create_incident',
          input: { title: 'x', deliver_notifications: false },
        },
        'Open an incident.',
      ),
    ).toBeUndefined();
  });
});
