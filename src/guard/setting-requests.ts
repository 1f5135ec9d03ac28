/**
 * Consent to MCP writes whose request carries the call's own settings in words that the
 * standing reader takes for a wait or a withdrawal: "a 10% once coupon" (the coupon's
 * duration), "a sync on my calendar Friday at 14:00" (the event's time), "cancel it at
 * period end, not now" (when the cancellation takes effect). Each reader removes the words
 * that the call's arguments match before it asks whether the request stands, so a wait or
 * a withdrawal in any other words still gives no consent.
 */
import { consentingText, requestsVerb } from './consent.js';
import { containsWord } from './named-targets.js';
import { toolWords } from './requested-mcp-writes.js';
import { standingClauses } from './standing-requests.js';
import type { ToolCall } from './types.js';

/** Splits text into its sentences, trimmed. */
function sentencesOf(text: string): string[] {
  return text
    .split(/(?<=[.!?;])\s+|\n+/)
    .map((sentence) => sentence.trim())
    .filter((sentence) => sentence !== '');
}

/**
 * Returns the sentence of `userMessages` as the user wrote it that contains `clause`, a clause of
 * the standing text read after `setting` removed words from each message.
 */
function writtenSentence(
  clause: string,
  userMessages: readonly string[],
  setting: (message: string) => string,
): string {
  return (
    sentencesOf(userMessages.join('\n')).find((sentence) => setting(sentence).includes(clause)) ??
    ''
  );
}

/**
 * Returns the standing requests of `userMessages` after `setting` removes the words that give
 * the call's own settings from each message.
 */
function standingWithout(
  userMessages: readonly string[],
  setting: (message: string) => string,
): string {
  const cleaned = userMessages.map(setting);
  return standingClauses(consentingText(cleaned), cleaned.join('\n'));
}

/** Arguments of a new coupon that the request must give, and its mode. */
const COUPON_KEYS = new Set([
  'percent_off',
  'duration',
  'duration_in_months',
  'name',
  'id',
  'livemode',
  'max_redemptions',
]);
/** Words by which a request asks for the payment service's test mode. */
const TEST_MODE = /\btest[-\s]?mode\b|\bsandbox\b/i;

/**
 * Checks that a new coupon is one a standing request creates in test mode with the call's
 * name, percentage, duration and limits: "Create a 10% once coupon called DEV-10 in
 * stripe test mode". The call must set `livemode: false`, because a coupon in live mode is
 * redeemable by customers. Amounts off are not covered, because their minor units are not
 * compared here.
 */
function createsTestCoupon(
  call: ToolCall,
  words: readonly string[],
  userMessages: readonly string[],
): boolean {
  if (
    !words.includes('coupon') ||
    !words.includes('create') ||
    call.input['livemode'] !== false ||
    !Object.keys(call.input).every((key) => COUPON_KEYS.has(key))
  ) {
    return false;
  }
  const duration = call.input['duration'];
  const values = Object.entries(call.input)
    .filter(([key]) => key !== 'livemode')
    .map(([, value]) => value);
  if (!values.every((value) => typeof value === 'string' || typeof value === 'number')) {
    return false;
  }
  // Only the duration word that describes the coupon goes ("a 10% once coupon", "10% once"), so
  // "once QA signs off" still waits.
  const word = typeof duration === 'string' ? duration.replace(/\W/g, '') : '';
  const durationWord = new RegExp(
    String.raw`(?<=%\s*|\bduration:?\s+)\b${word}\b|\b${word}\b(?=\s+(?:coupon|discount|promo)|\s*(?:[.,;!]|$))`,
    'gi',
  );
  const removeDuration = (message: string): string =>
    word === '' ? message : message.replace(durationWord, ' ');
  const standing = standingWithout(userMessages, removeDuration);
  return requestsVerb(String.raw`creat\w*|add\w*|mak\w*|set\w* up`, standing).some((clause) => {
    const request = writtenSentence(clause, userMessages, removeDuration);
    return (
      TEST_MODE.test(request) &&
      /\bcoupons?\b/i.test(request) &&
      values.every((value) => containsWord(request, String(value)))
    );
  });
}

/** Arguments of a new calendar event. */
const EVENT_KEYS =
  /^(?:calendar_?id|calendarId|summary|title|description|location|start|end|attendees|time_?zone|timeZone)$/;
