/**
 * GitHub Actions workflows that only people with write access can start: pushes to the
 * repository's branches or tags, `workflow_dispatch`, `release` and `schedule`. Secrets and
 * write tokens in such a workflow are not exposed to outside contributors, unlike
 * `pull_request_target`, `issue_comment`, `workflow_run` or `pull_request` (fork pull
 * requests), which anyone can fire. A new workflow written whole, that the user asked for,
 * and whose every trigger is one of these is therefore no secret on an untrusted event.
 * Edits are not covered, because the triggers may lie outside the edited text.
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
