import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGuard } from './guard.js';
import { guardFilesOf } from './guard-files.js';
import { installedPackageFiles } from './installed-package.js';
import type { GuardContext, ToolCall, Verdict } from './types.js';

const MESSAGE = 'Fix the failing test.';

/** Writes `folder/package.json` with the given runtime dependencies. */
function writePackage(folder: string, name: string, dependencies: string[] = []): void {
  mkdirSync(folder, { recursive: true });
  const deps = Object.fromEntries(dependencies.map((dependency) => [dependency, '*']));
  writeFileSync(
    path.join(folder, 'package.json'),
    JSON.stringify({ name, version: '1.0.0', dependencies: deps }),
  );
  writeFileSync(path.join(folder, 'index.js'), 'module.exports = {};\n');
}

/** Links `link` to `target` with a relative link, as pnpm does. */
function link(target: string, linkPath: string): void {
  mkdirSync(path.dirname(linkPath), { recursive: true });
  symlinkSync(path.relative(path.dirname(linkPath), target), linkPath);
}

const GUARD_DEPENDENCIES = ['zod', 'better-sqlite3'];

let base: string;

beforeAll(() => {
  base = realpathSync(mkdtempSync(path.join(tmpdir(), 'sandstack-installed-')));
});

afterAll(() => {
  rmSync(base, { recursive: true, force: true });
});

/**
 * Builds pnpm's layout: every package in `.pnpm/<name>@<version>/node_modules/<name>`, its
 * dependencies as links next to it, and the project's direct dependency as a top-level link.
 */
function pnpmProject(): { project: string; root: string; store: (name: string) => string } {
  const project = path.join(base, 'pnpm-project');
  const modules = path.join(project, 'node_modules');
  const store = (name: string): string =>
    path.join(modules, '.pnpm', `${name}@1.0.0`, 'node_modules', name);
  writePackage(project, 'app', ['sandstack']);
  writePackage(store('sandstack'), 'sandstack', GUARD_DEPENDENCIES);
  writePackage(store('zod'), 'zod');
  writePackage(store('better-sqlite3'), 'better-sqlite3', ['bindings']);
  writePackage(store('bindings'), 'bindings');
  writePackage(store('left-pad'), 'left-pad');
  for (const name of GUARD_DEPENDENCIES) {
    link(store(name), path.join(path.dirname(store('sandstack')), name));
  }
  link(store('bindings'), path.join(path.dirname(store('better-sqlite3')), 'bindings'));
  link(store('sandstack'), path.join(modules, 'sandstack'));
  link(store('left-pad'), path.join(modules, 'left-pad'));
  mkdirSync(path.join(modules, '.bin'), { recursive: true });
  writeFileSync(path.join(modules, '.bin', 'sandstack'), '#!/bin/sh\n');
  mkdirSync(path.join(project, 'src'), { recursive: true });
  return { project, root: store('sandstack'), store };
}

async function verdictOf(
  call: ToolCall,
  project: string,
  guardFiles: readonly string[],
): Promise<Verdict> {
  const context: GuardContext = {
    cwd: project,
    projectDir: project,
    homeDir: path.join(base, 'home'),
    userMessages: [MESSAGE],
    guardFiles: [...guardFiles],
    resolveSymlinks: true,
  };
  return (await createGuard().decide(call, context)).verdict;
}

const bash = (command: string): ToolCall => ({ tool: 'Bash', input: { command } });
const edit = (file: string): ToolCall => ({
  tool: 'Edit',
  input: { file_path: file, old_string: 'a', new_string: 'b' },
});

