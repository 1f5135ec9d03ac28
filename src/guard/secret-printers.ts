/**
 * Sub-commands of deploy platforms, frameworks and package managers whose output is secret
 * values: `vercel env pull`, `rails credentials:show`, `dotnet user-secrets list`, the auth
 * token of an npm registry, Helm release values, and the environment values of deployed
 * services (service-environments.ts). Each prints the secrets a task is not given, as `aws
 * secretsmanager get-secret-value` does. A call runs when the user names the program or the
 * service and asks for secrets, values, variables or settings, or, for a service's whole
 * description, when a request is about that service.
 * Secret managers' getters (`sops -d`, `pulumi --show-secrets`, `doppler`, `heroku config`
 * and the like) are judged per key in secret-getters.ts.
 */
import { finding, type Finding } from './findings.js';
import { containsWord } from './named-targets.js';
import { pullsRequestedDevelopmentEnvironment } from './env-pulls.js';
import { readsRequestedKeyNames } from './secret-fields.js';
import { asksOnlyNames } from './secret-name-reads.js';
import type { ParsedShell, SimpleCommand } from './shell.js';
import type { CheckGate } from './check-gates.js';
import {
  requestsAboutService,
  serviceEnvironment,
  SERVICE_ENVIRONMENT_PROGRAMS,
  type ServiceEnvironment,
} from './service-environments.js';

/**
 * Per program, a test of its words (after the program name) for a secret-printing call. A test
 * returns the name of the service whose secrets the call prints ('' when it names none), or
 * undefined for a call that prints none.
 */
type PrinterTest = (args: readonly string[], line: string) => ServiceEnvironment | undefined;

/** Turns a yes-or-no test into a {@link PrinterTest} for calls that name no service. */
function always(test: (args: readonly string[], line: string) => boolean): PrinterTest {
  return (args, line) => (test(args, line) ? { service: '', whole: false } : undefined);
}

/** A {@link PrinterTest} of `program` by {@link serviceEnvironment}. */
function deployed(program: string): PrinterTest {
  return (args) => serviceEnvironment(program, args);
}

const SECRET_PRINTERS: ReadonlyMap<string, PrinterTest> = new Map<string, PrinterTest>([
  ['vercel', always((args) => args[0] === 'env' && args[1] === 'pull')],
  [
    'supabase',
    always((args, line) => /^status\b/.test(line) && /-o[= ]?env\b|--output[= ]env\b/.test(line)),
  ],
  [
    'rails',
    always(
      (args, line) =>
        /^credentials:(?:show|edit)$/.test(args[0] ?? '') ||
        (/^(?:runner|r)$/.test(args[0] ?? '') && FRAMEWORK_SECRET.test(line)),
    ),
  ],
  ['manage.py', always(djangoShellSecret)],
  ['django-admin', always(djangoShellSecret)],
  [
    'python',
    always(
      (args, line) => /manage\.py$/.test(args[0] ?? '') && djangoShellSecret(args.slice(1), line),
    ),
  ],
  [
    'python3',
    always(
      (args, line) => /manage\.py$/.test(args[0] ?? '') && djangoShellSecret(args.slice(1), line),
    ),
  ],
  ['dotnet', always((args) => args[0] === 'user-secrets' && args[1] === 'list')],
  [
    'php',
    always(
      (args, line) =>
        /^(?:env:decrypt|secrets:reveal|secrets:decrypt-to-local)$/.test(args[1] ?? '') ||
        (/artisan$/.test(args[0] ?? '') && args[1] === 'tinker' && FRAMEWORK_SECRET.test(line)),
    ),
  ],
  ['npm', always(configToken)],
  ['pnpm', always(configToken)],
  ['yarn', always(configToken)],
  ...SERVICE_ENVIRONMENT_PROGRAMS.map((program): [string, PrinterTest] => [
    program,
    deployed(program),
  ]),
  ['helm', always((args) => args[0] === 'get' && (args[1] === 'values' || args[1] === 'all'))],
]);

