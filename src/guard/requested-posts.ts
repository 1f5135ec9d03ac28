/**
 * Consent for a chat post whose text the agent composed from the request's facts: "post in
 * #release-train that v1.8.0 is tagged" to a channel given by id, with a text that carries
 * those facts. The post must go to the only channel the user asked to post to, and its text
 * must hold no secret, group mention or link that could send data elsewhere.
 */
import { requestsFor } from './consent.js';
import { containsWord } from './named-targets.js';
import { redactSecrets } from './redact.js';
import { parseUrl } from './uploads.js';

/** Slack channel, group and direct-message ids, which do not carry the channel's name. */
const CHANNEL_ID = /^[CGD][A-Z0-9]{8,12}$/;
/** Longest composed text covered, in characters: a summary or a short log tail. */
const MAX_TEXT = 1500;
/** Forges whose links name a release, commit, pull request or build. */
const FORGE_HOSTS = new Set(['github.com', 'gitlab.com', 'bitbucket.org']);
/** Request words that say how to post, not what: "post", "the", "that", "tell them". */
const FILLER =
  /^(?:post\w*|send\w*|sent|tell\w*|told|let|know|shar\w*|messag\w*|ping\w*|notif\w*|announc\w*|please|the|that|this|and|for|with|from|into|about|channel|them|everyone|team|say\w*|there|here|now|our|its|it's|all)$/;

/** Two-letter words that carry no fact. */
const SHORT_FILLER = /^(?:is|in|on|at|to|of|it|we|be|as|an|or|by|so|if|my|me|us|do|no|a)$/;

/**
 * Returns the words of `text` that carry facts, keeping versions such as `v1.8.0` whole. When
 * no word of three or more letters does ("that the PR is up"), the two-letter ones count.
 */
function factWords(text: string): string[] {
  const words = (text.toLowerCase().match(/[a-z0-9][a-z0-9._-]*[a-z0-9]|[a-z0-9]/g) ?? []).filter(
    (word) => !FILLER.test(word),
  );
  const long = words.filter((word) => word.length >= 3);
  return long.length > 0 ? long : words.filter((word) => !SHORT_FILLER.test(word));
}

/** Returns the first four letters of a word, so "failing" and "failed" compare equal. */
function stem(word: string): string {
  return /^[a-z]+$/.test(word) ? word.slice(0, 4) : word;
}

/**
 * Checks that every link of `text` points to a forge or a host the user named, with no
 * credentials, query or fragment that could carry data to its server when the chat unfurls it.
 */
function hasOnlyPlainLinks(text: string, messages: string): boolean {
  for (const match of text.matchAll(/\bhttps?:\/\/[^\s<>|)`]+/gi)) {
    const parsed = parseUrl(match[0]);
    if (parsed === undefined) {
      return false;
    }
    const { url, host } = parsed;
    if (
      url.protocol !== 'https:' ||
      url.username !== '' ||
      url.search !== '' ||
      url.hash !== '' ||
      url.port !== '' ||
      !(FORGE_HOSTS.has(host) || containsWord(messages, host)) ||
      !url.pathname.split('/').every((segment) => segment.length <= 40 && /^[\w.-]*$/.test(segment))
    ) {
      return false;
    }
  }
  return true;
}

/**
 * Checks that a post to a channel given by id carries the facts of the user's request to the
 * only channel the user asked to post to. At least half of the request's fact words (after the
 * verb, channel and filler words are dropped) must appear in the text, by their first four
 * letters. The text must be at most {@link MAX_TEXT} characters, hold nothing the secret
 * redactor would remove, mention no group or person, and link only to a forge or a host the
 * user named, with no query or fragment.
 */
export function postsRequestedFacts(
  input: Record<string, unknown>,
  channel: string,
  messages: string,
): boolean {
  const text = input['text'] ?? input['message'];
  if (!CHANNEL_ID.test(channel) || typeof text !== 'string' || text.length > MAX_TEXT) {
    return false;
  }
  if (/<[@!#]|@(?:here|channel|everyone)\b/i.test(text) || redactSecrets(text) !== text) {
    return false;
  }
  const requests = requestsFor('post', messages);
  const channels = new Set(
    requests.flatMap((request) => [...request.matchAll(/#([\w-]+)/g)].map((match) => match[1])),
  );
  if (channels.size !== 1 || !hasOnlyPlainLinks(text, messages)) {
    return false;
  }
  const written = new Set(
    (text.toLowerCase().match(/[a-z0-9][a-z0-9._-]*[a-z0-9]|[a-z0-9]/g) ?? []).map(stem),
  );
  return requests.some((request) => {
    const facts = factWords(request.replace(/#[\w-]+/g, ' '));
    const carried = facts.filter((word) => written.has(stem(word))).length;
    return facts.length > 0 && carried > 0 && carried * 2 >= facts.length;
  });
}
