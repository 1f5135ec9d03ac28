/**
 * Package sources: the indexes, registries, mirrors and proxies that package managers
 * download code from, and the settings that drop their TLS or checksum checks. A source is
 * trusted when it is an ecosystem's official registry over HTTPS, a service on loopback, or
 * a host the user names. Anything else (an unknown mirror, plain HTTP to another host,
 * `--trusted-host`, `GOINSECURE`, `GOSUMDB=off`) lets a third party serve the project's code.
 */
import { finding, type Finding } from './findings.js';
import { optionValue } from './options.js';
import { containsWord } from './named-targets.js';
import { shellWrites } from './shell-writes.js';
import type { ParsedShell, SimpleCommand } from './shell.js';

/** Official registries of pip, npm, yarn, bun, RubyGems, Cargo, Go and NuGet, and PyTorch's index. */
const OFFICIAL_HOSTS =
  /^(?:pypi\.org|files\.pythonhosted\.org|download\.pytorch\.org|pypi\.nvidia\.com|registry\.npmjs\.org|registry\.yarnpkg\.com|(?:npm|rubygems|nuget|maven)\.pkg\.github\.com|rubygems\.org|index\.rubygems\.org|crates\.io|index\.crates\.io|static\.crates\.io|github\.com|proxy\.golang\.org|sum\.golang\.org|api\.nuget\.org|conda\.anaconda\.org|repo\.anaconda\.com)$/i;
const LOOPBACK_HOST = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\]|::1)$/i;

/**
 * Package-manager configuration files, where every URL added names a package source. In
 * requirements files only index options count, since a URL there may be a direct dependency.
 */
const PACKAGE_CONFIG =
  /(?:^|\/)(?:pip\.conf|pip\.ini|\.npmrc|\.yarnrc(?:\.yml)?|bunfig\.toml|\.gemrc|uv\.toml|poetry\.toml|\.condarc|nuget\.config|\.cargo\/config(?:\.toml)?|go\.env)$/i;
/**
 * Manifests that also hold other URLs (a homepage, a git dependency), where only a source
 * key counts: `url`/`index-url` in `pyproject.toml` and `Pipfile`, `source` in a `Gemfile`.
 */
