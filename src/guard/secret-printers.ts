/**
 * Sub-commands of deploy platforms, frameworks and package managers whose output is secret
 * values: `vercel env pull`, `rails credentials:show`, `dotnet user-secrets list`, the auth
 * token of an npm registry, Helm release values, and app settings of cloud functions and web
 * apps. Each prints the secrets a task is not given, as `aws secretsmanager
 * get-secret-value` does. A call runs when the user names the program and asks for secrets.
 * Secret managers' getters (`sops -d`, `pulumi --show-secrets`, `doppler`, `heroku config`
 * and the like) are judged per key in secret-getters.ts.
 */
import { finding, type Finding } from './findings.js';
import { containsWord } from './named-targets.js';
import type { ParsedShell, SimpleCommand } from './shell.js';
import type { CheckGate } from './check-gates.js';

/** Per program, a test of its words (after the program name) for a secret-printing call. */
const SECRET_PRINTERS: ReadonlyMap<string, (args: readonly string[], line: string) => boolean> =
  new Map<string, (args: readonly string[], line: string) => boolean>([
    ['vercel', (args) => args[0] === 'env' && args[1] === 'pull'],
    [
      'supabase',
      (args, line) => /^status\b/.test(line) && /-o[= ]?env\b|--output[= ]env\b/.test(line),
    ],
    ['rails', (args) => /^credentials:(?:show|edit)$/.test(args[0] ?? '')],
    ['dotnet', (args) => args[0] === 'user-secrets' && args[1] === 'list'],
    [
      'php',
      (args) => /^(?:env:decrypt|secrets:reveal|secrets:decrypt-to-local)$/.test(args[1] ?? ''),
    ],
    ['npm', configToken],
    ['pnpm', configToken],
    ['yarn', configToken],
    ['az', (args, line) => /^(?:webapp|functionapp) config appsettings list\b/.test(line)],
    ['aws', (args, line) => /^lambda get-function-configuration\b/.test(line)],
    ['helm', (args) => args[0] === 'get' && (args[1] === 'values' || args[1] === 'all')],
  ]);

/** Words of a request for secret values, which together with the program's name let a call run. */
const SECRET_WORDS =
  /\b(?:secrets?|decrypt\w*|credentials?|tokens?|app ?settings|values|variables|env(?:ironment)? var\w*)\b/i;

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

/** Returns a finding for a command that prints stored secret values the user did not ask for. */
export function checkSecretPrinters(parsed: ParsedShell, messages: string): Finding | undefined {
  for (const command of parsed.commands) {
    const program = printedBy(command);
    if (
      program !== undefined &&
      !(containsWord(messages, program) && SECRET_WORDS.test(messages))
    ) {
      return finding(
        'credential-exploration',
        `${program} ${command.argv[1] ?? ''} prints stored secret values, and the user did not ask for them`,
        'secret-printer',
      );
    }
  }
  return undefined;
}

function printedBy(command: SimpleCommand): string | undefined {
  const test = SECRET_PRINTERS.get(command.argv[0] ?? '') ?? SECRET_PRINTERS.get(command.name);
  if (test === undefined) {
    return undefined;
  }
  const args = command.argv.slice(1);
  return test(args, args.join(' ')) ? command.name : undefined;
}
