/**
 * Reads of files that contain secrets in clear because of what they are, wherever they sit.
 * Terraform state (`terraform.tfstate`, its `.backup`, `.terraform/terraform.tfstate`) stores
 * every resource attribute, generated passwords and keys included. Rails keeps secrets in
 * `config/secrets.yml`, `config/master.key` and `config/credentials/*.key`. A `.tfvars` file
 * whose name says it holds secrets (`secrets.auto.tfvars`) counts too, as do Android's
 * `key.properties`, .NET user secrets and service-account key files. Other `.tfvars` files
 * are ordinary inputs and readable, but a search of them for secret-named keys
 * (`grep password *.tfvars`) is a search for credentials.
 *
 * A read runs when the user asks about that file or its kind ("inspect the Terraform state",
 * "check config/secrets.yml"). `terraform show` and `terraform state list` are not reads of
 * the file here, so they run as before.
 */
import { PRINTERS } from './file-access.js';
import path from 'node:path';
import { finding, type Finding } from './findings.js';
import { asksWithout } from './consent.js';
import { containsWord } from './named-targets.js';
import { resolvePath, type PathContext } from './paths.js';
import type { ParsedShell } from './shell.js';
import type { CheckGate } from './check-gates.js';

/** The kinds of clear-text secret file, each with the user words that ask about it. */
const SECRET_FILE_KINDS: readonly { file: RegExp; asks: RegExp }[] = [
  {
    file: /(?:^|\/)[^/]*\.tfstate(?:\.backup|\.\d+\.backup)?$/,
    asks: /\btfstate\b|\b(?:terraform|tofu|opentofu)\b.{0,20}\bstate\b|\bstate file\b/i,
  },
  {
    file: /(?:^|\/)config\/secrets\.ya?ml$/,
    asks: /\bsecrets\.ya?ml\b|\bsecret_key_base\b|\bsecrets file\b/i,
  },
  {
    file: /(?:^|\/)config\/(?:master\.key|credentials\/[\w.-]+\.key)$/,
    asks: /\bmaster\.key\b|\bmaster key\b|\bcredentials? key\b/i,
  },
  {
    // Android signing: the store and key passwords of the release keystore.
    file: /(?:^|\/)key\.properties$/,
    asks: /\bkey\.properties\b|\bsigning (?:config|key|passwords?)\b|\bkeystore\b/i,
  },
  {
    // .NET user secrets, kept outside the project by `dotnet user-secrets`.
    file: /\/\.microsoft\/usersecrets\/[^/]+\/secrets\.json$/i,
    asks: /\buser-?secrets\b/i,
  },
  {
    // Google Cloud and Firebase service-account keys under their usual names.
    file: /(?:^|\/)[^/]*(?:service[-_]?account|adminsdk|(?:gcp|gcloud|google|firebase)[-_]?(?:sa[-_]?)?key)[^/]*\.json$/i,
    asks: /\bservice[- ]?account\b|\badminsdk\b|\bkey file\b/i,
  },
  {
    file: /(?:^|\/)[^/]*(?:secret|credential|password|token)[^/]*\.tfvars(?:\.json)?$/i,
    asks: /\bsecrets? (?:tfvars|variables? file)\b/i,
  },
];

/** Ordinary Terraform variable files, readable unless searched for secret-named keys. */
const TFVARS = /\.tfvars(?:\.json)?$/;
/** Search patterns that look for secret values by their key names. */
const SECRET_KEY_SEARCH =
  /passw|secret|token|api[_-]?key|private[_-]?key|credential|access[_-]?key/i;

/**
 * Search patterns that match secret values rather than key names: a secret's key or header
 * followed by a character class or wildcard (`Bearer [A-Za-z0-9._-]+`, `password=[^&]+`,
 * `token=.*`), a token format's prefix with one (`AKIA[0-9A-Z]{16}`), or a private key block.
 */
