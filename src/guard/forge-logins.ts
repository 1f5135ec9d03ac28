/**
 * `ssh -T git@github.com`: the documented test of an SSH key against a code forge. The forge's
 * `git` login runs no shell, only prints who the key belongs to, so the call reads and changes
 * nothing on the remote side.
 */
import type { SimpleCommand } from './shell.js';

/** SSH hosts of public code forges whose `git` login only serves git and the greeting. */
const FORGE_SSH_HOSTS = new Set([
  'github.com',
  'ssh.github.com',
  'gitlab.com',
  'altssh.gitlab.com',
  'bitbucket.org',
  'altssh.bitbucket.org',
  'codeberg.org',
  'ssh.dev.azure.com',
]);

/** `-o` settings that only tune the connection; `ProxyCommand` or `LocalCommand` would run programs. */
const SAFE_SSH_SETTING =
  /^(?:StrictHostKeyChecking|BatchMode|IdentitiesOnly|ConnectTimeout|PreferredAuthentications|UserKnownHostsFile|LogLevel|Port)=[\w/.~-]+$/i;

/**
 * Checks whether `command` is `ssh` to the `git` login of a public forge with no remote
 * command, no forwarding and only options that tune the connection: `-T`, `-v`, `-i KEY`,
 * `-p PORT` and harmless `-o` settings.
 */
export function testsForgeLogin(command: SimpleCommand): boolean {
  if (command.name !== 'ssh' || command.dynamic) {
    return false;
  }
  const args = command.argv.slice(1);
  const operands: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (/^-(?:T|v{1,3}|Tv{1,3}|v{1,3}T)$/.test(arg)) {
      continue;
    }
    if (arg === '-i' || arg === '-p') {
      index += 1;
      continue;
    }
    if (arg === '-o') {
      if (!SAFE_SSH_SETTING.test(args[index + 1] ?? '')) {
        return false;
      }
      index += 1;
      continue;
    }
    if (arg.startsWith('-')) {
      return false;
    }
    operands.push(arg);
  }
  const login = /^git@([\w.-]+)$/.exec(operands[0] ?? '');
  return operands.length === 1 && login !== null && FORGE_SSH_HOSTS.has(login[1] ?? '');
}
