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

/**
 * Cache folders of other language tools, found by their shape: `~/.TOOL/compiled`,
 * `~/.TOOL/cache`, `~/.TOOL/caches` (Julia's precompile cache, for one) and `~/.cache/TOOL`.
 * The user names the tool, or for a compile cache may call it a (pre)compile cache instead.
 * Folders of keys and credentials are left out.
 */
const TOOL_CACHE =
  /^\.(?!ssh\/|gnupg\/|aws\/|azure\/|docker\/|config\/|local\/)([\w-]+)\/(compiled|cache|caches)\/[^/]|^\.cache\/(?!sandstack\b)([\w-]+)\/[^/]/;
const COMPILE_CACHE_WORD = /\b(?:pre-?)?compil\w*\s+cache\b/i;

/**
 * Returns the cache root of `relative`, a path under the home folder, as {@link TOOL_CACHE}
 * reads it, with the words a user names its tool by.
 */
function toolCacheRoot(relative: string): [string, RegExp] | undefined {
  const match = TOOL_CACHE.exec(relative);
  const tool = match?.[1] ?? match?.[3];
  if (match === null || tool === undefined || tool.length < 2) {
    return undefined;
  }
  const root = match[1] === undefined ? `.cache/${tool}` : `.${tool}/${match[2] ?? ''}`;
  const name = new RegExp(`\\b${tool}\\b`, 'i');
  const words =
    match[2] === 'compiled' ? new RegExp(`${name.source}|${COMPILE_CACHE_WORD.source}`, 'i') : name;
  return [root, words];
}

/** Words for a tool's local store of artifacts: its cache, or a local repository built by it. */
const LOCAL_STORE = /\b(?:cache|repositor(?:y|ies)\b|repo\b|store\b)/i;
const DELETE_REQUEST = /\b(?:delete|remove|drop|clear|purge|wipe|evict|clean)\b/i;

/**
 * Checks whether the user asked to delete `resolved`, an entry inside a package manager's
 * cache or local repository: the messages ask for a delete, name the tool and its cache or
 * repository, and name the entry's own folder or file name, as "drop com.acme.internal from
 * my gradle cache" names `~/.gradle/caches/modules-2/files-2.1/com.acme.internal`. The cache
 * root itself does not qualify. Other tools' caches are read by {@link TOOL_CACHE}.
 */
export function namesCacheEntry(messages: string, resolved: string, homeDir: string): boolean {
  const entry = resolved.replace(/^.*\//, '');
  const home = homeDir.replace(/\/$/, '');
  const other = isInside(resolved, home)
    ? toolCacheRoot(resolved.slice(home.length + 1))
    : undefined;
  const roots = other === undefined ? CACHE_ROOTS : [...CACHE_ROOTS, other];
  return roots.some(([root, tool]) => {
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
