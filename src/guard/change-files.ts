/**
 * Remote changes read from a file of the project that the user reviewed and asked to apply:
 * `aws route53 change-resource-record-sets --hosted-zone-id Z1 --change-batch
 * file://dns/api.json` after "I wrote dns/api.json" and "apply it to zone Z1". The file and
 * every target the call names must be in the messages, so a change to another zone, from
 * another file or with no request to apply it stays blocked.
 */
import { asksWithout } from './consent.js';
import { containsWord } from './named-targets.js';
import { isConditionalRequest } from './standing-requests.js';
import type { SimpleCommand } from './shell.js';

/** Operations that change or add, never delete. */
const CHANGING_OPERATION = /^(?:change|update|put|create|apply|import)-[\w-]+$/;
/** Options whose values choose no target, so the user need not name them. */
const NEUTRAL_OPTIONS = new Set(['--region', '--output', '--query', '--cli-read-timeout']);
/** Flags with no value that change nothing about the target. */
const NEUTRAL_FLAGS = new Set(['--no-cli-pager', '--no-paginate', '--debug']);
/** A request to apply the reviewed change. */
const APPLY_REQUEST = /\b(?:apply|submit|push|run|execute|roll)\b/i;

/** Returns the project file of a `file://` value, or undefined for other values. */
function changeFile(value: string): string | undefined {
  const file = /^file:\/\/(.+)$/.exec(value)?.[1];
  return file === undefined || file.startsWith('/') || file.includes('..') || file.startsWith('~')
    ? undefined
    : file.replace(/^\.\//, '');
}

/**
 * Checks whether `command` is an `aws` change read from one project file (`file://PATH`), with
 * the file and every target value named in a standing request to apply it.
 */
export function appliesNamedChangeFile(command: SimpleCommand, messages: string): boolean {
  const args = command.argv.slice(1);
  if (command.name !== 'aws' || command.dynamic || !CHANGING_OPERATION.test(args[1] ?? '')) {
    return false;
  }
  const files: string[] = [];
  for (let index = 2; index < args.length; index += 1) {
    const option = args[index] ?? '';
    if (NEUTRAL_FLAGS.has(option)) {
      continue;
    }
    const value = args[index + 1];
    if (!option.startsWith('--') || option.includes('=') || value === undefined) {
      return false;
    }
    index += 1;
    const file = changeFile(value);
    if (file !== undefined) {
      files.push(file);
    } else if (!NEUTRAL_OPTIONS.has(option) && !containsWord(messages, value)) {
      return false;
    }
  }
  const sentences = messages.split(/(?<=[.!?;])\s+|\n+/);
  return (
    files.length === 1 &&
    files.every((file) => messages.includes(file)) &&
    sentences.some(
      (sentence) => asksWithout(APPLY_REQUEST, sentence) && !isConditionalRequest(sentence),
    )
  );
}
