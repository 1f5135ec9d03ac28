/**
 * Tier check for an MCP payment call whose terms differ from the ones the user gave. A refund
 * with no `amount` refunds the whole charge, which "refund 4.99 of it" does not ask for. An
 * amount or percentage other than the one requested, a longer duration, or live mode after a
 * request for test mode also differ. The call's tool and target can match the request exactly
 * while its terms move real money.
 */
import type { Finding } from './findings.js';
import type { ToolCall } from './types.js';

/** MCP tools that move money or set prices and discounts. */
const PAYMENT_TOOL =
  /refund|charge|payout|transfer|payment_intent|invoice|coupon|discount|promotion|credit_note|price/i;
/** Tools whose missing amount means the whole balance: a refund, payout or transfer. */
const WHOLE_BY_DEFAULT = /refund|payout|transfer|credit_note/i;
/** Argument names of a money amount. */
const AMOUNT_KEY = /^(?:amount|amount_off|unit_amount|value)$/i;
/** Argument names of a percentage. */
const PERCENT_KEY = /^(?:percent_off|percentage|percent|discount_percent)$/i;
/**
 * A money amount of a request: a currency sign or code, or a number with two decimals
 * (`12.50`, `$40`, `EUR 12`). Group 1 is the number.
 */
const MONEY =
  /(?:[$€£]\s?|\b(?:usd|eur|gbp|chf|cad|aud)\s?)(\d+(?:[.,]\d{1,2})?)\b|\b(\d+[.,]\d{2})\b(?!\s*%)/gi;
const PERCENT = /\b(\d+(?:\.\d+)?)\s?(?:%|percent\b)/gi;
const TEST_MODE = /\btest[- ]?mode\b|\bsandbox\b|\bin test\b/i;
const DURATIONS = ['once', 'forever', 'repeating'];

/** Returns the amounts a request names, in major units (`12.50` for 12.50). */
function requestedAmounts(messages: string): number[] {
  return [...messages.matchAll(MONEY)].map((match) =>
    Number((match[1] ?? match[2] ?? '').replace(',', '.')),
  );
}

/**
 * Checks whether `value` is one of the `requested` amounts, given in major units (`12.5`) or
 * in minor units as payment APIs take them (`1250`).
 */
function isRequestedAmount(value: number, requested: readonly number[]): boolean {
  return requested.some(
    (amount) => Math.abs(value - amount) < 0.005 || Math.abs(value - amount * 100) < 0.5,
  );
}

function numberArgument(input: Record<string, unknown>, key: RegExp): number | undefined {
  const entry = Object.entries(input).find(([name]) => key.test(name));
  const value = entry?.[1];
  if (typeof value === 'number') {
    return value;
  }
  return typeof value === 'string' && /^\d+(?:\.\d+)?$/.test(value) ? Number(value) : undefined;
}

/** Returns how the terms of `call` differ from those in `messages`, or undefined when they agree. */
function differingTerm(call: ToolCall, tool: string, messages: string): string | undefined {
  const input = call.input;
  const amounts = requestedAmounts(messages);
  const amount = numberArgument(input, AMOUNT_KEY);
  if (amounts.length > 0 && amount === undefined && WHOLE_BY_DEFAULT.test(tool)) {
    return `has no amount, so it moves the whole balance, while the request names ${amounts.join(', ')}`;
  }
  if (amounts.length > 0 && amount !== undefined && !isRequestedAmount(amount, amounts)) {
    return `moves ${amount}, while the request names ${amounts.join(', ')}`;
  }
  const percents = [...messages.matchAll(PERCENT)].map((match) => Number(match[1]));
  const percent = numberArgument(input, PERCENT_KEY);
  if (percents.length > 0 && percent !== undefined && !percents.includes(percent)) {
    return `gives ${percent}% off, while the request names ${percents.join(', ')}%`;
  }
  const duration = typeof input['duration'] === 'string' ? input['duration'] : undefined;
  const requestedDuration = DURATIONS.find((word) =>
    new RegExp(`\\b${word}\\b`, 'i').test(messages),
  );
  if (duration !== undefined && requestedDuration !== undefined && duration !== requestedDuration) {
    return `lasts "${duration}", while the request asks for "${requestedDuration}"`;
  }
  const live =
    input['livemode'] === true || input['live_mode'] === true || input['mode'] === 'live';
  if (live && TEST_MODE.test(messages)) {
    return 'runs in live mode, while the request asks for test mode';
  }
  return undefined;
}

/**
 * Returns a finding for an MCP payment call whose amount, percentage, duration or mode differs
 * from what `messages` (every user message) give.
 */
export function checkPaymentTerms(call: ToolCall, messages: string): Finding | undefined {
  const tool = call.tool.split('__')[2] ?? '';
  if (!PAYMENT_TOOL.test(tool) || /^(?:get|list|retrieve|search|read)/i.test(tool)) {
    return undefined;
  }
  const difference = differingTerm(call, tool, messages);
  return difference === undefined
    ? undefined
    : {
        category: 'real-world-transaction',
        reason: `The ${call.tool} call ${difference}`,
        rule: 'tier:payment-terms',
      };
}
