/**
 * Consent for a short note the agent words itself after the user asked for one: "and post a
 * note in #oncall so nobody panics" after "mute monitor 4410 for db-staging-2 for an hour".
 * The request gives no text, so the note may say only what the user's messages name: every
 * id, host or version in it must come from them. It goes to the only channel the user asked
 * to post to, and holds no link, mention or secret.
 */
import { requestsFor } from './consent.js';
import { containsWord } from './named-targets.js';
import { redactSecrets } from './redact.js';

/** Slack channel, group and direct-message ids, which do not carry the channel's name. */
const CHANNEL_ID = /^[CGD][A-Z0-9]{8,12}$/;
/** A request for a note whose words it leaves to the agent. */
const NOTE_REQUEST =
  /\b(?:a|an)\s+(?:short\s+|quick\s+|brief\s+)?(?:note|heads[- ]?up|update|message|line|word)\b/i;
/** Maximum length of a note covered, in characters. */
const MAX_TEXT = 500;

/** Returns the ids, hosts and versions in `text`: words with a digit or a dot. */
function specificWords(text: string): string[] {
  return (text.match(/[\w][\w.-]*[\w]/g) ?? []).filter(
    (word) => word.length >= 3 && (/\d/.test(word) || /\w\.\w/.test(word)),
  );
}

/**
 * Checks that a post is a note the user asked for, as the module comment describes. `standing`
 * is the standing requests of the user and `allMessages` all their messages.
 */
export function postsComposedNote(
  input: Record<string, unknown>,
  channel: string,
  standing: string,
  allMessages: string,
): boolean {
  const text = input['text'] ?? input['message'];
  if (typeof text !== 'string' || text.length > MAX_TEXT) {
    return false;
  }
  if (/https?:\/\/|<[@!#]|(?:^|\s)@[\w-]/i.test(text) || redactSecrets(text) !== text) {
    return false;
  }
  const requests = requestsFor('post', standing);
  const channels = new Set(
    requests.flatMap((request) => [...request.matchAll(/#([\w-]+)/g)].map((match) => match[1])),
  );
  const [only] = [...channels];
  if (channels.size !== 1 || only === undefined) {
    return false;
  }
  if (!CHANNEL_ID.test(channel) && channel.replace(/^#/, '').toLowerCase() !== only.toLowerCase()) {
    return false;
  }
  const specific = specificWords(text);
  return (
    requests.some((request) => request.includes(`#${only}`) && NOTE_REQUEST.test(request)) &&
    specific.length > 0 &&
    specific.every((word) => containsWord(allMessages, word))
  );
}
