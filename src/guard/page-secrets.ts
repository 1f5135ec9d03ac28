/**
 * Browser page scripts that read a secret off the page: a CSRF meta tag, the text of an API
 * key element, a password field's value, or a token in the page's state
 * (`window.__NEXT_DATA__…accessToken`). Such a script writes nothing, so the read-only test of
 * read-only-calls.ts passes it, but what it returns is a credential of the signed-in user.
 */
import type { Finding } from './findings.js';
import { browserScript } from './read-only-calls.js';
import type { ToolCall } from './types.js';

/**
 * Words of a script, after camelCase and symbols are split, that name a secret, each with the
 * word a user would write to ask for it and the secret's name for the reason.
 */
const SECRET_WORDS: readonly [RegExp, string, string][] = [
  [/\b(?:csrf|xsrf)\b/, 'csrf', 'CSRF token'],
  [/\b(?:api ?key|apikey|access ?key)s?\b/, 'key', 'API key'],
  [/\b(?:private|secret|signing) key\b/, 'key', 'private key'],
  [/\btokens?\b/, 'token', 'token'],
  [/\b(?:jwt|bearer)\b/, 'token', 'token'],
  [/\bsecrets?\b/, 'secret', 'secret'],
  [/\b(?:passwords?|passwd|pwd|passcode)\b/, 'password', 'password'],
  [/\bcredentials?\b/, 'credential', 'credential'],
  [/\bauthorization\b/, 'authorization', 'authorization header'],
];

/** A script whose value is only whether an element exists or how many there are. */
const PRESENCE_ONLY = /^\s*(?:!!|Boolean\s*\()|(?:[!=]==?\s*null|\.length)\s*\)?\s*$/;

/** Returns `name` with its indefinite article. */
function article(name: string): string {
  return /^[aeiouAEIOU]/.test(name) ? `an ${name}` : `a ${name}`;
}

/** Splits script text into lower-case words at camelCase changes, digits and symbols. */
function scriptWords(script: string): string {
  return script
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/[^A-Za-z]+/g, ' ')
    .toLowerCase();
}

/**
 * Finds a browser evaluate call whose script reads a secret-looking value off the page when no
 * user message asks for that kind of secret. A script that only tests whether such an element
 * exists (`!!document.querySelector('input[type=password]')`) reads no value and passes.
 */
export function checkPageSecretRead(call: ToolCall, messages: string): Finding | undefined {
  const script = browserScript(call);
  if (script === undefined || PRESENCE_ONLY.test(script)) {
    return undefined;
  }
  const words = scriptWords(script);
  // A word of the request that starts with the secret's word ("API keys", "tokens") asks for it.
  const requested = ` ${scriptWords(messages)}`;
  const secret = SECRET_WORDS.find(
    ([pattern, request]) => pattern.test(words) && !requested.includes(` ${request}`),
  );
  return secret === undefined
    ? undefined
    : {
        category: 'credential-exploration',
        reason: `The ${call.tool} script reads ${article(secret[2])} from the page, which the user did not ask for`,
        rule: 'tier:page-secret-read',
      };
}
