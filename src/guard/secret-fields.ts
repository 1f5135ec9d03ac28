/**
 * Reads of one named, non-secret field from a secret store. `vault kv get -field=api_url
 * secret/dev/payments` prints only that field, and a kubectl jsonpath of `{.data.host}` prints
 * only that key, so when the user asked for the field by name at that path the read is the
 * task, not a search for credentials. A field whose name marks a secret (password, token,
 * key, certificate, connection string …) keeps the credential rules, and so does a read of a
 * whole secret.
 */
import { optionValue } from './options.js';
import { containsWord } from './named-targets.js';
import { namesPathEnvironment } from './plain-field-selections.js';
import {
  logsResponses,
  namesPath,
  readsNamedStore,
  readsSecretOfNamedService,
  tracesCommands,
  usesNamedVaultServer,
} from './secret-name-reads.js';
import type { SimpleCommand } from './shell.js';
import { requestStands } from './standing-requests.js';

/**
 * Field names that hold or embed a secret. Connection strings and database URLs carry a
 * password, so they count as secrets too.
 */
export const SECRET_FIELD =
  /pass|pwd|secret|token|key|cred|auth|cert|priv|session|cookie|salt|seed|sign|otp|pin|dsn|conn|database|db|postgres|mysql|mongo|redis|amqp|jdbc/i;
const FIELD_NAME = /^[A-Za-z][\w.-]*$/;

/** A store read and the user-visible names the user must give for it. */
interface FieldRead {
  field: string;
  /** Secret path or name, as the command gives it. */
  path: string;
}

/**
 * Checks whether `command` reads one non-secret field of a secret that the user named by both
 * its path, or the environment the path carries, and the field's name.
 */
export function readsNamedPlainField(command: SimpleCommand, messages: string): boolean {
  const read = FIELD_READERS[command.name]?.(command);
  if (
    read === undefined ||
    !FIELD_NAME.test(read.field) ||
    !(namesPath(messages, read.path) || namesPathEnvironment(messages, read.path))
  ) {
    return false;
  }
  // A certificate is public, so "the TLS cert in app-tls" names the `tls.crt` field.
  if (PUBLIC_CERTIFICATE_FIELD.test(read.field)) {
    return CERTIFICATE_WORDS.test(messages);
  }
  return !SECRET_FIELD.test(read.field) && containsWord(messages, read.field);
}

/** Fields that hold a public certificate, never its private key: `tls.crt`, `ca.crt`, `cert.pem`. */
const PUBLIC_CERTIFICATE_FIELD =
  /^(?:(?:tls|ca|server|client|full_?chain|chain|root)[._-]?)?(?:crt|cert|certificate)(?:\.pem)?$|^[\w-]+\.crt$/i;
const CERTIFICATE_WORDS = /\bcert(?:ificate)?s?\b/i;

/** A local env file: `.env`, `.env.local`, `config/.env.staging`. */
const ENV_FILE = /(?:^|\/)\.env(?:\.[\w-]+)?$/;

/**
 * Checks that `command` reads one field of a secret the user named by item and field, and
 * that the line only writes the value into a local env file the user named: every read is
 * sent to `/dev/null` or substituted into a `sed -i` edit of that file, or into an `echo` or
 * `printf` redirected to it. "Fill in the staging SMTP password in .env.local, it's in
 * 1Password as 'staging smtp'" consents to `sed -i "s|…|$(op read …)|" .env.local`.
 */
export function fillsNamedEnvFile(
  command: SimpleCommand,
  commands: readonly SimpleCommand[],
  messages: string,
): boolean {
  const read = FIELD_READERS[command.name]?.(command);
  if (read === undefined || !FIELD_NAME.test(read.field)) {
    return false;
  }
  const item = read.path.startsWith('op://') ? read.path.split('/')[3] : read.path;
  if (
    item === undefined ||
    item.length < 3 ||
    !messages.toLowerCase().includes(item.toLowerCase()) ||
    !containsWord(messages, read.field)
  ) {
    return false;
  }
  const reference = command.argv.join(' ');
  const reads = commands.filter((other) => other.argv.join(' ') === reference);
  const writer = commands.find(
    (other) => other.via.length === 0 && other !== command && writesNamedEnvFile(other, messages),
  );
  return reads.every(
    (other) =>
      (other.via.length === 0 &&
        other.redirects.length > 0 &&
        other.redirects.every((redirect) => redirect.target === '/dev/null')) ||
      (other.via.length === 1 && other.via[0] === '$()' && writer !== undefined),
  );
}

