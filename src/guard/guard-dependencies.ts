/**
 * The packages the guard imports, protected like the guard's own package. When sandstack is
 * installed in a project, npm hoists its dependencies (zod, better-sqlite3, commander, …) next
 * to it in the same `node_modules`, and the hook loads them at every call. Rewriting or
 * removing one of them changes or breaks the guard as surely as rewriting its own code.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { finding, type Finding } from './findings.js';
import type { ParsedShell, SimpleCommand } from './shell.js';
import type { GuardContext } from './types.js';
import type { CheckGate } from './check-gates.js';

/** The installed package folder as guard-files.ts lists it: `<folder>/node_modules/sandstack`. */
const INSTALLED_PACKAGE = /^(.*\/node_modules)\/sandstack$/;
/** Upper bound on the packages read while listing the dependency closure. */
const MAX_PACKAGES = 2000;
const PACKAGE_MANAGERS = new Set(['npm', 'pnpm', 'yarn', 'bun']);
const REMOVALS = new Set(['uninstall', 'remove', 'rm', 'un', 'r', 'unlink']);
const ADDITIONS = new Set(['install', 'i', 'add', 'update', 'up', 'upgrade', 'link']);
/** A version spec that takes the package from elsewhere than the registry under its own name. */
const FOREIGN_SPEC = /^(?:npm:|file:|link:|git[+:]|github:|gitlab:|bitbucket:|https?:|[./~])|\//;

let dependencyNames: readonly string[] | undefined;
const expanded = new WeakMap<readonly string[], readonly string[]>();

/**
 * Returns `context` with the guard's dependency folders added to `guardFiles` next to every
 * installed sandstack package listed there.
 */
export function withGuardDependencies(context: GuardContext): GuardContext {
  const files = context.guardFiles;
  if (files === undefined || !files.some((file) => INSTALLED_PACKAGE.test(file))) {
    return context;
  }
  let all = expanded.get(files);
  if (all === undefined) {
    const modules = files.flatMap((file) => INSTALLED_PACKAGE.exec(file)?.[1] ?? []);
    all = [
      ...files,
      ...modules.flatMap((folder) => guardDependencyNames().map((name) => `${folder}/${name}`)),
    ];
    expanded.set(files, all);
  }
  return { ...context, guardFiles: all };
}

/** Gate of {@link checkGuardDependencyChanges}, which judges only the `PACKAGE_MANAGERS`. */
export const GUARD_DEPENDENCIES_GATE: CheckGate = { programs: PACKAGE_MANAGERS };

/**
 * Finds a package-manager command that removes one of the guard's dependencies from the
 * project it is installed in (denied), or replaces it by another package, a file or a git
 * source (denied) or by another version (asked).
 */
export function checkGuardDependencyChanges(
  parsed: ParsedShell,
  context: GuardContext,
): Finding | undefined {
  const modules = (context.guardFiles ?? []).flatMap(
    (file) => INSTALLED_PACKAGE.exec(file)?.[1] ?? [],
  );
  const here = [context.projectDir, context.cwd].map((folder) => `${folder}/node_modules`);
  if (!modules.some((folder) => here.includes(folder))) {
    return undefined;
  }
  for (const command of parsed.commands) {
    const change = dependencyChange(command);
    if (change !== undefined) {
      return change;
    }
  }
  return undefined;
}

function dependencyChange(command: SimpleCommand): Finding | undefined {
  if (!PACKAGE_MANAGERS.has(command.name)) {
    return undefined;
  }
  const words = command.argv.slice(1).filter((arg) => !arg.startsWith('-'));
  const verb = words[0] === 'global' ? words[1] : words[0];
  if (verb === undefined || (!REMOVALS.has(verb) && !ADDITIONS.has(verb))) {
    return undefined;
  }
  const names = new Set(guardDependencyNames());
  for (const word of words.slice(words[0] === 'global' ? 2 : 1)) {
    // `zod@npm:evil-zod`, `@scope/pkg@^2`: the name ends at the `@` after its first character.
    const at = word.indexOf('@', 1);
    const name = at < 0 ? word : word.slice(0, at);
    const spec = at < 0 ? '' : word.slice(at + 1);
    if (!names.has(name)) {
      continue;
    }
    if (REMOVALS.has(verb) || FOREIGN_SPEC.test(spec)) {
      return finding(
        'self-modification',
        `The command ${REMOVALS.has(verb) ? 'removes' : 'replaces'} ${name}, which the guard installed in this project imports at every call, so later calls would go unchecked`,
        'guard-dependency',
      );
    }
    return finding(
      'security-weaken',
      `The command changes the version of ${name}, which the guard installed in this project imports at every call; install sandstack outside the project to let the agent manage its packages`,
      'guard-dependency',
    );
  }
  return undefined;
}

/**
 * Lists the names of the packages that this package depends on at run time, directly or
 * through other packages, found by Node's lookup through the `node_modules` folders above
 * each package. Read once per process.
 */
export function guardDependencyNames(): readonly string[] {
  if (dependencyNames !== undefined) {
    return dependencyNames;
  }
  const names = new Set<string>();
  const queue = [packageRoot()];
  for (let read = 0; read < queue.length && read < MAX_PACKAGES; read += 1) {
    const folder = queue[read] ?? '';
    for (const name of runtimeDependencies(folder)) {
      if (names.has(name)) {
        continue;
      }
      names.add(name);
      const found = locatePackage(name, folder);
      if (found !== undefined) {
        queue.push(found);
      }
    }
  }
  dependencyNames = [...names].sort();
  return dependencyNames;
}

function runtimeDependencies(folder: string): string[] {
  try {
    const manifest = JSON.parse(readFileSync(path.join(folder, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
    return [
      ...Object.keys(manifest.dependencies ?? {}),
      ...Object.keys(manifest.optionalDependencies ?? {}),
    ];
  } catch {
    return [];
  }
}

/** Finds the folder Node loads `name` from when required by a module in `from`. */
function locatePackage(name: string, from: string): string | undefined {
  let folder = from;
  for (;;) {
    const candidate = path.join(folder, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) {
      return candidate;
    }
    const parent = path.dirname(folder);
    if (parent === folder) {
      return undefined;
    }
    folder = parent;
  }
}

function packageRoot(): string {
  // This file is dist/guard/guard-dependencies.js in the package, or src/guard/ in a checkout.
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
}
