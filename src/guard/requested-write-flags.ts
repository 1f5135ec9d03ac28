/**
 * Flags and values that widen a write the user asked for. "Run the deploy workflow for
 * production" consents to `gh workflow run deploy.yml -f env=production`, not to an added
 * `-f skip_tests=true` or `--ref hotfix/x`; "publish with the next tag" not to `npm publish`
 * onto `latest`; "sync dist to the bucket" not to `aws s3 sync --delete`. The same holds for
 * `--all` of `gh cache delete` and `gh codespace delete`, `gh label create --force`, labels of
 * `gh issue edit`, `gh repo fork --org`, the environment of `gh api -X DELETE
 * …/environments/NAME`, a full release after "as a prerelease", `helm --force` and `git push
 * --tags`. Each flag or value needs a standing request (see standing-requests.ts) that names it.
 */
import type { CheckGate } from './check-gates.js';
import { asksWithout } from './consent.js';
import { finding, type Finding } from './findings.js';
import { containsWord } from './named-targets.js';
import { optionValue } from './options.js';
import type { ParsedShell, SimpleCommand } from './shell.js';
import { standingClauses } from './standing-requests.js';

const PUBLISHERS = new Set(['npm', 'pnpm', 'yarn']);

/** Gate of {@link checkRequestedWriteFlags}: the programs of every command it judges. */
export const REQUESTED_WRITE_FLAGS_GATE: CheckGate = {
  programs: new Set([
    'gh',
    'aws',
    'helm',
    'git',
    'kubectl',
    'huggingface-cli',
    'supabase',
    ...PUBLISHERS,
  ]),
};

/** Requests that cover every item of a list at once. */
const ALL_REQUEST = /\b(?:all|every|everything|each)\b/i;
/** Requests for a sync that also deletes what the source no longer has. */
const MIRROR_REQUEST =
  /\b(?:delet\w*|remov\w*|prun\w*|mirror\w*|exact\w*|stale|orphan\w*|--delete)\b/i;

/**
 * Returns a finding for the first command of `parsed` whose flags or values widen a write
 * beyond what the standing requests name. `messages` is the consenting text of the user's
 * messages and `allMessages` all of them.
 */
export function checkRequestedWriteFlags(
  parsed: ParsedShell,
  messages: string,
  allMessages: string,
): Finding | undefined {
  for (const command of parsed.commands) {
    const widening = wideningWords(command);
    if (widening === undefined) {
      continue;
    }
    const found = widening(standingClauses(messages, allMessages));
    if (found !== undefined) {
      return found;
    }
  }
  return undefined;
}

/**
 * Returns the judge of `command` when it is one of the writes of the module comment, so that
 * other commands cost no reading of the requests.
 */
function wideningWords(
  command: SimpleCommand,
): ((standing: string) => Finding | undefined) | undefined {
  const args = command.argv.slice(1);
  const [first = '', second = ''] = args;
  if (command.name === 'gh') {
    return ghWidening(args, first, second);
  }
  if (PUBLISHERS.has(command.name) && first === 'publish') {
    return (standing) => checkPublishTag(args, standing);
  }
  if (
    command.name === 'aws' &&
    first === 's3' &&
    second === 'sync' &&
    args.includes('--delete') &&
    !args.includes('--dryrun')
  ) {
    return (standing) =>
      asksWithout(MIRROR_REQUEST, standing)
        ? undefined
        : widened(
            'cloud-mass-delete',
            'deletes every object of the bucket that the source lacks (--delete)',
            's3-sync-delete',
          );
  }
  if (command.name === 'helm' && /^(?:upgrade|install)$/.test(first) && args.includes('--force')) {
    return (standing) =>
      /\bforce\w*\b/i.test(standing)
        ? undefined
        : widened(
            'production-deploy',
            'replaces the release resources by force (--force)',
            'helm-force',
          );
  }
  if (command.name === 'kubectl' && first === 'create' && /^(?:cluster)?role$/.test(second)) {
    return (standing) => checkRoleRules(args, standing);
  }
  if (command.name === 'huggingface-cli' && first === 'repo' && second === 'create') {
    return hubRepositoryIsPrivate(args)
      ? undefined
      : (standing) =>
          /\bprivate\b/i.test(standing)
            ? widened(
                'create-public-surface',
                'creates a public repository on the Hub where a private one was asked for',
                'hub-not-private',
              )
            : undefined;
  }
  if (
    command.name === 'supabase' &&
    first === 'db' &&
    second === 'push' &&
    args.includes('--include-all')
  ) {
    return (standing) =>
      asksWithout(ALL_REQUEST, standing)
        ? undefined
        : widened(
            'blind-apply',
            'applies every migration missing from the remote history (--include-all)',
            'supabase-include-all',
          );
  }
  if (command.name === 'git' && first === 'push' && args.includes('--tags')) {
    return (standing) =>
      /\btags\b/i.test(standing) || asksWithout(/\ball\b[^.]*\btags?\b/i, standing)
        ? undefined
        : widened('modify-shared-resource', 'pushes every local tag (--tags)', 'push-all-tags');
  }
  return undefined;
}

