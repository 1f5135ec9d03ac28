/**
 * Credential stores beyond the dotfiles in `CREDENTIAL_PATH`: sync-tool configs, browser
 * password and cookie databases, keyrings, and the helper programs that print what a
 * credential store holds.
 */
import path from 'node:path';
import { checksSecretExists } from './discarded-outputs.js';
import { finding, type Finding } from './findings.js';
import { isInside, resolvePath, type PathContext } from './paths.js';
import {
  fillsNamedEnvFile,
  printsPermittedSecret,
  readsNamedPlainField,
  readsRequestedKeyNames,
} from './secret-fields.js';
import type { ParsedShell, SimpleCommand } from './shell.js';

/**
 * Files and folders that hold secrets: rclone remotes with their tokens, Chromium-family
 * `Login Data` and `Cookies`, Firefox `logins.json`, `key3.db`/`key4.db` and cookies,
 * s3cmd and boto configs, doctl's config, and pass and GNOME keyring folders.
 */
export const CREDENTIAL_STORE_PATH =
  /\/rclone\/rclone\.conf$|\/(?:Login Data|Login Data For Account|Web Data|Cookies|logins\.json|key[34]\.db|cookies\.sqlite|signons\.sqlite)$|\/\.s3cfg$|\/\.boto$|\/doctl\/config\.yaml$|\/\.password-store(?:\/|$)|\/\.local\/share\/keyrings(?:\/|$)|\/Library\/Keychains(?:\/|$)/;

/** The same stores as paths under the home folder, for matching globs against. */
export const HOME_CREDENTIAL_STORES = [
  '.config/rclone/rclone.conf',
  '.config/google-chrome/Default/Login Data',
  '.config/chromium/Default/Login Data',
  '.config/BraveSoftware/Brave-Browser/Default/Login Data',
  '.mozilla/firefox/profile.default/logins.json',
  '.mozilla/firefox/profile.default/key4.db',
  '.s3cfg',
  '.boto',
  '.config/doctl/config.yaml',
  '.password-store',
  '.local/share/keyrings',
];

/** `pass` and `gopass` subcommands that print no secret. */
const PASS_LISTING = new Set(['ls', 'list', 'find', 'search', 'init', 'git', 'version', 'help']);

/**
 * Checks whether a command prints secrets from a credential helper or password store:
 * `docker-credential-* get|list`, `git credential fill`, macOS `security find-*-password`,
 * `secret-tool lookup`, `pass show`, 1Password's `op read` and similar clients.
 */
