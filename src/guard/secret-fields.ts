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
  return (
    read !== undefined &&
    FIELD_NAME.test(read.field) &&
    !SECRET_FIELD.test(read.field) &&
    containsWord(messages, read.field) &&
    namesPath(messages, read.path)
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
  const field = /^jsonpath=\{\.data\.([\w.-]+)\}$/.exec(output ?? '')?.[1];
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
