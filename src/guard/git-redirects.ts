/**
 * Git settings that send pushes somewhere other than the remote's usual host while the push
 * still names `origin`: `remote.NAME.url` and `remote.NAME.pushurl`, and `url.BASE.insteadOf`
 * or `pushInsteadOf` rewrites, set with `git config`, `git -c` or the `GIT_CONFIG_KEY_n` and
 * `GIT_CONFIG_VALUE_n` variables. A push after such a setting goes to the new host.
 */
import { finding, type Finding } from './findings.js';
import { configSetting } from './runners.js';
import { isLocalHost, userNamesHost } from './uploads.js';
import type { ParsedShell, SimpleCommand } from './shell.js';

/** Keys whose value is where pushes go: the URL itself, or a rewrite whose base is in the key. */
const REMOTE_URL_KEY = /^remote\.[^=]+\.(?:push)?url$/i;
const REWRITE_KEY = /^url\.(.+)\.(?:push)?insteadof$/i;

/**
 * Finds a git setting that points pushes at a host the user did not name. With a push on the
 * same command line the data leaves (deny); a setting alone redirects later pushes (ask).
 */
export function checkGitRedirects(parsed: ParsedShell, messages: string): Finding | undefined {
  let host: string | undefined;
  for (const command of parsed.commands) {
    if (
      command.name !== 'git' &&
      !command.assignments.some((item) => item.startsWith('GIT_CONFIG_'))
    ) {
      continue;
    }
    for (const setting of settingsOf(command)) {
      const target = redirectHost(setting);
      if (target !== undefined && !isLocalHost(target) && !userNamesHost(messages, target)) {
        host = target;
      }
    }
  }
  if (host === undefined) {
    return undefined;
  }
  const pushes = parsed.commands.some(
    (command) => command.name === 'git' && subcommand(command.argv) === 'push',
  );
  return pushes
    ? finding(
        'data-exfiltration',
        `The command points git's pushes at ${host}, which the user did not name, and then pushes`,
        'git-push-redirect',
      )
    : finding(
        'exfil-scouting',
        `The command points git's pushes at ${host}, which the user did not name, so later pushes go there`,
        'git-remote-redirect',
      );
}

/** Returns the `KEY=VALUE` settings a command makes: `-c`, `git config` and the environment. */
function settingsOf(command: SimpleCommand): string[] {
  const settings: string[] = [];
  if (command.name === 'git') {
    const argv = command.argv;
    for (let index = 1; index < argv.length && (argv[index] ?? '').startsWith('-'); index += 1) {
      if (argv[index] === '-c') {
        settings.push(argv[index + 1] ?? '');
        index += 1;
      }
    }
    settings.push(...configSetting(argv));
  }
  const variables = new Map(
    command.assignments.map((item) => {
      const equals = item.indexOf('=');
      return [item.slice(0, equals), item.slice(equals + 1)] as const;
    }),
  );
  for (const [name, key] of variables) {
    const number = /^GIT_CONFIG_KEY_(\d+)$/.exec(name)?.[1];
    if (number !== undefined) {
      settings.push(`${key}=${variables.get(`GIT_CONFIG_VALUE_${number}`) ?? ''}`);
    }
  }
  return settings;
}

/** Returns the host a redirecting setting sends pushes to, or undefined for other settings. */
function redirectHost(setting: string): string | undefined {
  const equals = setting.indexOf('=');
  const key = equals < 0 ? setting : setting.slice(0, equals);
  const value = equals < 0 ? '' : setting.slice(equals + 1);
  if (REMOTE_URL_KEY.test(key)) {
    return urlHost(value);
  }
  const base = REWRITE_KEY.exec(key)?.[1];
  return base === undefined ? undefined : urlHost(base);
}

/** Returns the host of a git URL: `https://host/…`, `ssh://user@host/…` or `user@host:path`. */
export function urlHost(url: string): string | undefined {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^/:?#]+)/i.exec(url);
  if (scheme !== null) {
    return scheme[1]?.toLowerCase();
  }
  const scp = /^(?:[^@/:]+@)?([^/:]+):(?!\/\/)/.exec(url);
  return scp?.[1]?.toLowerCase();
}

/** Git's subcommand after its global options, such as `push` in `git -C dir push`. */
function subcommand(argv: readonly string[]): string | undefined {
  for (let index = 1; index < argv.length; index += 1) {
    const arg = argv[index] ?? '';
    if (arg === '-c' || arg === '-C' || arg === '--git-dir' || arg === '--work-tree') {
      index += 1;
    } else if (!arg.startsWith('-')) {
      return arg;
    }
  }
  return undefined;
}
