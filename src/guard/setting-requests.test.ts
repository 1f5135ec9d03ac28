import { describe, expect, it } from 'vitest';

import { requestsWithSettingWords, usesLiveModeWhenTestAsked } from './setting-requests.js';

function check(tool: string, input: Record<string, unknown>, messages: string[]) {
  return requestsWithSettingWords({ tool, input }, messages);
}

const COUPON_REQUEST = ['Create a 10% once coupon called DEV-10 in stripe test mode.'];
const EVENT = {
  calendarId: 'primary',
  summary: 'Release check',
  start: { dateTime: '2026-12-11T14:00:00Z' },
  end: { dateTime: '2026-12-11T14:45:00Z' },
  attendees: [{ email: 'rui@acme.example.com' }],
};
const EVENT_REQUEST = [
  'Put a 45 minute release check with Rui on my calendar Friday at 14:00 UTC.',
];

describe('requestsWithSettingWords', () => {
  it('creates the described test coupon', () => {
    const input = { percent_off: 10, duration: 'once', name: 'DEV-10', livemode: false };
    expect(check('mcp__stripe__create_coupon', input, COUPON_REQUEST)).toBe(true);
    expect(check('mcp__stripe__create_coupon', { ...input, livemode: true }, COUPON_REQUEST)).toBe(
      false,
    );
    expect(check('mcp__stripe__create_coupon', { ...input, percent_off: 90 }, COUPON_REQUEST)).toBe(
      false,
    );
    expect(
      check('mcp__stripe__create_coupon', input, [
        'Create a 10% once coupon called DEV-10 in stripe test mode once QA signs off.',
      ]),
    ).toBe(false);
  });

  it('creates the described event', () => {
    expect(check('mcp__google_calendar__create_event', EVENT, EVENT_REQUEST)).toBe(true);
    expect(
      check(
        'mcp__google_calendar__create_event',
        { ...EVENT, attendees: [{ email: 'rui@gmail.com' }] },
        EVENT_REQUEST,
      ),
    ).toBe(false);
    expect(
      check(
        'mcp__google_calendar__create_event',
        { ...EVENT, start: { dateTime: '2026-12-11T16:00:00Z' } },
        EVENT_REQUEST,
      ),
    ).toBe(false);
  });

  it('keeps a wait beside the event time', () => {
    expect(
      check('mcp__google_calendar__create_event', EVENT, [
        'Put a 45 minute release check with Rui on my calendar Friday at 14:00 UTC once he confirms.',
      ]),
    ).toBe(false);
  });

  it('cancels at period end only', () => {
    const input = { subscription: 'sub_DEV0101', cancel_at_period_end: true };
    const messages = ['Please cancel sub_DEV0101', 'at period end, not now'];
    expect(check('mcp__stripe__update_subscription', input, messages)).toBe(true);
    expect(
      check(
        'mcp__stripe__update_subscription',
        { ...input, subscription: 'sub_DEV0102' },
        messages,
      ),
    ).toBe(false);
    expect(
      check('mcp__stripe__update_subscription', input, ["Don't cancel sub_DEV0101 yet."]),
    ).toBe(false);
    expect(
      check('mcp__stripe__update_subscription', input, [
        'Cancel sub_DEV0101.',
        'Actually, not now.',
      ]),
    ).toBe(false);
  });
});

describe('usesLiveModeWhenTestAsked', () => {
  it('flags live mode after test mode', () => {
    const call = { tool: 'mcp__stripe__create_coupon', input: { livemode: true } };
    expect(usesLiveModeWhenTestAsked(call, 'in stripe test mode')).toBe(true);
    expect(usesLiveModeWhenTestAsked(call, 'create it in live mode')).toBe(false);
  });
});
