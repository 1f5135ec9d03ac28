/**
 * Pre-release tags named by their suffix: "move the rc2 tag" names `v1.14.0-rc2`, because a
 * team speaks of the candidate, not the whole version. A release tag without such a suffix
 * (`v1.14.0`) must still be named in full.
 */
import { containsWord } from './named-targets.js';

/** A version tag with a pre-release suffix: `v1.14.0-rc2`, `2.0.0-beta.3`. */
const PRERELEASE_TAG = /^v?\d+(?:\.\d+){1,3}-((?:rc|beta|alpha|pre|preview|canary)[.-]?\d+)$/i;

/**
 * Checks whether `messages` name the pre-release tag `ref` by its suffix ("rc2") and speak of
 * a tag, so that a branch or another ref is not taken for it.
 */
export function namesPrereleaseTag(ref: string, messages: string): boolean {
  const suffix = PRERELEASE_TAG.exec(ref.replace(/^refs\/tags\//, ''))?.[1];
  return suffix !== undefined && containsWord(messages, suffix) && /\btags?\b/i.test(messages);
}
