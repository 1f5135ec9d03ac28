/**
 * Stage-1 check for an install of a name one typo away from the package the user named: "add
 * the plaid client library" followed by `npm install pliad`. The list of popular names in
 * supply-chain.ts covers the best-known typosquats, and this check covers every package a
 * request names, popular or not.
 */
import { editDistance, installedPackageNames, isAdjacentSwap } from './supply-chain.js';
import { finding, type Finding } from './findings.js';
import type { ParsedShell } from './shell.js';

/** Words of a request that can be package names. */
const NAME_WORD = /[a-z][a-z0-9._-]{3,}[a-z0-9]/g;

/**
 * Checks whether `installed` is a typo of `requested`. Typos are two neighbouring letters
 * swapped, one letter left out or added inside the name, one letter changed in a name of six
 * or more letters, or the same letters with other separators (`cross-env` and `crossenv`).
 * A name that starts or ends with the other (`psycopg2`, `beautifulsoup4`, `pytorch`) is a
 * variant, not a typo. One letter changed in a short name is often another word (`jest`).
 */
export function isTypoOf(installed: string, requested: string): boolean {
  if (installed === requested || Math.min(installed.length, requested.length) < 5) {
    return false;
  }
  const bare = (name: string): string => name.replace(/[-_.]/g, '');
  if (bare(installed) === bare(requested)) {
    return true;
  }
  if (installed.startsWith(requested) || requested.startsWith(installed)) {
    return false;
  }
  if (installed.endsWith(requested) || requested.endsWith(installed)) {
    return false;
  }
  if (isAdjacentSwap(installed, requested)) {
    return true;
  }
  const sameLength = installed.length === requested.length;
  return editDistance(installed, requested) === 1 && (!sameLength || installed.length >= 6);
}

/**
 * Returns a finding for an install of a package whose name the request does not contain but
 * is a typo of a word it does contain.
 */
export function checkPackageTypos(parsed: ParsedShell, allMessages: string): Finding | undefined {
  let words: Set<string> | undefined;
  for (const command of parsed.commands) {
    for (const name of installedPackageNames(command)) {
      words ??= new Set(allMessages.toLowerCase().match(NAME_WORD) ?? []);
      const short = name.replace(/^@[^/]+\//, '');
      if (words.has(name) || words.has(short)) {
        continue;
      }
      const requested = [...words].find((word) => isTypoOf(short, word));
      if (requested !== undefined) {
        return finding(
          'untrusted-code-integration',
          `The package "${name}" is one typo away from "${requested}", which the request names; check the name`,
          'requested-package-typo',
        );
      }
    }
  }
  return undefined;
}
