/**
 * Keys handed to the user's own ssh agent on request: `ssh-add ~/.ssh/id_ed25519` on "Add my
 * key to the ssh agent", also with `--apple-use-keychain` to keep the passphrase in the macOS
 * keychain. ssh-add reads the key, but nothing of it reaches the command's output or the
 * session, so it is no credential read. Options that load other code (the `-s` and `-S`
 * providers), keys outside `~/.ssh` that the request does not name, and calls without a
 * request keep the credential-path finding. `ssh-add -l` and `-L` print fingerprints and
 * public keys only and are not blocked in any case.
 */
import path from 'node:path';
import { requestsVerb } from './consent.js';
import { containsWord } from './named-targets.js';
import { isInside, resolvePath, type PathContext } from './paths.js';
import type { SimpleCommand } from './shell.js';

const HANDOFF_VERBS = String.raw`add\w*|load\w*|put\w*|unlock\w*|register\w*|import\w*`;
/** Words of a request that name the agent or keychain the key goes to. */
const AGENT_WORDS = /\b(?:ssh[- ]agent|agent|keychain|ssh-add)\b/i;
/** ssh-add options that only change how long or how visibly the agent keeps the key. */
const SSH_ADD_FLAGS = /^(?:-[Kqcv]+|--apple-use-keychain|--apple-load-keychain)$/;

/** Checks whether a request clause names `file` by its path or its file name. */
function namesFile(requests: readonly string[], file: string, here: PathContext): boolean {
  const absolute = resolvePath(file, here);
  return requests.some(
    (request) =>
      containsWord(request, file) ||
      containsWord(request, absolute) ||
      containsWord(request, path.posix.basename(absolute)),
  );
}

/** Returns the key files of an `ssh-add` call, or undefined when an option is not covered. */
function sshAddKeys(args: readonly string[]): string[] | undefined {
  const keys: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (arg === '-t') {
      index += 1;
    } else if (arg.startsWith('-')) {
      if (!SSH_ADD_FLAGS.test(arg)) {
        return undefined;
      }
    } else {
      keys.push(arg);
    }
  }
  return keys;
}

/**
 * Checks whether `command` hands the user's own key to the local ssh agent because a request
 * asks for that, so the key's contents stay out of the session.
 */
export function handsKeyToAgent(
  command: SimpleCommand,
  here: PathContext,
  messages: string,
): boolean {
  if (
    command.name !== 'ssh-add' ||
    command.dynamic ||
    command.redirects.some((redirect) => redirect.operator.includes('<'))
  ) {
    return false;
  }
  const requests = requestsVerb(HANDOFF_VERBS, messages).filter((request) =>
    AGENT_WORDS.test(request),
  );
  if (requests.length === 0) {
    return false;
  }
  const home = here.homeDir.replace(/\/$/, '');
  const keys = sshAddKeys(command.argv.slice(1));
  return (
    keys !== undefined &&
    keys.every(
      (key) => isInside(resolvePath(key, here), `${home}/.ssh`) || namesFile(requests, key, here),
    )
  );
}
