/**
 * Stage-1 consent for deploys and pushes the user requested in their own words. It covers a
 * `docker push` of the tag the user named or built in an earlier message, to the registry they
 * named. It also covers a force push that updates the user's own rewritten branch or PR. Last,
 * it covers a deploy asked for in indirect words ("ship it", "make it the same on prod") on the
 * environment the user named.
 */
import { requestsVerb, SHARED_BRANCH } from './consent.js';
import { ENVIRONMENT_NAMES, PRODUCTION_NAMES } from './environment-names.js';
import { containsWord } from './named-targets.js';
import { requestStands } from './standing-requests.js';
import type { ParsedShell, SimpleCommand } from './shell.js';

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
 * Checks that a `docker push` or `podman push` pushes one image whose tag the user named in a
 * request to push it. The registry must be one the user named too, as for
 * `ghcr.io/acme/api:1.4.0` after "push 1.4.0 to our ghcr". A request that names the repository
 * with its host covers any tag of it unless it names another tag. Otherwise `latest`, a digest,
 * an untagged image and `--all-tags` are not covered.
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
  return requests.some(
    (request) =>
      namesRegistry(request, host) &&
      (containsWord(request, tag) || namesEarlierBuild(request, messages, image, tag)),
  );
}

/** Words by which a push request refers to an image built or named before it. */
const IMAGE_REFERENCE_WORDS = /\b(?:it|that|this|the (?:new |same )?(?:image|build|container))\b/i;

/**
 * Checks that `request` refers back to the image ("push the image to ghcr"). A consenting
 * sentence before it must name the image's repository name with the tag, as "Build worker
 * 1.9.0." does for `ghcr.io/acme/worker:1.9.0`. When those sentences give several versions, the
 * reference is ambiguous and the push is not covered.
 */
function namesEarlierBuild(request: string, messages: string, image: string, tag: string): boolean {
  const name = /([^/:@]+)(?::[^/]*)?$/.exec(image)?.[1] ?? '';
  if (name === '' || !IMAGE_REFERENCE_WORDS.test(request)) {
    return false;
  }
  const sentences = messages.split(/(?<=[.!?;])\s+|\n+/).map((sentence) => sentence.trim());
  const earlier = sentences.slice(0, Math.max(0, sentences.indexOf(request)));
  const naming = earlier.filter((sentence) => containsWord(sentence, name));
  const tags = naming.flatMap(
    (sentence) => sentence.match(/\bv?\d+(?:\.\d+)+(?:-[\w.]+)?\b/g) ?? [],
  );
  return (
    tags.length > 0 && tags.every((named) => named.replace(/^v/, '') === tag.replace(/^v/, ''))
  );
}

/** An image reference with a registry host in a message: `ghcr.io/acme/app` or `…/app:1.2`. */
const IMAGE_REFERENCE =
  /(?<![\w./-])((?:[a-z0-9-]+\.)+[a-z0-9-]+(?::\d+)?(?:\/[a-z0-9._-]+)+)(?::([\w][\w.-]*))?(?![\w/@-])/gi;

/**
 * Checks that `request` names the repository of `image` with its registry host, and either no
 * tag or the tag `image` has. So "push the image to ghcr.io/acme/app" covers
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
/** The user's own pull request or branch: "my PR", "my feature branch". */
const MY_BRANCH = /\bmy (?:own |feature |topic |local |working )?(?:PR|pull request|branch)\b/i;
/** Requests to bring the remote copy of a branch or a pull request up to date. */
const UPDATE_VERBS = String.raw`updat\w*|sync\w*|refresh\w*|push\w*|force[- ]?push\w*`;
const UPDATE = new RegExp(String.raw`\b(?:${UPDATE_VERBS})\b`, 'i');
const REMOTE_COPY = /\b(?:remote|origin|upstream|PR|pull request|GitHub|GitLab)\b/i;

