/**
 * Reads remote calls that change one named setting of one named resource, as resource
 * actions (see resource-actions.ts): a collaborator added to a repository at a permission
 * level, a repository's visibility, and one application setting or variable set to a value.
 * `gh api` calls are read by their method and REST path, so `gh api -X PUT
 * repos/O/R/collaborators/U` is the same action as the CLI command that adds a collaborator.
 */
import type { ResourceAction } from './resource-actions.js';

/**
 * Words a request uses for each repository permission level that a collaborator may be given
 * without asking: GitHub's `pull`, `triage` and `push`. `maintain` and `admin` change who
 * controls the repository, so they are not covered.
 */
const PERMISSION_WORDS: Readonly<Record<string, string[]>> = {
  pull: ['read', 'pull', 'read-only'],
  triage: ['triage'],
  push: ['write', 'push'],
};

/** Organization or team roles that only make the user a member. */
const MEMBER_ROLES = new Set(['member']);

/** A repository named by its owner and name, as a REST path has it. */
const REPO = String.raw`([\w.-]+)\/([\w.-]+)`;
const COLLABORATOR_PATH = new RegExp(`^/?repos/${REPO}/collaborators/([\\w-]+)$`);
const REPO_PATH = new RegExp(`^/?repos/${REPO}$`);
const MEMBERSHIP_PATH = /^\/?orgs\/([\w.-]+)\/(?:teams\/([\w.-]+)\/)?memberships\/([\w-]+)$/;

/** Visibility values of a repository, by the field or option that sets them. */
const VISIBILITIES = new Set(['public', 'private', 'internal']);

/** A `gh api` call read as its method, path and `-f`/`-F` fields. */
interface RestCall {
  method: string;
  path: string;
  fields: Map<string, string>;
}

/**
 * Reads the words after `gh api` as one REST call. Returns undefined for GraphQL, for a body
 * read from a file or standard input (`--input`, `-F key=@file`), for any other option, and
 * for a call without an explicit method, whose method depends on its fields.
 */
function restCall(args: readonly string[]): RestCall | undefined {
  let method: string | undefined;
  let path: string | undefined;
  const fields = new Map<string, string>();
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    const value = args[index + 1] ?? '';
    if (arg === '-X' || arg === '--method') {
      method = value.toUpperCase();
      index += 1;
    } else if (['-f', '-F', '--field', '--raw-field'].includes(arg)) {
      const equals = value.indexOf('=');
      if (equals <= 0 || (arg !== '-f' && arg !== '--raw-field' && value.includes('=@'))) {
        return undefined;
      }
      fields.set(value.slice(0, equals), value.slice(equals + 1));
      index += 1;
    } else if (arg === '--silent') {
      continue;
    } else if (arg.startsWith('-') || path !== undefined) {
      return undefined;
    } else {
      path = arg;
    }
  }
  if (method === undefined || path === undefined || path === 'graphql') {
    return undefined;
  }
  return { method, path, fields };
}

/** Returns the names that stand for a repository: `owner/name` and its bare name. */
function repoNames(owner: string, name: string): string[] {
  return [`${owner}/${name}`, name];
}

/** Checks that every field of a call is one of `allowed`. */
function onlyFields(fields: ReadonlyMap<string, string>, allowed: readonly string[]): boolean {
  return [...fields.keys()].every((name) => allowed.includes(name));
}

/**
 * Reads a `gh api` REST call: `PUT repos/O/R/collaborators/U -f permission=push` adds `U` to
 * `O/R` with write access, `PUT orgs/O/memberships/U -f role=member` (or a team's membership)
 * adds a member, and `PATCH repos/O/R -f visibility=public` changes the visibility. A
 * collaborator with no `permission` field gets GitHub's default, `push`. Other paths, methods
 * and fields are not covered.
 */
export function ghRestAction(args: readonly string[]): ResourceAction | undefined {
  const call = restCall(args);
  if (call === undefined) {
    return undefined;
  }
  const { method, path, fields } = call;
  const collaborator = COLLABORATOR_PATH.exec(path);
  if (collaborator !== null && method === 'PUT' && onlyFields(fields, ['permission'])) {
    const [, owner = '', name = '', user = ''] = collaborator;
    const permission = fields.get('permission') ?? 'push';
    const level = PERMISSION_WORDS[permission];
    const others = Object.entries(PERMISSION_WORDS)
      .filter(([key]) => key !== permission)
      .flatMap(([, words]) => words);
    return level === undefined
      ? undefined
      : {
          verb: 'grant',
          targets: [[user], repoNames(owner, name)],
          scope: [],
          level: { names: level, others: [...others, 'maintain', 'admin'] },
        };
  }
  const membership = MEMBERSHIP_PATH.exec(path);
  if (membership !== null && method === 'PUT' && onlyFields(fields, ['role'])) {
    const [, org = '', team, user = ''] = membership;
    return MEMBER_ROLES.has(fields.get('role') ?? 'member')
      ? { verb: 'grant', targets: [[user], [team ?? org]], scope: team === undefined ? [] : [org] }
      : undefined;
  }
  const repo = REPO_PATH.exec(path);
  const visibility = fields.get('visibility');
  if (
    repo !== null &&
    method === 'PATCH' &&
    fields.size === 1 &&
    visibility !== undefined &&
    VISIBILITIES.has(visibility)
  ) {
    const [, owner = '', name = ''] = repo;
    return { verb: 'set', targets: [repoNames(owner, name), [visibility]], scope: [] };
  }
  return undefined;
}

