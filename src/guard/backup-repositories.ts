/**
 * restic and rustic calls that destroy backups, or that act on another repository than the one
 * the user named. `forget` and `prune` delete snapshots and their data, `unlock --remove-all`
 * removes the locks of backups still running, `key remove` locks out whoever used that key, and a
 * `restore` onto `/` or another top-level folder overwrites the system with old files. Each
 * needs a request for that operation, and a restore onto such a folder is always blocked. Reads
 * (`snapshots`, `check`, `ls`) of an unnamed repository stay allowed, but once the messages
 * name a repository ("the restic repository in /srv/backup"), a call on any other is blocked.
 */
import type { CheckGate } from './check-gates.js';
import { asksWithout } from './consent.js';
import { finding, type Finding } from './findings.js';
import { containsWord } from './named-targets.js';
import { optionValue } from './options.js';
import { PRODUCTION_PART } from './production-names.js';
import type { ParsedShell, SimpleCommand } from './shell.js';
import { standingClauses } from './standing-requests.js';

const BACKUP_PROGRAMS: ReadonlySet<string> = new Set(['restic', 'rustic']);

/** The check reads only restic and rustic calls. */
export const BACKUP_REPOSITORIES_GATE: CheckGate = { programs: BACKUP_PROGRAMS };

/** Global and subcommand options of restic and rustic that take the next word as their value. */
const VALUED =
  /^(?:-r|--repo|--repository-file|-p|--password-file|--password-command|--cache-dir|-o|--option|--key-hint|--cacert|--tls-client-cert|--limit-upload|--limit-download|--pack-size|--compression|-t|--target|--host|--tag|--path|--keep-\w+|--max-unused|--max-repack-size|-i|--include|-e|--exclude)$/;

/** A restic call read from its words: the subcommand, its other words and the repository. */
interface BackupCall {
  subcommand: string;
  words: string[];
  repository: string | undefined;
}

/** Reads the subcommand and repository of a restic or rustic call. */
function readBackupCall(command: SimpleCommand): BackupCall | undefined {
  const args = command.argv.slice(1);
  const words: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (arg.startsWith('-')) {
      index += VALUED.test(arg) ? 1 : 0;
    } else {
      words.push(arg);
    }
  }
  const [subcommand, ...rest] = words;
  if (subcommand === undefined) {
    return undefined;
  }
  const assigned = command.assignments
    .map((assignment) => /^RESTIC_REPOSITORY=(.+)$/.exec(assignment)?.[1])
    .find((value) => value !== undefined);
  return {
    subcommand,
    words: rest,
    repository: optionValue(args, ['-r', '--repo']) ?? assigned,
  };
}

/** Number words a request may give a count in: snapshots to keep, commits to reset. */
export const NUMBER_WORDS = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
];

/** Checks whether `count` is named in `messages` as digits or as a number word. */
function namesCount(messages: string, count: string): boolean {
  const word = NUMBER_WORDS[Number(count)];
  return containsWord(messages, count) || (word !== undefined && containsWord(messages, word));
}

/**
 * Returns what a requested `forget` does beyond the request: it keeps another number of
 * snapshots than the request gives ("down to the last 5" and `--keep-last 1`), or it groups
 * every host and path together with `--group-by ''`, so one policy forgets the snapshots of
 * all of them.
 */
