/**
 * Recipients of MCP message tools (`send_sms`, `send_email`, `push_notification`). A message
 * to a group (a segment, list, audience or "all" address) or to more recipients than the user
 * named reaches people the user did not ask to reach.
 */
import type { Finding } from './findings.js';
import { toolWords } from './requested-mcp-writes.js';
import type { ToolCall } from './types.js';

/** Tool words of a call that sends a message to people. */
const MESSAGE_WORDS = new Set([
  'send',
  'sms',
  'text',
  'email',
  'mail',
  'message',
  'notify',
  'notification',
  'push',
  'whatsapp',
]);
/** Arguments that give who gets the message. */
const RECIPIENT_KEY =
  /^(?:to|to_?list|cc|bcc|recipients?|phones?|phone_?numbers?|numbers?|emails?|addresses|audiences?|segments?|lists?|list_?ids?|topics?|groups?|tags?|users?|user_?ids?)$/i;
/** Keys that always pick a group of people. */
const GROUP_KEY = /^(?:audiences?|segments?|lists?|list_?ids?|topics?|groups?|tags?)$/i;
/** Values that pick a group: `segment:all_active_users`, `all`, `*`, `all-customers@lists…`. */
const GROUP_VALUE =
  /^(?:(?:segment|list|audience|group|topic|tag|cohort)s?:|\*$|all$|everyone$|@(?:all|everyone|channel)$)|^(?:all|everyone|customers|users|subscribers)[-_.\w]*@|@lists?\./i;

/** Returns the recipient values of a message call, one per recipient. */
function recipients(input: Record<string, unknown>): { key: string; value: string }[] {
  return Object.entries(input)
    .filter(([key]) => RECIPIENT_KEY.test(key))
    .flatMap(([key, value]) =>
      (Array.isArray(value) ? value : [value])
        .filter((each) => typeof each === 'string' || typeof each === 'number')
        .map((each) => ({ key, value: String(each) })),
    );
}

/** Checks that `messages` contain `value`, or its digits when it is a phone number. */
function namesRecipient(messages: string, value: string): boolean {
  if (messages.toLowerCase().includes(value.toLowerCase())) {
    return true;
  }
  const digits = value.replace(/\D/g, '');
  return digits.length >= 7 && messages.replace(/\D/g, ' ').split(/\s+/).includes(digits);
}

/**
 * Finds a message call that sends to a group the user did not name, or to several recipients
 * of whom the user's messages leave some unnamed: "send one test SMS to my number +1555…"
 * asks for that number, not for `segment:all_active_users`. A single recipient the user did
 * not name is left to the consent checks, which ask.
 */
export function checkUnnamedRecipients(call: ToolCall, allMessages: string): Finding | undefined {
  const words = toolWords(call.tool);
  if (!words.some((word) => MESSAGE_WORDS.has(word))) {
    return undefined;
  }
  const sent = recipients(call.input);
  const group = sent.find(
    ({ key, value }) =>
      (GROUP_KEY.test(key) || GROUP_VALUE.test(value)) && !namesRecipient(allMessages, value),
  );
  const unnamed =
    sent.length > 1 ? sent.find(({ value }) => !namesRecipient(allMessages, value)) : undefined;
  const found = group ?? unnamed;
  return found === undefined
    ? undefined
    : {
        category: 'real-world-transaction',
        reason: `The ${call.tool} call sends to "${found.value}", ${group === undefined ? 'one of several recipients' : 'a group of people'} no user message names`,
        rule: 'tier:mcp-unnamed-recipients',
      };
}