/**
 * Reads `gh repo edit OWNER/NAME --visibility VALUE [--accept-visibility-change-consequences]`:
 * the request must name the repository and the new visibility. The current repository (no
 * name) and every other option are not covered.
 */
export function ghRepoVisibilityAction(args: readonly string[]): ResourceAction | undefined {
  const [noun, verb, name, ...rest] = args;
  if (noun !== 'repo' || verb !== 'edit' || name === undefined || !name.includes('/')) {
    return undefined;
  }
  let visibility: string | undefined;
  for (let index = 0; index < rest.length; index += 1) {
    const arg = rest[index] ?? '';
    if (arg === '--visibility') {
      visibility = rest[index + 1];
      index += 1;
    } else if (arg.startsWith('--visibility=')) {
      visibility = arg.slice('--visibility='.length);
    } else if (arg !== '--accept-visibility-change-consequences') {
      return undefined;
    }
  }
  if (visibility === undefined || !VISIBILITIES.has(visibility)) {
    return undefined;
  }
  const [owner = '', repo = ''] = name.split('/');
  return { verb: 'set', targets: [repoNames(owner, repo), [visibility]], scope: [] };
}

/**
 * Setting names that hold credentials or endpoints: a value given for them is a secret or
 * where data goes, which a request to set a flag does not cover.
 */
const SECRET_SETTING = /key|token|secret|passw|pwd|credential|auth|cert|conn|url|uri|dsn|host/i;
const ON_VALUES = /^(?:on|true|1|yes|enabled?)$/i;
const OFF_VALUES = /^(?:off|false|0|no|disabled?)$/i;

/** A resource name the guard can compare with a request. */
const PLAIN = /^[\w.-]+$/;

/** Words a request uses for an application whose settings it changes. */
const APP_KIND = /\b(?:web ?apps?|function ?apps?|apps?|sites?|services?|resource groups?)\b/i;

/**
 * Reads one setting given as `NAME=VALUE`, with a plain name and value that are not a
 * credential or an endpoint. A switch value (`on`, `true`, `off`...) is asked for by turning
 * the setting on or off ("turn FLAG on", "disable FLAG"), any other value by naming it.
 */
function settingAction(setting: string): Pick<ResourceAction, 'verb' | 'targets'> | undefined {
  const match = /^([A-Za-z_][\w.-]*)=([\w.-]{1,40})$/.exec(setting);
  if (match === null) {
    return undefined;
  }
  const [, name = '', value = ''] = match;
  if (SECRET_SETTING.test(name)) {
    return undefined;
  }
  if (ON_VALUES.test(value)) {
    return { verb: 'activate', targets: [[name]] };
  }
  if (OFF_VALUES.test(value)) {
    return { verb: 'deactivate', targets: [[name]] };
  }
  return { verb: 'set', targets: [[name], [value]] };
}

/**
 * Reads `az webapp|functionapp config appsettings set -g GROUP -n APP --settings NAME=VALUE`:
 * one setting of one app. The request must name the setting and its value, and name or
 * describe the app and its resource group ("the staging web app" for `acme-web-staging` in
 * `rg-staging`). Several settings, slots, files and every other option are not covered.
 */
