/**
 * Writes outside the project that are the usual way to do what the user asked: the step files
 * a CI runner reads back (`$GITHUB_ENV`, `$GITHUB_OUTPUT`), the host keys of a host the
 * user names, appended to `~/.ssh/known_hosts`, and a shell hook the user requests.
 */
import { containsWord } from './named-targets.js';
import type { Redirect, SimpleCommand } from './shell.js';
import { appendsRequestedShellHook } from './user-config.js';

/**
 * Files a GitHub Actions step writes to pass values to later steps or to the job summary.
 * `$GITHUB_PATH` is left out because it changes which programs later steps run.
 */
const CI_STEP_FILE = /^\$\{?GITHUB_(?:ENV|OUTPUT|STEP_SUMMARY|STATE)\}?$/;

/** Requests that cover adding a host key: naming the file, the key or trusting the host. */
const HOST_KEY_REQUEST =
  /\bknown_hosts\b|\bhost ?keys?\b|\bfingerprints?\b|\btrust\w*\b|host key verification/i;

/** Checks whether `redirect` appends the host keys of hosts the user named to the known_hosts file. */
function appendsNamedHostKeys(
  command: SimpleCommand,
  redirect: Redirect,
  homeDir: string,
  messages: string,
): boolean {
  if (
    command.name !== 'ssh-keyscan' ||
    redirect.operator !== '>>' ||
    redirect.target !== `${homeDir.replace(/\/$/, '')}/.ssh/known_hosts` ||
    command.dynamic ||
    command.wrappers.length > 0
  ) {
    return false;
  }
  const args = command.argv.slice(1);
  const hosts = args.filter(
    (arg, index) =>
      !arg.startsWith('-') && !['-t', '-p', '-T', '-f'].includes(args[index - 1] ?? ''),
  );
  return (
    !args.includes('-f') &&
    hosts.length > 0 &&
    hosts.every((host) => containsWord(messages, host)) &&
    HOST_KEY_REQUEST.test(messages)
  );
}

/**
 * Checks whether an output redirect of `command` writes a file that the user's request plainly
 * covers, so the write-target checks skip it. Secrets echoed into such a file are still found
 * by the rules on the command's text.
 */
export function isRequestedWrite(
  command: SimpleCommand,
  redirect: Redirect,
  homeDir: string,
  messages: string,
): boolean {
  return (
    CI_STEP_FILE.test(redirect.target) ||
    appendsNamedHostKeys(command, redirect, homeDir, messages) ||
    appendsRequestedShellHook(command, redirect, homeDir, messages)
  );
}
