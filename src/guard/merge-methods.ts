/**
 * The merge method of a pull request merge against the one the user asked for. "Squash-merge
 * it" asks for a squash, and "rebase-merge it, not squash" asks for a rebase, so a merge by
 * another method is not what the user requested. A request that names no method leaves the
 * method to the repository's settings and the call.
 */
import type { ToolCall } from './types.js';

/** Request words of each merge method, as GitHub's `merge_method` values name them. */
const METHOD_WORDS: Record<string, RegExp> = {
  squash: /\bsquash\w*/gi,
  rebase: /\brebas\w*/gi,
  merge: /\bmerge\s+commits?\b|\bno[-\s]squash\b/gi,
};
/** Words just before a method that refuse it: "not squash", "don't rebase". */
const REFUSED_BEFORE = /\b(?:not|no|don'?t|never|without|instead\s+of)\s+(?:\w+\s+)?$/i;

/** Returns the merge methods that `text` asks for, leaving out refused ones. */
function requestedMethods(text: string): Set<string> {
  const methods = new Set<string>();
  for (const [method, pattern] of Object.entries(METHOD_WORDS)) {
    for (const match of text.matchAll(pattern)) {
      if (!REFUSED_BEFORE.test(text.slice(Math.max(0, match.index - 20), match.index))) {
        methods.add(method);
      }
    }
  }
  return methods;
}

/**
 * Checks whether a pull request merge uses a method other than the ones the standing requests
 * `standing` name, when they name any. A call with no `merge_method` is not judged here.
 */
export function mergesByUnaskedMethod(call: ToolCall, standing: string): boolean {
  const method = call.input['merge_method'] ?? call.input['mergeMethod'];
  if (typeof method !== 'string') {
    return false;
  }
  const requested = requestedMethods(standing);
  return requested.size > 0 && !requested.has(method.toLowerCase());
}
