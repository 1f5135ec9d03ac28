/**
 * The packages the guard imports, protected like the guard's own package. When sandstack is
 * installed in a project, npm hoists its dependencies (zod, better-sqlite3, commander, …) next
 * to it in the same `node_modules`, and the hook loads them at every call. Rewriting or
 * removing one of them changes or breaks the guard as surely as rewriting its own code.
 * Other layouts keep them elsewhere: nested in `node_modules/sandstack/node_modules`, or in
 * pnpm's `node_modules/.pnpm/<name>@<version>/node_modules/<name>` behind symbolic links,
 * so {@link guardDependencyFolders} finds the folders the way Node's resolver does.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { finding, type Finding } from './findings.js';
import type { ParsedShell, SimpleCommand } from './shell.js';
import type { GuardContext } from './types.js';
import type { CheckGate } from './check-gates.js';

/** The installed package folder as guard-files.ts lists it: `<folder>/node_modules/sandstack`. */
const INSTALLED_PACKAGE = /^(.*\/node_modules)\/sandstack$/;
/** The outermost `node_modules` of a path: the project's, also for a nested or pnpm install. */
const OUTER_MODULES = /^(.*?\/node_modules)\//;
/** Upper bound on the packages read while listing the dependency closure. */
const MAX_PACKAGES = 2000;
const PACKAGE_MANAGERS = new Set(['npm', 'pnpm', 'yarn', 'bun']);
const REMOVALS = new Set(['uninstall', 'remove', 'rm', 'un', 'r', 'unlink']);
const ADDITIONS = new Set(['install', 'i', 'add', 'update', 'up', 'upgrade', 'link']);
/** A version spec that takes the package from elsewhere than the registry under its own name. */
const FOREIGN_SPEC = /^(?:npm:|file:|link:|git[+:]|github:|gitlab:|bitbucket:|https?:|[./~])|\//;

/** Runtime dependencies of one installed package, as {@link walkDependencies} finds them. */
interface DependencyClosure {
  names: readonly string[];
  /** Folders Node loads them from, as found and with links resolved. */
  folders: readonly string[];
}

const closures = new Map<string, DependencyClosure>();
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
  // pnpm and nested installs keep the package below the project's `node_modules`, which is
  // still the folder that the project's package manager changes.
  const modules = (context.guardFiles ?? []).flatMap((file) => {
    const folder = INSTALLED_PACKAGE.exec(file)?.[1];
    const outer = folder === undefined ? undefined : OUTER_MODULES.exec(`${folder}/`)?.[1];
    return folder === undefined ? [] : [folder, outer ?? folder];
  });
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
  return walkDependencies(packageRoot()).names;
}

/**
 * Lists the folders that the package in `root` loads its runtime dependencies from, directly
 * or through other packages: each folder where Node's lookup finds a package, and the same
 * folder with symbolic links resolved when it differs. Read once per root and process.
 */
export function guardDependencyFolders(root: string): readonly string[] {
  return walkDependencies(root).folders;
}

/**
 * Walks the dependency closure of the package in `root`. Node resolves an import from the
 * real folder of the importing module, so each found package is followed from its real
 * folder, which is where pnpm keeps the links to its own dependencies.
 */
function walkDependencies(root: string): DependencyClosure {
  const cached = closures.get(root);
  if (cached !== undefined) {
    return cached;
  }
  const names = new Set<string>();
  const folders = new Set<string>();
  const queue = [realFolder(root)];
  const queued = new Set(queue);
  for (let read = 0; read < queue.length && read < MAX_PACKAGES; read += 1) {
    const folder = queue[read] ?? '';
    for (const name of runtimeDependencies(folder)) {
      names.add(name);
      const found = locatePackage(name, folder);
      if (found === undefined) {
        continue;
      }
      const real = realFolder(found);
      folders.add(found);
      folders.add(real);
      if (!queued.has(real)) {
        queued.add(real);
        queue.push(real);
      }
    }
  }
  const closure = { names: [...names].sort(), folders: [...folders].sort() };
  closures.set(root, closure);
  return closure;
}

function realFolder(folder: string): string {
  try {
    return realpathSync(folder);
  } catch {
    return folder;
  }
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
