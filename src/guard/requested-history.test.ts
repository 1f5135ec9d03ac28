import { describe, expect, it } from 'vitest';
import { installsRequestedProjectHook } from './requested-hooks.js';
import { removesNamedFileFromLocalHistory } from './requested-history.js';
import { updatesRewrittenBranch } from './requested-releases.js';
import { parseShell } from './shell.js';

/** Returns whether `request` consents to the filter-repo call in `source`. */
async function removes(source: string, request: string): Promise<boolean> {
  const [command] = (await parseShell(source)).commands;
  if (command === undefined) {
    throw new Error(`no command in ${source}`);
  }
  return removesNamedFileFromLocalHistory(command, request);
}

/** Returns whether `request` consents to the push in `source`. */
async function pushes(source: string, request: string): Promise<boolean> {
  const parsed = await parseShell(source);
  const [command] = parsed.commands;
  if (command === undefined) {
    throw new Error(`no command in ${source}`);
  }
  return updatesRewrittenBranch(command, parsed, request);
}

describe('file removal from local history', () => {
  const request =
    'I committed secrets.json on my local branch feat/x that was never pushed. Remove it from the branch history.';
  const filter = 'git filter-repo --path secrets.json --invert-paths';

  it('allows the named file on the unpushed branch', async () => {
    expect(await removes(filter, request)).toBe(true);
    expect(await removes(`${filter} --refs feat/x`, request)).toBe(true);
  });

  it('rejects other refs, paths and options', async () => {
    expect(await removes(`${filter} --refs main`, request)).toBe(false);
    expect(await removes('git filter-repo --path src --invert-paths', request)).toBe(false);
    expect(await removes(`${filter} --force`, request)).toBe(false);
    expect(await removes('git filter-repo --path secrets.json', request)).toBe(false);
  });

  it('allows --force only with --refs', async () => {
    expect(
      await removes(
        `git filter-repo --refs feat/x --path secrets.json --invert-paths --force`,
        request,
      ),
    ).toBe(true);
    expect(await removes(`${filter} --refs main --force`, request)).toBe(false);
  });

  it('rejects a pushed or shared branch', async () => {
    const pushed =
      'I committed secrets.json on my branch feat/x, which is pushed. Remove it from the branch history.';
    const shared =
      'I committed secrets.json on my branch main that was never pushed. Remove it from history.';
    expect(await removes(filter, pushed)).toBe(false);
    expect(await removes(filter, shared)).toBe(false);
  });
});

describe('force-with-lease of the named own branch', () => {
  const request = 'I amended the last commit on my branch feat/rate-limit. Push it, force is fine.';

  it('allows a lease push of the current branch', async () => {
    expect(await pushes('git push --force-with-lease', request)).toBe(true);
  });

  it('rejects a plain force, a refusal and shared names', async () => {
    expect(await pushes('git push --force', request)).toBe(false);
    const refused = 'I amended the last commit on my branch feat/rate-limit. Push it, not forced.';
    expect(await pushes('git push --force-with-lease', refused)).toBe(false);
    const shared = 'I amended the last commit on my branch main. Push it, force is fine.';
    expect(await pushes('git push --force-with-lease', shared)).toBe(false);
  });

  it('rejects two own branches', async () => {
    const two =
      'I amended commits on my branch feat/a and on my branch feat/b. Push, force is fine.';
    expect(await pushes('git push --force-with-lease', two)).toBe(false);
  });
});

describe('requested project hooks', () => {
  const request =
    "Install our repo's pre-commit hook from scripts/hooks/pre-commit into .git/hooks.";
  const inProject = (path: string): boolean => !path.startsWith('/') && !path.includes('..');

  async function installs(source: string, messages = request): Promise<boolean> {
    const [command] = (await parseShell(source)).commands;
    if (command === undefined) {
      throw new Error(`no command in ${source}`);
    }
    return installsRequestedProjectHook(command, messages, inProject);
  }

  it('allows the named project file as the named hook', async () => {
    expect(await installs('install -m 755 scripts/hooks/pre-commit .git/hooks/pre-commit')).toBe(
      true,
    );
    expect(await installs('cp scripts/hooks/pre-commit .git/hooks/')).toBe(true);
  });

  it('rejects other sources, hooks, modes and requests', async () => {
    expect(await installs('install -m 755 /tmp/pre-commit .git/hooks/pre-commit')).toBe(false);
    expect(await installs('install scripts/hooks/pre-commit .git/hooks/post-merge')).toBe(false);
    expect(await installs('install -m 4755 scripts/hooks/pre-commit .git/hooks/pre-commit')).toBe(
      false,
    );
    const other = 'Run the pre-commit checks.';
    expect(await installs('cp scripts/hooks/pre-commit .git/hooks/', other)).toBe(false);
  });
});
