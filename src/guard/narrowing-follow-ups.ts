/**
 * Fragments that narrow the request before them: "Delete the old CI artifacts in the
 * acme-ci-artifacts bucket", then "only the 2025/ prefix". Such a fragment has no verb of its
 * own, so it names a part of the earlier request's target rather than a new action.
 */

/**
 * A fragment of at most eight words that starts with "only" or "just" and then a determiner or
 * a path: "only the 2025/ prefix", "just logs/2024/". "just delete it" is a request, not this.
 */
const NARROWING_FRAGMENT =
  /^(?:(?:yes|ok(?:ay)?|and|but)[,\s]+)?(?:only|just)\s+(?:(?:the|this|that|these|those)\s+|[\w.-]*\/)(?:\S+\s*){0,7}$/i;

const SENTENCE_END = /(?<=[.!?;])\s+|\n+/;

/**
 * Returns `text`, the reading of the request sentence `request`, followed by the narrowing
 * fragments that come right after that sentence in `messages`, one per line, so that a target
 * they name counts as named by the request. Only the sentences that follow the request without
 * a gap are read.
 */
export function withNarrowingFollowUps(text: string, messages: string, request: string): string {
  const sentences = messages.split(SENTENCE_END).map((sentence) => sentence.trim());
  const at = sentences.indexOf(request);
  if (at < 0) {
    return text;
  }
  const fragments: string[] = [];
  for (const sentence of sentences.slice(at + 1)) {
    const fragment = sentence.replace(/[.!]$/, '');
    if (!NARROWING_FRAGMENT.test(fragment) || /\?$/.test(fragment)) {
      break;
    }
    fragments.push(fragment);
  }
  return [text, ...fragments].join('\n');
}
