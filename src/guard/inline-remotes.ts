/**
 * Pushes to a remote defined on the command line instead of in the repository's config:
 * `git -c remote.x.url=URL push x`, `git push URL`, or `git remote add x URL` followed by
 * `git push x` in one command line. Each sends the code to wherever the URL points, so the
 * user must have named that URL.
 */
import { finding, type Finding } from './findings.js';
import { containsWord } from './named-targets.js';
import type { ParsedShell, SimpleCommand } from './shell.js';
import type { CheckGate } from './check-gates.js';

/** A URL or scp-style address of a git remote, such as `git@host:org/repo.git`. */
const REMOTE_ADDRESS = /^(?:[a-z][a-z0-9+.-]*:\/\/|[\w.-]+@[\w.-]+:)/i;

/** Options of `git` itself that take a value in the next argument. */
const GIT_VALUED = new Set(['-c', '-C', '--git-dir', '--work-tree', '--namespace']);

/** Returns the arguments of a git command after its global options, such as `push x HEAD`. */
function subcommandArgs(command: SimpleCommand): string[] {
  const args = command.argv.slice(1);
  let index = 0;
  while (index < args.length && (args[index] ?? '').startsWith('-')) {
    index += GIT_VALUED.has(args[index] ?? '') ? 2 : 1;
  }
  return args.slice(index);
}

/** Remote URLs set with `-c remote.NAME.url=URL` or `-c remote.NAME.pushurl=URL`, by remote name. */
function inlineRemoteUrls(command: SimpleCommand): Map<string, string> {
  const urls = new Map<string, string>();
  const args = command.argv.slice(1);
  args.forEach((arg, index) => {
    const setting = args[index - 1] === '-c' ? arg : /^-c(.+)$/.exec(arg)?.[1];
    const match = /^remote\.([^.=]+)\.(?:push)?url=(.+)$/i.exec(setting ?? '');
    if (match !== null) {
      urls.set(match[1] ?? '', match[2] ?? '');
    }
  });
  return urls;
}

/** Returns the remote a `git push` names: its first operand, or the value of `--repo`. */
function pushedRemote(args: readonly string[]): string | undefined {
  const repo = args.find((arg) => arg.startsWith('--repo='))?.slice('--repo='.length);
  if (repo !== undefined) {
    return repo;
  }
  const valued = new Set(['-o', '--push-option', '--receive-pack', '--exec']);
  return args.slice(1).find((arg, index) => !arg.startsWith('-') && !valued.has(args[index] ?? ''));
}

/**
 * Checks whether the user's messages name a remote address: the whole address, or its host and
 * its `owner/repo` path as words.
 */
function namesAddress(messages: string, address: string): boolean {
  const trimmed = address.replace(/\.git\/?$/, '').replace(/\/$/, '');
  if (messages.includes(trimmed)) {
    return true;
  }
  const match = /^(?:[a-z][a-z0-9+.-]*:\/\/(?:[^@/]*@)?|[\w.-]+@)([\w.-]+)[:/](.+)$/i.exec(trimmed);
  if (match === null) {
    return false;
  }
  const [, host = '', repoPath = ''] = match;
  return containsWord(messages, host) && messages.includes(repoPath);
}

/** Gate of {@link checkInlineRemotes}, which judges only `git` commands. */
export const INLINE_REMOTES_GATE: CheckGate = { programs: new Set(['git']) };

/** Finds a push to a remote address written into the command line that the user did not name. */
export function checkInlineRemotes(parsed: ParsedShell, messages: string): Finding | undefined {
  const added = new Map<string, string>();
  for (const command of parsed.commands) {
    if (command.name !== 'git') {
      continue;
    }
    const args = subcommandArgs(command);
    if (args[0] === 'remote' && (args[1] === 'add' || args[1] === 'set-url')) {
      const [name, address] = args.slice(2).filter((arg) => !arg.startsWith('-'));
      if (name !== undefined && address !== undefined) {
        added.set(name, address);
      }
      continue;
    }
    if (args[0] !== 'push') {
      continue;
    }
    const remote = pushedRemote(args);
    const inline = inlineRemoteUrls(command);
    const address =
      remote === undefined
        ? undefined
        : REMOTE_ADDRESS.test(remote)
          ? remote
          : (inline.get(remote) ?? added.get(remote));
    // A `file://` remote is a repository on this machine, so nothing leaves it.
    if (
      address !== undefined &&
      !address.startsWith('file://') &&
      !namesAddress(messages, address)
    ) {
      return finding(
        'data-exfiltration',
        `The command pushes to "${address}", a remote written into the command line that no user message names`,
        'inline-remote',
      );
    }
  }
  return undefined;
}
