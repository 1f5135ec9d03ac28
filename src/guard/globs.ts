/**
 * Glob and brace handling for path checks. The guard sees no filesystem, so a pattern such
 * as `/e?c/shadow` or `~/.p*pass` is tested against a list of well-known credential files
 * instead: a pattern that could match one of them is treated as naming it.
 */
import { HOME_CREDENTIAL_STORES } from './credential-stores.js';

/**
 * Maximum words that the brace lists of one word may expand to. `{a,b}` repeated n times
 * makes 2^n words, so a longer expansion is not made: the word is kept as written, and the
 * shell parser marks the command as unreadable (see {@link braceWordCount}).
 */
export const MAX_BRACE_WORDS = 4096;

/**
 * Maximum words that all brace expansions of one decision may make. The shell parser flags
 * a command line over it, and {@link withBraceBudget} stops the checks' expansions there.
 */
export const MAX_TOTAL_BRACE_WORDS = 16_384;

/** Words that {@link expandBraces} may still make in the current budget. */
let remainingBraceWords = Number.POSITIVE_INFINITY;

/**
 * Runs `run` with a budget of {@link MAX_TOTAL_BRACE_WORDS} expanded words, after which
 * `expandBraces` keeps words as written. `run` must be synchronous, because the budget is
 * module state.
 */
export function withBraceBudget<T>(run: () => T): T {
  const outer = remainingBraceWords;
  remainingBraceWords = MAX_TOTAL_BRACE_WORDS;
  try {
    return run();
  } finally {
    remainingBraceWords = outer;
  }
}

/**
 * Counts, without expanding, an upper bound of the words that the brace lists of `word`
 * expand to: the product of the alternatives of every list, nested ones included. The count
 * stops growing past `MAX_BRACE_WORDS + 1`. Runs in time linear in the word's length.
 */
export function braceWordCount(word: string): number {
  if (!word.includes('{')) {
    return 1;
  }
  const commas: number[] = [];
  let count = 1;
  for (const char of word) {
    if (char === '{') {
      commas.push(0);
    } else if (char === ',' && commas.length > 0) {
      commas[commas.length - 1] = (commas.at(-1) ?? 0) + 1;
    } else if (char === '}' && commas.length > 0) {
      const listCommas = commas.pop() ?? 0;
      count = Math.min(count * (listCommas + 1), MAX_BRACE_WORDS + 1);
    }
  }
  return count;
}

/**
 * Expands bash brace lists (`{a,b}`, nested too) in `word`, as bash does before globbing.
 * Sequences such as `{1..3}` and braces with no comma are kept as written, and so is a word
 * that would expand to more than {@link MAX_BRACE_WORDS} words or past the budget.
 */
export function expandBraces(word: string): string[] {
  const count = braceWordCount(word);
  if (count === 1) {
    return [word];
  }
  if (count > MAX_BRACE_WORDS || count > remainingBraceWords) {
    return [word];
  }
  remainingBraceWords -= count;
  return expandBraceLists(word);
}

function expandBraceLists(word: string): string[] {
  const open = findBraceList(word);
  if (open === undefined) {
    return [word];
  }
  const { start, end, alternatives } = open;
  const prefix = word.slice(0, start);
  const suffix = word.slice(end + 1);
  const result: string[] = [];
  for (const alternative of alternatives) {
    result.push(...expandBraceLists(prefix + alternative + suffix));
  }
  return result;
}

/** Finds the first `{…,…}` list at top level and splits it at its top-level commas. */
function findBraceList(
  word: string,
): { start: number; end: number; alternatives: string[] } | undefined {
  for (let start = word.indexOf('{'); start >= 0; start = word.indexOf('{', start + 1)) {
    let depth = 0;
    const commas: number[] = [];
    for (let index = start; index < word.length; index += 1) {
      const char = word[index];
      if (char === '{') {
        depth += 1;
      } else if (char === '}') {
        depth -= 1;
        if (depth === 0) {
          if (commas.length === 0) {
            break;
          }
          const bounds = [start, ...commas, index];
          const alternatives = bounds
            .slice(0, -1)
            .map((from, at) => word.slice(from + 1, bounds[at + 1]));
          return { start, end: index, alternatives };
        }
      } else if (char === ',' && depth === 1) {
        commas.push(index);
      }
    }
  }
  return undefined;
}

