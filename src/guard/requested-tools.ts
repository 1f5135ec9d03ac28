/**
 * Consent for tools the user requested by purpose rather than by name. They are a new SSH key
 * in `~/.ssh`, a tunnel that exposes the local port the user named, and a chat message whose
 * text the user dictated for the one channel they named.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { asksWithout, requestsFor, requestsVerb } from './consent.js';
import { containsWord } from './named-targets.js';
import { expandHome } from './paths.js';
import type { SimpleCommand } from './shell.js';

/** ssh-keygen options that only describe the new key, and whether each takes a value. */
const KEYGEN_NEW_KEY: Record<string, boolean> = {
  '-t': true,
  '-b': true,
  '-a': true,
  '-C': true,
  '-f': true,
  '-N': true,
  '-q': false,
};
/** Files in `~/.ssh` that are not key pairs. */
const SSH_NON_KEYS = /^(?:authorized_keys\d?|known_hosts(?:\.old)?|config)$|\.pub$/;

/**
 * Checks that an `ssh-keygen` makes a new key pair in `~/.ssh` that the user asked for ("make
 * me a new ed25519 key"). Neither the key nor its `.pub` may exist yet, and no input may be
 * fed to the command, because a `y` on input overwrites an existing key.
 */
export function generatesRequestedKey(
  command: SimpleCommand,
  messages: string,
  homeDir: string,
): boolean {
  if (
    command.name !== 'ssh-keygen' ||
    command.dynamic ||
    command.wrappers.length > 0 ||
    (command.pipeline?.index ?? 0) > 0 ||
    command.redirects.some((redirect) => redirect.operator.includes('<')) ||
    // The parser keeps here-documents and here-strings apart from the redirects.
    command.text.includes('<<')
  ) {
    return false;
  }
  const args = command.argv.slice(1);
  let file: string | undefined;
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    const takesValue = KEYGEN_NEW_KEY[arg];
    if (takesValue === undefined) {
      return false;
    }
    if (arg === '-f') {
      file = args[index + 1];
    }
    index += takesValue ? 1 : 0;
  }
  if (file === undefined || !args.includes('-t')) {
    return false;
  }
  const resolved = path.resolve(homeDir, expandHome(file, homeDir));
  if (
    path.dirname(resolved) !== path.join(homeDir, '.ssh') ||
    SSH_NON_KEYS.test(path.basename(resolved)) ||
    existsSync(resolved) ||
    existsSync(`${resolved}.pub`)
  ) {
    return false;
  }
  return requestsVerb(String.raw`mak\w*|creat\w*|generat\w*|set\w* up|add\w*`, messages).some(
    (request) => /\b(?:ssh )?key(?: ?pair)?s?\b/i.test(request),
  );
}

/** Words of a request to make a local service reachable from outside. */
const EXPOSE =
  /\b(?:public(?:ly)?|expos\w*|reachabl\w*|reach|tunnel\w*|shar\w*|webhooks?|outside|internet)\b/i;
/** Words that put a request off until later. */
const DEFERRED = /\b(?:once|until|after|before|if|later|tomorrow)\b/i;
const LOOPBACK = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/**
 * Returns the local port a tunnel command exposes, or undefined when the command is not one
 * of the forms read here or exposes another host or a folder: `ngrok http|tcp|tls PORT`,
 * `cloudflared tunnel --url URL`, `lt --port PORT`, `bore local PORT`.
 */
function tunnelledPort(command: SimpleCommand): string | undefined {
  const args = command.argv.slice(1);
  const operands = args.filter(
    (arg, index) => !arg.startsWith('-') && !(args[index - 1] ?? '').startsWith('--'),
  );
  let target: string | undefined;
  if (command.name === 'ngrok' && /^(?:http|tcp|tls)$/.test(operands[0] ?? '')) {
    target = operands.length === 2 ? operands[1] : undefined;
  } else if (command.name === 'cloudflared' && operands[0] === 'tunnel' && operands.length === 1) {
    const at = args.indexOf('--url');
    target =
      at < 0
        ? /^--url=(.+)$/.exec(args.find((arg) => arg.startsWith('--url=')) ?? '')?.[1]
        : args[at + 1];
  } else if (['lt', 'localtunnel'].includes(command.name) && operands.length === 0) {
    target = args[args.indexOf('--port') + 1];
  } else if (command.name === 'bore' && operands[0] === 'local' && operands.length === 2) {
    target = operands[1];
  }
  const match = /^(?:https?:\/\/)?(?:([^/:]+|\[::1\]):)?(\d{2,5})\/?$/.exec(target ?? '');
  if (match === null || (match[1] !== undefined && !LOOPBACK.test(match[1]))) {
    return undefined;
  }
  return match[2];
}

/**
 * Checks that a tunnel exposes only a local port that the user named in a sentence asking
 * to make it public or reachable, with no negation or deferral in that sentence.
 */
export function tunnelsRequestedPort(command: SimpleCommand, messages: string): boolean {
  const port = command.dynamic ? undefined : tunnelledPort(command);
  if (port === undefined) {
    return false;
  }
  return messages
    .split(/(?<=[.!?;])\s+|\n+/)
    .some(
      (sentence) =>
        containsWord(sentence, port) && asksWithout(EXPOSE, sentence) && !DEFERRED.test(sentence),
    );
}

/** Slack channel, group and direct-message ids, which do not carry the channel's name. */
const CHANNEL_ID = /^[CGD][A-Z0-9]{8,12}$/;
/** Words too common to show that a text repeats the user's messages. */
const COMMON_WORDS = new Set(['the', 'and', 'for', 'that', 'this', 'with', 'are', 'was', 'has']);

function contentWords(text: string): string[] {
  return (text.toLowerCase().match(/[a-z0-9]+/g) ?? []).filter(
    (word) => word.length >= 3 && !COMMON_WORDS.has(word),
  );
}

/**
 * Checks that a post to a channel given by id carries text the user dictated, to the only
 * channel the user requested a post to. At least half the text's words must come from the
 * user's messages, and every word of the request after the channel's name must be in the
 * text. Links and group mentions are rejected. The id itself cannot be matched to the name.
 */
export function postsDictatedText(
  input: Record<string, unknown>,
  channel: string,
  messages: string,
): boolean {
  const text = input['text'] ?? input['message'];
  if (!CHANNEL_ID.test(channel) || typeof text !== 'string' || text.length > 500) {
    return false;
  }
  if (/https?:\/\/|<[@!#]|@(?:here|channel|everyone)\b/i.test(text)) {
    return false;
  }
  const requests = requestsFor('post', messages);
  const channels = new Set(
    requests.flatMap((request) => [...request.matchAll(/#([\w-]+)/g)].map((match) => match[1])),
  );
  if (channels.size !== 1) {
    return false;
  }
  const spoken = new Set(contentWords(messages));
  const written = contentWords(text);
  const textWords = new Set(written);
  const dictated = requests.some((request) => {
    const requestWords = contentWords(request.replace(/^.*?#[\w-]+/, ''));
    return (
      requestWords.length > 0 &&
      requestWords
        .filter((word) => !/^(?:tell|say|saying)$/.test(word))
        .every((word) => textWords.has(word))
    );
  });
  const fromUser = written.filter((word) => spoken.has(word)).length;
  return dictated && written.length > 0 && fromUser * 2 >= written.length;
}
