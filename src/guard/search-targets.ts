/**
 * Credential files that a Grep call reaches through its `path` or its `glob` filter. A Grep
 * prints the lines it matches, so a search of `~/.aws` with the pattern `.` prints the whole
 * credentials file, and is judged as a Read of it.
 */
import path from 'node:path';
import { searchPatternToRegExp } from './credential-stores.js';
import { credentialFiles, expandBraces } from './globs.js';
import { isInside } from './paths.js';

/** File names that hold environment secrets, as the `.env` Read check names them. */
const ENV_FILE_NAMES = ['.env', '.env.local', '.env.production', '.env.development'];

/** A credential file or folder that a search reaches, and how. */
export interface ReachedCredential {
  /** The credential file or folder. */
  path: string;
  /** `folder` when the searched path is in a credential folder, `glob` when the filter matches a credential file, `env` for a `.env` file. */
  kind: 'folder' | 'glob' | 'env';
}

/**
 * File extensions of the ripgrep types (`type: "yaml"`) that credential files carry, such as
 * `~/.config/gh/hosts.yml` or `~/.docker/config.json`. A type not listed here matches none.
 */
const CREDENTIAL_TYPE_EXTENSIONS: Record<string, readonly string[]> = {
  json: ['.json'],
  yaml: ['.yml', '.yaml'],
  toml: ['.toml'],
  xml: ['.xml'],
  txt: ['.txt'],
  config: ['.cfg', '.conf', '.config', '.ini'],
  ini: ['.ini'],
  sh: ['.sh', '.bash', '.zsh', '.bashrc', '.zshrc', '.bash_profile'],
};

/**
 * Returns the credential file or folder that a Grep over `target`, filtered by `glob` and
 * `type` (empty for none), reaches. The folders that hold credential files, such as `~/.aws`
 * or `~/.config/gh`, count as credentials themselves. A search with no filter of a folder
 * that contains such folders, such as the home folder, reads them all and counts as a read of
 * them. A filter that no credential file passes (`*.md`, type `py`) keeps the search allowed.
 */
export function grepReachesCredential(
  target: string,
  glob: string,
  homeDir: string,
  type = '',
): ReachedCredential | undefined {
  const { files, folders } = credentialsOf(homeDir);
  const folder = folders.find((dir) => isInside(target, dir));
  if (folder !== undefined) {
    return { path: target, kind: 'folder' };
  }
  const inTarget = files.filter((file) => isInside(file, target));
  if (glob === '' && type === '') {
    return inTarget.length > 0 && isInside(homeDir, target)
      ? { path: target, kind: 'folder' }
      : undefined;
  }
  if (glob === '') {
    const extensions = Object.hasOwn(CREDENTIAL_TYPE_EXTENSIONS, type)
      ? (CREDENTIAL_TYPE_EXTENSIONS[type] ?? [])
      : [];
    const typed = inTarget.find((file) => extensions.some((extension) => file.endsWith(extension)));
    return typed === undefined ? undefined : { path: typed, kind: 'glob' };
  }
  const matchers = expandBraces(glob).map((pattern) => globMatcher(pattern, target));
  const reached = inTarget.find((file) => matchers.some((matches) => matches(file)));
  if (reached !== undefined) {
    return { path: reached, kind: 'glob' };
  }
  const envFile = ENV_FILE_NAMES.map((name) => `${target}/${name}`).find((file) =>
    matchers.some((matches) => matches(file)),
  );
  return envFile === undefined ? undefined : { path: envFile, kind: 'env' };
}

/** Credential files and folders per home folder; a process sees few homes. */
const CREDENTIALS_BY_HOME = new Map<string, { files: string[]; folders: string[] }>();

function credentialsOf(homeDir: string): { files: string[]; folders: string[] } {
  let credentials = CREDENTIALS_BY_HOME.get(homeDir);
  if (credentials === undefined) {
    const files = credentialFiles(homeDir);
    credentials = { files, folders: credentialFolders(files, homeDir) };
    CREDENTIALS_BY_HOME.set(homeDir, credentials);
  }
  return credentials;
}

/** Folders that hold credential files and little else: not the home, `~/.config`, `/etc` or `/proc`. */
function credentialFolders(files: readonly string[], homeDir: string): string[] {
  const home = homeDir.replace(/\/$/, '');
  const broad = new Set([home, `${home}/.config`, `${home}/.local/share`, '/etc', '/', '/root']);
  const folders = new Set<string>();
  for (const file of files) {
    const dir = path.posix.dirname(file);
    if (!broad.has(dir) && !dir.startsWith('/proc/')) {
      folders.add(dir);
    }
  }
  return [...folders];
}

/**
 * Returns a test of a Grep `glob` filter. As in ripgrep, a filter without `/` matches a file
 * name at any depth, and one with `/` matches the path below `base`.
 */
function globMatcher(glob: string, base: string): (file: string) => boolean {
  if (!glob.includes('/')) {
    const name = searchPatternToRegExp(glob, '/');
    return (file) => name.test(`/${path.posix.basename(file)}`);
  }
  const anchored = searchPatternToRegExp(glob.replace(/^\//, ''), base);
  const anywhere = searchPatternToRegExp(`**/${glob.replace(/^(?:\*\*\/)+/, '')}`, base);
  return (file) => anchored.test(file) || anywhere.test(file);
}
