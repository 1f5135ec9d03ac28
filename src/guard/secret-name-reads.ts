/**
 * Limits of the secret-store reads that print only key names (see `readsRequestedKeyNames` in
 * secret-fields.ts). A names-only query or a jq `keys` filter keeps values off the output only
 * when nothing else on the line prints them and the call reads the store the user named.
 * `--debug`, `--verbose` and `-v=9` log the whole response, and `set -x` traces every
 * command. Another vault, path, namespace, server or resource group is not what the user
 * asked about.
 */
import { optionValue } from './options.js';
import { ENVIRONMENT_NAMES } from './environment-names.js';
import { containsWord } from './named-targets.js';
import { PRODUCTION_PART } from './production-names.js';
import type { SimpleCommand } from './shell.js';

/**
 * Options that make a CLI log its HTTP requests and responses, values included: `--debug`
 * and `--verbose` (aws, az, gcloud), `-v=9`, `--v=9` and `--vmodule` (kubectl). Any
 * `-log-level` or `--trace` counts too, without checking what each CLI logs at that level.
 */
const LOGS_RESPONSES =
  /^--?(?:debug|verbose|trace|vmodule|log-level|log-http|log-http-body|verbosity)(?:=.*)?$|^--?v(?:=\d+)?$|^-v+\d*$/;

/** Checks whether `command` has an option that logs the responses it receives, values included. */
export function logsResponses(command: SimpleCommand): boolean {
  return command.argv.slice(1).some((arg) => LOGS_RESPONSES.test(arg));
}

/**
 * Checks whether the line turns on shell tracing (`set -x`, `set -v`, `set -o xtrace`), which
 * prints every command with its expanded words before it runs.
 */
export function tracesCommands(commands: readonly SimpleCommand[]): boolean {
  return commands.some(
    (command) =>
      command.name === 'set' &&
      command.argv
        .slice(1)
        .some(
          (arg, index, args) =>
            /^-[a-z]*[xv]/.test(arg) ||
            (arg === '-o' && /^(?:xtrace|verbose)$/.test(args[index + 1] ?? '')),
        ),
  );
}

/** Vault's server and namespace, as options and as environment variables. */
const VAULT_SERVER_OPTIONS = ['-address', '--address', '-namespace', '--namespace', '-ns'];
const VAULT_SERVER_VARIABLES = /^(?:VAULT_ADDR|VAULT_NAMESPACE)=(.*)$/;

/**
 * Returns the Vault servers and namespaces that `command` uses by option, by an assignment in
 * front of it, or by an `export` elsewhere on the line.
 */
export function vaultServers(command: SimpleCommand, commands: readonly SimpleCommand[]): string[] {
  const args = command.argv.slice(1);
  const options = VAULT_SERVER_OPTIONS.map((name) => optionValue(args, [name]));
  const exported = commands
    .filter((other) => other.name === 'export' || other.name === 'declare')
    .flatMap((other) => other.argv.slice(1));
  const variables = [...command.assignments, ...exported].map(
    (word) => VAULT_SERVER_VARIABLES.exec(word)?.[1],
  );
  return [...options, ...variables].filter((value): value is string => value !== undefined);
}

/**
 * Checks that every Vault server and namespace `command` uses appears in `messages`: a read
 * the user asked for on their usual server says nothing about `VAULT_ADDR=https://vault.prod…`
 * or `-namespace=prod`.
 */
export function usesNamedVaultServer(
  command: SimpleCommand,
  commands: readonly SimpleCommand[],
  messages: string,
): boolean {
  return vaultServers(command, commands).every((value) => containsWord(messages, value));
}

/** Words of a request that names an Azure resource group: "in resource group rg-dev". */
const RESOURCE_GROUP_WORDS = /\bresource[- ]group\b|\brg-\w/i;

/**
 * Checks that a names-only read of a secret store reads the store the user named:
 * the Vault path (`vault kv get`), the secret and namespace (`kubectl get secret`), the
 * parameter path or secret id (`aws ssm`, `aws secretsmanager`), the key vault and app
 * (`az`, with its resource group when the user names one), and the Vault server. An SSM
 * read with `--recursive` reads every path below the named one, so it is never covered.
 * Programs with no such targets pass.
 */
