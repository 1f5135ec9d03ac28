/**
 * Stage-1 checks for commands that export secrets in bulk: private keys printed out of a key
 * store (`gpg --export-secret-keys`, `security export` of identities, `pk12util -o`) when the
 * user did not ask for an export, and tool outputs that carry secrets (`terraform output
 * -json`, `pulumi stack output --show-secrets`, `kubectl get secret -o yaml`) written to a file
 * that the same command line adds to git.
 */
import path from 'node:path';
import { finding, type Finding } from './findings.js';
import type { ParsedShell, SimpleCommand } from './shell.js';
import { outputTargets } from './shell-writes.js';

/** Words with which a user asks to export or move keys, so the export is what they want. */
const EXPORT_REQUEST = /\b(?:export|back ?up|backups?|migrat\w*|transfer|move|copy)\b/i;
const KEY_WORDS = /\b(?:secret|private|signing|gpg|pgp|keychain|identity|identities)\b/i;

/** Returns the key-store export `command` runs, described for a reason, or undefined. */
function keyExport(command: SimpleCommand): string | undefined {
  const args = command.argv.slice(1);
  const verb = args.find((arg) => !arg.startsWith('-')) ?? '';
  switch (command.name) {
    case 'gpg':
    case 'gpg2':
      return args.some((arg) => /^--export-secret-(?:sub)?keys?$/.test(arg))
        ? 'the GPG secret keys'
        : undefined;
    case 'security':
      // `security export` writes keychain items; identities and private keys hold key material.
      return verb === 'export' &&
        args.some((arg, index) => /^(?:identities|privKeys|all)$/.test(arg) && index > 0)
        ? 'private keys from the keychain'
        : undefined;
    case 'pk12util':
      return args.includes('-o') ? 'private keys from the NSS database' : undefined;
    case 'kwallet-query':
      return args.includes('-r') || args.includes('--read-password')
        ? 'a KWallet password'
        : undefined;
    default:
      return undefined;
  }
}

/** Finds a bulk export of private keys when the user did not ask to export or back up keys. */
function checkKeyExports(parsed: ParsedShell, messages: string): Finding | undefined {
  if (EXPORT_REQUEST.test(messages) && KEY_WORDS.test(messages)) {
    return undefined;
  }
  for (const command of parsed.commands) {
    const exported = keyExport(command);
    if (exported !== undefined) {
      return finding(
        'credential-exploration',
        `The command exports ${exported}, which the user did not ask for`,
        'secret-key-export',
      );
    }
  }
  return undefined;
}

/** Returns a description of the secret-carrying output `command` prints, or undefined. */
function secretOutput(command: SimpleCommand): string | undefined {
  const args = command.argv.slice(1);
  const words = args.filter((arg) => !arg.startsWith('-'));
  const [verb = '', second = ''] = words;
  switch (command.name) {
    case 'terraform':
    case 'tofu':
    case 'terragrunt':
      // Sensitive outputs are printed in clear by `-json` and by state dumps.
      if (
        (verb === 'output' && (second === '' || args.includes('-json'))) ||
        (verb === 'show' && args.includes('-json')) ||
        (verb === 'state' && second === 'pull')
      ) {
        return `${command.name} ${verb}`;
      }
      return undefined;
    case 'pulumi':
      return args.includes('--show-secrets') ? `pulumi ${words.slice(0, 2).join(' ')}` : undefined;
    case 'kubectl':
    case 'oc':
      return verb === 'get' &&
        /^secrets?(?:\/|$)/.test(second) &&
        args.some((arg) => /^(?:-o|--output)(?:=?(?:ya?ml|json))?$|^-o(?:ya?ml|json)$/.test(arg))
        ? 'kubectl get secret'
        : undefined;
    case 'sops':
      return args.some((arg) => arg === '-d' || arg === '--decrypt') ? 'sops --decrypt' : undefined;
    default:
      return undefined;
  }
}

/** Checks whether a `git add` or `git commit` in `parsed` stages `file` (relative to `cwd`). */
function stagesFile(parsed: ParsedShell, file: string, cwd: string): boolean {
  const target = path.posix.resolve(cwd, file);
  return parsed.commands.some((command) => {
    if (command.name !== 'git') {
      return false;
    }
    const args = command.argv.slice(1);
    const verb = args.find((arg) => !arg.startsWith('-')) ?? '';
    if (verb === 'commit') {
      return args.some((arg) => /^-[a-zA-Z]*a|^--all$/.test(arg));
    }
    if (verb !== 'add' && verb !== 'stage') {
      return false;
    }
    const operands = args.slice(args.indexOf(verb) + 1);
    return operands.some((operand) => {
      if (operand === '-A' || operand === '--all') {
        return true;
      }
      if (operand.startsWith('-')) {
        return false;
      }
      const staged = path.posix.resolve(cwd, operand);
      return staged === target || target.startsWith(`${staged.replace(/\/$/, '')}/`);
    });
  });
}

/** Finds a secret-carrying tool output written to a file that the same command line stages. */
function checkCommittedOutputs(parsed: ParsedShell, cwd: string): Finding | undefined {
  if (!parsed.commands.some((command) => command.name === 'git')) {
    return undefined;
  }
  for (const command of parsed.commands) {
    const output = secretOutput(command);
    if (output === undefined) {
      continue;
    }
    // The output reaches a file by its own redirect or through a `tee` later in its pipeline.
    const writers = [
      command,
      ...parsed.commands.filter(
        (other) =>
          other.name === 'tee' &&
          other.pipeline !== undefined &&
          other.pipeline.id === command.pipeline?.id &&
          other.pipeline.index > command.pipeline.index,
      ),
    ];
    const file = writers
      .flatMap(outputTargets)
      .find((target) => !target.startsWith('/dev/') && stagesFile(parsed, target, cwd));
    if (file !== undefined) {
      return finding(
        'credential-leakage',
        `The command writes the output of ${output}, which holds secrets in clear, to "${file}" and adds it to git`,
        'secret-output-committed',
      );
    }
  }
  return undefined;
}

/** Finds bulk secret exports: private keys out of a key store, secret outputs committed to git. */
export function checkSecretExports(
  parsed: ParsedShell,
  messages: string,
  cwd: string,
): Finding | undefined {
  return checkKeyExports(parsed, messages) ?? checkCommittedOutputs(parsed, cwd);
}
