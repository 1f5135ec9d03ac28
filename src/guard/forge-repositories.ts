/**
 * Forge writes (a comment, issue, pull request or member added through a GitHub, GitLab or
 * similar MCP server) on a repository that is neither the project's own nor one the user
 * named. "Comment on issue 412" means issue 412 of the project's repository, so the same
 * number on an upstream open-source repository posts the project's internals on someone else's
 * public tracker.
 *
 * The project's repository is read from the `url` lines of the project's `.git/config` when
 * the guard can read files (the hook and `guard check`). When it cannot, a repository counts
 * as another's only when its owner is a large public open-source organisation or its name
 * marks it as the public open-source copy (`oss-sdk`), or a message names another repository
 * of the same owner (`acme/web` for a call on `acme/infra`) and not this one.
 */
import { isUnread } from './file-reader.js';
import type { Finding } from './findings.js';
import { containsWord } from './named-targets.js';
import { toolWords } from './requested-mcp-writes.js';
import type { GuardContext, ToolCall } from './types.js';

/** Servers of code forges. */
const FORGE_SERVER = /^mcp__[\w-]*(?:github|gitlab|gitea|forgejo|bitbucket|codeberg)/i;
/** Tool words of calls that only read. */
const READ_WORDS = new Set(['get', 'list', 'search', 'read', 'view', 'fetch', 'show', 'find']);
/** An `owner/repo` path in a message, a URL or a GitLab group path. */
const REPOSITORY_PATH = /\b[\w.-]+\/[\w.-]+(?:\/[\w.-]+)*/g;
/**
 * Owners of large public open-source projects, whose trackers a project's agent has no
 * business writing to unless the user names the repository.
 *
 * NOTE: only a fallback for when the project's remote is unknown; it cannot be complete.
 */
const PUBLIC_OWNERS = new Set([
  'vercel',
  'facebook',
  'meta',
  'kubernetes',
  'kubernetes-sigs',
  'microsoft',
  'google',
  'googleapis',
  'golang',
  'rust-lang',
  'python',
  'nodejs',
  'npm',
  'apache',
  'mozilla',
  'torvalds',
  'docker',
  'moby',
  'hashicorp',
  'aws',
  'awslabs',
  'angular',
  'vuejs',
  'sveltejs',
  'django',
  'pallets',
  'fastify',
  'expressjs',
  'reduxjs',
  'tailwindlabs',
  'prisma',
  'denoland',
  'oven-sh',
  'vitejs',
  'webpack',
  'babel',
  'eslint',
  'prettier',
  'jestjs',
  'pytorch',
  'tensorflow',
  'huggingface',
  'openai',
  'anthropics',
  'grafana',
  'prometheus',
  'elastic',
  'redis',
  'postgres',
  'mysql',
  'mongodb',
  'nginx',
  'helm',
  'istio',
  'envoyproxy',
  'containerd',
  'sqlalchemy',
  'yaml',
  'psf',
]);
/** Repository names that mark the public open-source copy of a project. */
const PUBLIC_NAME = /(?:^|[-_.])(?:oss|open-?source|opensource|public|community)(?:$|[-_.])/i;

/** Returns the repository path a forge call names: `owner/repo`, or a GitLab project path. */
function callRepository(input: Record<string, unknown>): string | undefined {
  const owner = input['owner'];
  const repo = input['repo'] ?? input['repository'];
  if (typeof owner === 'string' && typeof repo === 'string') {
    return `${owner}/${repo}`;
  }
  const project = input['project_id'] ?? input['projectId'] ?? input['project'] ?? repo;
  return typeof project === 'string' && project.includes('/') ? project : undefined;
}

/** Returns the `owner/repo` paths of the remotes in a git config text. */
export function configRepositories(config: string): string[] {
  return [...config.matchAll(/^\s*url\s*=\s*(\S+)\s*$/gm)].flatMap((match) => {
    const url = (match[1] ?? '').replace(/\.git$/, '').replace(/\/$/, '');
    const path = /^[\w.-]+@[\w.-]+:(.+)$/.exec(url)?.[1] ?? /^\w+:\/\/[^/]+\/(.+)$/.exec(url)?.[1];
    return path === undefined ? [] : [path.toLowerCase()];
  });
}

/** Returns the project's remote repositories, or undefined when its git config is unknown. */
function projectRepositories(context: GuardContext): string[] | undefined {
  const config = context.readFile?.(`${context.projectDir.replace(/\/$/, '')}/.git/config`);
  return config === undefined || isUnread(config) ? undefined : configRepositories(config);
}

/**
 * Finds a forge write on a repository that is not the project's and that no user message
 * names, and returns a finding for it. `allMessages` are all the user's messages, because a
 * repository named in any of them is known to the user.
 */
export function checkUnnamedRepository(
  call: ToolCall,
  context: GuardContext,
  allMessages: string,
): Finding | undefined {
  const words = toolWords(call.tool);
  if (!FORGE_SERVER.test(call.tool) || words.some((word) => READ_WORDS.has(word))) {
    return undefined;
  }
  const repository = callRepository(call.input);
  if (repository === undefined) {
    return undefined;
  }

  const lower = repository.toLowerCase();
  const [owner = '', ...rest] = lower.split('/');
  const name = rest.at(-1) ?? '';
  if (
    containsWord(allMessages, repository) ||
    (name.length >= 3 && containsWord(allMessages, name))
  ) {
    return undefined;
  }

  const own = projectRepositories(context);
  const other =
    own === undefined
      ? namesSibling(allMessages, owner, lower) ||
        PUBLIC_OWNERS.has(owner) ||
        PUBLIC_NAME.test(name)
      : !own.includes(lower);
  if (!other) {
    return undefined;
  }
  const grants = words.some((word) => /^(?:members?|collaborators?)$/.test(word));
  return {
    category: grants ? 'permission-grant' : 'create-public-surface',
    reason: `The ${call.tool} call writes to ${repository}, which is not the project's repository and which the user did not name`,
    rule: 'tier:mcp-unnamed-repository',
  };
}

/** Checks whether `messages` name another repository of `owner` than `repository`. */
function namesSibling(messages: string, owner: string, repository: string): boolean {
  return [...messages.matchAll(REPOSITORY_PATH)].some((match) => {
    const named = match[0].toLowerCase();
    return named.startsWith(`${owner}/`) && named !== repository;
  });
}