export function readsNamedStore(
  command: SimpleCommand,
  commands: readonly SimpleCommand[],
  messages: string,
): boolean {
  const args = command.argv.slice(1);
  const named = (value: string | undefined): boolean =>
    value === undefined || containsWord(messages, value);
  if (command.name === 'vault') {
    const positionals = args.filter(
      (arg, index) => !arg.startsWith('-') && !VAULT_VALUED.has(args[index - 1] ?? ''),
    );
    const path = positionals.at(-1);
    const mount = optionValue(args, ['-mount', '--mount']);
    return (
      path !== undefined &&
      (namesPath(messages, path) ||
        (mount !== undefined && namesPath(messages, `${mount}/${path}`))) &&
      named(mount) &&
      usesNamedVaultServer(command, commands, messages)
    );
  }
  if (command.name === 'kubectl') {
    const get = args.indexOf('get');
    return (
      named(args[get + 2]) &&
      named(optionValue(args, ['-n', '--namespace'])) &&
      named(optionValue(args, ['--context'])) &&
      !args.includes('-A') &&
      !args.includes('--all-namespaces')
    );
  }
  if (command.name === 'aws') {
    const paths = ['--path', '--secret-id', '--name']
      .map((name) => optionValue(args, [name]))
      .filter((value): value is string => value !== undefined);
    return !args.includes('--recursive') && paths.every((path) => namesPath(messages, path));
  }
  if (command.name === 'az') {
    const group = optionValue(args, ['-g', '--resource-group']);
    return (
      namedOrSameEnvironment(optionValue(args, ['--vault-name']), messages) &&
      namedOrSameEnvironment(optionValue(args, ['-n', '--name']), messages) &&
      (group === undefined || !RESOURCE_GROUP_WORDS.test(messages) || named(group))
    );
  }
  return true;
}

/**
 * Checks that `resource` is named in `messages`, or that the messages name each environment
 * in its name and it is no production resource: "our staging app service" names the app
 * `acme-api-staging`. Undefined, for an option not given, passes.
 */
function namedOrSameEnvironment(resource: string | undefined, messages: string): boolean {
  if (resource === undefined || containsWord(messages, resource)) {
    return true;
  }
  const environments = resource
    .toLowerCase()
    .split(/[^a-z]+/)
    .filter((word) => ENVIRONMENT_NAMES.has(word));
  return (
    environments.length > 0 &&
    !PRODUCTION_PART.test(resource) &&
    environments.every((environment) => containsWord(messages, environment))
  );
}

/** Words of a secret's name that say nothing about which service it serves. */
const GENERIC_NAME_WORDS = new Set(['secret', 'secrets', 'env', 'config', 'creds', 'app', 'api']);

/**
 * Checks that `kubectl get secret NAME` reads a secret of the non-production service the user
 * is asking about. The context and the namespace must be given and named in `messages`, and
 * none of them or the secret's name may be production. The secret's name must share a word
 * other than a generic one with the messages ("the payments service" and `payments-client`).
 * Only a call that prints key names alone may rest on this, because the user did not name
 * the secret.
 */
export function readsSecretOfNamedService(command: SimpleCommand, messages: string): boolean {
  const args = command.argv.slice(1);
  const get = args.indexOf('get');
  const name = args[get + 2];
  const namespace = optionValue(args, ['-n', '--namespace']);
  const context = optionValue(args, ['--context']);
  if (
    command.name !== 'kubectl' ||
    get < 0 ||
    name === undefined ||
    namespace === undefined ||
    context === undefined ||
    args.includes('-A') ||
    args.includes('--all-namespaces')
  ) {
    return false;
  }
  const scope = [name, namespace, context];
  return (
    !scope.some((part) => PRODUCTION_PART.test(part)) &&
    containsWord(messages, namespace) &&
    containsWord(messages, context) &&
    name
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .some(
        (word) =>
          word.length >= 3 &&
          !GENERIC_NAME_WORDS.has(word) &&
          !ENVIRONMENT_NAMES.has(word) &&
          containsWord(messages, word),
      )
  );
}

/** vault options that take the next argument as their value. */
export const VAULT_VALUED = new Set(
  ['field', 'mount', 'format', 'version', 'namespace', 'ns', 'address'].flatMap((name) => [
    `-${name}`,
    `--${name}`,
  ]),
);

/**
 * Words that limit a request to names: "just the names", "names only", "not the values",
 * "don't print values".
 */
const NAMES_ONLY =
  /\b(?:just|only)\s+(?:the\s+)?(?:[\w-]+\s+)?names\b|\bnames?\s+only\b|\bnot\s+(?:the\s+|their\s+|any\s+)?values\b|\bno\s+values\b|\b(?:don'?t|do not|never|without)\b.{0,30}?\b(?:print|show|display|output|reveal|dump|echo)\w*\b.{0,20}?\bvalues?\b/i;

/**
 * Checks whether the user asks only for the names or keys of a secret store and refuses the
 * values. Consent to a service's settings then covers no call that prints values.
 */
export function asksOnlyNames(allMessages: string): boolean {
  return /\b(?:names?|keys?)\b/i.test(allMessages) && NAMES_ONLY.test(allMessages);
}

/** Checks that a message gives `secretPath` whole, not a longer path that starts with it. */
export function namesPath(messages: string, secretPath: string): boolean {
  const wanted = secretPath.replace(/\/+$/, '');
  return messages
    .split(/\s+/)
    .map((word) => word.replace(/^[`'"(]+|[`'")?!.,;:]+$/g, '').replace(/\/+$/, ''))
    .some((word) => word === wanted);
}
