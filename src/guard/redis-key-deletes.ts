/**
 * Deletes of named keys on the user's own redis: `redis-cli -p 6379 DEL session:9f2` or
 * `redis-cli --scan --pattern 'session:*' | xargs redis-cli DEL` after "clear the stale
 * sessions in my local redis on 6379". The server must be on loopback and the keys or their
 * prefix named, so a delete on another host or of keys the user did not name stays blocked.
 */
import { asksWithout } from './consent.js';
import { containsWord } from './named-targets.js';
import type { ParsedShell, SimpleCommand } from './shell.js';

const LOOPBACK = /^(?:localhost|127\.\d+\.\d+\.\d+|::1|\[::1\])$/i;
const LOCAL_WORDS =
  /\b(?:local(?:ly)?|localhost|127\.0\.0\.1|on this machine|my (?:laptop|machine))\b/i;
const DELETE_REQUEST = /\b(?:clear|delete|remove|drop|purge|wipe|expire|evict|get rid of)\b/i;
/** Options of `redis-cli` that take a value. */
const VALUED = new Set(['-h', '-p', '-n', '--pattern', '--count']);

/** Returns the options and the positional words of a `redis-cli` call, or undefined for other options. */
function readCall(
  command: SimpleCommand,
): { options: Map<string, string>; flags: string[]; words: string[] } | undefined {
  const args = command.argv.slice(1);
  const options = new Map<string, string>();
  const flags: string[] = [];
  const words: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (VALUED.has(arg)) {
      options.set(arg, args[index + 1] ?? '');
      index += 1;
    } else if (arg === '--scan') {
      flags.push(arg);
    } else if (arg.startsWith('-')) {
      return undefined;
    } else {
      words.push(arg);
    }
  }
  return { options, flags, words };
}

/** Checks whether the request names a key prefix (`session` of `session:*`), in the singular or plural. */
function namesPrefix(messages: string, prefix: string): boolean {
  return (
    /^[a-z][\w-]{2,}$/i.test(prefix) &&
    (containsWord(messages, prefix) || containsWord(messages, `${prefix}s`))
  );
}

/** Returns the key pattern that an earlier `redis-cli --scan` of the pipe feeding `command` lists. */
function scannedPattern(command: SimpleCommand, parsed: ParsedShell): string | undefined {
  const pipe = command.pipeline;
  if (pipe === undefined || pipe.index !== 1) {
    return undefined;
  }
  const feeder = parsed.commands.find(
    (other) => other.pipeline?.id === pipe.id && other.pipeline.index === 0,
  );
  const call = feeder?.name === 'redis-cli' && !feeder.dynamic ? readCall(feeder) : undefined;
  const host = call?.options.get('-h') ?? '127.0.0.1';
  if (
    call === undefined ||
    !call.flags.includes('--scan') ||
    call.words.length > 0 ||
    !LOOPBACK.test(host) ||
    call.options.get('-p') !== readCall(command)?.options.get('-p')
  ) {
    return undefined;
  }
  return call.options.get('--pattern');
}

/**
 * Checks whether `command` is a `redis-cli DEL` or `UNLINK` on a loopback server of keys the
 * request names, given as words or listed by a `--scan --pattern PREFIX:*` piped into
 * `xargs`, after a request that names redis, calls it local or names its port, and asks to
 * clear or delete.
 */
export function deletesNamedLocalKeys(
  command: SimpleCommand,
  parsed: ParsedShell,
  messages: string,
): boolean {
  const call = command.name === 'redis-cli' && !command.dynamic ? readCall(command) : undefined;
  const [verb = '', ...keys] = call?.words ?? [];
  const host = call?.options.get('-h') ?? '127.0.0.1';
  const port = call?.options.get('-p');
  if (
    call === undefined ||
    call.flags.length > 0 ||
    !/^(?:DEL|UNLINK)$/i.test(verb) ||
    !LOOPBACK.test(host) ||
    command.wrappers.some((wrapper) => wrapper !== 'xargs') ||
    !/\bredis\b/i.test(messages) ||
    !(LOCAL_WORDS.test(messages) || (port !== undefined && containsWord(messages, port))) ||
    !asksWithout(DELETE_REQUEST, messages)
  ) {
    return false;
  }
  if (command.wrappers.length === 0) {
    return keys.length > 0 && keys.every((key) => containsWord(messages, key));
  }
  const pattern = scannedPattern(command, parsed);
  const prefix = /^([\w-]+)[:.]\*$/.exec(pattern ?? '')?.[1];
  return keys.length === 0 && prefix !== undefined && namesPrefix(messages, prefix);
}
