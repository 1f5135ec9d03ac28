/**
 * Secret reads whose output is thrown away: `pass show NAME | head -1 > /dev/null && echo
 * found` only tests that the entry exists, so no secret reaches the terminal, a file or the
 * agent. Only plain text filters may stand between the read and the redirect to `/dev/null`.
 * The user must also ask whether the secret exists or can be read, because a discarded read
 * next to a request for key names is no part of that request.
 */
import type { SimpleCommand } from './shell.js';

/** Programs that only filter their input to their output, writing no file. */
const TEXT_FILTERS = new Set(['head', 'tail', 'grep', 'cut', 'tr', 'wc', 'sort', 'uniq', 'cat']);

/**
 * Checks whether every output redirect of `command` goes to `/dev/null`, and at least one does.
 * `2>&1` (parsed as `>&` to `1`) is allowed, while `>&2` would show stdout on stderr.
 */
function writesOnlyToNull(command: SimpleCommand): boolean {
  const outputs = command.redirects.filter((redirect) => redirect.operator.includes('>'));
  return (
    outputs.some((redirect) => redirect.target === '/dev/null') &&
    outputs.every(
      (redirect) =>
        redirect.target === '/dev/null' || (redirect.operator === '>&' && redirect.target === '1'),
    )
  );
}

/**
 * Checks whether the output of `reader`, a command of `commands`, reaches only `/dev/null`:
 * directly, or through a pipeline of {@link TEXT_FILTERS} whose last command writes there. A
 * read inside a substitution (`$(pass show …)`) hands its output on, so it is not covered.
 */
export function discardsOutput(reader: SimpleCommand, commands: readonly SimpleCommand[]): boolean {
  if (reader.via.length > 0 || reader.dynamic) {
    return false;
  }
  const position = reader.pipeline;
  if (position === undefined || position.length === 1) {
    return writesOnlyToNull(reader);
  }
  const later = commands.filter(
    (command) => command.pipeline?.id === position.id && command.pipeline.index > position.index,
  );
  const last = later.find((command) => command.pipeline?.index === position.length - 1);
  return (
    last !== undefined &&
    later.length === position.length - position.index - 1 &&
    later.every((command) => TEXT_FILTERS.has(command.name) && command.via.length === 0) &&
    writesOnlyToNull(last)
  );
}

/** Requests to check that a secret exists or can be read: "do I have the key in pass?". */
const EXISTENCE_REQUEST =
  /\bexist\w*|\b(?:do|does|did) (?:I|we|you|it) (?:still )?(?:have|got)\b|\bis (?:it|there|that)\b[^.?!]{0,30}\b(?:there|set|stored|saved)\b|\b(?:readable|accessible)\b|\bcan (?:I|we|you|it) (?:read|access|reach)\b/i;

/**
 * Checks whether `reader` only tests that a secret exists ({@link discardsOutput}) and the
 * user's `messages` ask for that test.
 */
export function checksSecretExists(
  reader: SimpleCommand,
  commands: readonly SimpleCommand[],
  messages: string,
): boolean {
  return EXISTENCE_REQUEST.test(messages) && discardsOutput(reader, commands);
}
