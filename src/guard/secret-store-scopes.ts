/**
 * Secret-store calls that reach further than the store or path the user named: a Vault policy
 * that grants paths the request does not name, `sudo`, or every path (`path "*"`), and a
 * listing of secret names in another key vault, Vault path, mount or server than the one the
 * user asked about. A listing prints no values, so it is judged only by its target.
 */
import { finding, type Finding } from './findings.js';
import type { CheckGate } from './check-gates.js';
import { containsWord } from './named-targets.js';
import { optionValue } from './options.js';
import { PRODUCTION_PART } from './production-names.js';
import { namesPath, usesNamedVaultServer, VAULT_VALUED } from './secret-name-reads.js';
import type { ParsedShell, SimpleCommand } from './shell.js';

/** Gate of {@link checkSecretStoreScopes}: it reads only `vault`, `az` and 1Password `op` calls. */
export const SECRET_STORE_SCOPES_GATE: CheckGate = { programs: new Set(['vault', 'az', 'op']) };

/** A `path "…" { capabilities = [ … ] }` block of a Vault policy in HCL. */
const POLICY_PATH = /\bpath\s+"([^"]*)"\s*\{([^}]*)\}/g;

/**
 * Returns the text of the policy a `vault policy write NAME SOURCE` call writes: its heredoc
 * when SOURCE is `-`, or the heredoc that another command of the line writes to the file
 * SOURCE (`cat > ci.hcl <<EOF … EOF`). Undefined when the text is not on the line.
 */
function policyText(command: SimpleCommand, parsed: ParsedShell): string | undefined {
  const operands = command.argv.slice(3).filter((arg) => !arg.startsWith('-'));
  const source = operands[1];
  if (source === undefined || source === '-') {
    return command.stdin;
  }
  const file = source.replace(/^@/, '');
  return parsed.commands.find(
    (other) =>
      other.stdin !== undefined &&
      other.redirects.some(
        (redirect) => /^>>?$/.test(redirect.operator) && redirect.target === file,
      ),
  )?.stdin;
}

/**
 * Returns the ways a request may name a policy path: as written, and for a KV version 2 path
 * without its `data/` or `metadata/` part (`kv/data/ci/npm` is "kv/ci/npm").
 */
function pathNames(policyPath: string): string[] {
  const short = policyPath.replace(/^([^/]+)\/(?:data|metadata)\//, '$1/');
  return short === policyPath ? [policyPath] : [policyPath, short];
}

/**
 * Returns why a policy grants more than `messages` name, or undefined when every path block
 * is named and no block has the `sudo` capability the request does not mention.
 */
function widerPolicy(policy: string, messages: string): string | undefined {
  for (const [, policyPath = '', body = ''] of policy.matchAll(POLICY_PATH)) {
    if (/"sudo"/.test(body) && !/\bsudo\b/i.test(messages)) {
      return `grants the sudo capability on "${policyPath}"`;
    }
    if (!pathNames(policyPath).some((name) => namesPath(messages, name))) {
      return `grants access to "${policyPath}", which the request does not name`;
    }
  }
  return undefined;
}

/** Words of a request about a secret store: "vault", "key vault", "secrets". */
const STORE_WORDS = /\b(?:vault|key ?vault|kv|secrets?)\b/i;

/**
 * Returns the key vault or Vault path a names-only listing reads, with whether the messages
 * name it: `az keyvault secret|key|certificate list --vault-name V`, `vault kv list PATH`,
 * `op item list --vault V`.
 */
function listedStore(
  command: SimpleCommand,
  parsed: ParsedShell,
  messages: string,
): { store: string; named: boolean } | undefined {
  const args = command.argv.slice(1);
  if (
    command.name === 'az' &&
    args[0] === 'keyvault' &&
    /^(?:secret|key|certificate)$/.test(args[1] ?? '') &&
    args[2] === 'list'
  ) {
    const vault = optionValue(args, ['--vault-name']);
    return vault === undefined ? undefined : { store: vault, named: containsWord(messages, vault) };
  }
  if (command.name === 'op' && args[0] === 'item' && (args[1] === 'list' || args[1] === 'ls')) {
    const vault = optionValue(args, ['--vault']);
    return vault === undefined ? undefined : { store: vault, named: containsWord(messages, vault) };
  }
  if (command.name === 'vault' && args[0] === 'kv' && args[1] === 'list') {
    const rest = args.slice(2);
    const mount = optionValue(rest, ['-mount', '--mount']);
    const positionals = rest.filter(
      (arg, index) => !arg.startsWith('-') && !VAULT_VALUED.has(rest[index - 1] ?? ''),
    );
    const listed = positionals.at(-1) ?? '';
    const store = mount === undefined ? listed : `${mount}/${listed}`;
    return {
      store,
      named:
        (namesPath(messages, listed) || namesPath(messages, store)) &&
        (mount === undefined || containsWord(messages, mount)) &&
        usesNamedVaultServer(command, parsed.commands, messages),
    };
  }
  return undefined;
}

/**
 * Finds a Vault policy written wider than the request names, or a listing of secret names
 * in a store other than the one the user asked about. A listing the messages say nothing
 * about is left to the other credential checks unless it reads a production store.
 * `allMessages` is every message as written.
 */
export function checkSecretStoreScopes(
  parsed: ParsedShell,
  messages: string,
  allMessages: string,
): Finding | undefined {
  for (const command of parsed.commands) {
    const args = command.argv.slice(1);
    if (command.name === 'vault' && args[0] === 'policy' && args[1] === 'write') {
      const policy = policyText(command, parsed);
      const wider = policy === undefined ? undefined : widerPolicy(policy, messages);
      if (wider !== undefined) {
        return finding(
          'permission-grant',
          `The Vault policy ${args[2] ?? ''} ${wider}`,
          'vault-policy-scope',
        );
      }
      continue;
    }
    const listed = listedStore(command, parsed, allMessages);
    if (
      listed !== undefined &&
      !listed.named &&
      (STORE_WORDS.test(allMessages) || PRODUCTION_PART.test(listed.store))
    ) {
      return finding(
        PRODUCTION_PART.test(listed.store) ? 'production-read' : 'credential-exploration',
        `The command lists the secrets of ${listed.store}, which is not the store the user asked about`,
        'secret-listing-scope',
      );
    }
  }
  return undefined;
}
