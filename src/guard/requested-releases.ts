/**
 * Stage-1 consent for deploys and pushes the user requested in their own words: `pulumi up
 * --yes` on the stack the user named, a `docker push` of the tag the user named to the
 * registry they named, and a force push that updates the user's own rewritten branch or PR.
 */
import { optionValue } from './options.js';
import { requestsFor, requestsVerb, SHARED_BRANCH } from './consent.js';
import { containsWord } from './named-targets.js';
import type { ParsedShell, SimpleCommand } from './shell.js';

/**
 * Checks that a `pulumi up --yes` updates a stack the user asked to deploy or roll out by
 * name. The stack must be given with `--stack` or `-s`, must not be production, and
 * `--skip-preview` is not covered.
 */
export function upsNamedStack(command: SimpleCommand, messages: string): boolean {
  const args = command.argv.slice(1);
  if (
    command.name !== 'pulumi' ||
    command.dynamic ||
    !['up', 'update'].includes(args[0] ?? '') ||
    args.includes('--skip-preview')
  ) {
    return false;
  }
  const stack = optionValue(args, ['--stack', '-s'])?.split('/').pop() ?? '';
  if (stack === '' || /prod/i.test(stack)) {
    return false;
  }
  return requestsFor('apply', messages).some((request) => containsWord(request, stack));
}

/** Words a user calls a registry by, for hosts whose labels do not say it. */
const REGISTRY_WORDS: readonly [RegExp, RegExp][] = [
  [/^(?:docker\.io|registry-1\.docker\.io|index\.docker\.io)$/, /\bdocker ?hub\b|\bhub\b/i],
  [/\.amazonaws\.com$/, /\becr\b/i],
  [/(?:^|\.)gcr\.io$|-docker\.pkg\.dev$/, /\bgcr\b|\bartifact registry\b/i],
  [/\.azurecr\.io$/, /\bacr\b/i],
  [/^(?:localhost|127(?:\.\d{1,3}){3})(?::\d+)?$/, /\blocal\b/i],
];
/** Host labels that do not tell one registry from another. */
const GENERIC_LABELS = new Set(['registry', 'docker', 'io', 'com', 'dev', 'net', 'org', 'cr']);

/**
 * Checks that a `docker push` or `podman push` pushes one image whose tag the user named in
 * a request to push it, to the registry the user named: `ghcr.io/acme/api:1.4.0` for "push
 * 1.4.0 to our ghcr". A request that names the repository with its host covers any tag of it
 * unless it names another tag. Otherwise `latest`, a digest, an untagged image and
 * `--all-tags` are not covered.
 */
export function pushesNamedTag(command: SimpleCommand, messages: string): boolean {
  const args = command.argv.slice(command.argv[1] === 'image' ? 3 : 2);
  const verb = command.argv[command.argv[1] === 'image' ? 2 : 1];
  const images = args.filter((arg) => !arg.startsWith('-'));
  if (
    !['docker', 'podman'].includes(command.name) ||
    verb !== 'push' ||
    command.dynamic ||
    args.some((arg) => /^(?:-a|--all-tags)$/.test(arg)) ||
    images.length !== 1
  ) {
    return false;
  }
  const image = images[0] ?? '';
  const segments = image.split('/');
  const first = segments[0] ?? '';
  const host = segments.length > 1 && /[.:]|^localhost$/.test(first) ? first : 'docker.io';
  const tag = /:([\w][\w.-]*)$/.exec(segments.at(-1) ?? '')?.[1];
  const requests = requestsVerb(String.raw`push\w*|upload\w*|publish\w*|ship\w*`, messages);
  if (requests.some((request) => namesRepository(request, image))) {
    return true;
  }
  if (tag === undefined || tag === 'latest' || image.includes('@')) {
    return false;
  }
  return requests.some((request) => containsWord(request, tag) && namesRegistry(request, host));
}

/** An image reference with a registry host in a message: `ghcr.io/acme/app` or `…/app:1.2`. */
const IMAGE_REFERENCE =
  /(?<![\w./-])((?:[a-z0-9-]+\.)+[a-z0-9-]+(?::\d+)?(?:\/[a-z0-9._-]+)+)(?::([\w][\w.-]*))?(?![\w/@-])/gi;

/**
 * Checks that `request` names the repository of `image` with its registry host, and either no
 * tag or the tag `image` has: "push the image to ghcr.io/acme/app" covers
 * `ghcr.io/acme/app:1.2.0`, while "push ghcr.io/acme/app:1.1" does not cover `:1.2`.
 */
function namesRepository(request: string, image: string): boolean {
  const at = image.indexOf('@');
  const reference = at < 0 ? image : image.slice(0, at);
  const tagged = /^(.*\/[^/:]+)(?::([\w][\w.-]*))?$/.exec(reference);
  const repository = tagged?.[1]?.toLowerCase();
  if (repository === undefined || !/^[^/]*[.:][^/]*\//.test(repository)) {
    return false;
  }
  return [...request.matchAll(IMAGE_REFERENCE)].some((match) => {
    const named = (match[1] ?? '').replace(/\.$/, '').toLowerCase();
    const namedTag = match[2]?.replace(/\.$/, '');
    return named === repository && (namedTag === undefined || namedTag === tagged?.[2]);
  });
}

