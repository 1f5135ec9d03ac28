/**
 * `gh secret set NAME` of the current repository: with no `--repo`, `--org`, `--user` or
 * `--env`, gh stores the secret in the Actions (or Dependabot or Codespaces) secrets of the
 * repository the working folder belongs to. The value comes from `--body` or standard input.
 */
import { requestsVerb } from './consent.js';
import { containsWord } from './named-targets.js';
import { optionValue } from './options.js';
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
  return /\$\(|`/.test(command.text) ? undefined : repoSecretSetName(command);
}

/**
 * Returns the secret name of `gh secret set NAME` on the current repository, whatever gives
 * its value, as {@link currentRepoSecretName} reads it otherwise.
 */
function repoSecretSetName(command: SimpleCommand): string | undefined {
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
  if (names.length !== 1 || readsFile) {
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

/** A project env file such as `.env.test` or `config/.env.staging`, with no absolute, home or parent path. */
export const PROJECT_ENV_FILE = /^(?:[\w.-]+\/)*\.env(?:\.[\w-]+)?$/;

/** `cut` options, joined with no space, that print the text after a line's first `=`. */
const CUT_VALUE = new Set(['-d=-f2', '-d=-f2-', '-f2-d=', '-f2--d=']);

/**
 * Returns the env file from which the commands of a `$(…)` value read the one variable
 * `name` and nothing else: `grep NAME FILE | cut -d= -f2` (grep may anchor the pattern with
 * `^` and end it with `=`) or `sed -n 's/^NAME=//p' FILE`. Any other command, option or
 * redirect returns undefined.
 */
function envFileOfValue(values: readonly SimpleCommand[], name: string): string | undefined {
  const [reader, cutter, ...rest] = values;
  if (reader === undefined || rest.length > 0) {
    return undefined;
  }
  if (values.some((each) => each.redirects.length > 0 || each.via.join(' ') !== '$()')) {
    return undefined;
  }
  const args = reader.argv.slice(1);
  let file: string | undefined;
  if (reader.name === 'grep' && args.length === 2 && cutter?.name === 'cut') {
    const pattern = new RegExp(String.raw`^\^?${name}=?$`);
    // `-d= -f2`, `-d '=' -f 2-` and `-f2 -d=` all print the text after the first `=`.
    const cut = cutter.argv.slice(1).join('');
    file = pattern.test(args[0] ?? '') && CUT_VALUE.has(cut) ? args[1] : undefined;
  } else if (reader.name === 'sed' && args.length === 3 && cutter === undefined) {
    file = args[0] === '-n' && args[1] === `s/^${name}=//p` ? args[2] : undefined;
  }
  return file !== undefined && PROJECT_ENV_FILE.test(file) ? file : undefined;
}

/**
 * Checks that `gh secret set NAME --body "$(…)"` stores in the current repository the value of
 * `NAME` read from a project env file. A request to set or add the secret must name the file
 * and name or describe the secret: "add the Stripe test key as a repo secret from .env.test"
 * describes `STRIPE_TEST_KEY` by every word of its name.
 */
export function setsRepoSecretFromNamedEnvFile(
  command: SimpleCommand,
  commands: readonly SimpleCommand[],
  messages: string,
): boolean {
  const name = repoSecretSetName(command);
  if (name === undefined || !/^[A-Za-z_]\w*$/.test(name) || command.via.length > 0) {
    return false;
  }
  const body = optionValue(command.argv.slice(3), ['-b', '--body']);
  const values = commands.filter((other) => other.via.length > 0);
  const file = envFileOfValue(values, name);
  if (body === undefined || !/^\$\([^()]*\)$/.test(body.trim()) || file === undefined) {
    return false;
  }
  const described = name
    .toLowerCase()
    .split('_')
    .filter((word) => word !== '')
    .every((word) => containsWord(messages, word));
  return (
    (containsWord(messages, name) || described) &&
    requestsVerb(SET_VERBS, messages).some((request) => containsWord(request, file))
  );
}
