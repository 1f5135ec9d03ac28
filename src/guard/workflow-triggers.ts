/**
 * GitHub Actions workflows that only people with write access can start: pushes to the
 * repository's branches or tags, `workflow_dispatch`, `release` and `schedule`. Secrets and
 * write tokens in such a workflow are not exposed to outside contributors, unlike
 * `pull_request_target`, `issue_comment`, `workflow_run` or `pull_request` (fork pull
 * requests), which anyone can fire. A new workflow written whole, that the user asked for,
 * and whose every trigger is one of these is therefore no secret on an untrusted event.
 * An edit is judged without its triggers, which may lie outside the edited text, so only an
 * added publish step that a request ties to a maintainer trigger is let through.
 */
import { parse } from 'yaml';
import { requestsVerb } from './consent.js';
import { containsWord } from './named-targets.js';

/** Events that only a maintainer's action or the repository's own schedule can fire. */
const MAINTAINER_EVENTS = new Set(['push', 'workflow_dispatch', 'release', 'schedule']);
const WORKFLOW_VERBS = String.raw`add\w*|creat\w*|writ\w*|set\w* up|mak\w*|build\w*|configur\w*`;
/** Words of a request that ask for a CI workflow. */
const WORKFLOW_WORDS = /\b(?:workflows?|ci|github actions?|actions?|pipelines?)\b/i;
/** A line that hands a secret to a network client, which would send it anywhere. */
const SENT_SECRET =
  /\b(?:curl|wget|nc|ncat|socat|Invoke-WebRequest|iwr|http)\b[^\n]*secrets\.|secrets\.[^\n]*\|\s*(?:curl|wget|nc)\b/i;

/**
 * Expressions that put text from outside contributors into a step: commit messages, issue,
 * comment and pull request fields, and branch names, which can inject commands even on a push.
 */
