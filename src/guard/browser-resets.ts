/**
 * Resets of a browser automation session's own state: `browser_clear_cookies` or
 * `clear_storage` of a Playwright or Puppeteer server, which log the test browser out of the
 * app under test. The profile the server drives may be the user's own browser, so a reset
 * is allowed only when the user requests one.
 */
import { asksWithout } from './consent.js';
import { BROWSER_WORDS } from './read-only-calls.js';
import { toolWords } from './requested-mcp-writes.js';
import type { ToolCall } from './types.js';

const RESET_VERBS = new Set(['clear', 'delete', 'reset', 'wipe']);
const BROWSER_STATE = new Set(['cookie', 'cookies', 'storage', 'session', 'cache', 'state']);
/** A host name or URL in an argument, which limits the reset to another site. */
const HOST = /[a-z0-9-]\.[a-z]{2,}\b|:\/\//i;
const LOOPBACK = /^(?:https?:\/\/)?(?:localhost|127\.\d+\.\d+\.\d+|\[::1\])(?::\d+)?(?:\/|$)/i;
/** Requests that cover a reset of the browser's state. */
const RESET_REQUEST =
  /\b(?:cookies?|log(?:ged)?[ -]?out|sign(?:ed)?[ -]?out|session|reset|clear|fresh|clean (?:state|profile|slate))\b/i;

/**
 * Checks whether a browser tool clears its own cookies or storage, with no argument naming a
 * site other than a loopback one, and a consenting clause of `messages` requests such a reset.
 */
export function resetsBrowserAsRequested(call: ToolCall, messages: string): boolean {
  if (!BROWSER_WORDS.test(call.tool)) {
    return false;
  }
  const words = toolWords(call.tool);
  if (
    !words.some((word) => RESET_VERBS.has(word)) ||
    !words.some((word) => BROWSER_STATE.has(word))
  ) {
    return false;
  }
  const namesOtherSite = Object.values(call.input).some(
    (value) => typeof value !== 'string' || (HOST.test(value) && !LOOPBACK.test(value)),
  );
  return !namesOtherSite && asksWithout(RESET_REQUEST, messages);
}