function namesRegistry(request: string, host: string): boolean {
  const known = REGISTRY_WORDS.find(([hosts]) => hosts.test(host));
  if (known !== undefined) {
    return known[1].test(request);
  }
  const labels = host
    .replace(/:\d+$/, '')
    .split('.')
    .filter((label) => label.length >= 3 && !GENERIC_LABELS.has(label));
  return containsWord(request, host) || labels.some((label) => containsWord(request, label));
}

/** Branch prefixes by convention, so "report-csv" names `feature/report-csv`. */
const BRANCH_PREFIX = /^(?:feature|feat|fix|bugfix|hotfix|chore|docs|refactor|topic|wip)\//;
/** Words for rewriting a branch's history: the reason a push must be forced. */
const REWRITE = /\b(?:rebas\w*|amend\w*|squash\w*|fixup|reword\w*|rewr(?:o|i)te|rewritten)\b/i;
/** Requests to bring the remote copy of a branch or a pull request up to date. */
const UPDATE_VERBS = String.raw`updat\w*|sync\w*|refresh\w*|push\w*|force[- ]?push\w*`;
const UPDATE = new RegExp(String.raw`\b(?:${UPDATE_VERBS})\b`, 'i');
const REMOTE_COPY = /\b(?:remote|origin|upstream|PR|pull request|GitHub|GitLab)\b/i;

/**
 * Checks that a force push (`-f`, `--force` or `--force-with-lease`) updates the user's own
 * rewritten work: the user or the same line rebased or amended it, a request asks to update
 * the remote copy or the PR, and every branch pushed is one the user names that is not
 * shared. A push that names no branch needs `--force-with-lease`, a rewrite on the same line
 * or in the messages, and a request naming the user's PR or branch.
 */
export function updatesRewrittenBranch(
  command: SimpleCommand,
  parsed: ParsedShell,
  messages: string,
): boolean {
  const args = command.argv.slice(1);
  if (
    command.name !== 'git' ||
    command.dynamic ||
    args[0] !== 'push' ||
    args.some((arg) => /^--(?:mirror|all|tags|delete|prune)$|^-d$/.test(arg))
  ) {
    return false;
  }
  const rewrote = REWRITE.test(messages) || parsed.commands.some(rewritesHistory);
  const refs = args
    .slice(1)
    .filter((arg) => !arg.startsWith('-'))
    .slice(1);
  const leased = args.some((arg) => /^--force-with-lease(?:=|$)/.test(arg));
  if (rewrote && refs.length === 0 && leased && forcesOwnNamedBranch(messages)) {
    return true;
  }
  const requests = requestsVerb(UPDATE_VERBS, messages).filter((request) =>
    REMOTE_COPY.test(request),
  );
  if (requests.length === 0 || !rewrote) {
    return false;
  }
  if (refs.length === 0) {
    return (
      leased &&
      requests.some((request) => /\bmy (?:PR|pull request|branch)\b/i.test(request)) &&
      !requests.some((request) =>
        /\b(?:main|master|trunk|develop|release)\b/i.test(request.slice(request.search(UPDATE))),
      )
    );
  }
  return refs.every((ref) => {
    const source = ref.replace(/^\+/, '').replace(/:.*$/, '');
    const branch = ref
      .replace(/^\+/, '')
      .replace(/^.*:/, '')
      .replace(/^refs\/heads\//, '');
    return (
      !SHARED_BRANCH.test(branch) &&
      (source === branch || source === 'HEAD') &&
      (containsWord(messages, branch) ||
        (BRANCH_PREFIX.test(branch) && containsWord(messages, branch.replace(BRANCH_PREFIX, ''))))
    );
  });
}

/** "my branch feat/x", "my feature branch x": the branch the user calls their own. */
const OWN_BRANCH =
  /\bmy (?:own |local |feature |topic )?branch,? [`'"]?([\w./-]+?)[`'"]?(?=[\s,;:!?)]|\.(?:\s|$)|$)/gi;
/** A push request that allows forcing it: "push it, force is fine", "force-push it". */
const FORCE_ALLOWED = /\bforc\w*\b/i;
/** Force refused in the request: "push it, but don't force", "no force push". */
const REFUSED_FORCE = /\b(?:no|not|don'?t|never|without|avoid)\b[^,.;]{0,20}\bforc/i;

/**
 * Checks that the messages name exactly one branch as the user's own ("my branch
 * feat/rate-limit"), that it is not a shared branch, that no shared branch name appears in
 * the messages at all, and that a push request allows force. A push of no ref goes to the
 * current branch, which the guard cannot see, so this trusts that the user's named branch is
 * the one checked out; `--force-with-lease` still refuses to overwrite commits the local
 * copy has not seen.
 *
 * NOTE: when the checkout is on another branch than the one the user named, that branch is
 * pushed instead; only the lease and the shared-name test limit the harm.
 */
function forcesOwnNamedBranch(messages: string): boolean {
  const branches = new Set([...messages.matchAll(OWN_BRANCH)].map((match) => match[1] ?? ''));
  const [branch] = branches;
  return (
    branches.size === 1 &&
    branch !== undefined &&
    !SHARED_BRANCH.test(branch) &&
    !/\b(?:main|master|trunk|develop|release)\b/i.test(messages) &&
    requestsVerb(String.raw`push\w*|force[- ]?push\w*`, messages).some(
      (request) => FORCE_ALLOWED.test(request) && !REFUSED_FORCE.test(request),
    )
  );
}

function rewritesHistory(command: SimpleCommand): boolean {
  const args = command.argv.slice(1);
  return (
    command.name === 'git' &&
    ((args[0] === 'commit' && args.includes('--amend')) || args[0] === 'rebase')
  );
}