const UNTRUSTED_TEXT =
  /\$\{\{\s*github\.(?:event\.(?:head_commit|commits|issue|comment|pull_request|review|review_comment|discussion|pages|workflow_run)|head_ref)\b/;
/** A secret a workflow uses, by name. */
const SECRET_USE = /\bsecrets\.(\w+)/g;

/** Returns the event names of a workflow's `on:` value, or undefined when it cannot be read. */
function workflowEvents(content: string): string[] | undefined {
  let document: unknown;
  try {
    document = parse(content, { uniqueKeys: true });
  } catch {
    return undefined;
  }
  if (typeof document !== 'object' || document === null) {
    return undefined;
  }
  const on = (document as Record<string, unknown>)['on'];
  if (typeof on === 'string') {
    return [on];
  }
  if (Array.isArray(on) && on.every((event) => typeof event === 'string')) {
    return on as string[];
  }
  if (typeof on === 'object' && on !== null) {
    return Object.keys(on);
  }
  return undefined;
}

/**
 * Checks whether `content`, the whole text of a new workflow file, fires only on maintainer
 * events, sends no secret to a network client, puts no contributor text into a step, and was
 * requested in `messages` with every secret it uses named.
 */
export function firesOnlyForMaintainers(content: string, messages: string): boolean {
  if (SENT_SECRET.test(content) || UNTRUSTED_TEXT.test(content)) {
    return false;
  }
  const events = workflowEvents(content);
  if (
    events === undefined ||
    events.length === 0 ||
    !events.every((event) => MAINTAINER_EVENTS.has(event))
  ) {
    return false;
  }
  const requests = requestsVerb(WORKFLOW_VERBS, messages).filter((request) =>
    WORKFLOW_WORDS.test(request),
  );
  // Every secret the workflow uses must be one the request names.
  const secrets = [...content.matchAll(SECRET_USE)].map((match) => match[1] ?? '');
  return (
    requests.length > 0 &&
    secrets.every((secret) => requests.some((request) => containsWord(request, secret)))
  );
}

/**
 * Actions that act on a pull request through the API without checking out or running its
 * code: labeling by changed paths, greeting first-time contributors, checking the title's
 * format. On `pull_request_target` such a job never runs contributor code, although it has
 * the base repository's token.
 */
const API_ONLY_ACTION =
  /^(actions\/labeler|actions\/first-interaction|amannn\/action-semantic-pull-request)@[\w.-]+$/;
/** Events of a workflow that runs only API-only actions. */
const API_ONLY_EVENTS = new Set(['pull_request_target', 'pull_request', ...MAINTAINER_EVENTS]);
/** Step keys that name, configure or condition an action, as opposed to `run`. */
const STEP_KEYS = new Set(['uses', 'with', 'env', 'name', 'id', 'if']);
/** Token scopes these actions need: reading contents, writing labels and comments. */
const API_ONLY_PERMISSIONS = new Map([
  ['contents', 'read'],
  ['pull-requests', 'write'],
  ['issues', 'write'],
]);
/** The only expressions an action's input may use: the workflow's own token. */
const OWN_TOKEN = /^\$\{\{\s*(?:secrets\.GITHUB_TOKEN|github\.token)\s*\}\}$/;

/** Checks that a step only uses an API-only action with plain inputs and environment, and returns its name. */
function apiOnlyAction(step: unknown): string | undefined {
  if (typeof step !== 'object' || step === null || Array.isArray(step)) {
    return undefined;
  }
  const entries = Object.entries(step);
  const uses = (step as Record<string, unknown>)['uses'];
  const inputs = [
    (step as Record<string, unknown>)['with'],
    (step as Record<string, unknown>)['env'],
  ];
  const action = typeof uses === 'string' ? API_ONLY_ACTION.exec(uses)?.[1] : undefined;
  if (
    action === undefined ||
    !entries.every(([key]) => STEP_KEYS.has(key)) ||
    !inputs.every(
      (values) =>
        values === undefined ||
        (typeof values === 'object' &&
          values !== null &&
          Object.values(values).every(
            (value) =>
              typeof value !== 'string' || !value.includes('${{') || OWN_TOKEN.test(value.trim()),
          )),
    )
  ) {
    return undefined;
  }
  return action;
}

/** Checks that a `permissions` value grants no more than {@link API_ONLY_PERMISSIONS}. */
function grantsApiOnly(permissions: unknown): boolean {
  if (permissions === undefined || permissions === 'read-all') {
    return true;
  }
  return (
    typeof permissions === 'object' &&
    permissions !== null &&
    Object.entries(permissions).every(
      ([scope, level]) =>
        level === 'read' || level === 'none' || API_ONLY_PERMISSIONS.get(scope) === level,
    )
  );
}

/**
 * Checks whether `content`, the whole text of a new workflow file, runs on pull request events
 * only actions that use the API and never check out or run the pull request's code (see
 * {@link API_ONLY_ACTION}), with no `run` step, no secret but the workflow's own token, and
 * token scopes limited to labels and comments, and whether a request for a workflow in
 * `messages` names each action ("add a workflow that labels PRs with actions/labeler").
 */
export function runsOnlyApiActions(content: string, messages: string): boolean {
  if (SENT_SECRET.test(content) || UNTRUSTED_TEXT.test(content)) {
    return false;
  }
  let document: unknown;
  try {
    document = parse(content, { uniqueKeys: true });
  } catch {
    return false;
  }
  const events = workflowEvents(content);
  const root = typeof document === 'object' && document !== null ? document : {};
  const jobs = (root as Record<string, unknown>)['jobs'];
  if (
    events === undefined ||
    events.length === 0 ||
    !events.every((event) => API_ONLY_EVENTS.has(event)) ||
    !grantsApiOnly((root as Record<string, unknown>)['permissions']) ||
    typeof jobs !== 'object' ||
    jobs === null
  ) {
    return false;
  }
  const actions: string[] = [];
  for (const job of Object.values(jobs)) {
    const { steps, permissions, uses } = (job ?? {}) as Record<string, unknown>;
    if (uses !== undefined || !grantsApiOnly(permissions) || !Array.isArray(steps)) {
      return false;
    }
    for (const step of steps) {
      const action = apiOnlyAction(step);
      if (action === undefined) {
        return false;
      }
      actions.push(action);
    }
  }
  const requests = requestsVerb(WORKFLOW_VERBS, messages).filter((request) =>
    WORKFLOW_WORDS.test(request),
  );
  return (
    actions.length > 0 &&
    actions.every((action) => requests.some((request) => containsWord(request, action)))
  );
}

/** A checkout step's `ref:` that picks the pull request's own head rather than the base. */
const PULL_REQUEST_HEAD_REF =
  /\bref:\s*['"]?(?:\$\{\{\s*github\.(?:event\.pull_request\.head\.(?:sha|ref)|head_ref)\b|refs\/pull\/)/;

/**
 * Checks whether a workflow edit adds a checkout of the pull request's head while the
 * triggers lie outside the edited text. On `pull_request_target` or `workflow_run` such a job
 * runs contributor code with secrets and a write token, and the edit alone cannot show which
 * trigger the file has, so it asks.
 */
export function addsPullRequestHeadCheckout(added: string): boolean {
  return (
    added.includes('actions/checkout') &&
    PULL_REQUEST_HEAD_REF.test(added) &&
    !/^on\s*:/m.test(added)
  );
}

/** Commands and actions that publish a package or image to its registry. */
const PUBLISH_STEP =
  /\b(?:(?:npm|pnpm|yarn(?: npm)?) publish|twine upload|(?:poetry|uv) publish|cargo publish|gem push|docker push|goreleaser)\b|pypa\/gh-action-pypi-publish/;
/**
 * Registry words that a publishing secret's name carries (`NPM_TOKEN`, `PYPI_API_TOKEN`), each
 * with the words a request uses for that registry.
 */
const REGISTRY_WORDS: ReadonlyMap<string, RegExp> = new Map([
  ['npm', /\bnpm\b/i],
  ['pypi', /\bpypi\b/i],
  ['cargo', /\b(?:cargo|crates?(?:\.io)?)\b/i],
  ['crates', /\bcrates?(?:\.io)?\b/i],
  ['rubygems', /\b(?:rubygems|gems?)\b/i],
  ['gem', /\b(?:rubygems|gems?)\b/i],
  ['docker', /\b(?:docker(?: ?hub)?|images?)\b/i],
]);
/**
 * A request's words for a trigger that only maintainers fire: a pushed tag, a published
 * release, a push to the default branch or a manual run.
 */
const MAINTAINER_TRIGGER =
  /\b(?:tags?|releases? (?:is |gets )?(?:published|created|cut)|on (?:a )?release|workflow_dispatch|manual(?:ly)?|push(?:es|ed)? to (?:main|master))\b/i;
const PUBLISH_VERBS = String.raw`publish\w*|releas\w*|push\w*|upload\w*|ship\w*|mak\w*|add\w*|set\w* up|configur\w*|chang\w*|updat\w*|edit\w*`;
/** Words of a request that ask for a publish. */
const PUBLISH_WORDS = /\b(?:publish\w*|releas\w*|upload\w*|ship\w*|push\w* (?:it |the \w+ )?to)\b/i;

/**
 * Checks whether an edit of a workflow only adds a publish step whose secrets belong to the
 * registry it publishes to, as a request to publish on a maintainer trigger asks ("publish to
 * npm when a tag is pushed"). The added text may change no trigger, check out no pull request
 * head, send no secret to a network client and put no contributor text into a step.
 *
 * NOTE: the workflow's triggers lie outside the edited text, so this trusts the request's
 * account of them: a workflow that in fact runs on `pull_request_target` is not caught here.
 */
export function addsRequestedPublishStep(added: string, messages: string): boolean {
  if (
    !PUBLISH_STEP.test(added) ||
    /^\s*on\s*:|pull_request|issue_comment|workflow_run|write-all/m.test(added) ||
    SENT_SECRET.test(added) ||
    UNTRUSTED_TEXT.test(added) ||
    addsPullRequestHeadCheckout(added)
  ) {
    return false;
  }
  const requests = requestsVerb(PUBLISH_VERBS, messages).filter(
    (request) => PUBLISH_WORDS.test(request) && MAINTAINER_TRIGGER.test(request),
  );
  const secrets = [...added.matchAll(SECRET_USE)].map((match) => match[1] ?? '');
  return (
    requests.length > 0 &&
    secrets.every((secret) =>
      requests.some(
        (request) =>
          containsWord(request, secret) ||
          secret
            .toLowerCase()
            .split('_')
            .some((word) => REGISTRY_WORDS.get(word)?.test(request) === true),
      ),
    )
  );
}
