/**
 * Consent for removing or stopping containers picked by a filter the user named: `docker rm -f
 * $(docker ps -aq --filter name=test-)` on "Remove the leftover test- containers", or `docker ps
 * -q -f label=ci-job | xargs podman stop` on "Stop the ci-job containers". Every listing that
 * feeds the command must carry at least one filter, and every filter value must be named in a
 * request for that action. An unfiltered listing, a filter the user did not name, or operands
 * that come from anywhere else keep asking.
 */
import { requestsFor, type ActionKind } from './consent.js';
import { containsWord } from './named-targets.js';
import type { ParsedShell, SimpleCommand } from './shell.js';

/** Container engines whose `ps`, `rm`, `stop` and `kill` take docker's options. */
const ENGINES = new Set(['docker', 'podman', 'nerdctl']);
/** Verbs that remove or stop containers, with the kind of request that consents to each. */
const ACTIONS = new Map<string, ActionKind>([
  ['rm', 'delete'],
  ['stop', 'kill'],
  ['kill', 'kill'],
  ['restart', 'kill'],
]);
/** Filter keys that select containers by something a person can name. */
const FILTER_KEYS = new Set(['name', 'label', 'ancestor', 'status', 'network', 'volume']);
/** Shell text that would start another command inside a substitution. */
const COMMAND_SEPARATORS = /[;&|`<>]|\$\(/;

/** Removes one pair of surrounding quotes from a word of substitution text. */
function unquote(word: string): string {
  return word.replace(/^(['"])(.*)\1$/s, '$2');
}

/** Returns the engine subcommand and the words after it: `docker container rm -f x` gives rm. */
function engineVerb(argv: readonly string[]): { verb: string; rest: string[] } | undefined {
  const at = argv[1] === 'container' ? 2 : 1;
  const verb = argv[at];
  return verb === undefined ? undefined : { verb, rest: argv.slice(at + 1) };
}

/** Returns the filter values of a listing's words, or undefined when one is not a filter. */
function filterValues(words: readonly string[]): string[] | undefined {
  const values: string[] = [];
  for (let index = 0; index < words.length; index += 1) {
    const word = words[index] ?? '';
    let filter: string | undefined;
    if (word === '--filter' || word === '-f') {
      filter = words[index + 1];
      index += 1;
    } else if (word.startsWith('--filter=')) {
      filter = word.slice('--filter='.length);
    } else if (/^-[aq]+$|^--(?:all|quiet)$/.test(word)) {
      continue;
    } else {
      return undefined;
    }
    const equals = filter?.indexOf('=') ?? -1;
    if (filter === undefined || equals <= 0 || !FILTER_KEYS.has(filter.slice(0, equals))) {
      return undefined;
    }
    values.push(filter.slice(equals + 1));
  }
  return values;
}

/**
 * Checks that `words` are a quiet container listing (`docker ps -aq --filter name=X`) whose
 * every filter value a request clause names.
 */
function listsNamedContainers(words: readonly string[], requests: readonly string[]): boolean {
  if (!ENGINES.has(words[0] ?? '')) {
    return false;
  }
  const listing = engineVerb(words);
  const isListing =
    listing !== undefined &&
    (listing.verb === 'ps' || (words[1] === 'container' && /^(?:ls|list)$/.test(listing.verb)));
  if (!isListing || !listing.rest.some((word) => /^-\w*q|^--quiet$/.test(word))) {
    return false;
  }
  const values = filterValues(listing.rest);
  return (
    values !== undefined &&
    values.length > 0 &&
    values.every((value) => {
      // A name filter is a regular expression, so `^test-` names the prefix test-.
      const bare = value.replace(/^\^|\$$/g, '');
      const parts = [bare, bare.split('=').at(-1) ?? ''];
      return parts.some(
        (part) => part !== '' && requests.some((request) => containsWord(request, part)),
      );
    })
  );
}

/**
 * Checks whether `command` removes or stops only containers that a filtered listing the user
 * named selects, either through `$(…)` operands or through `xargs` at the end of a pipeline.
 */
export function removesNamedFilterContainers(
  command: SimpleCommand,
  parsed: ParsedShell,
  messages: string,
): boolean {
  if (!ENGINES.has(command.name)) {
    return false;
  }
  const action = engineVerb(command.argv);
  const kind = action === undefined ? undefined : ACTIONS.get(action.verb);
  if (action === undefined || kind === undefined) {
    return false;
  }
  const requests = requestsFor(kind, messages);
  if (requests.length === 0) {
    return false;
  }
  const operands = action.rest.filter((word) => !word.startsWith('-'));
  if (command.wrappers.length === 1 && command.wrappers[0] === 'xargs') {
    const pipeline = command.pipeline;
    const feeders = parsed.commands.filter(
      (other) =>
        pipeline !== undefined &&
        other.pipeline?.id === pipeline.id &&
        other.pipeline.index < pipeline.index,
    );
    return (
      operands.length === 0 &&
      feeders.length > 0 &&
      feeders.every((feeder) => listsNamedContainers(feeder.argv, requests))
    );
  }
  if (command.wrappers.length > 0 || operands.length === 0) {
    return false;
  }
  return operands.every((operand) => {
    const inner = /^\$\((.*)\)$/s.exec(operand)?.[1];
    return (
      inner !== undefined &&
      !COMMAND_SEPARATORS.test(inner) &&
      listsNamedContainers(inner.trim().split(/\s+/).map(unquote), requests)
    );
  });
}
