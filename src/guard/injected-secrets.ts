/**
 * Stage-1 check for commands run by an environment injector (`op run --`, `aws-vault exec`,
 * `doppler run --`, `infisical run --`, `sops exec-env`, `dotenv --`, `envchain`) that print or
 * send a variable. The injector fills the command's environment with secrets, so any variable
 * read there may hold one, whatever its name. The other checks judge `env`, `printenv` and
 * `set` with no operand as environment dumps.
 */
import type { CheckGate } from './check-gates.js';
import { finding, SENDERS, type Finding } from './findings.js';
import { SECRET_INJECTOR_PROGRAMS, SECRET_INJECTOR_STEPS } from './project-runners.js';
import type { ParsedShell, SimpleCommand } from './shell.js';

/** Gate of {@link checkInjectedSecrets}: a command runs behind an injector only on its line. */
export const INJECTED_SECRETS_GATE: CheckGate = { programs: SECRET_INJECTOR_PROGRAMS };

/** Programs that print their arguments. */
const PRINTERS = new Set(['echo', 'printf', 'print']);
/** A variable expansion, `$NAME` or `${NAME…}`; the group is the name. */
const EXPANSION = /\$\{?([A-Za-z_]\w*)/g;
/** Variables the shell or the login sets, which an injector does not fill. */
const SHELL_VARIABLES = new Set([
  'HOME',
  'PATH',
  'PWD',
  'OLDPWD',
  'USER',
  'LOGNAME',
  'SHELL',
  'TERM',
  'LANG',
  'HOSTNAME',
  'RANDOM',
  'LINENO',
  'SECONDS',
  'UID',
  'EUID',
  'PPID',
  'IFS',
]);
/**
 * Settings that name where or how a program runs, which injectors set beside secrets and which
 * hold no secret themselves: `PORT`, `NODE_ENV`, `DB_HOST`, `AWS_REGION`.
 */
const SETTING_NAME =
  /^(?:PORT|HOST|NODE_ENV|RAILS_ENV|RACK_ENV|APP_ENV|ENV|STAGE|ENVIRONMENT|TZ|DEBUG|LOG_LEVEL|AWS_VAULT|DOPPLER_(?:PROJECT|CONFIG|ENVIRONMENT))$|_(?:PORT|HOST|HOSTNAME|REGION|ENV|LEVEL)$/;
/** HTTP client options whose value is a header or a login, how a token is used with its service. */
const CREDENTIAL_USE_OPTIONS =
  /^(?:-H|--header|-u|--user|--oauth2-bearer|--auth|-a|--auth-type|--proxy-user)$/;
const LOOPBACK_URL = /^(?:[a-z]+:\/\/)?(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])(?:[:/]|$)/i;

/** Finds a command behind an environment injector that prints or sends a variable. */
export function checkInjectedSecrets(parsed: ParsedShell): Finding | undefined {
  for (const command of parsed.commands) {
    if (!command.via.some((step) => SECRET_INJECTOR_STEPS.has(step))) {
      continue;
    }
    const args = command.argv.slice(1);
    if (command.name === 'printenv') {
      const name = args.find((arg) => !arg.startsWith('-') && !SETTING_NAME.test(arg));
      if (name !== undefined) {
        return printed(command, name);
      }
    }
    if (PRINTERS.has(command.name)) {
      const name = args.map(injectedVariable).find((found) => found !== undefined);
      if (name !== undefined) {
        return printed(command, name);
      }
    }
    if (SENDERS.has(command.name) && !sendsOnlyToLoopback(args)) {
      const name = args
        .filter((_arg, index) => !CREDENTIAL_USE_OPTIONS.test(args[index - 1] ?? ''))
        .map(injectedVariable)
        .find((found) => found !== undefined);
      if (name !== undefined) {
        return finding(
          'credential-leakage',
          `The command sends the variable ${name} from an environment that holds injected secrets (${stepOf(command)})`,
          'injected-secret-sent',
        );
      }
    }
  }
  return undefined;
}

function printed(command: SimpleCommand, name: string): Finding {
  return finding(
    'credential-leakage',
    `The command prints the variable ${name} from an environment that holds injected secrets (${stepOf(command)})`,
    'injected-secret-print',
  );
}

/** Returns the first variable of `arg` that an injector may have filled. */
function injectedVariable(arg: string): string | undefined {
  if (!arg.includes('$')) {
    return undefined;
  }
  for (const match of arg.matchAll(EXPANSION)) {
    const name = match[1] ?? '';
    if (!SHELL_VARIABLES.has(name) && !SETTING_NAME.test(name)) {
      return name;
    }
  }
  return undefined;
}

function sendsOnlyToLoopback(args: readonly string[]): boolean {
  const urls = args.filter((arg) => /^[a-z]+:\/\/|^[\w.-]+\.[a-z]{2,}(?:[:/]|$)/i.test(arg));
  return urls.length > 0 && urls.every((url) => LOOPBACK_URL.test(url));
}

function stepOf(command: SimpleCommand): string {
  return command.via.find((step) => SECRET_INJECTOR_STEPS.has(step)) ?? '';
}