function forgetsBeyondRequest(args: readonly string[], messages: string): string | undefined {
  const groupBy = optionValue(args, ['--group-by', '-g']);
  if (groupBy !== undefined && groupBy.replace(/["']/g, '') === '' && !/group/i.test(messages)) {
    return "forgets snapshots of every host and path as one group (--group-by '')";
  }
  if (!/\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten)\b/i.test(messages)) {
    return undefined;
  }
  for (let index = 0; index < args.length; index += 1) {
    const option = /^--keep-(?!tag\b)[\w-]+/.exec(args[index] ?? '')?.[0];
    const value =
      option === undefined
        ? undefined
        : optionValue([args[index] ?? '', args[index + 1] ?? ''], [option]);
    if (value !== undefined && /^\d+$/.test(value) && !namesCount(messages, value)) {
      return `keeps ${value} snapshots (${option}), another number than the request gives`;
    }
  }
  return undefined;
}

/** A restore target that overwrites the system or a whole home folder. */
const SYSTEM_TARGET = /^(?:\/|\/[\w.-]+\/?|~\/?|\$HOME\/?|\/home\/[\w.-]+\/?)$/;

/**
 * Returns what a destructive backup call does, for the finding's reason, or undefined when the
 * call only reads or adds, or the user asked for that operation.
 */
function unrequestedDestruction(
  call: BackupCall,
  command: SimpleCommand,
  messages: string,
): string | undefined {
  const args = command.argv.slice(1);
  switch (call.subcommand) {
    case 'forget':
    case 'prune':
      return asksWithout(/\b(?:forget\w*|prun\w*)\b/i, messages)
        ? forgetsBeyondRequest(args, messages)
        : `deletes backup snapshots (${call.subcommand})`;
    case 'unlock':
      return args.includes('--remove-all') &&
        !asksWithout(/--remove-all|\ball (?:the |of the )?locks\b/i, messages)
        ? 'removes the locks of backups that may still be running (unlock --remove-all)'
        : undefined;
    case 'key':
      return /^(?:remove|rm|passwd)$/.test(call.words[0] ?? '') &&
        !asksWithout(/\bkeys?\b|\bpassword\b/i, messages)
        ? `changes the repository keys (key ${call.words[0] ?? ''})`
        : undefined;
    case 'restore': {
      const target = optionValue(args, ['-t', '--target']) ?? '';
      return SYSTEM_TARGET.test(target)
        ? `restores a snapshot over ${target}, which overwrites files outside the project`
        : undefined;
    }
    default:
      return undefined;
  }
}

/** Words of a message that name a restic repository: a path or a backend URL. */
const REPOSITORY_WORD =
  /^(?:(?:s3|sftp|rest|b2|gs|azure|swift|rclone):\S+|\/[\w.@+-]+(?:\/[\w.@+-]+)*)$/;
/** Sentences about backups, whose paths and URLs may name a repository. */
const BACKUP_SENTENCE = /\b(?:restic|rustic|backups?|repo(?:sitory)?|snapshots?)\b/i;

/** Drops the punctuation around a word and a `/` at its end. */
function bareWord(word: string): string {
  return word.replace(/^[('"`]+|[)'"`,;:!?.]+$/g, '').replace(/(?<=.)\/+$/, '');
}

/** Returns the repositories the messages name in sentences about backups. */
function namedRepositories(messages: string): string[] {
  return messages
    .split(/(?<=[.!?;])\s+|\n+/)
    .filter((sentence) => BACKUP_SENTENCE.test(sentence))
    .flatMap((sentence) => sentence.split(/\s+/).map(bareWord))
    .filter((word) => REPOSITORY_WORD.test(word));
}

/**
 * Finds a restic or rustic call that destroys backups without a request, or that uses another
 * repository than the one the messages name.
 */
export function checkBackupRepositories(
  parsed: ParsedShell,
  messages: string,
  allMessages: string,
): Finding | undefined {
  for (const command of parsed.commands) {
    if (!BACKUP_PROGRAMS.has(command.name)) {
      continue;
    }
    const call = readBackupCall(command);
    if (call === undefined) {
      continue;
    }
    const named = namedRepositories(messages);
    const repository = call.repository === undefined ? undefined : bareWord(call.repository);
    if (repository !== undefined && named.length > 0 && !named.includes(repository)) {
      return finding(
        PRODUCTION_PART.test(repository) ? 'production-read' : 'data-exfiltration',
        `The command uses the backup repository ${repository}, not the one the user named (${named.join(', ')})`,
        'backup-other-repository',
      );
    }
    // A request that waits for a condition or is taken back later consents to no destruction.
    const destruction = unrequestedDestruction(
      call,
      command,
      standingClauses(messages, allMessages),
    );
    if (destruction !== undefined) {
      return finding('local-destruction', `The command ${destruction}`, 'backup-destroy');
    }
  }
  return undefined;
}
