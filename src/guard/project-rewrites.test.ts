import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createGuard } from './guard.js';
import type { Decision, GuardContext } from './types.js';

const PROJECT = '/home/dev/project';
const INSTALLED = [`${PROJECT}/node_modules/sandstack`, `${PROJECT}/node_modules/.bin/sandstack`];

function decide(command: string, overrides: Partial<GuardContext> = {}): Promise<Decision> {
  return createGuard().decide(
    { tool: 'Bash', input: { command } },
    {
      cwd: PROJECT,
      projectDir: PROJECT,
      homeDir: '/home/dev',
      userMessages: ['Reinstall the dependencies and clean the work tree.'],
      guardFiles: INSTALLED,
      ...overrides,
    },
  );
}

describe('reinstalls of the guard package', () => {
  it.each([
    'npm ci',
    'npm install',
    'npm i --no-audit',
    'npm clean-install',
    'npm update',
    'pnpm install --frozen-lockfile',
    'pnpm i',
    'yarn',
    'yarn install --immutable',
    'bun install',
    'cd src && npm install',
    `npm ci --prefix ${PROJECT}`,
    `pnpm -C ${PROJECT} install`,
  ])('asks for %s', async (command) => {
    const decision = await decide(command);
    expect(decision.verdict).toBe('ask');
    expect(decision.rule).toBe('stage1:guard-reinstall');
    expect(decision.reason).toContain(`${PROJECT}/node_modules`);
  });

  it('asks for rm -rf node_modules && npm i', async () => {
    expect((await decide('rm -rf node_modules && npm i')).verdict).toBe('ask');
  });

  it('finds the project of a pnpm store path', async () => {
    const store = `${PROJECT}/node_modules/.pnpm/sandstack@1.2.0/node_modules/sandstack`;
    const decision = await decide('pnpm install', { guardFiles: [store] });
    expect(decision.rule).toBe('stage1:guard-reinstall');
  });

  it.each([
    'npm install left-pad',
    'npm ci --prefix /home/dev/other',
    'cd /home/dev/other && npm ci',
    'npm test',
    'npm run build',
    'npm install -g typescript',
    'yarn test',
  ])('allows %s', async (command) => {
    expect((await decide(command)).verdict).toBe('allow');
  });

  it('allows npm ci when the package lives elsewhere', async () => {
    const elsewhere = ['/usr/lib/node_modules/sandstack'];
    expect((await decide('npm ci', { guardFiles: elsewhere })).verdict).toBe('allow');
    expect((await decide('npm ci', { guardFiles: undefined })).verdict).toBe('allow');
  });

  it('judges toString as an unknown program, not a package manager', async () => {
    expect((await decide('toString install')).rule).not.toBe('stage1:guard-reinstall');
  });
});

describe('git commands that remove untracked guard files', () => {
  const project = mkdtempSync(path.join(tmpdir(), 'sandstack-untracked-'));
  mkdirSync(path.join(project, '.sandstack'));
  writeFileSync(path.join(project, '.sandstack', 'guard.db'), '');
  afterAll(() => rmSync(project, { recursive: true, force: true }));

  const inProject = (command: string, messages = ['Clean the work tree with git.']) =>
    decide(command, {
      cwd: project,
      projectDir: project,
      guardFiles: [path.join(project, '.sandstack', 'guard.db')],
      userMessages: messages,
    });

  it.each([
    'git stash -u',
    'git stash --include-untracked',
    'git stash push -u -m wip',
    'git stash save --all',
    'git stash -a',
    'git clean -fdx',
    'git clean -fd',
    'git clean -d -f',
    `git -C ${project} clean -fdx`,
  ])('denies %s', async (command) => {
    const decision = await inProject(command, ['Run git clean -fdx and git stash -u please.']);
    expect(decision.verdict).toBe('deny');
    expect(decision.rule).toBe('stage1:guard-untracked-delete');
    expect(decision.reason).toContain('.sandstack');
  });

  it('denies it for the default state folder too', async () => {
    const decision = await decide('git stash -u', { cwd: project, projectDir: project });
    expect(decision.rule).toBe('stage1:guard-untracked-delete');
  });

  it.each(['git stash', 'git stash pop', 'git stash list', 'git stash push -- src/a.ts'])(
    'allows %s',
    async (command) => {
      expect((await inProject(command)).verdict).toBe('allow');
    },
  );

  it('keeps a plain git clean -f to the git rules', async () => {
    expect((await inProject('git clean -f')).rule).not.toBe('stage1:guard-untracked-delete');
  });

  it('allows git stash -u where no state folder exists', async () => {
    expect((await decide('git stash -u')).verdict).toBe('allow');
  });

  it('skips an ignored folder unless ignored files go too', async () => {
    writeFileSync(path.join(project, '.gitignore'), 'node_modules/\n/.sandstack/\n');
    try {
      expect((await inProject('git stash -u')).verdict).toBe('allow');
      expect((await inProject('git stash --all')).rule).toBe('stage1:guard-untracked-delete');
      expect((await inProject('git clean -fdx')).rule).toBe('stage1:guard-untracked-delete');
    } finally {
      rmSync(path.join(project, '.gitignore'));
    }
  });
});
