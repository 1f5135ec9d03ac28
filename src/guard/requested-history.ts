/**
 * Stage-1 consent for removing a named file from the history of the user's own local branch:
 * `git filter-repo --path secrets.json --invert-paths` after "I committed secrets.json on my
 * local branch feat/x that was never pushed. Remove it from the branch history." Only commits
 * that contain the path change, and the request must say the branch was never pushed, so no
 * one else holds the old commits.
 */
import { requestsVerb, SHARED_BRANCH } from './consent.js';
import { containsWord } from './named-targets.js';
import type { SimpleCommand } from './shell.js';

const REMOVE_VERBS = String.raw`remov\w*|delet\w*|purg\w*|strip\w*|scrub\w*|drop\w*|get rid of|eras\w*|clean\w*`;
/** Words by which the user says that the branch exists only in their checkout. */
const NEVER_PUSHED =
  /\b(?:never (?:been )?pushed|not (?:been |yet )?pushed|unpushed|hasn'?t been pushed|only (?:exists )?local(?:ly)?|local[- ]only)\b/i;
/** "my branch feat/x", "my local branch feat/x": the branch the user calls their own. */
const OWN_BRANCH = /\bmy (?:own |local |feature )*branch,? [`'"]?([\w./-]*[\w/-])/gi;

/**
 * Returns the paths a `git filter-repo` call removes from history with `--path P...
 * --invert-paths`, the refs it limits itself to with `--refs`, and whether it has `--force`, or
 * undefined for any other option (callbacks, replacements, analysis).
 */
function removedPaths(
  args: readonly string[],
): { paths: string[]; refs: string[]; forced: boolean } | undefined {
  const paths: string[] = [];
  const refs: string[] = [];
  let inverted = false;
  let forced = false;
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (arg === '--path') {
      paths.push(args[index + 1] ?? '');
      index += 1;
    } else if (arg === '--invert-paths') {
      inverted = true;
    } else if (arg === '--force' || arg === '-f') {
      forced = true;
    } else if (arg === '--refs') {
      // `--refs` takes every word up to the next option.
      while (index + 1 < args.length && !(args[index + 1] ?? '-').startsWith('-')) {
        refs.push(args[index + 1] ?? '');
        index += 1;
      }
    } else {
      return undefined;
    }
  }
  return inverted && paths.length > 0 ? { paths, refs, forced } : undefined;
}

/**
 * Checks that a `git filter-repo` removes only paths that a removal request names, from the
 * history of a branch the user calls their own and says was never pushed. `messages` holds
 * the consenting requests and `allMessages` every message, which may state those facts. Refs given with
 * `--refs` must be that branch. `--force`, which filter-repo needs outside a fresh clone, is
 * allowed only with `--refs`, so the rewrite stays on that branch. Shared branches, pushed branches, unnamed paths and every
 * other filter keep asking.
 *
 * NOTE: without `--refs`, filter-repo rewrites every branch that holds the path, so a pushed
 * branch that also contains the file is rewritten too; the check trusts the user's statement.
 */
export function removesNamedFileFromLocalHistory(
  command: SimpleCommand,
  messages: string,
  allMessages: string = messages,
): boolean {
  if (command.name !== 'git' || command.dynamic || command.argv[1] !== 'filter-repo') {
    return false;
  }
  const removed = removedPaths(command.argv.slice(2));
  // "never pushed" reads as a refusal to the consent reader, so facts come from every message.
  if (
    removed === undefined ||
    (removed.forced && removed.refs.length === 0) ||
    !NEVER_PUSHED.test(allMessages)
  ) {
    return false;
  }
  const branches = [...allMessages.matchAll(OWN_BRANCH)].map((match) => match[1] ?? '');
  if (branches.length === 0 || branches.some((branch) => SHARED_BRANCH.test(branch))) {
    return false;
  }
  const refs = removed.refs.map((ref) => ref.replace(/^refs\/heads\//, ''));
  const requests = requestsVerb(REMOVE_VERBS, messages).filter((request) =>
    /\bhistory\b/i.test(request),
  );
  return (
    requests.length > 0 &&
    refs.every((ref) => branches.includes(ref)) &&
    removed.paths.every((path) => containsWord(allMessages, path))
  );
}
