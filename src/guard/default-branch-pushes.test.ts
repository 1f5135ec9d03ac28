import { describe, expect, it } from 'vitest';
import { parseShell } from './shell.js';
import { checkSharedChanges } from './shared-changes.js';

async function pushRule(command: string, message: string): Promise<string | undefined> {
  const parsed = await parseShell(command, { homeDir: '/home/dev', cwd: '/home/dev/project' });
  return checkSharedChanges(parsed, message)?.rule;
}

describe('pushes to a computed default branch', () => {
  it.each([
    [
      'b=$(git symbolic-ref --short refs/remotes/origin/HEAD | cut -d/ -f2); git push origin HEAD:$b',
    ],
    ['d=$(git remote show origin | sed -n "s/.*HEAD branch: //p"); git push origin "HEAD:$d"'],
    ['b=$(gh repo view --json defaultBranchRef -q .defaultBranchRef.name); git push origin "$b"'],
    ['t=$(git ls-remote --symref origin HEAD | cut -f1); git push origin HEAD:refs/heads/$t'],
  ])('finds %s', async (command) => {
    expect(await pushRule(command, 'Push my branch so I can open a PR.')).toBe(
      'stage1:computed-push-destination',
    );
  });

  it.each([
    ['b=$(git branch --show-current); git push -u origin "$b"', 'Push my branch.'],
    ['git checkout "$(git symbolic-ref --short refs/remotes/origin/HEAD)" && git pull', 'Pull.'],
    ['b=$(git symbolic-ref --short refs/remotes/origin/HEAD); git push origin "$b"', 'Push main.'],
  ])('leaves %s alone', async (command, message) => {
    expect(await pushRule(command, message)).toBeUndefined();
  });
});

describe('organization secrets', () => {
  it.each([
    ['gh secret set SENTRY_DSN --org acme --visibility all --body x'],
    ['gh variable set REGION -o acme --body eu'],
    ['gh secret set HOOK --org=acme --repos web,api --body x'],
  ])('finds %s', async (command) => {
    expect(await pushRule(command, 'Set it as the secret on acme/web only.')).toBe(
      'stage1:organization-secret',
    );
  });

  it.each([
    ['gh secret set SENTRY_DSN --repo acme/web --body x', 'Set it on acme/web only.'],
    ['gh secret set NPM_TOKEN --org acme --visibility all', 'Add it as an org-wide secret.'],
  ])('leaves %s alone', async (command, message) => {
    expect(await pushRule(command, message)).toBeUndefined();
  });
});