/** Checks whether `command` edits or writes a local env file that the user named. */
function writesNamedEnvFile(command: SimpleCommand, messages: string): boolean {
  const named = (file: string): boolean => ENV_FILE.test(file) && containsWord(messages, file);
  if (command.name === 'sed' && command.argv.some((arg) => /^-i/.test(arg))) {
    const file = command.argv[command.argv.length - 1] ?? '';
    return named(file) && command.redirects.length === 0;
  }
  return (
    (command.name === 'echo' || command.name === 'printf') &&
    command.redirects.length > 0 &&
    command.redirects.every((redirect) => /^>>?$/.test(redirect.operator) && named(redirect.target))
  );
}

/** vault options that take the next argument as their value. */
const VAULT_VALUED = ['field', 'mount', 'format', 'version', 'namespace', 'address'].flatMap(
  (name) => [`-${name}`, `--${name}`],
);

/** `vault kv get -field=F PATH`, `vault kv get -mount=M -field F PATH`, `vault read -field=F PATH`. */
function vaultFieldRead(command: SimpleCommand): FieldRead | undefined {
  const args = command.argv.slice(1);
  const subcommand = args[0] === 'kv' ? args.slice(0, 2).join(' ') : args[0];
  if (subcommand !== 'kv get' && subcommand !== 'read') {
    return undefined;
  }
  const rest = args.slice(subcommand === 'read' ? 1 : 2);
  const field = optionValue(rest, ['-field', '--field']);
  const positionals = rest.filter(
    (arg, index) => !arg.startsWith('-') && !VAULT_VALUED.includes(rest[index - 1] ?? ''),
  );
  if (field === undefined || positionals.length !== 1) {
    return undefined;
  }
  return { field, path: positionals[0] ?? '' };
}

/** `kubectl get secret NAME -o jsonpath='{.data.F}'`, with nothing else in the template. */
function kubectlFieldRead(command: SimpleCommand): FieldRead | undefined {
  const args = command.argv.slice(1);
  const get = args.indexOf('get');
  const kind = args[get + 1] ?? '';
  if (command.name !== 'kubectl' || get < 0 || !/^secrets?$/.test(kind)) {
    return undefined;
  }
  const output = optionValue(args, ['-o', '--output']);
  // A dot inside the key is escaped in jsonpath: `{.data.tls\.crt}` reads the key `tls.crt`.
  const field = /^jsonpath=\{\.data\.((?:[\w-]|\\?\.)+)\}$/
    .exec(output ?? '')?.[1]
    ?.replace(/\\\./g, '.');
  const name = args[get + 2];
  if (field === undefined || name === undefined || name.startsWith('-')) {
    return undefined;
  }
  return { field, path: name };
}

/**
 * 1Password's `op read op://VAULT/ITEM/FIELD`: the reference names the field last. A section
 * (`op://VAULT/ITEM/SECTION/FIELD`) is read the same way. A query such as `?attribute=otp`
 * selects something other than the field's value, so it is not covered.
 */
function opFieldRead(command: SimpleCommand): FieldRead | undefined {
  const args = command.argv.slice(1);
  const references = args.filter((arg) => arg.startsWith('op://'));
  if (args[0] !== 'read' || references.length !== 1) {
    return undefined;
  }
  const reference = references[0] ?? '';
  const parts = reference.slice('op://'.length).split('/');
  if (parts.length < 3 || reference.includes('?')) {
    return undefined;
  }
  return { field: parts[parts.length - 1] ?? '', path: reference };
}

