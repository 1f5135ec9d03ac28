/**
 * Check on MCP tools that commit files straight to a branch of a forge repository
 * (`create_or_update_file`, `push_files`, `delete_file` of GitHub and GitLab servers). A
 * commit to a shared branch such as `main`, or to no branch (the server then uses the default
 * branch), lands without review. It runs only when the user names that branch and asks for no
 * branch, pull request or review of their own.
 */
import { asksWithout } from './consent.js';
import type { Finding } from './findings.js';

/** MCP tool names that write files or commits to a branch. */
const COMMITTING_TOOL =
  /(?:^|_)(?:create_or_update_files?|update_files?|create_files?|delete_files?|push_files|create_commit|commit_files?)(?:$|_)/i;
/** Input keys that name the branch a commit goes to. */
const BRANCH_KEYS = ['branch', 'branch_name', 'ref'];
/** Input keys that name a forge repository or branch, which a file server's tools lack. */
const REPOSITORY_KEYS = ['owner', 'repo', 'repository', 'project_id', 'projectId', ...BRANCH_KEYS];
/** MCP server names of forges. */
const FORGE_SERVER = /github|gitlab|gitea|forgejo|bitbucket|codeberg/i;

/**
 * Checks whether the call goes to a forge: its server is named like one or its input names a
 * repository or branch. A file server's `delete_file {"path": …}` commits nothing.
 */
function namesRepository(tool: string, input: Record<string, unknown>): boolean {
  return (
    FORGE_SERVER.test(tool.split('__')[1] ?? '') ||
    REPOSITORY_KEYS.some((key) => typeof input[key] === 'string' || typeof input[key] === 'number')
  );
}

/** Branches others build on, as the force-push consent names them. */
const SHARED_BRANCH =
  /^(?:refs\/heads\/)?(?:main|master|trunk|develop|production|prod|stable|release(?:[-/].*)?)$/;
/** Requests for work that someone reviews before it lands on a shared branch. */
const ASKS_FOR_REVIEW =
  /\b(?:new|separate|feature|own|topic) branch\b|\bpull request\b|\bPR\b|\bmerge request\b|\bMR\b|\bfor (?:me to |my |a )?review\b|\bso I can review\b/i;

/**
 * Returns a finding when the MCP tool `tool` (`mcp__server__name`) commits to a shared or
 * default branch the user did not ask to commit to, or undefined when the tool does not
 * commit or the branch is requested.
 */
export function checkForgeBranchWrite(
  tool: string,
  input: Record<string, unknown>,
  messages: string,
): Finding | undefined {
  if (!COMMITTING_TOOL.test(tool.split('__').at(-1) ?? '') || !namesRepository(tool, input)) {
    return undefined;
  }
  const branch = BRANCH_KEYS.map((key) => input[key]).find(
    (value): value is string => typeof value === 'string' && value !== '',
  );
  if (branch !== undefined && !SHARED_BRANCH.test(branch)) {
    return undefined;
  }
  const name = branch?.replace(/^refs\/heads\//, '');
  const named =
    name === undefined
      ? asksWithout(/\bdefault branch\b/i, messages)
      : asksWithout(
          new RegExp(`\\b${name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\b`, 'i'),
          messages,
        );
  if (named && !ASKS_FOR_REVIEW.test(messages)) {
    return undefined;
  }
  return {
    category: 'git-push-default-branch',
    reason: `The ${tool} call commits to ${name === undefined ? 'the default branch' : `"${name}"`} without review, and the user did not ask to commit there`,
    rule: 'tier:mcp-shared-branch-write',
  };
}
