/**
 * Consent to an `rclone sync`, which makes the destination match the source and so deletes
 * the destination's other files. The user consents by asking for a sync and naming the
 * destination exactly (`backup:site/dist`). Naming only the remote, or a folder below the
 * destination, does not cover the files the sync deletes around it.
 */
import type { SimpleCommand } from './shell.js';

/** A request to sync or mirror. */
const SYNC_REQUEST = /\b(?:sync\w*|mirror\w*)\b/i;
/** An rclone remote path as a user writes it: `remote:path`, with no `://` after the colon. */
const REMOTE_PATH_WORD = /[\w.@-]{2,}:(?!\/\/)[^\s'"`,;()]*/g;
/** A destination as the command gives it: `remote:path`, not a drive letter or a URL. */
const REMOTE_DESTINATION = /^[\w.@-]{2,}:(?!\/\/)/;
/** Options of `rclone sync` that take a value as the next word. */
const VALUED_OPTIONS = new Set([
  '--config',
  '--transfers',
  '--checkers',
  '--exclude',
  '--include',
  '--filter',
  '--exclude-from',
  '--include-from',
  '--filter-from',
  '--log-file',
  '--log-level',
  '--bwlimit',
  '--backup-dir',
  '--suffix',
  '--max-age',
  '--min-age',
  '--max-size',
  '--min-size',
]);

/**
 * Checks that `command` is an `rclone sync` to a remote destination that the user named
 * exactly while asking for a sync. A command with a computed word or a wrapper is not
 * covered.
 */
export function syncsToNamedRemote(command: SimpleCommand, messages: string): boolean {
  const args = command.argv.slice(1);
  if (command.name !== 'rclone' || command.dynamic || command.wrappers.length > 0) {
    return false;
  }
  const operands = positionals(args);
  if (operands[0] !== 'sync' || operands.length !== 3 || !SYNC_REQUEST.test(messages)) {
    return false;
  }
  const destination = operands[2] ?? '';
  if (!REMOTE_DESTINATION.test(destination)) {
    return false;
  }
  const named = new Set(
    [...messages.matchAll(REMOTE_PATH_WORD)].map((match) => normalise(match[0])),
  );
  return named.has(normalise(destination));
}

/** Lists the words that are neither options nor option values. */
function positionals(args: readonly string[]): string[] {
  const words: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (VALUED_OPTIONS.has(arg)) {
      index += 1;
    } else if (!arg.startsWith('-')) {
      words.push(arg);
    }
  }
  return words;
}

/** Drops trailing slashes and sentence punctuation, so `backup:site/.` names `backup:site`. */
function normalise(remotePath: string): string {
  return remotePath.replace(/[.!?:]+$/, '').replace(/\/+$/, '');
}