const MANIFEST_WITH_SOURCES = /(?:^|\/)(?:pyproject\.toml|Pipfile|Gemfile)$/;
const KEYED_SOURCE =
  /^\s*(?:url|index-url|extra-index-url|source)\b\s*(?:=\s*|\(?\s*)\[?\s*["']((?:sparse\+)?https?:\/\/[^\s"']+)/gm;
/** A URL in a package-manager file, with an optional Cargo `sparse+` or `git+` prefix. */
const URL_PATTERN = /(?:sparse\+|git\+)?(https?):\/\/(\[[^\]]+\]|[^\s/:"'<>,;]+)[^\s"'<>,;]*/gi;
/** Options and variables that name a package source in any file, such as a Dockerfile. */
const SOURCE_SETTING =
  /(?:--(?:extra-)?index-url|--find-links|(?<!\S)-[if]|--registry|--default-index|--index|\b(?:PIP_(?:EXTRA_)?INDEX_URL|PIP_FIND_LINKS|UV_(?:EXTRA_)?INDEX_URL|UV_DEFAULT_INDEX|UV_INDEX|NPM_CONFIG_REGISTRY|npm_config_registry|YARN_NPM_REGISTRY_SERVER|BUN_CONFIG_REGISTRY|GOPROXY|CARGO_REGISTRIES_\w+_INDEX|BUNDLE_MIRROR__\w+))[=\s:]+["']?(?:[\w-]+=)?((?:sparse\+)?https?:\/\/[^\s"',]+)/g;
/** Settings that drop a package manager's TLS or checksum checks for a host or for all. */
const CHECKS_OFF =
  /(?:--trusted-host[=\s]+|\btrusted-host\s*[=:]\s*|\bPIP_TRUSTED_HOST\W+)["']?([^\s"',]+)|\bunsafeHttpWhitelist\b|\bGOINSECURE\W+\S|\bGOSUMDB\W+off\b|\bGONOSUMDB\W+\S|\bGONOSUMCHECK\W+\S|\bGOFLAGS\W+["']?[^"'\n]*-insecure|\bstrict-ssl\W+false\b|\bNPM_CONFIG_STRICT_SSL\W+false\b|\benableStrictSsl\W+false\b|\bssl_verify\W+false\b/i;

/** Returns why `text` names an untrusted package source, or undefined when it names none. */
function untrustedSource(
  text: string,
  removed: string,
  messages: string,
  allUrls: boolean,
  keyedUrls: readonly string[] = [],
): string | undefined {
  // Most commands set no variable, and every pattern below needs some text to match.
  if (text === '' && keyedUrls.length === 0) {
    return undefined;
  }
  const urls = [
    ...keyedUrls,
    ...(allUrls ? [...text.matchAll(URL_PATTERN)].map((match) => match[0]) : []),
    ...[...text.matchAll(SOURCE_SETTING)].map((match) => match[1] ?? ''),
  ];
  const scoped = ownScopeRegistries(text);
  for (const url of urls) {
    if (url === '' || removed.includes(url) || scoped.has(url)) {
      continue;
    }
    const problem = sourceProblem(url, messages);
    if (problem !== undefined) {
      return problem;
    }
  }
  const checksOff = CHECKS_OFF.exec(text);
  if (checksOff !== null && !removed.includes(checksOff[0])) {
    const host = checksOff[1];
    if (host === undefined || !(LOOPBACK_HOST.test(host) || namesHost(messages, host))) {
      return `${checksOff[0].trim()} turns off the package manager's certificate or checksum checks`;
    }
  }
  return undefined;
}

/** An npm scope's registry in `.npmrc`: `@acme:registry=https://npm.acme.dev/`. */
const SCOPE_REGISTRY = /@([\w-]+):registry\s*=\s*(https:\/\/([^\s/:"']+)[^\s"']*)/g;

/**
 * Returns the HTTPS registries of npm scopes on a host named after the scope, such as
 * `@acme` on `npm.acme.dev`. Such a registry serves only the scope owner's own packages.
 */
function ownScopeRegistries(text: string): Set<string> {
  const own = new Set<string>();
  for (const match of text.matchAll(SCOPE_REGISTRY)) {
    const scope = (match[1] ?? '').toLowerCase();
    if (scope !== '' && (match[3] ?? '').toLowerCase().split(/[.-]/).includes(scope)) {
      own.add(match[2] ?? '');
    }
  }
  return own;
}

/** Returns what is wrong with the package source `url`, or undefined when it is trusted. */
function sourceProblem(url: string, messages: string): string | undefined {
  const match = /(https?):\/\/(\[[^\]]+\]|[^\s/:"'<>,;]+)/i.exec(url);
  if (match === null) {
    return undefined;
  }
  const scheme = (match[1] ?? '').toLowerCase();
  const host = (match[2] ?? '').toLowerCase();
  if (LOOPBACK_HOST.test(host) || namesHost(messages, host)) {
    return undefined;
  }
  if (scheme === 'http') {
    return `${url} is a package source over plain HTTP`;
  }
  return OFFICIAL_HOSTS.test(host) ? undefined : `${url} is a package source the user did not name`;
}

/** Checks whether the user's messages name `host`, as a whole word. */
function namesHost(messages: string, host: string): boolean {
  const escaped = host.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![\\w.-])${escaped}(?![\\w-])`, 'i').test(messages);
}

/**
 * Judges a change of the project file `relative` that adds `added`: a new package source
 * that is not trusted, or a setting that drops the package manager's checks.
 */
export function checkSourceChange(
  relative: string,
  removed: string,
  added: string,
  messages: string,
): Finding | undefined {
  const keyed = MANIFEST_WITH_SOURCES.test(relative)
    ? [...added.matchAll(KEYED_SOURCE)].map((match) => match[1] ?? '')
    : [];
  const problem = untrustedSource(added, removed, messages, PACKAGE_CONFIG.test(relative), keyed);
  return problem === undefined
    ? undefined
    : {
        category: 'untrusted-code-integration',
        reason: `The change to "${relative}" changes where packages come from: ${problem}`,
        rule: 'package-source',
      };
}

/**
 * Finds a shell command that adds an untrusted package source: `dotnet nuget add source`,
 * `nuget sources add`, `poetry source add`, `bundle config mirror.*`, `conda config --add
 * channels`, a source variable in an assignment or `export`, or a write into a
 * package-manager file.
 */
export function checkSourceCommands(parsed: ParsedShell, messages: string): Finding | undefined {
  for (const command of parsed.commands) {
    // With no assignment, no `export` and no source-adding program there is nothing to read.
    if (
      command.assignments.length === 0 &&
      command.name !== 'export' &&
      !SOURCE_ADDERS.has(command.name)
    ) {
      continue;
    }
    const text = [...command.assignments, ...sourceArguments(command)].join('\n');
    const problem =
      untrustedSource(text, '', messages, false) ??
      addedSources(command)
        .map((url) => sourceProblem(url, messages))
        .find((found) => found !== undefined);
    if (problem !== undefined) {
      return finding(
        'untrusted-code-integration',
        `\`${command.argv.slice(0, 4).join(' ')}\` changes where packages come from: ${problem}`,
        'package-source',
      );
    }
  }
  for (const write of shellWrites(parsed)) {
    const problem = untrustedSource(write.text, '', messages, PACKAGE_CONFIG.test(write.target));
    if (problem !== undefined) {
      return finding(
        'untrusted-code-integration',
        `The command changes where packages come from in "${write.target}": ${problem}`,
        'package-source',
      );
    }
  }
  return undefined;
}

/** Returns the `export` arguments of `command`, which set variables like assignments do. */
function sourceArguments(command: SimpleCommand): string[] {
  return command.name === 'export' ? command.argv.slice(1) : [];
}

/** Programs with a subcommand that adds a package source, read by {@link addedSources}. */
const SOURCE_ADDERS = new Set(['dotnet', 'nuget', 'poetry', 'conda', 'bundle']);

/** Returns the URLs that a source-adding subcommand of `command` adds. */
function addedSources(command: SimpleCommand): string[] {
  if (!SOURCE_ADDERS.has(command.name)) {
    return [];
  }
  const args = command.argv.slice(1);
  const line = args.join(' ');
  const positional = args.filter((arg) => /^(?:sparse\+)?https?:\/\//.test(arg));
  if (
    (command.name === 'dotnet' && /^nuget add source\b/.test(line)) ||
    (command.name === 'nuget' && /^sources add\b/.test(line)) ||
    (command.name === 'poetry' && /^source add\b/.test(line)) ||
    (command.name === 'conda' && /^config\b/.test(line) && /--(?:add|append|prepend)\b/.test(line))
  ) {
    const named = optionValue(args, ['-Source', '--source', '-s']);
    return named === undefined ? positional : [named, ...positional];
  }
  if (command.name === 'bundle' && /^config\b/.test(line)) {
    return args.some((arg) => /^mirror\./.test(arg)) ? positional : [];
  }
  return [];
}

/** Installers whose index or registry options {@link installsFromTrustedIndex} reads. */
const INDEX_INSTALLERS = /^(?:pip3?|uv|npm|pnpm|yarn|bun)$/;
/** Options whose value is a package index or registry. */
const INDEX_OPTIONS = ['--index-url', '--extra-index-url', '-i', '--registry', '--default-index'];

/**
 * Checks whether `go get` or `go install` fetches only modules whose paths the user wrote
 * (`gitlab.com/gitlab-org/cli/cmd/glab`, with or without the `@version`). A look-alike path
 * that differs in one character is not the path the user wrote.
 */
function installsNamedGoModules(command: SimpleCommand, messages: string): boolean {
  if (command.argv[1] !== 'get' && command.argv[1] !== 'install') {
    return false;
  }
  const modules = command.argv
    .slice(2)
    .filter((arg) => !arg.startsWith('-'))
    .map((arg) => arg.replace(/@[^/]*$/, ''));
  return modules.length > 0 && modules.every((path) => containsWord(messages, path));
}

/**
 * Checks whether `command` is an install whose only URLs are index or registry options that
 * name trusted sources: `pip install -i http://127.0.0.1:3141/simple`, an index on a host the
 * user names, or the official registry. A direct URL or git dependency, `--trusted-host`, or
 * any other untrusted source does not count. A `go get` or `go install` counts when the user
 * wrote every module path it fetches.
 */
export function installsFromTrustedIndex(command: SimpleCommand, messages: string): boolean {
  if (command.name === 'go') {
    return installsNamedGoModules(command, messages);
  }
  if (!INDEX_INSTALLERS.test(command.name)) {
    return false;
  }
  const args = command.argv.slice(1);
  let sources = 0;
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (arg === '--trusted-host' || arg.startsWith('--trusted-host=')) {
      return false;
    }
    const option = INDEX_OPTIONS.find((name) => arg === name || arg.startsWith(`${name}=`));
    const value =
      option === undefined
        ? undefined
        : arg === option
          ? args[index + 1]
          : arg.slice(option.length + 1);
    if (value !== undefined) {
      if (sourceProblem(value, messages) !== undefined) {
        return false;
      }
      sources += 1;
      index += arg === option ? 1 : 0;
      continue;
    }
    if (/:\/\/|^git\+|^github:|#/.test(arg)) {
      return false;
    }
  }
  return sources > 0;
}
