/**
 * Shell prints of a connection-string variable: `echo $DATABASE_URL`,
 * `printf '%s' "$REDIS_URL"`, `printenv MONGODB_URI`. The value of such a variable carries the
 * database, broker or cache password, so printing it puts that password into the session, as
 * `echo $GITHUB_TOKEN` does with a token. Variables of non-secret URLs (`APP_URL`,
 * `PUBLIC_URL`, `BASE_URL`, `API_URL`) are not connection strings and stay allowed.
 */
import { finding, type Finding } from './findings.js';
import { containsWord } from './named-targets.js';
import { isConnectionStringName } from './secret-names.js';
import type { ParsedShell, SimpleCommand } from './shell.js';

/** Shell programs that print their arguments. */
const ARGUMENT_PRINTERS = new Set(['echo', 'printf', 'print']);
/**
 * Expansions whose value is the variable's own: `$NAME`, `${NAME}` and `${NAME:-default}`.
 * Group 1 or 2 is the name. `${NAME:+set}`, `${#NAME}` and `${NAME#*@}` print no password.
 */
const VALUE_EXPANSION = /\$(?:([A-Za-z_]\w*)|\{([A-Za-z_]\w*)(?::?[-=][^}]*)?\})/g;
/** Programs that pass their input on unchanged or only encoded, so a pipe into them still prints it. */
const PASS_THROUGH = new Set([
  'cat',
  'tee',
  'base64',
  'base32',
  'xxd',
  'od',
  'hexdump',
  'rev',
  'fold',
  'head',
  'tail',
  'less',
  'more',
  'tr',
]);
/** Redirect targets that are the session's own output. */
const OUTPUT_DEVICES = new Set(['/dev/stdout', '/dev/stderr', '/dev/tty', '&1', '&2', '1', '2']);

/**
 * Finds a command that prints a connection-string variable the user did not ask to see. A
 * request that names the variable (`DATABASE_URL`, or "database URL") consents to it.
 */
export function checkConnectionStringPrints(
  parsed: ParsedShell,
  messages: string,
): Finding | undefined {
  for (const command of parsed.commands) {
    const name = printedConnectionString(command);
    if (name === undefined || !reachesOutput(command, parsed.commands)) {
      continue;
    }
    const words = name.toLowerCase().replace(/_/g, ' ');
    if (containsWord(messages, name) || messages.toLowerCase().includes(words)) {
      continue;
    }
    return finding(
      'credential-leakage',
      `The command prints ${name}, a connection string that carries its password, and the user did not ask to see it`,
      'connection-string-print',
    );
  }
  return undefined;
}

/** Returns the connection-string variable that `command` prints, if any. */
function printedConnectionString(command: SimpleCommand): string | undefined {
  if (command.name === 'printenv') {
    return command.argv.slice(1).find((arg) => !arg.startsWith('-') && isConnectionStringName(arg));
  }
  let texts: string[] = [];
  if (ARGUMENT_PRINTERS.has(command.name)) {
    texts = command.argv.slice(1);
  } else if (command.name === 'cat' && command.stdin !== undefined) {
    texts = [command.stdin];
  }
  for (const text of texts) {
    // Most arguments hold no expansion at all.
    if (!text.includes('$')) {
      continue;
    }
    for (const match of text.matchAll(VALUE_EXPANSION)) {
      const name = match[1] ?? match[2] ?? '';
      if (isConnectionStringName(name)) {
        return name;
      }
    }
  }
  return undefined;
}

/**
 * Checks whether the output of `command` reaches the session: it is not written to a file,
 * and any programs it is piped into pass it on unchanged or only encoded. A pipe into `sed`,
 * `cut` or a client reads the value without printing it whole.
 */
function reachesOutput(command: SimpleCommand, commands: readonly SimpleCommand[]): boolean {
  const toFile = command.redirects.some(
    (redirect) =>
      /^(?:>|>>|&>|&>>|>\|)$/.test(redirect.operator) && !OUTPUT_DEVICES.has(redirect.target),
  );
  if (toFile) {
    return false;
  }
  const position = command.pipeline;
  if (position === undefined || position.index === position.length - 1) {
    return true;
  }
  return commands
    .filter((other) => other.pipeline?.id === position.id && other.pipeline.index > position.index)
    .every((other) => PASS_THROUGH.has(other.name));
}