describe('installedPackageFiles in a pnpm layout', () => {
  let layout: ReturnType<typeof pnpmProject>;
  let files: string[];

  beforeAll(() => {
    layout = pnpmProject();
    files = guardFilesOf([path.join(layout.project, '.sandstack', 'guard.db')], layout.root);
  });

  it('lists the real dependency folders', () => {
    for (const name of ['zod', 'better-sqlite3', 'bindings']) {
      expect(files).toContain(layout.store(name));
    }
    expect(files).not.toContain(layout.store('left-pad'));
  });

  it('lists the links Node resolves through', () => {
    const next = path.dirname(layout.store('sandstack'));
    expect(files).toContain(path.join(next, 'zod'));
    expect(files).toContain(path.join(path.dirname(layout.store('better-sqlite3')), 'bindings'));
  });

  it("lists the project's link and .bin file", () => {
    expect(files).toContain(path.join(layout.project, 'node_modules', 'sandstack'));
    expect(files).toContain(path.join(layout.project, 'node_modules', '.bin', 'sandstack'));
  });

  it.each([
    ['an Edit of the real zod', () => edit(path.join(layout.store('zod'), 'index.js'))],
    [
      'an Edit through the link',
      () => edit(path.join(path.dirname(layout.store('sandstack')), 'zod', 'index.js')),
    ],
    [
      'a write into an indirect dependency',
      () => bash(`echo x > ${path.join(layout.store('bindings'), 'index.js')}`),
    ],
    [
      'a removal of the link',
      () => bash(`rm ${path.join(path.dirname(layout.store('sandstack')), 'zod')}`),
    ],
    ['pnpm remove', () => bash('pnpm remove zod')],
    ['npm uninstall', () => bash('npm uninstall better-sqlite3')],
    ['a replacement', () => bash('pnpm add zod@npm:evil-zod')],
  ])('denies %s', async (_name, call) => {
    expect(await verdictOf(call(), layout.project, files)).toBe('deny');
  });

  it('asks before a version change', async () => {
    expect(await verdictOf(bash('pnpm add zod@3.22.0'), layout.project, files)).toBe('ask');
  });

  it.each([
    ['an Edit of project code', () => edit(path.join(layout.project, 'src', 'index.ts'))],
    ['adding another package', () => bash('pnpm add left-pad')],
    ['removing another package', () => bash('pnpm remove left-pad')],
    ['a read of dependency code', () => bash(`cat ${path.join(layout.store('zod'), 'index.js')}`)],
  ])('allows %s', async (_name, call) => {
    expect(await verdictOf(call(), layout.project, files)).toBe('allow');
  });
});

describe('installedPackageFiles in nested and global layouts', () => {
  it('follows a nested copy before a hoisted one', () => {
    const project = path.join(base, 'nested-project');
    const modules = path.join(project, 'node_modules');
    const root = path.join(modules, 'sandstack');
    writePackage(root, 'sandstack', GUARD_DEPENDENCIES);
    writePackage(path.join(root, 'node_modules', 'zod'), 'zod');
    writePackage(path.join(modules, 'zod'), 'zod');
    writePackage(path.join(modules, 'better-sqlite3'), 'better-sqlite3', ['bindings']);
    writePackage(path.join(modules, 'bindings'), 'bindings');
    const files = installedPackageFiles(root);
    expect(files).toContain(path.join(root, 'node_modules', 'zod'));
    expect(files).not.toContain(path.join(modules, 'zod'));
    expect(files).toContain(path.join(modules, 'better-sqlite3'));
    expect(files).toContain(path.join(modules, 'bindings'));
  });

  it('protects the dependencies of a global install', async () => {
    const modules = path.join(base, 'prefix', 'lib', 'node_modules');
    const root = path.join(modules, 'sandstack');
    writePackage(root, 'sandstack', ['zod']);
    writePackage(path.join(root, 'node_modules', 'zod'), 'zod');
    const project = path.join(base, 'global-user');
    mkdirSync(project, { recursive: true });
    const files = guardFilesOf([], root);
    const target = path.join(root, 'node_modules', 'zod', 'index.js');
    expect(await verdictOf(edit(target), project, files)).toBe('deny');
    expect(await verdictOf(bash('npm uninstall zod'), project, files)).toBe('allow');
  });
});