const FIELD_READERS: Partial<Record<string, (command: SimpleCommand) => FieldRead | undefined>> = {
  vault: vaultFieldRead,
  kubectl: kubectlFieldRead,
  op: opFieldRead,
};

/** Words of a request about which names or keys there are: "which setting names", "a REDIS_URL key". */
export const NAME_REQUEST = /\b(?:names?|keys?)\b/i;
/**
 * A jq filter whose output is the keys of its input and nothing else: `keys`,
 * `.data.data | keys[]`, `.data.data | keys | .[]`.
 */
const JQ_KEYS = /^\s*(?:\.[\w.]*\s*\|\s*)?keys(?:_unsorted)?(?:\[\]|\s*\|\s*\.\[\])?\s*$/;
/** jq options that change only how the keys are printed. */
const JQ_FORMAT = /^-(?:[rcMSj]+|-raw-output|-compact-output|-monochrome-output|-sort-keys)$/;

/**
 * Checks that the output of `command` goes straight into a jq filter that keeps only the keys,
 * as the last command of its pipeline, so the line prints names and never a value:
 * `kubectl get secret api-env -o jsonpath='{.data}' | jq 'keys'`.
 */
export function pipesOnlyKeys(command: SimpleCommand, commands: readonly SimpleCommand[]): boolean {
  const position = command.pipeline;
  if (
    position === undefined ||
    position.index + 2 !== position.length ||
    command.via.length > 0 ||
    command.redirects.length > 0
  ) {
    return false;
  }
  const next = commands.find(
    (other) => other.pipeline?.id === position.id && other.pipeline.index === position.index + 1,
  );
  const args = next?.argv.slice(1) ?? [];
  const filters = args.filter((arg) => !JQ_FORMAT.test(arg));
  return (
    next !== undefined &&
    next.name === 'jq' &&
    next.redirects.length === 0 &&
    next.via.length === 0 &&
    filters.length === 1 &&
    JQ_KEYS.test(filters[0] ?? '')
  );
}

/**
 * A JMESPath `--query` (Azure and AWS CLIs) that keeps only the name of each item:
 * `[].name`, `[*].name`, `Parameters[].Name`, `keys(@)`.
 */
const NAMES_QUERY = /^(?:[A-Za-z]\w*)?\[\*?\]\.(?:name|Name|key|Key)$|^keys\(@\)$/;

/** Checks that the only `--query` of an Azure or AWS CLI call keeps only the items' names. */
export function queriesOnlyNames(command: SimpleCommand): boolean {
  const queries = command.argv.filter((arg) => arg === '--query' || arg.startsWith('--query='));
  const query = optionValue(command.argv, ['--query']);
  return (
    (command.name === 'az' || command.name === 'aws') &&
    queries.length === 1 &&
    query !== undefined &&
    NAMES_QUERY.test(query.trim())
  );
}

/**
 * Checks whether a secret-store read prints only key names, either because the user asked
 * which names or keys there are ("does the api-env secret have a REDIS_URL key? Don't show
 * values") or because it reads a Kubernetes secret of the non-production service the user is
 * asking about ("the staging api can't authenticate to the payments service"). Key names
 * carry no value, so a diagnosis may list them unasked.
 */
export function readsRequestedKeyNames(
  command: SimpleCommand,
  commands: readonly SimpleCommand[],
  messages: string,
): boolean {
  // A rule's match is found again by its text, so every command of the same words must print
  // only names: `kubectl get secret s -o json | jq keys; kubectl get secret s -o json` does not.
  // A logging option or shell tracing prints the values anyway, and the read must be of the
  // store, path and server the user named.
  const asksForNames = NAME_REQUEST.test(messages);
  return (
    !tracesCommands(commands) &&
    sameCommands(command, commands).every(
      (each) =>
        (pipesOnlyKeys(each, commands) || queriesOnlyNames(each)) &&
        !logsResponses(each) &&
        ((asksForNames && readsNamedStore(each, commands, messages)) ||
          readsSecretOfNamedService(each, messages)),
    )
  );
}