/** Mail domains of personal accounts, where a first name alone does not name the person. */
const PERSONAL_MAIL =
  /(?:^|\.)(?:gmail|googlemail|yahoo|hotmail|outlook|live|icloud|proton(?:mail)?|aol|gmx|yandex|mail)\./i;
/**
 * Words of an event's time: a weekday, "tomorrow", a clock time and its zone.
 * NOTE: "tomorrow" is not compared with the event's date, unlike the weekday and clock time.
 */
const EVENT_TIME =
  /\b(?:on\s+)?(?:mon|tues|wednes|thurs|fri|satur|sun)day\b|\btomorrow\b|\b(?:at\s+)?\d{1,2}(?::\d\d)?\s*(?:am|pm)\b|\b(?:at\s+)?\d{1,2}:\d\d\b|\b(?:utc|gmt)\b/gi;
const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

/** Returns the date and time of an event's `start` or `end`, or undefined for another form. */
function eventTime(value: unknown): Date | undefined {
  const text =
    typeof value === 'object' && value !== null
      ? (value as Record<string, unknown>)['dateTime']
      : value;
  const date = typeof text === 'string' ? new Date(text) : undefined;
  return date === undefined || Number.isNaN(date.getTime()) ? undefined : date;
}

/** Checks that `request` gives the clock time of `start`: "15:00", "3pm", "3:30 pm". */
function namesClockTime(request: string, start: Date): boolean {
  const hour = start.getUTCHours();
  const minute = start.getUTCMinutes();
  const twelve = hour % 12 === 0 ? 12 : hour % 12;
  const suffix = hour < 12 ? 'am' : 'pm';
  const minutes = String(minute).padStart(2, '0');
  const forms = [
    `${hour}:${minutes}`,
    `${String(hour).padStart(2, '0')}:${minutes}`,
    minute === 0 ? `${twelve}${suffix}` : `${twelve}:${minutes}${suffix}`,
  ];
  const compact = request.toLowerCase().replace(/(\d)\s+(am|pm)\b/g, '$1$2');
  return forms.some((form) => containsWord(compact, form));
}

/** Checks that `request` names the attendee at `address`: in full, or by first name at a company domain. */
function namesAttendee(request: string, address: string): boolean {
  if (containsWord(request, address)) {
    return true;
  }
  const parts = /^([a-z]{3,})(?:[._+-][\w.+-]*)?@([\w.-]+)$/i.exec(address);
  return (
    parts !== null && containsWord(request, parts[1] ?? '') && !PERSONAL_MAIL.test(parts[2] ?? '')
  );
}

/**
 * Checks that a new calendar event is the one a standing request describes: on the user's own
 * calendar or one the request names, at the clock time, weekday and length it gives, with
 * only attendees it names. The time words are the event's, so they are no wait.
 */
function createsRequestedEvent(
  call: ToolCall,
  words: readonly string[],
  userMessages: readonly string[],
): boolean {
  if (
    !words.includes('event') ||
    !words.some((word) => /^(?:create|insert|add|new)$/.test(word)) ||
    !Object.keys(call.input).every((key) => EVENT_KEYS.test(key))
  ) {
    return false;
  }
  const start = eventTime(call.input['start']);
  const end = eventTime(call.input['end']);
  const calendar = call.input['calendarId'] ?? call.input['calendar_id'] ?? 'primary';
  const attendees = call.input['attendees'] ?? [];
  const addresses = Array.isArray(attendees)
    ? attendees.map((each) =>
        typeof each === 'object' && each !== null
          ? (each as Record<string, unknown>)['email']
          : each,
      )
    : [];
  const text = [call.input['summary'], call.input['title'], call.input['description']].join(' ');
  if (
    start === undefined ||
    end === undefined ||
    typeof calendar !== 'string' ||
    !Array.isArray(attendees) ||
    addresses.length > 10 ||
    !addresses.every((each) => typeof each === 'string') ||
    /https?:\/\//i.test(text)
  ) {
    return false;
  }
  const minutes = Math.round((end.getTime() - start.getTime()) / 60000);
  const removeTime = (message: string): string => message.replace(EVENT_TIME, ' ');
  const standing = standingWithout(userMessages, removeTime);
  return requestsVerb(
    String.raw`put\w*|add\w*|creat\w*|schedul\w*|book\w*|set\w* up`,
    standing,
  ).some((clause) => {
    // The request as the user wrote it, with the time words the standing text left out.
    const request = writtenSentence(clause, userMessages, removeTime);
    const weekday = /\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b/i.exec(request)?.[0];
    const length = /\b(\d+)[-\s]?(min(?:ute)?s?|hours?|h)\b/i.exec(request);
    const asked =
      length === null ? undefined : Number(length[1]) * (/^h/i.test(length[2] ?? '') ? 60 : 1);
    return (
      /\b(?:calendar|meeting|event|call|invite)\b/i.test(request) &&
      (calendar === 'primary' || containsWord(request, calendar)) &&
      namesClockTime(request, start) &&
      (weekday === undefined || WEEKDAYS[start.getUTCDay()] === weekday.toLowerCase()) &&
      (asked === undefined || asked === minutes) &&
      addresses.every((address) => namesAttendee(request, String(address)))
    );
  });
}

