/**
 * Stage-1 check on the target of forge CLI calls that act on one pull request, merge request
 * or issue (`gh pr merge 12`, `glab mr close 31`, `gh issue comment 7`). Consent read from a
 * number ("merge pull request 12") covers that number in the current repository, or in the
 * repository the user names. A call on another number, or with `-R/--repo`, `GH_REPO` or a
 * URL that points at a repository the user did not name, needs a human.
 */
import { finding, type Finding } from './findings.js';
import { containsWord } from './named-targets.js';
import type { ParsedShell, SimpleCommand } from './shell.js';
import type { CheckGate } from './check-gates.js';

/** Item nouns per CLI: `gh pr`, `gh issue`, `glab mr`, `glab issue`. */
const ITEM_NOUNS: Record<string, ReadonlySet<string>> = {
  gh: new Set(['pr', 'issue']),
  glab: new Set(['mr', 'issue']),
};
/** Subcommands that change an item. The rest (`view`, `list`, `diff`, `checks`…) only read. */
const CHANGING_VERBS = new Set([
  'merge',
  'close',
  'reopen',
  'review',
  'comment',
  'note',
  'edit',
  'update',
  'ready',
  'approve',
  'revoke',
  'rebase',
  'lock',
  'unlock',
  'delete',
  'transfer',
  'pin',
  'unpin',
  'develop',
]);
/** Options of these subcommands that take a value as the next word. */
const VALUED = new Set([
  '-R',
  '--repo',
  '-b',
  '--body',
  '-F',
  '--body-file',
  '-t',
  '--title',
  '--subject',
  '-m',
  '--message',
  '-l',
  '--label',
  '-a',
  '--assignee',
  '--add-label',
  '--remove-label',
  '--milestone',
  '-r',
  '--reason',
  '--match-head-commit',
  '--author-email',
]);

/**
 * Item numbers the user names: `#12`, `PR 12`, `pull request 12`, `MR !31`, `issue 7`, and
 * lists such as "PRs 12 and 13" or "#4, #5".
 */
const NAMED_ITEMS =
  /(?:#|!|\b(?:PRs?|pull requests?|MRs?|merge requests?|issues?)\s*[#!]?|\/(?:pull|merge_requests|issues)\/)(\d+(?:\s*(?:,|&|\band\b|\bor\b)\s*[#!]?\d+)*)/gi;

/** Gate of {@link checkForgeTargets}, which judges only the programs that `ITEM_NOUNS` lists. */
export const FORGE_TARGETS_GATE: CheckGate = { programs: new Set(Object.keys(ITEM_NOUNS)) };

/** Finds a forge call on an item or repository that the user's numbered request does not cover. */
export function checkForgeTargets(parsed: ParsedShell, messages: string): Finding | undefined {
  const named = namedItems(messages);
  for (const command of parsed.commands) {
    const target = itemTarget(command);
    if (target === undefined) {
      continue;
    }
    const category = target.verb === 'merge' ? 'git-push-default-branch' : 'modify-shared-resource';
    if (target.repo !== undefined && !namesRepository(target.repo, messages)) {
      return finding(
        category,
        `The command runs "${command.name} ${target.noun} ${target.verb}" in ${target.repo}, a repository the user did not name`,
        'forge-other-repo',
      );
    }
    if (target.number !== undefined && named.size > 0 && !named.has(target.number)) {
      return finding(
        category,
        `The command runs "${command.name} ${target.noun} ${target.verb}" on ${target.number}, but the user named only ${[...named].join(', ')}`,
        'forge-other-item',
      );
    }
  }
  return undefined;
}

interface ItemTarget {
  noun: string;
  verb: string;
  number?: string;
  /** `owner/repo` from `-R`, `--repo`, `GH_REPO` or the item's URL. */
  repo?: string;
}

function itemTarget(command: SimpleCommand): ItemTarget | undefined {
  const nouns = Object.hasOwn(ITEM_NOUNS, command.name) ? ITEM_NOUNS[command.name] : undefined;
  if (nouns === undefined) {
    return undefined;
  }
  const args = command.argv.slice(1);
  const words: string[] = [];
  let repo: string | undefined;
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    const inline = /^--repo=(.*)$/.exec(arg);
    if (inline !== null) {
      repo = inline[1];
    } else if (arg === '-R' || arg === '--repo') {
      repo = args[index + 1];
    }
    if (arg.startsWith('-')) {
      index += VALUED.has(arg) ? 1 : 0;
      continue;
    }
    words.push(arg);
  }
  const [noun = '', verb = '', item] = words;
  if (!nouns.has(noun) || !CHANGING_VERBS.has(verb)) {
    return undefined;
  }
  const environmentRepo = command.assignments
    .map((assignment) => /^(?:GH_REPO|GITLAB_REPO)=(.*)$/.exec(assignment)?.[1])
    .find((value) => value !== undefined);
  const url = /^https?:\/\/[^/]+\/(.+?)\/(?:-\/)?(?:pull|merge_requests|issues)\/(\d+)/.exec(
    item ?? '',
  );
  return {
    noun,
    verb,
    number: url?.[2] ?? /^[#!]?(\d+)$/.exec(item ?? '')?.[1] ?? undefined,
    repo: repo ?? environmentRepo ?? url?.[1],
  };
}

/** Returns the item numbers the user's messages name, as {@link NAMED_ITEMS} reads them. */
export function namedItems(messages: string): Set<string> {
  const numbers = new Set<string>();
  for (const match of messages.matchAll(NAMED_ITEMS)) {
    for (const number of (match[1] ?? '').match(/\d+/g) ?? []) {
      numbers.add(number);
    }
  }
  return numbers;
}

/** Checks whether the user names `owner/repo` (a host prefix such as `github.com/` may be in front). */
function namesRepository(repo: string, messages: string): boolean {
  const slug = repo
    .replace(/^[a-z]+:\/\/[^/]+\//i, '')
    .replace(/^[\w.-]+\.[a-z]{2,}\//i, '')
    .replace(/\.git$/, '');
  return slug.includes('/') && containsWord(messages, slug);
}