/**
 * Builds the finding of a widened write. A `what` that already names what was requested
 * instead ("… where a prerelease was asked for") gets no suffix.
 */
function widened(category: string, what: string, id: string): Finding {
  const reason = / where .* was asked for$/.test(what)
    ? `The command ${what}`
    : `The command ${what}, which no standing request names`;
  return finding(category, reason, id);
}

/** Returns the judge of a `gh` call whose flags may widen it. */
function ghWidening(
  args: readonly string[],
  first: string,
  second: string,
): ((standing: string) => Finding | undefined) | undefined {
  const action = `${first} ${second}`;
  if (/^(?:cache|codespace) delete$/.test(action) && args.includes('--all')) {
    return (standing) =>
      asksWithout(ALL_REQUEST, standing)
        ? undefined
        : widened(
            'modify-shared-resource',
            `deletes every ${first} of the repository or account (--all)`,
            'gh-delete-all',
          );
  }
  if (action === 'secret set') {
    const name = args[2] ?? '';
    const sources = args.flatMap((arg) =>
      [...arg.matchAll(VARIABLE_REFERENCE)].map((match) => match[1] ?? ''),
    );
    return (standing) => checkSecretName(name, sources, standing);
  }
  if (action === 'label create' && args.some((arg) => arg === '--force' || arg === '-f')) {
    const name = args[2] ?? '';
    return (standing) =>
      containsWord(standing, name)
        ? undefined
        : widened(
            'modify-shared-resource',
            `overwrites the label "${name}" (--force)`,
            'gh-label-force',
          );
  }
  if (action === 'issue edit' || action === 'pr edit') {
    const labels = optionValues(args, ['--add-label', '--remove-label']).flatMap((value) =>
      value.split(','),
    );
    return labels.length === 0
      ? undefined
      : (standing) => {
          const other = labels.find((label) => !containsWord(standing, label.trim()));
          return other === undefined
            ? undefined
            : widened('modify-shared-resource', `changes the label "${other}"`, 'gh-other-label');
        };
  }
  if (action === 'repo fork') {
    const org = optionValue(args, ['--org']);
    return org === undefined
      ? undefined
      : (standing) =>
          containsWord(standing, org)
            ? undefined
            : widened(
                'create-public-surface',
                `forks the repository into the organization "${org}"`,
                'gh-fork-org',
              );
  }
  if (first === 'api') {
    return deletedEnvironment(args);
  }
  if (action === 'workflow run') {
    return (standing) => checkWorkflowInputs(args, standing);
  }
  if (action === 'release create') {
    return (standing) => checkReleaseKind(args, standing);
  }
  return undefined;
}

/** Returns every value of the options `names`, given as `--name value` or `--name=value`. */
function optionValues(args: readonly string[], names: readonly string[]): string[] {
  const values: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    for (const name of names) {
      if (arg === name && args[index + 1] !== undefined) {
        values.push(args[index + 1] ?? '');
      } else if (arg.startsWith(`${name}=`)) {
        values.push(arg.slice(name.length + 1));
      }
    }
  }
  return values;
}

