/**
 * `gh secret set NAME` of the current repository: with no `--repo`, `--org`, `--user` or
 * `--env`, gh stores the secret in the Actions (or Dependabot or Codespaces) secrets of the
 * repository the working folder belongs to. The value comes from `--body` or standard input.
 */
import { requestsVerb } from './consent.js';
import { containsWord } from './named-targets.js';
import type { SimpleCommand } from './shell.js';

/** Options that set the value or the secret's app, the only ones a repository secret may carry. */
const VALUE_OPTIONS = new Set(['-b', '--body', '-a', '--app']);
const APPS = new Set(['actions', 'dependabot', 'codespaces']);
const SET_VERBS = 'set|add|adds|added|create|store|put|save|copy|update|configure|rotate';

/** Returns whether `command` is `gh secret set` or `gh secret delete`, with any options. */
export function isGhSecretWrite(command: SimpleCommand): boolean {
  return (
    command.name === 'gh' &&
    command.argv[1] === 'secret' &&
    (command.argv[2] === 'set' || command.argv[2] === 'delete')
  );
}

/**
 * Returns the secret name of `gh secret set NAME` on the current repository. It returns
 * undefined when the command names another repository or scope or has an option other than
 * the value and app, and when a command substitution or a file redirect supplies the value.
 */
export function currentRepoSecretName(command: SimpleCommand): string | undefined {
  if (!isGhSecretWrite(command) || command.argv[2] !== 'set') {
    return undefined;
  }
  const names: string[] = [];
  const args = command.argv.slice(3);
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (!arg.startsWith('-')) {
      names.push(arg);
      continue;
    }
    const [option = arg, inline] = arg.startsWith('--') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const value = inline ?? args[index + 1];
    if (!VALUE_OPTIONS.has(option) || value === undefined) {
      return undefined;
    }
    if ((option === '-a' || option === '--app') && !APPS.has(value)) {
      return undefined;
    }
    index += inline === undefined ? 1 : 0;
  }
  const readsFile = command.redirects.some(
    (redirect) => redirect.operator.includes('<') && redirect.target !== '/dev/stdin',
  );
  if (names.length !== 1 || readsFile || /\$\(|`/.test(command.text)) {
    return undefined;
  }
  return names[0];
}

/**
 * Checks that `gh secret set NAME` stores a secret of the current repository that a request
 * names: a clause with a verb to set, add or copy it that names `NAME`.
 */
export function setsRequestedRepoSecret(command: SimpleCommand, messages: string): boolean {
  const name = currentRepoSecretName(command);
  return (
    name !== undefined &&
    /^[A-Za-z_]\w*$/.test(name) &&
    requestsVerb(SET_VERBS, messages).some((request) => containsWord(request, name))
  );
}

/**
 * Checks whether `gh secret set|delete` names with `-R` or `--repo` a repository that no user
 * message names, by its full `OWNER/REPO` or its repository name alone.
 */
export function setsSecretOfUnnamedRepo(command: SimpleCommand, messages: string): boolean {
  if (!isGhSecretWrite(command)) {
    return false;
  }
  const args = command.argv.slice(3);
  const repos = args.flatMap((arg, index) => {
    if (arg === '-R' || arg === '--repo') {
      return [args[index + 1] ?? ''];
    }
    const inline = /^(?:--repo=|-R)(.+)$/.exec(arg)?.[1];
    return inline === undefined ? [] : [inline];
  });
  return repos.some(
    (repo) => !containsWord(messages, repo) && !containsWord(messages, repo.replace(/^.*\//, '')),
  );
}
