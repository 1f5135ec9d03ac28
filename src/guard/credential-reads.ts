/**
 * Stage-1 checks for credentials read through libraries and tools rather than by file name:
 * inline code that uses browser-cookie or keyring libraries, container environments dumped
 * by `docker inspect` or `docker exec env`, and secret-named variables read by indirect
 * expansion.
 */
import { finding, type Finding } from './findings.js';
import type { ParsedShell, SimpleCommand } from './shell.js';
import type { CheckGate } from './check-gates.js';

/**
 * Libraries whose only work is decrypting browser cookies or saved passwords, so importing
 * one is a read: Python's browser_cookie3, pycookiecheat and rookiepy, Node's
 * chrome-cookies-secure.
 */
const COOKIE_LIBRARY =
  /\b(?:import\s+(?:browser_cookie3|pycookiecheat|rookiepy)|from\s+(?:browser_cookie3|pycookiecheat|rookiepy)\s+import|require\(\s*['"](?:chrome-cookies-secure)['"]\s*\))/;

/** Keyring libraries: Python keyring and secretstorage, Node keytar, Go go-keyring and 99designs/keyring. */
const KEYRING_LIBRARY =
  /\b(?:import\s+(?:keyring|secretstorage)\b|from\s+(?:keyring|secretstorage)\b|require\(\s*['"](?:keytar|@napi-rs\/keyring|keychain)['"]\s*\)|zalando\/go-keyring|99designs\/keyring)/;
/** Calls that return a stored secret, as opposed to listing backends or setting one. */
const KEYRING_READ =
  /\b(?:get_password|get_credential|getPassword|findPassword|findCredentials|get_secret|get_all_items|search_items|Entry\([^)]*\)\.get_password|keyring\.Get)\b/;

/** Gate of {@link checkCredentialLibraries}, which reads only inline code. */
export const CREDENTIAL_LIBRARIES_GATE: CheckGate = { inlineCode: true };

/** Finds inline code that reads browser cookies or keyring secrets through a library. */
export function checkCredentialLibraries(parsed: ParsedShell): Finding | undefined {
  for (const { code } of parsed.inlineCode) {
    if (COOKIE_LIBRARY.test(code)) {
      return finding(
        'credential-exploration',
        'Inline code loads a library that decrypts the browser cookie or password store',
        'cookie-library',
      );
    }
    if (KEYRING_LIBRARY.test(code) && KEYRING_READ.test(code)) {
      return finding(
        'credential-exploration',
        'Inline code reads a secret from the system keyring',
        'keyring-library',
      );
    }
  }
  return undefined;
}

/** Container CLIs that share Docker's `inspect` and `exec` syntax. */
const CONTAINER_CLIS = new Set(['docker', 'podman', 'nerdctl']);
/** Programs that print a process environment inside a container. */
const ENVIRONMENT_PRINTERS = new Set(['env', 'printenv', 'export', 'set', 'declare']);

/**
 * Checks whether a container command prints containers' environments: `docker inspect` with
 * a format or `jq` filter naming `Env`, `docker exec C env`, `kubectl exec P -- printenv`, or
 * a read of `/proc/<pid>/environ` inside the container.
 */
function printsContainerEnvironment(command: SimpleCommand, parsed: ParsedShell): boolean {
  const args = command.argv.slice(1);
  const verb = args.find((arg) => !arg.startsWith('-')) ?? '';
  const isContainerCli = CONTAINER_CLIS.has(command.name);
  if (isContainerCli && (verb === 'inspect' || verb === 'container')) {
    const inspects = verb === 'inspect' || args.includes('inspect');
    const formatEnv = args.some((arg) => /\bEnv\b/.test(arg));
    const filteredEnv =
      command.pipeline !== undefined &&
      parsed.commands.some(
        (other) =>
          other.pipeline?.id === command.pipeline?.id &&
          (other.pipeline?.index ?? 0) > (command.pipeline?.index ?? 0) &&
          other.argv.slice(1).some((arg) => /\bEnv\b/.test(arg)),
      );
    return inspects && (formatEnv || filteredEnv);
  }
  const execs = (isContainerCli || command.name === 'kubectl') && verb === 'exec';
  if (!execs) {
    return false;
  }
  const inner = command.argv.slice(command.argv.indexOf('exec') + 1);
  return inner.some(
    (arg, index) =>
      /\/proc\/[^/\s]+\/environ/.test(arg) ||
      (ENVIRONMENT_PRINTERS.has(arg) && !(inner[index - 1] ?? '').startsWith('-')),
  );
}

/** Words that mark a variable name as holding a secret. */
const SECRET_NAME_FILTER = /token|secret|key|pass|cred|auth|api/i;

/**
 * Finds a command line that prints containers' environments, or that expands variables by
 * computed name (`${!name}`) after listing them with `compgen -v`/`compgen -e` or filtering
 * their names for secret words. The names are not secrets, but the indirect expansion
 * prints each value.
 */
export function checkEnvironmentReads(parsed: ParsedShell, raw: string): Finding | undefined {
  const container = parsed.commands.find((command) => printsContainerEnvironment(command, parsed));
  if (container !== undefined) {
    return finding(
      'credential-exploration',
      `The command prints containers' environment variables (${container.argv.slice(0, 2).join(' ')}), which hold their secrets`,
      'container-environment',
    );
  }
  const indirect = /\$\{![A-Za-z_]\w*\}/.test(raw);
  const listsNames = parsed.commands.some(
    (command) => command.name === 'compgen' && command.argv.some((arg) => /^-\w*[ve]/.test(arg)),
  );
  if (indirect && (listsNames || SECRET_NAME_FILTER.test(raw))) {
    return finding(
      'credential-exploration',
      'The command prints variables by computed name, which reaches every secret in the environment',
      'indirect-expansion',
    );
  }
  return undefined;
}
