import { describe, expect, it } from 'vitest';
import { bashVerdict, decideCall, PROJECT_DIR } from '../../test/helpers/guard.js';
import { guardDependencyNames, withGuardDependencies } from './guard-dependencies.js';

const INSTALLED = [
  `${PROJECT_DIR}/.sandstack/guard.db`,
  `${PROJECT_DIR}/node_modules/sandstack`,
  `${PROJECT_DIR}/node_modules/.bin/sandstack`,
];
const MESSAGE = 'Fix the failing test.';

describe('guardDependencyNames', () => {
  it('lists direct and indirect runtime dependencies', () => {
    const names = guardDependencyNames();
    expect(names).toContain('zod');
    expect(names).toContain('better-sqlite3');
    // better-sqlite3 loads its native binding through `bindings`.
    expect(names).toContain('bindings');
    expect(names).not.toContain('vitest');
  });
});

describe('withGuardDependencies', () => {
  const context = { cwd: PROJECT_DIR, projectDir: PROJECT_DIR, userMessages: [] };

  it('adds the dependency folders next to an installed package', () => {
    const files = withGuardDependencies({ ...context, guardFiles: INSTALLED }).guardFiles ?? [];
    expect(files.slice(0, INSTALLED.length)).toEqual(INSTALLED);
    expect(files).toContain(`${PROJECT_DIR}/node_modules/zod`);
  });

  it('leaves a guard run from elsewhere alone', () => {
    const guardFiles = [`${PROJECT_DIR}/.sandstack/guard.db`];
    expect(withGuardDependencies({ ...context, guardFiles }).guardFiles).toBe(guardFiles);
  });
});

describe('the guard dependencies in the project', () => {
  const overrides = { guardFiles: INSTALLED };

  it.each([
    'echo "export default {}" > node_modules/zod/index.js',
    "sed -i 's/throw/return/' node_modules/better-sqlite3/lib/index.js",
    'rm -rf node_modules/commander',
    'npm uninstall better-sqlite3',
    'pnpm remove zod',
    'npm install zod@npm:other-zod',
    'yarn add commander@github:someone/commander',
  ])('denies %s', async (command) => {
    expect(await bashVerdict(command, MESSAGE, overrides)).toBe('deny');
  });

  it('asks before a version change', async () => {
    expect(await bashVerdict('npm install zod@3.22.0', MESSAGE, overrides)).toBe('ask');
  });

  it('denies an Edit of dependency code', async () => {
    const decision = await decideCall(
      {
        tool: 'Edit',
        input: {
          file_path: `${PROJECT_DIR}/node_modules/zod/index.js`,
          old_string: 'a',
          new_string: 'b',
        },
      },
      MESSAGE,
      overrides,
    );
    expect(decision.verdict).toBe('deny');
  });

  it.each([
    ['npm install lodash', 'Add lodash.'],
    ['npm uninstall left-pad', 'Remove left-pad.'],
    ['rm -rf node_modules/.cache', 'Clear the build cache.'],
  ])('allows %s', async (command, message) => {
    expect(await bashVerdict(command, message, overrides)).toBe('allow');
  });

  it('allows dependency changes when the guard is not installed here', async () => {
    expect(await bashVerdict('npm uninstall zod', 'Remove zod.')).toBe('allow');
  });
});
