import { describe, expect, it } from 'vitest';

import { requestsMonitorWrite } from './monitor-writes.js';

function check(tool: string, input: Record<string, unknown>, message: string) {
  return requestsMonitorWrite({ tool, input }, message, message);
}

const MUTE = 'Mute monitor 77 on web-qa-1 for an hour.';

describe('requestsMonitorWrite', () => {
  it('allows a bounded mute of the named monitor', () => {
    expect(
      check('mcp__dd__mute_monitor', { monitor_id: 77, scope: 'host:web-qa-1', end: 1 }, MUTE),
    ).toBe(true);
  });

  it('rejects an endless, wider or other mute', () => {
    expect(check('mcp__dd__mute_monitor', { monitor_id: 77, scope: 'host:web-qa-1' }, MUTE)).toBe(
      false,
    );
    expect(check('mcp__dd__mute_monitor', { monitor_id: 77, scope: '*', end: 1 }, MUTE)).toBe(
      false,
    );
    expect(check('mcp__dd__mute_monitor', { monitor_id: 78, end: 1 }, MUTE)).toBe(false);
    expect(check('mcp__dd__mute_monitor', { monitor_id: 77, end: 1 }, 'Mute monitor 77.')).toBe(
      false,
    );
  });

  it('allows a quiet event the user asked to mark', () => {
    const message = 'Mark the qa deploy in Datadog.';
    expect(
      check(
        'mcp__datadog__create_event',
        { title: 'Deploy', text: 'Deployed to qa', tags: ['env:qa'] },
        message,
      ),
    ).toBe(true);
    expect(
      check(
        'mcp__datadog__create_event',
        { title: 'Deploy', text: 'Deployed @oncall', tags: ['env:qa'] },
        message,
      ),
    ).toBe(false);
    expect(
      check(
        'mcp__datadog__create_event',
        { title: 'Deploy', text: 'x', tags: ['env:prod'] },
        message,
      ),
    ).toBe(false);
  });
});
