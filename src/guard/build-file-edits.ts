/**
 * Checks of edits to build and dependency files: Gradle and Maven builds, Podfile, Gemfile,
 * requirements files and package.json. Two changes pull in code no one reviewed: a package
 * repository over plain HTTP, and a dependency renamed to a look-alike of itself (`okhttp` to
 * `okhtttp`). Git sources of dependencies are judged by the manifest check in tiers.ts.
 */
import { isLookAlikeName } from './dependency-redirects.js';
import type { Finding } from './findings.js';

/** Build and dependency files whose edits this module judges. */
const BUILD_FILE =
  /(?:^|\/)(?:(?:build|settings|init)\.gradle(?:\.kts)?|pom\.xml|settings\.xml|Podfile|Gemfile|requirements[\w.-]*\.txt|package\.json)$/;

/**
 * Returns a finding for an edit of the build file `target` that adds an insecure repository or a
 * look-alike dependency, or undefined.
 */
export function checkBuildFileEdit(
  target: string,
  removed: string,
  added: string,
  messages: string,
): Finding | undefined {
  if (!BUILD_FILE.test(target)) {
    return undefined;
  }
  return (
    insecureRepository(target, removed, added, messages) ??
    lookAlikeDependency(target, removed, added)
  );
}

/** A line that declares where packages come from, with a plain-HTTP URL in group 1. */
const PLAIN_HTTP_REPOSITORY =
  /(?:\burl\b|\buri\(|<url>|^\s*source\b|--(?:extra-)?index-url|--find-links|^\s*-i\b|registry).*?\b(http:\/\/[^\s"'<>)]+)/gim;
/** Words of a repository declaration in Gradle, Maven, CocoaPods, Bundler and pip files. */
const REPOSITORY_BLOCK =
  /\bmaven\b|\bivy\b|\brepositories\b|<(?:repository|pluginRepository|mirror)>|^\s*source\b|index-url|--find-links|^\s*-i\b|registry/m;
/** Gradle's switch that lets a repository use plain HTTP. */
const ALLOW_INSECURE = /\b(?:isA|a)llowInsecureProtocol\s*=?\s*true\b/;

function insecureRepository(
  target: string,
  removed: string,
  added: string,
  messages: string,
): Finding | undefined {
  if (!added.includes('http://') && !ALLOW_INSECURE.test(added)) {
    return undefined;
  }
  // A POM's own `<url>` and a publication's `url` name a web page, not a repository.
  if (!REPOSITORY_BLOCK.test(added)) {
    return undefined;
  }
  for (const match of added.matchAll(PLAIN_HTTP_REPOSITORY)) {
    const url = match[1] ?? '';
    const host = /^http:\/\/([^/:]+)/.exec(url)?.[1] ?? '';
    if (
      removed.includes(url) ||
      /^(?:localhost|127\.|\[?::1)/.test(host) ||
      messages.includes(host)
    ) {
      continue;
    }
    return {
      category: 'untrusted-code-integration',
      reason: `The change to "${target}" adds the package repository ${url} over plain HTTP, so anyone on the path can replace what the build downloads`,
      rule: 'tier:insecure-repository',
    };
  }
  return undefined;
}

/** Gradle coordinates in quotes: group 1 is `group:artifact`. */
const GRADLE_COORDINATE = /["']([\w.-]+:[\w.-]+)(?::[^"'\s]*)?["']/g;
/** `pod 'Name'` and `gem 'name'`: group 1 is the name. */
const POD_OR_GEM = /\b(?:pod|gem)\s+['"]([^'"]+)['"]/g;
/** A requirement line: group 1 is the package name. */
const REQUIREMENT = /^\s*([A-Za-z0-9][\w.-]*)\s*(?:\[[^\]]*\])?\s*(?:[=<>~!]=|@|;|$)/gm;
/** A package.json dependency with a version range: group 1 is the name. */
const PACKAGE_JSON_DEPENDENCY = /"(@?[\w.-]+(?:\/[\w.-]+)?)"\s*:\s*"[\^~<>=]*\d/g;

/** Returns the dependency names that `text`, a part of the build file `target`, declares. */
function dependencyNames(target: string, text: string): string[] {
  const pattern = /\.gradle(?:\.kts)?$|pom\.xml$/.test(target)
    ? GRADLE_COORDINATE
    : /(?:Podfile|Gemfile)$/.test(target)
      ? POD_OR_GEM
      : target.endsWith('.txt')
        ? REQUIREMENT
        : PACKAGE_JSON_DEPENDENCY;
  return [...text.matchAll(pattern)].map((match) => match[1] ?? '').filter((name) => name !== '');
}

/**
 * Returns a finding when the edit replaces a dependency with one whose name only looks like it.
 * Names that differ only in digits (`jdk7` to `jdk8`) are versions of one another, not look-alikes.
 */
function lookAlikeDependency(target: string, removed: string, added: string): Finding | undefined {
  const before = dependencyNames(target, removed);
  if (before.length === 0) {
    return undefined;
  }
  for (const name of dependencyNames(target, added)) {
    if (before.includes(name)) {
      continue;
    }
    const original = before.find((old) => looksLike(old, name));
    if (original !== undefined) {
      return {
        category: 'untrusted-code-integration',
        reason: `The change to "${target}" replaces the dependency "${original}" with "${name}", a name that only looks like it; check the name`,
        rule: 'tier:look-alike-dependency',
      };
    }
  }
  return undefined;
}

function looksLike(original: string, name: string): boolean {
  const [group, artifact] = original.includes(':') ? original.split(':') : ['', original];
  const [newGroup, newArtifact] = name.includes(':') ? name.split(':') : ['', name];
  if (group !== newGroup && artifact !== newArtifact) {
    return false;
  }
  const [from, to] =
    group === newGroup ? [artifact ?? '', newArtifact ?? ''] : [group ?? '', newGroup ?? ''];
  return from.replace(/\d/g, '') !== to.replace(/\d/g, '') && isLookAlikeName(from, to);
}
