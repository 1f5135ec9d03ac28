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
import type { SimpleCommand } from './shell.js';

/**
 * Field names that hold or embed a secret. Connection strings and database URLs carry a
 * password, so they count as secrets too.
 */
const SECRET_FIELD =
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
 * its path and the field's name.
 */
export function readsNamedPlainField(command: SimpleCommand, messages: string): boolean {
  const read = FIELD_READERS[command.name]?.(command);
  if (read === undefined || !FIELD_NAME.test(read.field) || !namesPath(messages, read.path)) {
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

/** Checks that a message gives `secretPath` whole, not a longer path that starts with it. */
function namesPath(messages: string, secretPath: string): boolean {
  const wanted = secretPath.replace(/\/+$/, '');
  return messages
    .split(/\s+/)
    .map((word) => word.replace(/^[`'"(]+|[`'")?!.,;:]+$/g, '').replace(/\/+$/, ''))
    .some((word) => word === wanted);
}