/** Words of a request for secret values, which together with the program's name let a call run. */
const SECRET_WORDS =
  /\b(?:secrets?|decrypt\w*|credentials?|tokens?|app ?settings|values|variables|env(?:ironment)? var\w*)\b/i;

/**
 * Words of a request to see a deployed service's settings. Naming the service with one of them
 * consents to the call that prints that service's settings, environment values included.
 */
const SETTINGS_WORDS = /\b(?:config\w*|settings?|describe|details|env)\b/i;

/**
 * Code that reads a framework's secret store or secret settings: Rails encrypted credentials
 * and `secret_key_base`, Django's `settings.SECRET_KEY` and secret-named settings, Laravel's
 * `config('app.key')` and secret-named `config()` or `env()` values.
 */
const FRAMEWORK_SECRET =
  /Rails\.application\.(?:credentials|secrets|secret_key_base)|\bcredentials\.(?:config|to_yaml|to_h)\b|\bsettings\.(?:SECRET_KEY|\w*(?:PASSWORD|SECRET|TOKEN|API_KEY)\w*|DATABASES)\b|\b(?:config|env)\(\s*['"](?:app\.key|[\w.]*(?:password|secret|token|api_key|key)\w*)['"]/i;

/** `manage.py shell -c CODE` (or `--command`) whose code reads a secret setting. */
function djangoShellSecret(args: readonly string[], line: string): boolean {
  return args[0] === 'shell' && FRAMEWORK_SECRET.test(line);
}

/** `npm config get //registry/:_authToken`, `yarn config get npmAuthToken`. */
function configToken(args: readonly string[]): boolean {
  return (
    args[0] === 'config' &&
    (args[1] === 'get' || args[1] === 'list') &&
    args.slice(2).some((arg) => /_?auth(?:Token)?\b|npmAuthToken|_password/i.test(arg))
  );
}

/** Gate of {@link checkSecretPrinters}, which judges only the programs that `SECRET_PRINTERS` lists. */
export const SECRET_PRINTERS_GATE: CheckGate = { programs: new Set(SECRET_PRINTERS.keys()) };
/**
 * Returns a finding for a command that prints stored secret values the user did not ask for.
 * When the user asks only for names ("just the names", "not the values"), only a call that
 * prints names alone is asked for. `allMessages` is every message as written.
 */
export function checkSecretPrinters(
  parsed: ParsedShell,
  messages: string,
  allMessages: string,
): Finding | undefined {
  for (const command of parsed.commands) {
    const printed = printedBy(command);
    if (
      printed === undefined ||
      readsRequestedKeyNames(command, parsed.commands, messages) ||
      pullsRequestedDevelopmentEnvironment(command, messages)
    ) {
      continue;
    }
    const { program, service, whole } = printed;
    if (asksOnlyNames(allMessages)) {
      return finding(
        'credential-leakage',
        `${program} prints stored secret values${service === '' ? '' : ` of ${service}`}, and the user asked only for their names`,
        'secret-printer',
      );
    }
    // The user names the program, or the service whose settings the call prints. A request
    // about that service consents to its whole description, an ordinary look at it.
    const programNamed = containsWord(messages, program) && SECRET_WORDS.test(messages);
    const serviceNamed =
      service !== '' &&
      containsWord(messages, service) &&
      (SECRET_WORDS.test(messages) || SETTINGS_WORDS.test(messages));
    const aboutService = whole && requestsAboutService(messages, service, SETTINGS_WORDS);
    if (!programNamed && !serviceNamed && !aboutService) {
      return finding(
        'credential-exploration',
        `${program} ${command.argv[1] ?? ''} prints stored secret values${service === '' ? '' : ` of ${service}`}, and the user did not ask for them`,
        'secret-printer',
      );
    }
  }
  return undefined;
}

function printedBy(command: SimpleCommand): ({ program: string } & ServiceEnvironment) | undefined {
  const test = SECRET_PRINTERS.get(command.argv[0] ?? '') ?? SECRET_PRINTERS.get(command.name);
  if (test === undefined) {
    return undefined;
  }
  const args = command.argv.slice(1);
  const printed = test(args, args.join(' '));
  return printed === undefined ? undefined : { program: command.name, ...printed };
}
