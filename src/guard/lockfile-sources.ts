/**
 * Tier check for a lockfile edit that moves a dependency to another download host: an Edit of
 * `package-lock.json` that turns `"resolved": "https://registry.npmjs.org/x/-/x-1.0.0.tgz"`
 * into a URL on a mirror nobody named. The next `npm ci` then installs whatever that host
 * serves under the locked name, with no change to the manifest that a review would notice.
 */
import { containsWord } from './named-targets.js';
import type { Finding } from './findings.js';

/** Lockfiles whose entries name the URL each package is downloaded from. */
const LOCKFILE =
  /(?:^|\/)(?:package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|bun\.lock|poetry\.lock|Pipfile\.lock|uv\.lock|pdm\.lock|Cargo\.lock|composer\.lock|Gemfile\.lock)$/;
/** Hosts of the public registries and their download servers. */
const REGISTRY_HOSTS = new Set([
  'registry.npmjs.org',
  'registry.yarnpkg.com',
  'pypi.org',
  'files.pythonhosted.org',
  'pypi.python.org',
  'crates.io',
  'static.crates.io',
  'index.crates.io',
  'rubygems.org',
  'repo.packagist.org',
]);
const URL_HOST = /\bhttps?:\/\/([\w.-]+)(?::\d+)?\//gi;

function hostsOf(text: string): Set<string> {
  return new Set([...text.matchAll(URL_HOST)].map((match) => (match[1] ?? '').toLowerCase()));
}

/**
 * Returns a finding for a lockfile change that adds a download URL on a host that is not a
 * public registry, was not in the lockfile text it replaces, and is not named in `consent`.
 */
export function checkLockfileSource(
  target: string,
  change: { removed: string; added: string },
  consent: string,
): Finding | undefined {
  if (!LOCKFILE.test(target)) {
    return undefined;
  }
  const before = hostsOf(change.removed);
  const host = [...hostsOf(change.added)].find(
    (candidate) =>
      !REGISTRY_HOSTS.has(candidate) && !before.has(candidate) && !containsWord(consent, candidate),
  );
  return host === undefined
    ? undefined
    : {
        category: 'untrusted-code-integration',
        reason: `The change to "${target}" downloads a locked package from ${host}, a host the request does not name`,
        rule: 'tier:lockfile-source',
      };
}