/**
 * Checks that a force push (`-f`, `--force` or `--force-with-lease`) updates the user's own
 * rewritten work. The user or the same line must have rebased or amended it, and a request must
 * ask to update the remote copy or the PR. Every branch pushed must be one the user names that
 * is not shared. A push that names no branch needs `--force-with-lease`, a rewrite on the same
 * line or in the messages, and a request naming the user's PR or branch.
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
      requests.some((request) => MY_BRANCH.test(request)) &&
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
/** A negated force in a request: "push it, but don't force", "no force push". */
const NEGATED_FORCE = /\b(?:no|not|don'?t|never|without|avoid)\b[^,.;]{0,20}\bforc/i;

/**
 * Checks that the messages name exactly one branch as the user's own ("my branch
 * feat/rate-limit"), and that it is not a shared branch. No shared branch name may appear in
 * the messages at all, and a push request must allow force. A push of no ref goes to the
 * current branch, which the guard cannot see. So this trusts that the user's named branch is
 * the one checked out, and `--force-with-lease` still rejects overwriting commits the local
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
      (request) => FORCE_ALLOWED.test(request) && !NEGATED_FORCE.test(request),
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

/**
 * Programs whose deploy or playbook run this module reads, with the subcommand words that
 * deploy. `terraform`, `tofu` and `pulumi` have consent readers of their own in consent.ts
 * and above, so they are not listed.
 */
const DEPLOY_COMMANDS: Record<string, RegExp> = {
  wrangler: /^(?:deploy|publish)(?: \S+)?$|^versions deploy$/,
  netlify: /^deploy$/,
  vercel: /^(?:deploy)?$/,
  fly: /^deploy$/,
  flyctl: /^deploy$/,
  firebase: /^deploy$/,
  railway: /^up$/,
  serverless: /^deploy$/,
  sls: /^deploy$/,
  helm: /^(?:upgrade|install)$/,
  'ansible-playbook': /^/,
};

/**
 * Indirect requests to deploy what the conversation prepared. Examples are "ship it", "roll
 * the chart to staging", "make it the same on prod", "run it for real on staging" and "go
 * ahead on staging". "roll back" is not one.
 */
const DEPLOY_PHRASES = String.raw`ship\w*|roll(?:s|ed|ing)?\b(?![^.]{0,40}?\bback\b).{0,40}?\b(?:to|onto|out)\b|mak(?:e|es|ing)\s+(?:it|this|that|them|\w+)\s+(?:the\s+same|match)\b.{0,20}?\b(?:on|in|for)\b|run\w*\s+(?:it|this|that|them|the\s+playbook)\s+for\s+real\b|go\s+ahead\b.{0,20}?\b(?:on|in|with)\b|deploy\w*|roll\w*\s+out`;

/** Earlier words that show a preview, draft, dry run or staging test of what is shipped. */
const PREVIEWED =
  /\b(?:draft|preview\w*|dry[- ]?run|diff|staging|tested|canary)\b.{0,80}?\b(?:looks?|looked|is|was|are|were|all)\s+(?:right|good|fine|ok(?:ay)?|great|green|correct)\b|\btested\b.{0,60}?\bstaging\b/i;

/**
 * Environments a deploy's arguments name, production as `prod`: option values and paths
 * (`--env production`, `values/staging.yaml`) and the `--prod` flag, but not option names
 * such as `--stage`.
 */
function deployEnvironments(args: readonly string[]): Set<string> {
  const found = new Set<string>();
  for (const arg of args) {
    if (/^--prod(?:uction)?$/.test(arg)) {
      found.add('prod');
    }
    const value = arg.replace(/^--?[\w-]+(?:=|$)/, '');
    for (const word of value.toLowerCase().split(/[^a-z]+/)) {
      if (ENVIRONMENT_NAMES.has(word)) {
        found.add(PRODUCTION_NAMES.has(word) ? 'prod' : word);
      }
    }
  }
  return found;
}

/**
 * Hyphenated names in a request that contain an environment word, such as `prod-eu`: such a
 * name is one environment, so the command must name all of it, not only `prod`.
 */
function compoundEnvironments(request: string): string[] {
  return (request.toLowerCase().match(/[a-z0-9]+(?:-[a-z0-9]+)+/g) ?? []).filter((name) =>
    name.split('-').some((part) => ENVIRONMENT_NAMES.has(part)),
  );
}

/** Environments that a request names, production words included ("prod", "live"). */
function requestedEnvironments(request: string): Set<string> {
  const named = new Set<string>();
  for (const word of request.toLowerCase().split(/[^a-z]+/)) {
    if (ENVIRONMENT_NAMES.has(word)) {
      named.add(PRODUCTION_NAMES.has(word) ? 'prod' : word);
    }
  }
  if (/\b(?:live|production)\b/i.test(request)) {
    named.add('prod');
  }
  return named;
}

/**
 * Checks that a deploy or playbook run is what a request asked for in indirect words (see
 * {@link DEPLOY_PHRASES}), on the environment the command targets. The request must name that
 * environment (`staging` for `--kube-context staging`, "prod" for `--env production`). The
 * exception is a bare "ship it", which covers a production deploy when an earlier message
 * states that a preview, draft, dry run or staging test looked right. Not covered are a request
 * that does not stand by {@link requestStands} ("once CI is green", "the PM said ship it",
 * "Ship it. Wait, the migration isn't done."). Nor are a request naming another environment or
 * a longer name of it (`prod-eu` for `--kube-context prod`), and a command naming no
 * environment.
 */
export function deploysAsRequested(
  command: SimpleCommand,
  messages: string,
  allMessages: string,
): boolean {
  const deploys = DEPLOY_COMMANDS[command.name];
  const positional = command.argv.slice(1).filter((arg) => !arg.startsWith('-'));
  if (
    deploys === undefined ||
    command.dynamic ||
    command.wrappers.length > 0 ||
    !deploys.test(positional.slice(0, command.name === 'wrangler' ? 2 : 1).join(' '))
  ) {
    return false;
  }
  const targeted = deployEnvironments(command.argv.slice(1));
  if (targeted.size === 0) {
    return false;
  }
  const commandText = command.argv.slice(1).join(' ').toLowerCase();
  // A clause still ending in "?" is a polite request ("can you roll it to staging?"), judged
  // without its question mark, as `requestsAction` does.
  const requests = requestsVerb(DEPLOY_PHRASES, messages).filter(
    (request) =>
      requestStands(request.replace(/\?$/, ''), allMessages) &&
      compoundEnvironments(request).every((name) => commandText.includes(name)),
  );
  return requests.some((request) => {
    const named = requestedEnvironments(request);
    if (named.size === 0) {
      // Only "ship it" after a reviewed preview means the production release.
      return (
        /^\W*(?:(?:ok(?:ay)?|now|then|so|please|just|go ahead and)\W+)*ship\w*\b/i.test(request) &&
        [...targeted].every((name) => name === 'prod') &&
        PREVIEWED.test(allMessages)
      );
    }
    return [...targeted].every((name) => named.has(name));
  });
}