/** Arguments of a subscription update that names the subscription. */
const SUBSCRIPTION_KEY = /^(?:subscription|subscription_?id|id)$/;
/** Words that put a cancellation at the end of the billing period. */
const PERIOD_END =
  /\b(?:at|by)\s+(?:the\s+)?(?:(?:billing\s+)?period|cycle|term)\s+end\b|\bend\s+of\s+(?:the\s+)?(?:billing\s+)?(?:period|cycle|term|month)\b/i;
/** "not now" after a period end: the time of the cancellation, not a withdrawal. */
const NOT_NOW = /,?\s*(?:and\s+|but\s+)?not\s+(?:now|immediately|right\s+away|today)\b/gi;
/** A refusal before the verb: "don't cancel". */
const REFUSED = /\b(?:don'?t|do not|never|not|no need to|hold off)\b/i;

/**
 * Checks that a subscription update only cancels at the end of the period a subscription that
 * a standing sentence asks to cancel and names: "sub_DEV0101 needs cancelling", "at period
 * end, not now". The subscription keeps running until then and the update can be undone.
 * Any other setting, and a cancellation now, are not covered.
 */
function cancelsAtPeriodEnd(
  call: ToolCall,
  words: readonly string[],
  userMessages: readonly string[],
): boolean {
  const entries = Object.entries(call.input);
  const subscription = entries.find(([key]) => SUBSCRIPTION_KEY.test(key))?.[1];
  if (
    !words.some((word) => /^subscriptions?$/.test(word)) ||
    !words.some((word) => /^(?:update|modify|cancel)$/.test(word)) ||
    typeof subscription !== 'string' ||
    call.input['cancel_at_period_end'] !== true ||
    entries.length !== 2
  ) {
    return false;
  }
  // A message that only gives the time ("at period end, not now") is the call's own setting:
  // it is left out, so it neither takes the request back nor stands as one.
  const standing = standingWithout(userMessages, (message) => {
    if (!PERIOD_END.test(message)) {
      return message;
    }
    const rest = message.replace(NOT_NOW, '');
    return /^[\s,.;!-]*$/.test(rest.replace(PERIOD_END, '')) ? '' : rest;
  });
  return sentencesOf(standing).some((sentence) => {
    const verb = /\bcancel\w*/i.exec(sentence);
    return (
      verb !== null &&
      !sentence.endsWith('?') &&
      !REFUSED.test(sentence.slice(0, verb.index)) &&
      containsWord(sentence, subscription)
    );
  });
}

/**
 * Checks whether an MCP call acts in live mode (`livemode: true`) while the user's messages ask
 * for the payment service's test mode and never for live mode. Objects made in live mode,
 * such as a coupon, are real for customers, so no consent reader may allow such a call.
 */
export function usesLiveModeWhenTestAsked(call: ToolCall, messages: string): boolean {
  return (
    call.input['livemode'] === true &&
    TEST_MODE.test(messages) &&
    !/\blive[-\s]?mode\b|\bin\s+live\b|\bproduction\b/i.test(messages)
  );
}

/**
 * Checks that an MCP write is one of the kinds of this module, as the module comment
 * describes. `userMessages` are the user's messages as written.
 */
export function requestsWithSettingWords(call: ToolCall, userMessages: readonly string[]): boolean {
  const words = toolWords(call.tool);
  return (
    createsTestCoupon(call, words, userMessages) ||
    createsRequestedEvent(call, words, userMessages) ||
    cancelsAtPeriodEnd(call, words, userMessages)
  );
}