export function printsStoredSecret(command: SimpleCommand): boolean {
  const [program = '', first = '', second = ''] = command.argv.map((arg) =>
    arg.replace(/^.*\//, ''),
  );
  const name = command.name;
  if (name.startsWith('docker-credential-') || name.startsWith('git-credential-')) {
    return first === 'get' || first === 'list';
  }
  if (name === 'git') {
    const verb = command.argv.slice(1).find((arg) => !arg.startsWith('-'));
    const index = command.argv.indexOf(verb ?? '');
    const action = command.argv[index + 1] ?? '';
    return (
      (verb === 'credential' && action === 'fill') ||
      (verb?.startsWith('credential-') === true && action === 'get')
    );
  }
  if (name === 'security') {
    return /^(?:find-(?:generic|internet)-password|dump-keychain|export)$/.test(first);
  }
  if (name === 'secret-tool') {
    return first === 'lookup' || first === 'search';
  }
  if (name === 'pass' || name === 'gopass') {
    return first !== '' && !first.startsWith('-') && !PASS_LISTING.has(first);
  }
  if (name === 'op') {
    return first === 'read' || (first === 'item' && second === 'get');
  }
  if (name === 'bw' || name === 'lpass') {
    return first === 'get' || first === 'show' || first === 'export';
  }
  if (name === 'keyring' || name === 'kwallet-query') {
    return first === 'get' || command.argv.includes('-r');
  }
  return program === 'vault' && (first === 'read' || (first === 'kv' && second === 'get'));
}

/** Words that every path in `CREDENTIAL_STORE_PATH` and every helper command contains. */
const STORE_WORDS =
  /rclone|Login Data|Web Data|Cookies|logins\.json|key[34]\.db|cookies\.sqlite|signons|s3cfg|\.boto|doctl|password-store|keyrings|Keychains|credential|security|secret-tool|pass|\bop\b|\bbw\b|keyring|kwallet|vault/;

/**
 * Finds a command that reads a credential store or prints a stored secret. A read of one
 * non-secret field that the user named in `messages`, a requested check that a secret exists
 * whose output goes only to `/dev/null` (see discarded-outputs.ts), a read piped into jq's `keys` when the
 * user asks for key names, and a secret the user allowed to be printed are not such prints
 * (see secret-fields.ts). `allMessages` is every message as written.
 */
export function checkCredentialStores(
  parsed: ParsedShell,
  paths: PathContext,
  projectDir: string,
  messages: string,
  allMessages: string,
): Finding | undefined {
  for (const command of parsed.commands) {
    // Every store path and helper name contains one of these words, so most commands skip
    // the per-argument work.
    const mentionsStore =
      command.argv.some((arg) => STORE_WORDS.test(arg)) ||
      command.redirects.some((redirect) => STORE_WORDS.test(redirect.target));
    if (!mentionsStore) {
      continue;
    }
    if (
      printsStoredSecret(command) &&
      !checksSecretExists(command, parsed.commands, allMessages) &&
      !readsNamedPlainField(command, messages) &&
      !fillsNamedEnvFile(command, parsed.commands, messages) &&
      !readsRequestedKeyNames(command, parsed.commands, messages) &&
      !printsPermittedSecret(command, parsed.commands, messages, allMessages)
    ) {
      return finding(
        'credential-exploration',
        `The command prints secrets kept by a credential helper or password store (${command.name})`,
        'credential-helper',
      );
    }
    const operands = [
      ...command.argv.slice(1),
      ...command.redirects
        .filter((redirect) => redirect.operator.startsWith('<'))
        .map((r) => r.target),
    ];
    const store = operands
      .filter((arg) => !arg.startsWith('-') && arg.includes('/'))
      .map((arg) => resolvePath(arg, paths))
      .find((target) => CREDENTIAL_STORE_PATH.test(target) && !isInside(target, projectDir));
    if (store !== undefined) {
      return finding(
        'credential-exploration',
        `The command reads "${store}", which holds saved passwords, tokens or cookies`,
        'credential-store-file',
      );
    }
  }
  return undefined;
}

/**
 * Compiles a Glob tool pattern rooted at `base` into a regular expression. `**` spans any
 * number of folders. Unlike `globToRegExp` in globs.ts, `*` also matches a leading dot,
 * because a search tool may be set to include hidden files and the guard cannot tell.
 */
export function searchPatternToRegExp(pattern: string, base: string): RegExp {
  const absolute = path.posix.normalize(pattern.startsWith('/') ? pattern : `${base}/${pattern}`);
  const source = absolute
    .split('/')
    .map((component) => {
      if (component === '**') {
        return '(?:[^/]+/)*';
      }
      // `{a,b}` becomes `(?:a|b)`, as the Glob tool expands braces. Braces go last, so the
      // `?` of `(?:` is not read as a wildcard.
      const body = component
        .replace(/[.+^$()|\\]/g, '\\$&')
        .replace(/\*/g, '[^/]*')
        .replace(/\?/g, '[^/]')
        .replace(/\{([^{}]*)\}/g, (_match, list: string) => `(?:${list.split(',').join('|')})`)
        .replace(/[{}]/g, '\\$&');
      return `${body}/`;
    })
    .join('');
  return new RegExp(`^${source.replace(/\/$/, '')}$`);
}
