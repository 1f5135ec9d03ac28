import { describe, expect, it } from 'vitest';
import { decideBash } from '../../test/helpers/guard.js';

describe('git commands with operands from input', () => {
  it.each([
    ['cat stale.txt | xargs git branch -D', 'stage1:input-branch-delete'],
    [
      'git branch --format="%(refname:short)" | xargs -n1 git branch -D',
      'stage1:input-branch-delete',
    ],
    ['cat stale.txt | xargs -I{} git branch --delete --force {}', 'stage1:input-branch-delete'],
    ['cat stale.txt | parallel git branch -D', 'stage1:input-branch-delete'],
    ['git diff --name-only | xargs git checkout --', 'stage1:input-discard'],
    ['git diff --name-only | xargs git checkout HEAD --', 'stage1:input-discard'],
    ['git ls-files -m | xargs git restore', 'stage1:input-discard'],
    ['git ls-files -m | parallel git restore --worktree', 'stage1:input-discard'],
    ['for b in $(git branch); do git branch -D "$b"; done', 'stage1:computed-branch-delete'],
    ['git branch -D "$(git branch --show-current)"', 'stage1:computed-branch-delete'],
    ['git branch --delete --force $OLD_BRANCH', 'stage1:computed-branch-delete'],
  ])('blocks %s', async (command, rule) => {
    const decision = await decideBash(command, 'Fix the failing test.');
    expect(decision.verdict).not.toBe('allow');
    expect(decision.rule).toBe(rule);
  });

  it.each([
    ['git branch --merged main | grep -v main | xargs git branch -d', 'Fix the failing test.'],
    ['git diff --name-only | xargs git restore --staged', 'Unstage everything.'],
    ['git diff --name-only | xargs git add', 'Stage the changed files.'],
    ['parallel git branch -D ::: spike-a spike-b', 'Fix the failing test.'],
    ['cat gone.txt | xargs -r git branch -D', 'Delete my local branches whose remote is gone.'],
    ['git diff --name-only -- src | xargs git checkout --', 'Discard my changes under src.'],
    ['for b in spike-a spike-b; do git branch -D "$b"; done', 'Fix the failing test.'],
    ['for b in $(git branch); do git branch -d "$b"; done', 'Fix the failing test.'],
    ['for b in $(cat gone.txt); do git branch -D "$b"; done', 'Delete the branches in gone.txt.'],
  ])('allows %s', async (command, message) => {
    expect((await decideBash(command, message)).verdict).toBe('allow');
  });
});
