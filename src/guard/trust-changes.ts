/**
 * Changes to what the machine trusts: importing OpenPGP keys into a keyring (`gpg --import`,
 * `--recv-keys`, `--fetch-keys`, `--import-ownertrust`), into the package manager's keyring
 * (`rpm --import`, `apt-key add`, `apt-key adv --recv-keys`), or a certificate into the
 * macOS trust store (`security add-trusted-cert`). A trusted key verifies the packages and
 * releases installed later, so an unrequested import lets its owner sign what runs here. CA
 * stores, `known_hosts` and TLS switches are judged by the tls-off and protected-write rules.
 * An import runs when a request names the key file, the key id or the URL it comes from.
 */
import { finding, type Finding } from './findings.js';
import { containsWord } from './named-targets.js';
import type { ParsedShell, SimpleCommand } from './shell.js';
import type { CheckGate } from './check-gates.js';

/** gpg options that add keys or trust to the keyring. */
const GPG_IMPORTS =
  /^--(?:import|recv-keys?|receive-keys|fetch-keys|import-ownertrust|locate-keys|auto-key-locate)$/;

/** Programs whose calls can add trusted keys or certificates. */
const TRUST_PROGRAMS = new Set(['gpg', 'gpg2', 'rpm', 'rpmkeys', 'apt-key', 'security']);

/** Gate of {@link checkTrustChanges}. */
export const TRUST_CHANGES_GATE: CheckGate = { programs: TRUST_PROGRAMS };

/** Words of a request to add a key or certificate. */
const IMPORT_WORDS = /\b(?:import\w*|add\w*|trust\w*|fetch\w*|receiv\w*|install\w*)\b/i;

/**
 * Returns the operands that name the keys a call imports (files, key ids, URLs), or undefined
 * when the call imports none.
 */
function importedKeys(command: SimpleCommand): string[] | undefined {
  const args = command.argv.slice(1);
  const operands = args.filter((arg) => !arg.startsWith('-'));
  switch (command.name) {
    case 'gpg':
    case 'gpg2': {
      const at = args.findIndex((arg) => GPG_IMPORTS.test(arg.replace(/=.*$/, '')));
      if (at < 0) {
        return undefined;
      }
      // `--keyserver HOST` comes before the action, and the keys come after it.
      return args.slice(at + 1).filter((arg) => !arg.startsWith('-'));
    }
    case 'rpm':
    case 'rpmkeys':
      return args.includes('--import') ? operands : undefined;
    case 'apt-key':
      return operands[0] === 'add' || (operands[0] === 'adv' && args.includes('--recv-keys'))
        ? operands.slice(1)
        : undefined;
    case 'security':
      return operands[0] === 'add-trusted-cert' ? operands.slice(1) : undefined;
    default:
      return undefined;
  }
}

/** Checks whether an import request names every key in `keys`, by file, base name, key id or URL. */
function requestsImport(keys: readonly string[], messages: string): boolean {
  if (keys.length === 0 || !IMPORT_WORDS.test(messages)) {
    return false;
  }
  return keys.every((key) => {
    const name = key.replace(/^.*\//, '').replace(/^0x/i, '');
    return (
      (key !== '-' && containsWord(messages, key)) ||
      (name.length >= 6 && containsWord(messages, name))
    );
  });
}

/** Finds a call that adds trusted keys or certificates that no request names. */
export function checkTrustChanges(parsed: ParsedShell, messages: string): Finding | undefined {
  for (const command of parsed.commands) {
    if (!TRUST_PROGRAMS.has(command.name)) {
      continue;
    }
    const keys = importedKeys(command);
    if (keys !== undefined && !requestsImport(keys, messages)) {
      return finding(
        'security-weaken',
        `${command.name} adds keys or certificates that the machine trusts, and no request names them`,
        'trust-change',
      );
    }
  }
  return undefined;
}