/** Returns the judge of `gh api -X DELETE …/environments/NAME`. */
function deletedEnvironment(
  args: readonly string[],
): ((standing: string) => Finding | undefined) | undefined {
  const method = optionValue(args, ['-X', '--method'])?.toUpperCase();
  const path = args.find((arg) => /(?:^|\/)environments\/[^/\s]+\/?$/.test(arg));
  const name = path === undefined ? undefined : /environments\/([^/\s]+)\/?$/.exec(path)?.[1];
  if (method !== 'DELETE' || name === undefined) {
    return undefined;
  }
  const decoded = decodeURIComponent(name);
  return (standing) =>
    containsWord(standing, decoded)
      ? undefined
      : finding(
          /^(?:prod|production|prd)$/i.test(decoded) ? 'security-weaken' : 'modify-shared-resource',
          `The command deletes the deployment environment "${decoded}" with its protection rules and secrets, while the standing requests name another`,
          'gh-environment-delete',
        );
}

/** Branches a workflow runs on when no `--ref` is given. */
const DEFAULT_REFS = /^(?:main|master|trunk|HEAD)$/;
/** Requests to run a workflow on the user's own branch: "on my branch", "for this branch". */
const OWN_BRANCH_REQUEST = /\b(?:my|this|the\s+current|current|our)\s+(?:[\w-]+\s+)?branch\b/i;

/**
 * Judges the inputs of `gh workflow run`: every `-f`/`-F` value must be named by the standing
 * requests, by its value or by its key, and a `--ref` other than the default branch too.
 */
function checkWorkflowInputs(args: readonly string[], standing: string): Finding | undefined {
  const fields = optionValues(args, ['-f', '-F', '--field', '--raw-field']);
  for (const field of fields) {
    const [key = '', value = ''] = field.split(/=(.*)/s);
    const keyWords = key.replace(/[_-]+/g, ' ');
    if (
      !containsWord(standing, value) &&
      !containsWord(standing, key) &&
      !containsWord(standing, keyWords)
    ) {
      return widened(
        'production-deploy',
        `runs the workflow with the input ${field}`,
        'workflow-input',
      );
    }
  }
  const ref = optionValue(args, ['--ref', '-r']);
  if (
    ref !== undefined &&
    !DEFAULT_REFS.test(ref) &&
    !containsWord(standing, ref) &&
    !OWN_BRANCH_REQUEST.test(standing)
  ) {
    return widened('production-deploy', `runs the workflow on the ref "${ref}"`, 'workflow-ref');
  }
  return undefined;
}

/** Requests for a prerelease or a draft, which a full release goes beyond. */
const PRERELEASE_REQUEST = /\bpre-?release\b|\b(?:beta|alpha|rc|release candidate)\b/i;

/** Judges `gh release create` after a request for a prerelease: it must be one. */
function checkReleaseKind(args: readonly string[], standing: string): Finding | undefined {
  if (
    !asksWithout(PRERELEASE_REQUEST, standing) ||
    args.includes('--prerelease') ||
    args.includes('-p')
  ) {
    return undefined;
  }
  return widened(
    'create-public-surface',
    'publishes a full release where a prerelease was asked for',
    'release-not-prerelease',
  );
}

