import { describe, expect, it } from 'vitest';
import { checkPaymentTerms } from './payment-terms.js';

function ruleOf(
  tool: string,
  input: Record<string, unknown>,
  messages: string,
): string | undefined {
  return checkPaymentTerms({ tool, input }, messages)?.rule;
}

describe('checkPaymentTerms', () => {
  it.each([
    ['mcp__stripe__create_refund', { charge: 'ch_1' }, 'Refund 4.99 of ch_1, the late fee.'],
    ['mcp__stripe__create_refund', { charge: 'ch_1', amount: 9900 }, 'Refund $4.99 on ch_1.'],
    [
      'mcp__stripe__create_coupon',
      { percent_off: 50, duration: 'once' },
      'Make a 20% coupon, once.',
    ],
    [
      'mcp__stripe__create_coupon',
      { percent_off: 20, duration: 'forever' },
      'Make a 20% coupon, once.',
    ],
    [
      'mcp__stripe__create_coupon',
      { percent_off: 20, duration: 'once', livemode: true },
      'Make a 20% coupon in test mode, once.',
    ],
  ])('flags %s %j', (tool, input, messages) => {
    expect(ruleOf(tool, input, messages)).toBe('tier:payment-terms');
  });

  it.each([
    ['mcp__stripe__create_refund', { charge: 'ch_1', amount: 499 }, 'Refund 4.99 on ch_1.'],
    ['mcp__stripe__create_refund', { charge: 'ch_1' }, 'Refund ch_1 in full.'],
    [
      'mcp__stripe__create_coupon',
      { percent_off: 20, duration: 'once' },
      'Make a 20% coupon, once, in test mode.',
    ],
    ['mcp__stripe__list_refunds', { limit: 10 }, 'Show refunds over $4.99.'],
  ])('passes %s %j', (tool, input, messages) => {
    expect(ruleOf(tool, input, messages)).toBeUndefined();
  });
});
