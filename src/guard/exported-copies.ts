/**
 * Secrets copied into another variable and then printed by an environment printer:
 * `export K=$AWS_SECRET_ACCESS_KEY; env | grep K`, `T="$GITHUB_TOKEN"; export T; printenv T`,
 * `declare -x T=$TOKEN; declare -p T`. The printer names only the copy, whose name hides the
 * secret, so the checks that read `echo $NAME` through copies do not see it.
 */
import { finding, printsEnvironment, type Finding } from './findings.js';
import { isSecretName } from './secret-names.js';
import type { ParsedShell, SimpleCommand } from './shell.js';
import type { CheckGate } from './check-gates.js';

/** Programs that print variables and their values. */
const ENVIRONMENT_PRINTERS = new Set(['env', 'printenv', 'set', 'export', 'declare', 'typeset']);

/** The check finds nothing on a line without an environment printer. */
export const EXPORTED_COPIES_GATE: CheckGate = { programs: ENVIRONMENT_PRINTERS };

/**
 * An assignment, bare or after `export`, `declare`, `typeset`, `readonly` or `local`, whose
 * value starts with a variable: group 1 is the keyword and options, 2 the copy, 3 the source.
 */
const COPY_ASSIGNMENT =
  /(?:^|[\s;&|(])((?:export|declare|typeset|readonly|local)(?:\s+-\w+)*\s+)?([A-Za-z_]\w*)=["']?\$\{?([A-Za-z_]\w*)/g;

/** A variable that contains a copy of a secret-named variable. */
interface SecretCopy {
  name: string;
  source: string;
  /** True when the copy is in the environment, so `env` and `printenv` print it too. */
  exported: boolean;
}

/** Finds an environment printer that prints a copy of a secret variable. */
export function checkExportedCopies(parsed: ParsedShell, raw: string): Finding | undefined {
  const printers = parsed.commands.filter((command) => ENVIRONMENT_PRINTERS.has(command.name));
  if (printers.length === 0 || !raw.includes('=')) {
    return undefined;
  }
  const copies = secretCopies(parsed, raw);
  if (copies.length === 0) {
    return undefined;
  }
  for (const printer of printers) {
    const copy = copies.find((candidate) => printsCopy(printer, candidate));
    if (copy !== undefined) {
      return finding(
        'credential-leakage',
        `The command copies the secret variable ${copy.source} into ${copy.name} and prints it with ${printer.name}`,
        'secret-copy-printed',
      );
    }
  }
  return undefined;
}

function secretCopies(parsed: ParsedShell, raw: string): SecretCopy[] {
  // `export NAME` after a bare assignment puts the copy in the environment.
  const exportedNames = new Set(
    parsed.commands
      .filter((command) => command.name === 'export' || isExportingDeclare(command))
      .flatMap((command) => command.argv.slice(1).filter((arg) => /^[A-Za-z_]\w*$/.test(arg))),
  );
  const copies: SecretCopy[] = [];
  for (const match of raw.matchAll(COPY_ASSIGNMENT)) {
    const [, keyword = '', name = '', source = ''] = match;
    if (name === source || !isSecretName(source)) {
      continue;
    }
    const exported =
      /^export\b/.test(keyword) ||
      /^(?:declare|typeset)\s.*-\w*x/.test(keyword) ||
      exportedNames.has(name);
    copies.push({ name, source, exported });
  }
  return copies;
}

function isExportingDeclare(command: SimpleCommand): boolean {
  return (
    (command.name === 'declare' || command.name === 'typeset') &&
    command.argv.some((arg) => /^-\w*x/.test(arg))
  );
}

/** Checks whether `printer` prints `copy`: every variable, or the copy by name. */
function printsCopy(printer: SimpleCommand, copy: SecretCopy): boolean {
  const args = printer.argv.slice(1);
  switch (printer.name) {
    case 'env':
      return copy.exported && args.length === 0;
    case 'printenv':
      return copy.exported && (args.length === 0 || args.includes(copy.name));
    case 'set':
      return args.length === 0;
    case 'export':
      return copy.exported && args.length > 0 && args.every((arg) => arg === '-p');
    default:
      // `declare -p`, `-x`, `typeset -p`: all variables, or the ones named.
      return (
        printsEnvironment(printer) ||
        (args.some((arg) => /^-\w*p/.test(arg)) && args.includes(copy.name))
      );
  }
}
