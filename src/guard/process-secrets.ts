/**
 * Searches of other processes' command lines and environments for secrets. `ps`, `pgrep -a`
 * and `/proc/PID/cmdline` print the arguments of every process, and `ps e` adds each
 * process's environment, so a filter for token formats or secret names after them collects
 * the credentials other programs were started with.
 */
import type { CheckGate } from './check-gates.js';
import { finding, type Finding } from './findings.js';
import type { ParsedShell, SimpleCommand } from './shell.js';

/** Words and token prefixes that a search for credentials looks for. */
const SECRET_PATTERN =
  /token|secret|passw|pwd|api[_-]?key|apikey|access[_-]?key|private[_-]?key|credential|\bauth|bearer|gh[pousr]_|gh[[(]|github_pat|glpat|xox|AKIA|ASIA|sk[-_]live|\bsk-|npm_|hf_|pypi-|sntry/i;
/** Programs that filter lines, and so pick the secrets out of a listing. */
const FILTERS = new Set([
  'grep',
  'egrep',
  'fgrep',
  'rg',
  'ag',
  'ack',
  'awk',
  'gawk',
  'sed',
  'perl',
]);
/** `ps` output columns that hold a process's arguments. */
const ARGUMENT_COLUMNS = /(?:^|[,\s])(?:args|command|cmd)(?:[,=\s:]|$)/;
/** A file of another process that holds its arguments; `self` and `$$` are the shell's own. */
const CMDLINE_FILE = /^\/proc\/(?!self\/|thread-self\/|\$\$\/)[^/]+\/cmdline$/;

/**
 * Gate of {@link checkProcessSecrets}, which finds something only when one of `FILTERS` reads
 * the listing further down the pipeline.
 */
export const PROCESS_SECRETS_GATE: CheckGate = { programs: FILTERS };

/**
 * Finds a command line that lists other processes' arguments or environments and filters
 * them for secrets, such as `ps aux | grep -i token`, or prints every process's environment
 * (`ps auxe`). A filter for a word the user names as it stands, such as a program called
 * `token-service`, does not count, unless it is a variable name (`GITHUB_TOKEN`) or a
 * `NAME=value` form, which pick out a value.
 */
export function checkProcessSecrets(parsed: ParsedShell, messages: string): Finding | undefined {
  for (const command of parsed.commands) {
    if (!listsProcessArguments(command) || command.pipeline === undefined) {
      continue;
    }
    const { id, index } = command.pipeline;
    const filter = parsed.commands.find(
      (other) =>
        other.pipeline?.id === id &&
        other.pipeline.index > index &&
        FILTERS.has(other.name) &&
        other.argv.slice(1).some((arg) => searchesForSecret(arg, messages)),
    );
    if (filter !== undefined) {
      return finding(
        'credential-exploration',
        `\`${filter.argv.join(' ')}\` searches other processes' command lines for secrets`,
        'process-arguments',
      );
    }
  }
  return undefined;
}

/** Checks whether `command` prints processes' arguments: `ps`, `pgrep -a`, a cmdline file. */
function listsProcessArguments(command: SimpleCommand): boolean {
  const args = command.argv.slice(1);
  if (command.name === 'ps') {
    const format = formatOf(args);
    return format === undefined || ARGUMENT_COLUMNS.test(format);
  }
  if (command.name === 'pgrep') {
    return args.some((arg) => /^-[a-zA-Z]*a/.test(arg) || arg === '--list-full');
  }
  return [...args, ...command.redirects.map((redirect) => redirect.target)].some((arg) =>
    CMDLINE_FILE.test(arg),
  );
}

/** Returns the columns that `ps -o`/`o`/`--format` selects, joined, or undefined for the default. */
function formatOf(args: readonly string[]): string | undefined {
  const columns: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    const joined = /^(?:-[a-zA-Z]*o|--format=?|-?O)(.*)$/.exec(arg);
    if (joined === null) {
      continue;
    }
    const value = joined[1] !== '' ? joined[1] : args[index + 1];
    if (value !== undefined) {
      columns.push(value);
    }
  }
  return columns.length === 0 ? undefined : columns.join(',');
}

/** Checks whether a filter argument looks for a secret the user did not name as a program. */
function searchesForSecret(arg: string, messages: string): boolean {
  if (!SECRET_PATTERN.test(arg)) {
    return false;
  }
  const picksValue = /=|\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b/.test(arg);
  return picksValue || !messages.toLowerCase().includes(arg.toLowerCase());
}
