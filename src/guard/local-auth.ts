/**
 * Requested changes that turn off authentication of a service on the user's own machine:
 * "turn off Elasticsearch security in the local docker-compose, it's only for my laptop"
 * consents to `xpack.security.enabled=false` in the project's compose file. The file must be
 * a compose file or local env file inside the project whose name marks no shared
 * environment, and the request must name the action, authentication and a local scope, with
 * no production named in it.
 */
import { requestsVerb } from './consent.js';
import { isInside } from './paths.js';

/** Compose files and env files that configure services run on the developer's machine. */
const LOCAL_SERVICE_FILE =
  /(?:^|\/)(?:(?:docker-)?compose(?:\.[\w-]+)*\.ya?ml|\.env\.(?:local|development|dev))$/;
/** File names that mark a shared environment. */
const SHARED_ENVIRONMENT = /prod|prd|staging|stage|live|shared|ci\b/i;
const TURN_OFF_VERBS = String.raw`turn\w* off|switch\w* off|disabl\w*|remov\w*|drop\w*|skip\w*|get rid of|kill\w*`;
const AUTH_WORDS = /\b(?:security|auth\w*|log-?ins?|login prompts?|passwords?|credentials)\b/i;
const LOCAL_WORDS =
  /\blocal(?:ly|host)?\b|\blaptop\b|\bmy machine\b|\bon my (?:mac|pc|box)\b|\bdev(?:elopment)? (?:only|setup|stack|environment)\b/i;

/** Checks whether the user asked to turn off authentication of a local service in `target`. */
export function requestsLocalAuthOff(
  target: string,
  projectDir: string,
  messages: string,
): boolean {
  if (
    !LOCAL_SERVICE_FILE.test(target) ||
    !isInside(target, projectDir) ||
    SHARED_ENVIRONMENT.test(target.slice(projectDir.length))
  ) {
    return false;
  }
  return requestsVerb(TURN_OFF_VERBS, messages).some(
    (clause) =>
      AUTH_WORDS.test(clause) &&
      !/\bprod|\bstaging\b|\blive\b/i.test(clause) &&
      (LOCAL_WORDS.test(clause) || LOCAL_WORDS.test(messages)),
  );
}