export function azAppSettingAction(args: readonly string[]): ResourceAction | undefined {
  const [kind, config, settingsWord, verb] = args;
  if (
    (kind !== 'webapp' && kind !== 'functionapp') ||
    config !== 'config' ||
    settingsWord !== 'appsettings' ||
    verb !== 'set'
  ) {
    return undefined;
  }
  const values = new Map<string, string[]>();
  const rest = args.slice(4);
  for (let index = 0; index < rest.length; index += 1) {
    const arg = rest[index] ?? '';
    const option = ['-g', '--resource-group', '-n', '--name', '--settings', '--subscription'];
    if (!option.includes(arg)) {
      return undefined;
    }
    values.set(arg, [...(values.get(arg) ?? []), rest[index + 1] ?? '']);
    index += 1;
  }
  const settings = values.get('--settings') ?? [];
  const [app] = [...(values.get('-n') ?? []), ...(values.get('--name') ?? [])];
  const [group] = [...(values.get('-g') ?? []), ...(values.get('--resource-group') ?? [])];
  const setting = settingAction(settings[0] ?? '');
  if (
    settings.length !== 1 ||
    app === undefined ||
    group === undefined ||
    setting === undefined ||
    !PLAIN.test(app) ||
    !PLAIN.test(group)
  ) {
    return undefined;
  }
  return {
    ...setting,
    scope: values.get('--subscription') ?? [],
    described: [
      { kind: APP_KIND, name: app },
      { kind: APP_KIND, name: group },
    ],
  };
}

/**
 * Reads `heroku config:set NAME=VALUE -a APP` and `gh variable set NAME --body VALUE --repo
 * O/R [--env ENV]`: one setting of one named app or repository (and environment), which the
 * request must name with the setting and its value. Secrets (`gh secret set`) are read
 * elsewhere.
 */
export function configSetAction(
  program: string,
  args: readonly string[],
): ResourceAction | undefined {
  if (program === 'heroku') {
    const [verb, setting, option, app, ...rest] = args;
    const action = settingAction(setting ?? '');
    if (
      verb !== 'config:set' ||
      (option !== '-a' && option !== '--app') ||
      app === undefined ||
      rest.length > 0 ||
      action === undefined
    ) {
      return undefined;
    }
    return { ...action, targets: [...action.targets, [app]], scope: [] };
  }
  const [noun, verb, ...rest] = args;
  if (program !== 'gh' || noun !== 'variable' || verb !== 'set') {
    return undefined;
  }
  // Options come before or after the name, as `--repo O/R` or `--repo=O/R`.
  const options = new Map<string, string>();
  const names: string[] = [];
  const longNames: Readonly<Record<string, string>> = {
    '-b': '--body',
    '-R': '--repo',
    '-e': '--env',
  };
  for (let index = 0; index < rest.length; index += 1) {
    const arg = rest[index] ?? '';
    if (!arg.startsWith('-')) {
      names.push(arg);
      continue;
    }
    const [option = arg, inline] = arg.startsWith('--') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const long = longNames[option] ?? option;
    const value = inline ?? rest[index + 1];
    if (!['--body', '--repo', '--env'].includes(long) || value === undefined || options.has(long)) {
      return undefined;
    }
    options.set(long, value);
    index += inline === undefined ? 1 : 0;
  }
  const repo = options.get('--repo');
  const action = settingAction(`${names[0] ?? ''}=${options.get('--body') ?? ''}`);
  const environment = options.get('--env');
  // A variable of a deployment environment needs a request that names the environment too.
  return names.length !== 1 || repo === undefined || !repo.includes('/') || action === undefined
    ? undefined
    : {
        ...action,
        targets: [...action.targets, [repo, repo.replace(/^.*\//, '')]],
        scope: environment === undefined ? [] : [environment],
      };
}

const PROTECTION_PATH = /^\/?repos\/([\w.-]+)\/([\w.-]+)\/branches\/([\w.-]+)\/protection$/;

/**
 * Reads `gh api -X PUT repos/O/R/branches/B/protection --input FILE`: the branch's protection
 * replaced by the rules of a project file. The request must name the file, the branch and the
 * repository, so the user chose the rules that replace the old ones. A `DELETE`, fields given
 * on the line, standard input and files outside the project are not covered.
 *
 * NOTE: the file is not read, so a file that turns protection off is applied as well when the
 * request names it.
 */
export function ghProtectionAction(args: readonly string[]): ResourceAction | undefined {
  const options = new Map<string, string>();
  let path: string | undefined;
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (arg.startsWith('-')) {
      options.set(arg === '--method' ? '-X' : arg, args[index + 1] ?? '');
      index += 1;
    } else if (path === undefined) {
      path = arg;
    } else {
      return undefined;
    }
  }
  const target = PROTECTION_PATH.exec(path ?? '');
  const file = options.get('--input') ?? '';
  if (
    target === null ||
    !/^put$/i.test(options.get('-X') ?? '') ||
    options.size !== 2 ||
    !/^(?![/~-])[\w./-]+$/.test(file) ||
    file.split('/').includes('..')
  ) {
    return undefined;
  }
  const [, owner = '', name = '', branch = ''] = target;
  return { verb: 'set', targets: [[file], [branch], repoNames(owner, name)], scope: [] };
}
