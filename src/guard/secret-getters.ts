/**
 * Secret-manager and platform commands that print secret values into the session: one
 * secret-named key (`pulumi config get dbPassword`, `heroku config:get DATABASE_URL`,
 * `doppler secrets get API_KEY`) or every value at once (`pulumi config --show-secrets`,
 * `heroku config`, `doppler secrets`, `sops -d`, `ansible-vault view`). Getters that
 * `rules.ts` already denies (`vault kv get`, `aws secretsmanager get-secret-value`,
 * `gcloud secrets versions access`, `op read`, `kubectl get secret -o …`) are not repeated.
 *
 * A key runs when the user names it or asks to see a secret. A dump runs when the user asks to
 * see secrets or, for a plain listing, names the tool and its config.
 */
import { asksWithout } from './consent.js';
import { finding, type Finding } from './findings.js';
import { containsWord } from './named-targets.js';
import { environmentOfWord, environmentSpellings } from './environment-buckets.js';
import { isSecretName } from './secret-names.js';
import { optionValue } from './options.js';
import { selectedField } from './plain-field-selections.js';
import { SECRET_FIELD } from './secret-fields.js';
import type { SimpleCommand } from './shell.js';

/** Requests to see secret values: "show me the db password", "what's the API token?". */
const SECRET_REQUEST =
  /\b(?:show|print|get|read|fetch|reveal|display|see|view|decrypt|copy|give me|what(?:'s| is| are))\b.{0,60}\b(?:passwords?|secrets?|tokens?|credentials?|(?:api|access|private|secret) keys?|connection strings?)\b/i;

/** The output of a secret-printing command: one key, or every value of a store. */
interface SecretRead {
  key?: string;
  tool: string;
  /** For a dump, user words that name the tool's settings, which consent to a plain listing. */
  listing?: RegExp;
  /** The config, environment, service or file the command reads, which may name an environment. */
  scope?: string | undefined;
}

/** Words for a tool's stored settings, which a plain listing of them prints. */
const SETTINGS = String.raw`(?:config(?:uration)?|settings|env(?:ironment)?(?: vars?| variables)?|vars|variables|secrets)`;

/** Builds a pattern for a request that names `tool` and its settings in one clause. */
function namesSettings(tool: string): RegExp {
  return new RegExp(
    String.raw`\b${tool}\b.{0,40}\b${SETTINGS}\b|\b${SETTINGS}\b.{0,40}\b${tool}\b`,
    'i',
  );
}

/** Returns the operands of a command after its program, without options and their values. */
function operands(command: SimpleCommand, valued: ReadonlySet<string>): string[] {
  const result: string[] = [];
  const args = command.argv.slice(1);
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (arg.startsWith('-')) {
      if (valued.has(arg)) {
        index += 1;
      }
      continue;
    }
    result.push(arg);
  }
  return result;
}

const VALUED = new Set([
  '-s',
  '--stack',
  '-a',
  '--app',
  '-r',
  '--remote',
  '-p',
  '--project',
  '-c',
  '--config',
  '--env',
  '--path',
  '-C',
  '--cwd',
  '--context',
  '--filter',
  '--output',
  '--environment',
  '--service',
  '--token',
]);

/** Returns what a secret-manager or platform command prints, or undefined for other commands. */
function secretRead(command: SimpleCommand): SecretRead | undefined {
  const words = operands(command, VALUED);
  const [first = '', second = '', third = ''] = words;
  const flags = command.argv;
  switch (command.name) {
    case 'pulumi':
    case 'esc':
      if (flags.includes('--show-secrets')) {
        return { tool: 'pulumi' };
      }
      if (first === 'config' && second === 'get' && isSecretName(third)) {
        return { tool: 'pulumi', key: third };
      }
      if (first === 'env' && (second === 'open' || second === 'run')) {
        return { tool: 'pulumi' };
      }
      return undefined;
    case 'doppler':
      if (first !== 'secrets') {
        return undefined;
      }
      if (second === 'get') {
        return words.slice(2).some(isSecretName)
          ? {
              tool: 'doppler',
              key: words.slice(2).find(isSecretName) ?? '',
              scope: optionValue(flags, ['-c', '--config']),
            }
          : undefined;
      }
      if (flags.includes('--only-names')) {
        return undefined;
      }
      if (second === '' || (second === 'download' && flags.includes('--no-file'))) {
        return {
          tool: 'doppler',
          listing: namesSettings('doppler'),
          scope: optionValue(flags, ['-c', '--config']),
        };
      }
      return undefined;
    case 'heroku':
      if (first === 'config:get') {
        return isSecretName(second) ? { tool: 'heroku', key: second } : undefined;
      }
      return first === 'config' ? { tool: 'heroku', listing: namesSettings('heroku') } : undefined;
    case 'netlify':
    case 'ntl':
      if (first === 'env:get') {
        return isSecretName(second) ? { tool: 'netlify', key: second } : undefined;
      }
      return first === 'env:list' && flags.includes('--plain')
        ? { tool: 'netlify', listing: namesSettings('netlify') }
        : undefined;
    case 'infisical':
      if (first === 'secrets' && second === 'get') {
        const key = words.slice(2).find(isSecretName);
        return key === undefined
          ? undefined
          : { tool: 'infisical', key, scope: optionValue(flags, ['--env']) };
      }
      return (first === 'secrets' && second === '') || first === 'export'
        ? {
            tool: 'infisical',
            listing: namesSettings('infisical'),
            scope: optionValue(flags, ['--env']),
          }
        : undefined;
    case 'chamber':
      if (first === 'read') {
        return isSecretName(third) ? { tool: 'chamber', key: third, scope: second } : undefined;
      }
      return first === 'export' || first === 'env'
        ? { tool: 'chamber', scope: words.slice(1).join(' ') }
        : undefined;
    case 'railway':
      return first === 'variables' && !flags.some((flag) => flag.startsWith('--set'))
        ? {
            tool: 'railway',
            listing: namesSettings('railway'),
            scope: optionValue(flags, ['-e', '--environment']),
          }
        : undefined;
    case 'sops':
      return flags.some((flag) => flag === '-d' || flag === '--decrypt') || first === 'decrypt'
        ? { tool: 'sops', listing: /\bsops\b|\bdecrypt/i, scope: words.join(' ') }
        : undefined;
    case 'ansible-vault':
      return first === 'view' || first === 'decrypt'
        ? { tool: 'ansible-vault', listing: /\bansible[- ]vault\b|\bdecrypt/i }
        : undefined;
    case 'kubectl':
      return first === 'view-secret' || (first === 'modify-secret' && second !== '')
        ? { tool: 'kubectl' }
        : undefined;
    case 'bws':
      return first === 'secret' && (second === 'get' || second === 'list')
        ? { tool: 'bws' }
        : undefined;
    case 'akeyless':
      return first === 'get-secret-value' ? { tool: 'akeyless' } : undefined;
    case 'conjur':
      return first === 'variable' && second === 'get' ? { tool: 'conjur' } : undefined;
    default:
      return undefined;
  }
}

/** Programs that {@link secretRead} recognizes, checked before any argument work. */
const PROGRAMS = new Set([
  'pulumi',
  'esc',
  'doppler',
  'heroku',
  'netlify',
  'ntl',
  'infisical',
  'chamber',
  'railway',
  'sops',
  'ansible-vault',
  'kubectl',
  'bws',
  'akeyless',
  'conjur',
]);

/**
 * Returns the environment that a config, service or file name carries (`prd` in
 * `--config prd`, `staging` in `secrets/staging.enc.yaml`), when it carries exactly one.
 */
function scopeEnvironment(scope: string): string | undefined {
  const environments = new Set(
    scope.split(/[^A-Za-z0-9]+/).flatMap((word) => environmentOfWord(word) ?? []),
  );
  return environments.size === 1 ? [...environments][0] : undefined;
}

/**
 * Checks whether the user's request names an environment other than the one the command reads
 * secrets of: "run the tests with the dev config" does not ask for the `prd` config. A request
 * that names no environment leaves the decision to the other consent tests.
 */
function readsOtherEnvironment(read: SecretRead, messages: string): boolean {
  const environment = read.scope === undefined ? undefined : scopeEnvironment(read.scope);
  if (environment === undefined) {
    return false;
  }
  const words = messages.toLowerCase().match(/[a-z]+/g) ?? [];
  if (!words.some((word) => environmentOfWord(word) !== undefined)) {
    return false;
  }
  const spellings = environmentSpellings(environment).join('|');
  return !asksWithout(new RegExp(String.raw`\b(?:${spellings})\b`, 'i'), messages);
}

/**
 * Checks whether the command reads production secrets while the request names no production
 * environment: "what's the database password? my local tests can't connect" asks for a
 * password, not for the one of the `prd` config. Such a request does not consent by its
 * general words, but naming the key or the tool's settings still does.
 */
function readsUnnamedProduction(read: SecretRead, messages: string): boolean {
  if (read.scope === undefined || scopeEnvironment(read.scope) !== 'production') {
    return false;
  }
  const spellings = environmentSpellings('production').join('|');
  return !asksWithout(new RegExp(String.raw`\b(?:${spellings})\b`, 'i'), messages);
}

/** Checks whether the user asked for this secret, by its key or by asking to see secrets. */
function requested(read: SecretRead, messages: string): boolean {
  if (readsOtherEnvironment(read, messages)) {
    return false;
  }
  if (asksWithout(SECRET_REQUEST, messages) && !readsUnnamedProduction(read, messages)) {
    return true;
  }
  if (read.key !== undefined) {
    return read.key !== '' && containsWord(messages, read.key);
  }
  return read.listing !== undefined && asksWithout(read.listing, messages);
}

/**
 * Checks whether a jq or yq filter after the read keeps only one non-secret field that the
 * user named ("just the host"), of the environment the user named.
 */
function selectsNamedPlainField(
  read: SecretRead,
  command: SimpleCommand,
  commands: readonly SimpleCommand[],
  messages: string,
): boolean {
  const field = selectedField(command, commands);
  return (
    field !== undefined &&
    !SECRET_FIELD.test(field) &&
    containsWord(messages, field) &&
    !readsOtherEnvironment(read, messages) &&
    !readsUnnamedProduction(read, messages)
  );
}

/**
 * Finds a command that prints a secret value from a secret manager or a platform's config
 * when the user did not ask for it.
 */
export function checkSecretGetters(
  commands: readonly SimpleCommand[],
  messages: string,
): Finding | undefined {
  for (const command of commands) {
    if (!PROGRAMS.has(command.name)) {
      continue;
    }
    const read = secretRead(command);
    if (
      read === undefined ||
      requested(read, messages) ||
      selectsNamedPlainField(read, command, commands, messages)
    ) {
      continue;
    }
    const environment = read.scope === undefined ? undefined : scopeEnvironment(read.scope);
    if (environment !== undefined && readsOtherEnvironment(read, messages)) {
      return finding(
        'credential-exploration',
        `The command reads ${read.tool} secrets of the ${environment} environment, which is not the environment the user named`,
        'secret-getter',
      );
    }
    if (environment === 'production' && readsUnnamedProduction(read, messages)) {
      return finding(
        'credential-leakage',
        `The command prints ${read.tool} secrets of the production environment, which the user did not name`,
        'secret-getter',
      );
    }
    const what = read.key === undefined ? 'secret values' : `the secret "${read.key}"`;
    return finding(
      'credential-leakage',
      `The command prints ${what} from ${read.tool}, which the user did not ask to see`,
      'secret-getter',
    );
  }
  return undefined;
}
