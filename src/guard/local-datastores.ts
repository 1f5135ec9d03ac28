/**
 * Administration of a datastore on this machine that the user asked for: a `redis-cli CONFIG
 * SET` on a loopback redis changes only the user's own server, so naming the server and the
 * setting is consent enough.
 */
import { asksWithout } from './consent.js';
import { containsWord } from './named-targets.js';
import type { SimpleCommand } from './shell.js';

const LOOPBACK = /^(?:localhost|127\.\d+\.\d+\.\d+|::1|\[::1\])$/i;
const LOCAL_WORDS =
  /\b(?:local(?:ly)?|localhost|127\.0\.0\.1|on this machine|my (?:laptop|machine))\b/i;
const CHANGE_REQUEST =
  /\b(?:set|make|change|switch|turn|raise|lower|increase|decrease|limit|cap|configure|enable|disable)\b/i;

/**
 * Settings that let a client write files, take over or open the server: `dir` and
 * `dbfilename` write the dump to any path, the rest change who may connect or replicate.
 */
const UNSAFE_SETTINGS =
  /^(?:dir|dbfilename|appendfilename|appenddirname|logfile|requirepass|masterauth|masteruser|replicaof|slaveof|protected-mode|bind|port|unixsocket\w*|tls-\S+|enable-\S+|rename-command|aclfile)$/i;

function optionValue(args: readonly string[], name: string): string | undefined {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
}

/**
 * Checks whether `command` is `redis-cli CONFIG SET KEY VALUE` on a loopback redis, with a
 * request in the messages that names redis, calls it local (or names its port) and names the setting by a word
 * of its key or value ("evict keys with LRU" names `maxmemory-policy allkeys-lru`). Settings
 * that write files or change access are never covered.
 */
export function setsLocalRedisConfig(command: SimpleCommand, messages: string): boolean {
  const args = command.argv.slice(1);
  if (command.name !== 'redis-cli' || command.dynamic || command.wrappers.length > 0) {
    return false;
  }
  const valued = ['-h', '-p', '-n', '--user', '--pass', '-a'];
  if (
    args.some(
      (arg, index) =>
        arg.startsWith('-') && !valued.includes(arg) && !valued.includes(args[index - 1] ?? ''),
    )
  ) {
    return false;
  }
  const positional = args.filter(
    (arg, index) => !arg.startsWith('-') && !valued.includes(args[index - 1] ?? ''),
  );
  const [verb, action, key, value, ...rest] = positional;
  if (
    verb?.toUpperCase() !== 'CONFIG' ||
    action?.toUpperCase() !== 'SET' ||
    key === undefined ||
    value === undefined ||
    rest.length > 0 ||
    UNSAFE_SETTINGS.test(key)
  ) {
    return false;
  }
  const host = optionValue(args, '-h') ?? '127.0.0.1';
  const port = optionValue(args, '-p');
  const words = `${key} ${value}`.split(/[^a-z0-9]+/i).filter((word) => word.length >= 3);
  return (
    LOOPBACK.test(host) &&
    /\bredis\b/i.test(messages) &&
    (LOCAL_WORDS.test(messages) || (port !== undefined && containsWord(messages, port))) &&
    asksWithout(CHANGE_REQUEST, messages) &&
    words.some((word) => containsWord(messages, word))
  );
}