/** A dist-tag that a request names: "with the next tag", "--tag beta", "under the canary tag". */
const REQUESTED_TAG =
  /--tag[\s=]+([\w.-]+)|\b(?:with|under|on|to|as|using)\s+(?:the\s+)?["'`]?([\w.-]+)["'`]?\s+(?:dist-?)?tag\b|\b(?:dist-?)?tag\s+["'`]?([\w.-]+)/i;

/** Judges `npm publish` after a request that names a dist-tag: the call must use that tag. */
function checkPublishTag(args: readonly string[], standing: string): Finding | undefined {
  const match = REQUESTED_TAG.exec(standing);
  const requested = match?.[1] ?? match?.[2] ?? match?.[3];
  if (requested === undefined || /^(?:the|a|an|it)$/i.test(requested)) {
    return undefined;
  }
  const tag = optionValue(args, ['--tag']) ?? 'latest';
  return tag.toLowerCase() === requested.toLowerCase()
    ? undefined
    : widened(
        'create-public-surface',
        `publishes the package under the dist-tag "${tag}" where "${requested}" was asked for`,
        'publish-other-tag',
      );
}

/** Names in the form of a secret or variable name: `SENTRY_DSN`, `NPM_TOKEN`. */
const SECRET_NAME = /\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/g;

/** A variable the call reads its value from: `$STAGING_SENTRY_DSN`, `${NPM_TOKEN}`. */
const VARIABLE_REFERENCE = /\$\{?([A-Za-z_]\w*)/g;

/**
 * Judges `gh secret set NAME` when the requests name secrets by name: NAME must be one of them,
 * so "set the SENTRY_DSN secret" is no consent to `SENTRY_DSN_PROD`. A name the call only reads
 * its value from (`sources`, "it's in STAGING_SENTRY_DSN") names no secret. When it is the only
 * name the user gave, NAME must be a whole part of it (`SENTRY_DSN` of `STAGING_SENTRY_DSN`).
 */
function checkSecretName(
  name: string,
  sources: readonly string[],
  standing: string,
): Finding | undefined {
  const askedNames: string[] = standing.match(SECRET_NAME) ?? [];
  if (name === '' || askedNames.length === 0 || askedNames.includes(name)) {
    return undefined;
  }
  const named = askedNames.filter((word) => !sources.includes(word));
  if (
    named.length === 0 &&
    askedNames.some((word) => word.startsWith(`${name}_`) || word.endsWith(`_${name}`))
  ) {
    return undefined;
  }
  return widened(
    'modify-shared-resource',
    `sets the secret "${name}" where ${(named.length > 0 ? named : askedNames).join(', ')} was asked for`,
    'gh-other-secret',
  );
}

/** Verbs of a role rule that only read. */
const READ_VERBS = new Set(['get', 'list', 'watch']);
/** Requests for a role that only reads. */
const READ_ONLY_REQUEST =
  /\bread[- ]?only\b|\b(?:can|to|that)\s+(?:only\s+)?(?:read|view|see|get|list)\b|\bviewer\b/i;

/**
 * Judges `kubectl create role|clusterrole`: after a request for reading, every verb must read,
 * and every resource must be one the request names (`pods` for "read pods", not `secrets`).
 */
function checkRoleRules(args: readonly string[], standing: string): Finding | undefined {
  const verbs = optionValues(args, ['--verb']).flatMap((value) => value.split(','));
  const resources = optionValues(args, ['--resource']).flatMap((value) => value.split(','));
  const readOnly = READ_ONLY_REQUEST.test(standing);
  const writes = verbs.find((verb) => !READ_VERBS.has(verb.replace(/["']/g, '')));
  if (readOnly && writes !== undefined) {
    return widened(
      'permission-grant',
      `grants the verb "${writes}" in a role asked to read only`,
      'role-wider-verbs',
    );
  }
  // Resources count once the request names one of them: "a role that can read pods".
  const unnamed = resources.filter((resource) => !namesResource(standing, resource));
  const other = unnamed[0];
  if (other === undefined || unnamed.length === resources.length) {
    return undefined;
  }
  return widened(
    'permission-grant',
    `grants access to the resource "${other}" in the role`,
    'role-wider-resources',
  );
}

/** Checks whether `standing` names a role resource, in the singular or the plural. */
function namesResource(standing: string, resource: string): boolean {
  const bare = resource.replace(/["']/g, '').replace(/\..*$/, '');
  return bare === '*'
    ? asksWithout(ALL_REQUEST, standing)
    : containsWord(standing, bare) || containsWord(standing, bare.replace(/s$/, ''));
}

/** Checks whether `huggingface-cli repo create` makes a private repository (`--private`). */
function hubRepositoryIsPrivate(args: readonly string[]): boolean {
  const at = args.findIndex((arg) => arg === '--private' || arg.startsWith('--private='));
  if (at < 0) {
    return false;
  }
  const given = args[at]?.split('=')[1] ?? args[at + 1];
  // `--private` is a switch, so a next word that is not a boolean belongs to something else.
  return given === undefined || !/^(?:false|0|no)$/i.test(given);
}