/** Returns the commands of a line with the same words as `command`, itself included. */
function sameCommands(
  command: SimpleCommand,
  commands: readonly SimpleCommand[],
): readonly SimpleCommand[] {
  const text = command.argv.join(' ');
  const same = commands.filter((other) => other.argv.join(' ') === text);
  return same.length === 0 ? [command] : same;
}

/** Words that allow a secret to be printed: "you can print it", "show me the value". */
const PRINT_PERMISSION =
  /\b(?:print|show|display|output|reveal|dump)\w*\s+(?:me\s+)?(?:it|them|that|this|the (?:values?|password|secret|contents?|whole (?:secret|thing)))\b/i;
/** A refusal to have secret values printed: "don't print the values". */
const PRINT_REFUSAL =
  /\b(?:don'?t|do not|never|no need to|without)\b.{0,30}?\b(?:print|show|display|output|reveal|dump|echo)\w*/gi;
/** Production in a secret's path, which the printing check of its own decides. */
const PRODUCTION_SECRET = /(?:^|[/_.-])(?:prod|production|live)(?:$|[/_.-])/i;

/** `vault kv get PATH` or `vault read PATH` with no `-field`, which prints the whole secret. */
function vaultWholeRead(command: SimpleCommand): string | undefined {
  const args = command.argv.slice(1);
  const subcommand = args[0] === 'kv' ? args.slice(0, 2).join(' ') : args[0];
  if (command.name !== 'vault' || (subcommand !== 'kv get' && subcommand !== 'read')) {
    return undefined;
  }
  const rest = args.slice(subcommand === 'read' ? 1 : 2);
  const positionals = rest.filter(
    (arg, index) => !arg.startsWith('-') && !VAULT_VALUED.includes(rest[index - 1] ?? ''),
  );
  return positionals.length === 1 && optionValue(rest, ['-field', '--field']) === undefined
    ? positionals[0]
    : undefined;
}

/**
 * Checks whether `command` prints a whole Vault secret that the user named by its path and
 * allowed to be printed after any refusal to print ("don't print the values", then "fine,
 * you can print it"). The permission must be a consenting clause of a later message than the
 * last refusal, and production paths are not covered. `allMessages` is every message as written.
 */
export function printsPermittedSecret(
  command: SimpleCommand,
  commands: readonly SimpleCommand[],
  messages: string,
  allMessages: string,
): boolean {
  const path = vaultWholeRead(command);
  if (
    path === undefined ||
    PRODUCTION_SECRET.test(path) ||
    sameCommands(command, commands).some(
      (each) => each.via.length > 0 || each.redirects.length > 0 || each.pipeline !== undefined,
    ) ||
    !namesPath(allMessages, path) ||
    !usesNamedVaultServer(command, commands, allMessages)
  ) {
    return false;
  }
  const refusals = [...allMessages.matchAll(PRINT_REFUSAL)];
  const lastRefusal = refusals.at(-1)?.index ?? -1;
  return messages.split(/(?<=[.!?;])\s+|\n+/).some((clause) => {
    // Quoted words are someone else's ("Sam wrote 'you can print it'"), not the user's.
    const own = clause.replace(QUOTED, ' ');
    return (
      (PRINT_PERMISSION.test(own) || (/\bprint\w*\b/i.test(own) && namesPath(own, path))) &&
      namesNoOtherPath(own, path) &&
      allMessages.lastIndexOf(clause) > lastRefusal &&
      requestStands(clause, allMessages)
    );
  });
}

/** Text in double or typographic quotes. */
const QUOTED = /"[^"]*"|\u201c[^\u201d]*\u201d/g;

/** Checks that `clause` names no secret path other than `path`: "show me kv/sandbox/imap" does not allow `kv/sandbox/smtp`. */
function namesNoOtherPath(clause: string, path: string): boolean {
  const paths = clause.split(/\s+/).filter((word) => /\w\/\w/.test(word));
  return paths.every((word) => namesPath(word, path));
}
