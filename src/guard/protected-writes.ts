/**
 * Project files that change how tools or the agent run: git's config, direnv's `.envrc`,
 * editor tasks, commit hooks, package-registry settings, and the agent's own settings. A
 * write to one runs code later, and a delete or move of the folder that contains one drops
 * its rules. Edit tools and the shell share these checks.
 */
import path from 'node:path';
import { globToRegExp, hasGlob } from './globs.js';
import { isInside } from './paths.js';
import type { Finding } from './findings.js';
import { urlHost } from './git-redirects.js';
import { isLocalHost, userNamesHost } from './uploads.js';
import { hookSendsTo } from './hook-senders.js';
import { reportsOthersRequest } from './standing-requests.js';

/** A protected file kind: which paths it covers and how a change to it is judged. */
interface ProtectedKind {
  /** Matches the path relative to the project folder. */
  path: RegExp;
  /** Words in the user's messages that request a change of this file. */
  request: RegExp;
  /**
   * Matches content that makes the file run code or fetch from elsewhere. Without it, any
   * change the user did not request is held.
   */
  danger?: RegExp;
  category: string;
  reason: string;
  id: string;
}

/** Git settings whose values git runs as commands, and aliases that start with `!`. */
const GIT_COMMAND_KEYS =
  /\b(?:fsmonitor|pager|sshCommand|editor|askPass|hooksPath|gitProxy|helper|program|external|textconv|clean|smudge|process|uploadpack|receivepack)\s*=|^\s*\w[\w-]*\s*=\s*!|\[(?:alias|include|includeIf)\b/im;
/** Remote URLs and URL rewrites, which decide where pushes and fetches go. */
const GIT_REMOTE_URLS = /^\s*(?:url|pushurl|insteadOf|pushInsteadOf)\s*=/im;
/** Registry hosts that package managers use by default. */
const DEFAULT_REGISTRY =
  /^(?:https:\/\/)?(?:registry\.npmjs\.org|registry\.yarnpkg\.com|pypi\.org|files\.pythonhosted\.org)(?:[/:]|$)/i;
/** A registry or index setting in .npmrc, .yarnrc(.yml), pip.conf and similar files. */
const REGISTRY_SETTING =
  /(?:^|\s)(?:@[\w-]+:)?(?:registry|npmRegistryServer|index-url|extra-index-url|index_url|find-links|trusted-host)\s*[=:]\s*["']?([^\s"']+)/gim;
/** Editor settings that name a program to run or let tasks start on their own. */
const EDITOR_RUNS =
  /"[\w.]*(?:[pP]ath|[eE]xecutable|[cC]ommand|[sS]hell\w*|[iI]nterpreter|allowAutomaticTasks|env\.\w+|(?:initialize|onCreate|postCreate|postStart|postAttach)Command)"\s*:/;

const KINDS: readonly ProtectedKind[] = [
  {
    path: /^\.git\/config$/,
    request: /\.git\/config|\bgit config\b/i,
    danger: new RegExp(`${GIT_COMMAND_KEYS.source}|${GIT_REMOTE_URLS.source}`, 'im'),
    category: 'unauthorized-persistence',
    reason: 'sets git options that run commands or send pushes to another host',
    id: 'git-config',
  },
  {
    path: /^(?:.*\/)?\.envrc$/,
    request: /\.envrc|direnv/i,
    category: 'unauthorized-persistence',
    reason: 'changes the script direnv runs on entering the folder',
    id: 'direnv-script',
  },
  {
    // A task or launch entry runs when the user starts it, unless it runs on folder open.
    path: /^\.vscode\/(?:tasks|launch)\.json$/,
    request: /\.vscode|tasks\.json|launch\.json/i,
    danger: /folderOpen/,
    category: 'unauthorized-persistence',
    reason: 'makes the editor run a task when the folder opens',
    id: 'editor-task',
  },
  {
    path: /^\.vscode\/settings\.json$|^\.devcontainer\//,
    request: /\.vscode|settings\.json|devcontainer/i,
    danger: EDITOR_RUNS,
    category: 'unauthorized-persistence',
    reason: 'makes the editor or dev container run a program',
    id: 'editor-program',
  },
  {
    path: /^\.husky\/|^\.pre-commit-config\.ya?ml$|^\.?lefthook\.ya?ml$/,
    request: /husky|pre-commit|lefthook|\bhooks?\b/i,
    category: 'unauthorized-persistence',
    reason: 'changes a hook that git runs on commit or push',
    id: 'commit-hook',
  },
  {
    path: /^(?:.*\/)?(?:\.npmrc|\.yarnrc(?:\.yml)?|pip\.conf|pip\.ini|\.pip\/pip\.conf|bunfig\.toml)$/,
    request: /\.npmrc|\.yarnrc|pip\.conf|pip\.ini|bunfig|\bregistry\b|\bindex[- ]url\b/i,
    category: 'untrusted-code-integration',
    reason: 'points the package manager at another registry',
    id: 'registry-config',
  },
];

/** Agent instructions, which the user may ask to change by name. */
const AGENT_INSTRUCTIONS = /^(?:.*\/)?(?:CLAUDE|AGENTS)\.md$/;
/** Paths inside the project whose removal drops the agent's settings or instructions. */
const CONTROL_PATHS = [
  '.claude/settings.json',
  '.claude/settings.local.json',
  '.mcp.json',
  'CLAUDE.md',
  'AGENTS.md',
];

/**
 * Judges a change of the in-project file `relative` (a path relative to the project) that
 * the user's consenting clauses `consenting` (one a line) may have requested. A clause that
 * only reports someone else's request ("Tom wants PORT set to 4100 in .envrc") requests nothing.
 * `content` is the text written, or undefined when a shell command writes text the guard
 * cannot see (`cp a .npmrc`).
 */
export function protectedWrite(
  relative: string,
  content: string | undefined,
  consenting: string,
): Finding | undefined {
  const kind = KINDS.find((candidate) => candidate.path.test(relative));
  if (kind === undefined) {
    return undefined;
  }
  const messages = consenting
    .split('\n')
    .filter((clause) => !reportsOthersRequest(clause))
    .join('\n');
  // A requested hook still asks when its script sends data to a host the user did not name.
  const requested =
    kind.request.test(messages) &&
    !(kind.id === 'commit-hook' && content !== undefined && hookSendsTo(content, messages));
  const dangerous =
    kind.id === 'registry-config'
      ? content === undefined || pointsElsewhere(content)
      : content === undefined || kind.danger === undefined || kind.danger.test(content);
  // A file the user asked to change stays open to plain edits. Git options that run
  // commands still wait for a human, since a request to "fix .git/config" rarely means that.
  if (!dangerous || (requested && kind.id !== 'git-config')) {
    return undefined;
  }
  if (
    kind.id === 'direnv-script' &&
    content !== undefined &&
    exportsNamedSettings(content, messages)
  ) {
    return undefined;
  }
  if (
    requested &&
    content !== undefined &&
    !GIT_COMMAND_KEYS.test(content) &&
    !pointsPushesElsewhere(content, messages)
  ) {
    return undefined;
  }
  return {
    category: kind.category,
    reason: `Changing "${relative}" ${kind.reason}, and the user did not request it`,
    rule: `protected-write:${kind.id}`,
  };
}

/** One `export NAME=VALUE` line of an `.envrc` whose value runs and expands nothing. */
const PLAIN_EXPORT = /^\s*(?:export\s+)?([A-Za-z_]\w*)=(["']?)([^\s"'$`\\;&|<>()]*)\2\s*$/;

/**
 * Checks that an `.envrc` only exports variables that a message sets to the same values
 * ("set NODE_OPTIONS=--max-old-space-size=4096 for this project"), one plain `export` per
 * line, with comments and blank lines. direnv runs the file as a script, so a command, a
 * substitution or a variable the user did not give keeps the question.
 */
function exportsNamedSettings(content: string, messages: string): boolean {
  const lines = content.split('\n').filter((line) => !/^\s*(?:#.*)?$/.test(line));
  return (
    lines.length > 0 &&
    lines.every((line) => {
      const match = PLAIN_EXPORT.exec(line);
      const [, name = '', , value = ''] = match ?? [];
      return match !== null && value !== '' && namesSetting(messages, name, value);
    })
  );
}

/** Checks that a message gives `NAME=VALUE` as one word, or the name followed by "to VALUE". */
function namesSetting(messages: string, name: string, value: string): boolean {
  const words = messages.split(/\s+/).map((word) => word.replace(/^[`'"(]+|[`'")?!.,;:]+$/g, ''));
  return (
    words.includes(`${name}=${value}`) ||
    words.some(
      (word, index) => word === name && words[index + 1] === 'to' && words[index + 2] === value,
    )
  );
}

/** A remote URL line, or the base URL of a `[url "BASE"]` rewrite section. */
const GIT_URL_VALUE = /^\s*(?:url|pushurl)\s*=\s*(\S+)|^\s*\[url\s+"([^"]+)"\]/gim;

/** Public forges, where a requested repair of `.git/config` usually points the remote. */
const PUBLIC_FORGES = new Set(['github.com', 'gitlab.com', 'bitbucket.org', 'codeberg.org']);

/**
 * Checks whether git config text, written on request, sends pushes or fetches to a host that
 * is neither a public forge nor one the user named.
 */
function pointsPushesElsewhere(content: string, messages: string): boolean {
  for (const match of content.matchAll(GIT_URL_VALUE)) {
    const host = urlHost(match[1] ?? match[2] ?? '');
    if (
      host !== undefined &&
      !PUBLIC_FORGES.has(host) &&
      !isLocalHost(host) &&
      !userNamesHost(messages, host)
    ) {
      return true;
    }
  }
  return false;
}

/** Checks whether a package-manager setting names a registry other than the default ones. */
function pointsElsewhere(content: string): boolean {
  for (const match of content.matchAll(REGISTRY_SETTING)) {
    if (!DEFAULT_REGISTRY.test(match[1] ?? '')) {
      return true;
    }
  }
  return false;
}

/**
 * Judges a shell delete or move of `resolved` (an absolute path, possibly a glob) against
 * the agent's controls in `projectDir`: a path in a control folder, or a folder that
 * contains a control, as `rm -rf .claude` removes `.claude/settings.json`. The project
 * folder itself, and `*` in it, are left to the check on deleting the whole project.
 */
export function protectedControl(
  resolved: string,
  projectDir: string,
  messages: string,
): Finding | undefined {
  if (resolved === projectDir || /^\/?\*+$/.test(resolved.slice(projectDir.length))) {
    return undefined;
  }
  const pattern = hasGlob(resolved) ? globToRegExp(resolved) : undefined;
  const relativeTarget = path.posix.relative(projectDir, resolved);
  for (const control of CONTROL_PATHS) {
    const file = path.posix.join(projectDir, control);
    const folder = path.posix.dirname(file);
    const hit =
      pattern !== undefined
        ? [file, ...parentsOf(file, projectDir)].some((candidate) => pattern.test(candidate))
        : isInside(file, resolved) || (folder !== projectDir && isInside(resolved, folder));
    if (!hit) {
      continue;
    }
    if (
      AGENT_INSTRUCTIONS.test(control) &&
      new RegExp(control.replace('.', '\\.'), 'i').test(messages)
    ) {
      continue;
    }
    const effect = isInside(file, resolved)
      ? `takes away "${control}"`
      : `changes "${path.posix.dirname(control)}"`;
    return {
      category: 'self-modification',
      reason: `Removing or moving "${relativeTarget}" ${effect}, part of the agent's own settings or instructions`,
      rule: 'protected-write:agent-control',
    };
  }
  return undefined;
}

/** Lists the folders between `projectDir` (excluded) and `file` (excluded). */
function parentsOf(file: string, projectDir: string): string[] {
  const parents: string[] = [];
  let current = path.posix.dirname(file);
  while (current !== projectDir && current.startsWith(`${projectDir}/`)) {
    parents.push(current);
    current = path.posix.dirname(current);
  }
  return parents;
}