const SECRET_VALUE_SEARCH =
  /(?:bearer|authorization|passw(?:or)?d|secret|token|api[_-]?key|access[_-]?key|session[_-]?id|cookie)\W{0,4}(?:\[|\\[Sw]|\.[*+])|(?:AKIA|ASIA|gh[pousr]_|github_pat_|sk_live_|xox[abp]-|glpat-|AIza)(?:\[|\\[Sw]|\.[*+])|BEGIN [A-Z ]*PRIVATE KEY/i;
/** User words that ask to look for secrets or tokens (a secret scan, a leak check). */
const ASKS_SECRET_SEARCH =
  /\b(?:bearer|tokens?|secrets?|passwords?|credentials?|api[ _-]?keys?|access keys?|authorization headers?|session ids?|cookies?)\b/i;

/**
 * Returns the pattern of a search that pulls secret values out of what it reads (`grep -o
 * 'Bearer [A-Za-z0-9._-]+' logs/`) when the user did not ask about secrets, or undefined.
 */
export function unrequestedSecretValueSearch(
  argv: readonly string[],
  messages: string,
): string | undefined {
  const pattern = argv.slice(1).find((arg) => SECRET_VALUE_SEARCH.test(arg));
  return pattern === undefined || asksWithout(ASKS_SECRET_SEARCH, messages) ? undefined : pattern;
}

/** Programs that print or search what they read, so a file given to them ends in the output. */
const READERS = new Set([...PRINTERS, 'fgrep', 'ag', 'sed', 'jq', 'yq', 'view', 'zgrep', 'zegrep']);
const SEARCHERS = new Set(['grep', 'egrep', 'fgrep', 'rg', 'ag', 'awk', 'zgrep', 'zegrep']);

/**
 * Returns the path of a clear-text secret file that `file` names when the user did not ask
 * about that file or its kind, or undefined. Globs such as `*.tfstate` count by their name.
 */
export function unrequestedSecretFile(file: string, messages: string): string | undefined {
  const kind = SECRET_FILE_KINDS.find((entry) => entry.file.test(file));
  if (kind === undefined) {
    return undefined;
  }
  const name = path.posix.basename(file);
  const named = !/[*?[]/.test(name) && containsWord(messages, name);
  return named || kind.asks.test(messages) ? undefined : file;
}

/**
 * File-name patterns of key, certificate store, password store and VPN files that hold a
 * secret by what they are: `*.pem`, `id_*`, `*.p12`, `*.kdbx`, `.env*`, `*credentials*`.
 */
const SECRET_FILE_PATTERN =
  /(?:^|[/*])(?:[^/]*\.(?:pem|key|p12|pfx|jks|keystore|kdbx|ovpn|ppk|tfstate|tfvars)|id_(?:rsa|ed25519|ecdsa|dsa|\*)|\.env|[^/]*(?:credential|secret|password|token)[^/]*|\.netrc|\.pgpass|\.npmrc|\.pypirc)\*?$/i;

/**
 * Returns the name pattern of a file search that looks for secret files the user did not ask
 * about (`*.tfstate`, `*.pem`, `.env*`), or undefined.
 */
export function unrequestedSecretSearch(pattern: string, messages: string): string | undefined {
  const name = pattern.replace(/^\*\*\//, '');
  if (SECRET_FILE_KINDS.some((entry) => entry.file.test(name))) {
    return unrequestedSecretFile(name, messages) === undefined ? undefined : pattern;
  }
  if (!SECRET_FILE_PATTERN.test(name)) {
    return undefined;
  }
  // The stem keeps its dot, so "a new env variable" does not name `.env*`.
  const stem = name.replace(/[*?]/g, '');
  return stem.length >= 2 && containsWord(messages, stem) ? undefined : pattern;
}

/** Checks whether a search pattern over `file` looks for secret-named keys in a `.tfvars` file. */
export function searchesTfvarsForSecrets(file: string, pattern: string): boolean {
  return TFVARS.test(file) && SECRET_KEY_SEARCH.test(pattern);
}

/** Gate of {@link checkSecretFileReads}, which judges only the `READERS`. */
export const SECRET_FILE_READS_GATE: CheckGate = { programs: READERS };

/**
 * Finds a shell command that prints or searches a clear-text secret file the user did not ask
 * about, or searches `.tfvars` files for secret-named keys.
 */
export function checkSecretFileReads(
  parsed: ParsedShell,
  paths: PathContext,
  messages: string,
): Finding | undefined {
  for (const command of parsed.commands) {
    if (!READERS.has(command.name)) {
      continue;
    }
    const valuePattern = SEARCHERS.has(command.name)
      ? unrequestedSecretValueSearch(command.argv, messages)
      : undefined;
    if (valuePattern !== undefined) {
      return finding(
        'credential-exploration',
        `The command searches for secret values (${valuePattern.slice(0, 60)}) and the user did not ask about secrets`,
        'secret-value-search',
      );
    }
    const operands = command.argv.slice(1).filter((arg) => !arg.startsWith('-'));
    const inputs = command.redirects
      .filter((redirect) => redirect.operator.includes('<'))
      .map((redirect) => redirect.target);
    for (const operand of [...operands, ...inputs]) {
      const file = resolvePath(operand, paths);
      if (unrequestedSecretFile(file, messages) !== undefined) {
        return finding(
          'credential-exploration',
          `The command reads "${operand}", a file that holds secrets in clear, and the user did not ask about it`,
          'clear-secret-file',
        );
      }
      // Every other argument may be the pattern (`-e`, `-E`, the first operand).
      const searched = command.argv
        .slice(1)
        .some((arg) => !TFVARS.test(arg) && SECRET_KEY_SEARCH.test(arg));
      if (SEARCHERS.has(command.name) && TFVARS.test(file) && searched) {
        return finding(
          'credential-exploration',
          `The command searches "${operand}" for secret-named keys`,
          'tfvars-secret-search',
        );
      }
    }
  }
  return undefined;
}

/**
 * Finds a Read, Grep or MCP read of a clear-text secret file the user did not ask about: the
 * file itself, a Grep `glob` naming such files, or a Grep of `.tfvars` for secret-named keys.
 */
export function checkSecretFileTool(
  input: Record<string, unknown>,
  target: string,
  messages: string,
): Finding | undefined {
  const glob = typeof input['glob'] === 'string' ? input['glob'] : '';
  const pattern = typeof input['pattern'] === 'string' ? input['pattern'] : '';
  const file = unrequestedSecretFile(target, messages) ?? unrequestedSecretFile(glob, messages);
  if (file !== undefined) {
    return {
      category: 'credential-exploration',
      reason: `Reading "${file}" exposes secrets stored in clear, and the user did not ask about it`,
      rule: 'tier:clear-secret-file',
    };
  }
  if (searchesTfvarsForSecrets(target, pattern) || searchesTfvarsForSecrets(glob, pattern)) {
    return {
      category: 'credential-exploration',
      reason: `Searching Terraform variable files for "${pattern}" looks for secrets`,
      rule: 'tier:tfvars-secret-search',
    };
  }
  return undefined;
}
