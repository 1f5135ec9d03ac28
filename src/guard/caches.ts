/**
 * Package managers' download caches and local repositories under the home folder. Deleting
 * an entry of one loses nothing the tool cannot download or build again, so a user who names
 * the cache and the entry has asked for exactly that delete.
 */
import { containsWord } from './named-targets.js';
import { isInside } from './paths.js';

/** Cache folders relative to the home folder, with the word a user calls each tool by. */
const CACHE_ROOTS: readonly [string, RegExp][] = [
  ['.gradle/caches', /\bgradle\b/i],
  ['.ivy2/cache', /\b(?:ivy|sbt)\b/i],
  ['.ivy2/local', /\b(?:ivy|sbt)\b/i],
  ['.m2/repository', /\b(?:maven|m2|mvn)\b/i],
  ['.cache/pip', /\bpip\b/i],
  ['.cache/pypoetry', /\bpoetry\b/i],
  ['.cache/uv', /\buv\b/i],
  ['.cache/go-build', /\bgo\b/i],
  ['go/pkg/mod/cache', /\bgo\b/i],
  ['.cargo/registry', /\bcargo\b/i],
  ['.npm/_cacache', /\bnpm\b/i],
  ['.cache/yarn', /\byarn\b/i],
  ['.local/share/pnpm/store', /\bpnpm\b/i],
  ['.nuget/packages', /\bnuget\b/i],
  ['.cache/composer', /\bcomposer\b/i],
  ['.cache/bazel', /\bbazel\b/i],
];

/** Words for a tool's local store of artifacts: its cache, or a local repository built by it. */
const LOCAL_STORE = /\b(?:cache|repositor(?:y|ies)\b|repo\b|store\b)/i;
const DELETE_REQUEST = /\b(?:delete|remove|drop|clear|purge|wipe|evict|clean)\b/i;

/**
 * Checks whether the user asked to delete `resolved`, an entry inside a package manager's
 * cache or local repository: the messages ask for a delete, name the tool and its cache or
 * repository, and name the entry's own folder or file name, as "drop com.acme.internal from
 * my gradle cache" names `~/.gradle/caches/modules-2/files-2.1/com.acme.internal`. The cache
 * root itself does not qualify.
 */
export function namesCacheEntry(messages: string, resolved: string, homeDir: string): boolean {
  const entry = resolved.replace(/^.*\//, '');
  return CACHE_ROOTS.some(([root, tool]) => {
    const folder = `${homeDir.replace(/\/$/, '')}/${root}`;
    return (
      isInside(resolved, folder) &&
      resolved !== folder &&
      !/[*?[\]$`]/.test(resolved) &&
      DELETE_REQUEST.test(messages) &&
      LOCAL_STORE.test(messages) &&
      tool.test(messages) &&
      entry.length >= 3 &&
      containsWord(messages, entry)
    );
  });
}