/** Checks whether `text` contains an unquoted glob character (`*`, `?` or `[`). */
export function hasGlob(text: string): boolean {
  return /[*?[]/.test(text);
}

/**
 * Compiles a bash glob over an absolute path into a regular expression. `*` and `?` stay
 * inside one path component and, as in bash without `dotglob`, never match a leading dot.
 */
export function globToRegExp(pattern: string): RegExp {
  const components = pattern.split('/').map((component) => {
    let source = /^[*?[]/.test(component) ? '(?!\\.)' : '';
    for (let index = 0; index < component.length; index += 1) {
      const char = component[index] ?? '';
      if (char === '*') {
        source += '[^/]*';
      } else if (char === '?') {
        source += '[^/]';
      } else if (char === '[') {
        const close = component.indexOf(']', index + 2);
        if (close < 0) {
          source += '\\[';
          continue;
        }
        const body = component.slice(index + 1, close).replace(/^[!^]/, '^');
        // Brackets and backslashes in the body are literal characters of the set.
        source += `[${body.replace(/[\\[\]]/g, '\\$&')}]`;
        index = close;
      } else {
        source += char.replace(/[.+^${}()|\\]/g, '\\$&');
      }
    }
    return source;
  });
  try {
    return new RegExp(`^${components.join('/')}$`);
  } catch {
    // A reversed range such as `[z-a]` matches nothing in bash, and is no valid set here.
    return /(?!)/;
  }
}

/** Well-known credential files under the home folder, as paths relative to it. */
const HOME_CREDENTIAL_FILES = [
  '.ssh/id_rsa',
  '.ssh/id_ed25519',
  '.ssh/id_ecdsa',
  '.ssh/id_dsa',
  '.aws/credentials',
  '.aws/config',
  '.netrc',
  '.pgpass',
  '.my.cnf',
  '.mylogin.cnf',
  '.docker/config.json',
  '.kube/config',
  '.npmrc',
  '.pypirc',
  '.git-credentials',
  '.vault-token',
  '.config/gcloud/application_default_credentials.json',
  '.config/gcloud/credentials.db',
  '.config/gh/hosts.yml',
  '.azure/accessTokens.json',
  '.azure/msal_token_cache.json',
  '.terraform.d/credentials.tfrc.json',
  '.cargo/credentials.toml',
  '.gem/credentials',
  '.composer/auth.json',
  '.gnupg/private-keys-v1.d',
  '.config/sops/age/keys.txt',
  '.keystore',
  '.claude/.credentials.json',
  '.gemini/oauth_creds.json',
  '.config/github-copilot/hosts.json',
  '.codex/auth.json',
  '.config/sandstack/config.yaml',
  '.hex/hex.config',
  // Any tool's token or key file in a dot folder, which CREDENTIAL_PATH matches by its name,
  // so a glob such as `~/.config/**/*token*` counts as reaching one.
  '.config/any-tool/token',
  '.config/any-tool/api_key',
  '.config/any-tool/credentials.json',
  '.config/any-tool/secrets.yml',
  '.local/share/any-tool/auth.json',
];
/** Well-known credential files outside the home folder. */
const SYSTEM_CREDENTIAL_FILES = [
  '/etc/shadow',
  '/etc/gshadow',
  '/etc/sudoers',
  '/root/.ssh/id_rsa',
  '/root/.ssh/id_ed25519',
  '/root/.aws/credentials',
  '/var/run/secrets/kubernetes.io/serviceaccount/token',
  '/run/secrets/kubernetes.io/serviceaccount/token',
  '/proc/self/environ',
  '/proc/1/environ',
];

/** Maximum entries of each cache below. A full cache is cleared, so varied input cannot grow it without end. */
const MAX_CACHED_ENTRIES = 256;
/** {@link credentialFiles} by home folder, usually one or a few per process. */
const credentialFilesByHome = new Map<string, readonly string[]>();
/** {@link globToRegExp} by pattern, so a glob repeated in a session is compiled once. */
const globRegExps = new Map<string, RegExp>();

/** Returns the value cached under `key`, computing and storing it on a miss. */
function cached<T>(cache: Map<string, T>, key: string, build: (key: string) => T): T {
  let value = cache.get(key);
  if (value === undefined) {
    if (cache.size >= MAX_CACHED_ENTRIES) {
      cache.clear();
    }
    value = build(key);
    cache.set(key, value);
  }
  return value;
}

/** Returns the credential file that the absolute glob `pattern` could match, if any. */
export function credentialFileMatching(pattern: string, homeDir: string): string | undefined {
  if (!hasGlob(pattern)) {
    return undefined;
  }
  // The regular expressions have no `g` or `y` flag, so one object serves every test.
  const regex = cached(globRegExps, pattern, globToRegExp);
  return cached(credentialFilesByHome, homeDir, credentialFiles).find((file) => regex.test(file));
}

/** Lists well-known credential files and stores, and the folders that hold only them. */
export function credentialFiles(homeDir: string): string[] {
  const home = homeDir.replace(/\/$/, '');
  return [
    ...[...HOME_CREDENTIAL_FILES, ...HOME_CREDENTIAL_STORES].map((file) => `${home}/${file}`),
    ...SYSTEM_CREDENTIAL_FILES,
  ].flatMap((file) => [file, ...parentsOf(file)]);
}

/** Returns the folders above a credential file that hold nothing else, such as `~/.ssh`. */
function parentsOf(file: string): string[] {
  return /\/\.(?:ssh|aws|kube|docker|gnupg|azure)\/[^/]+$/.test(file)
    ? [file.replace(/\/[^/]+$/, '')]
    : [];
}

/**
 * Secret files a project outside the current one typically holds, as paths under the home
 * folder: env files, TLS keys and certificates, credential and secrets files. A search from the
 * home folder that could match one of these reaches other projects' secrets.
 */
const PROJECT_SECRET_FILES = [
  'code/app/.env',
  'code/app/.env.production',
  'code/app/config/credentials.json',
  'code/app/config/secrets.yml',
  'code/app/certs/server.pem',
  'code/app/certs/server.key',
  'code/app/deploy/id_rsa',
  'code/app/keystore.p12',
];

/** Lists example paths of secret files in other projects under `homeDir`. */
export function projectSecretFiles(homeDir: string): string[] {
  const home = homeDir.replace(/\/$/, '');
  return PROJECT_SECRET_FILES.map((file) => `${home}/${file}`);
}
