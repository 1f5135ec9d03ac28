/**
 * Commands that replace or remove a whole tree of the project, and with it the guard's own
 * files. One is a reinstall of the `node_modules` folder that contains the sandstack package
 * the guard runs from. The other is a `git stash` or `git clean` that removes untracked files
 * such as the `.sandstack` state folder.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { finding, type Finding } from './findings.js';
import { isInside, resolvePath, type PathContext } from './paths.js';
import type { SimpleCommand } from './shell.js';
import type { GuardContext } from './types.js';

/**
 * Sub-commands that install a project's whole dependency tree when given no package name,
 * per package manager, with npm's aliases and the typos it accepts. The empty string is a
 * bare `yarn`, which installs.
 */
const REINSTALLS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  [
    'npm',
    new Set([
      ...['install', 'i', 'in', 'ins', 'inst', 'insta', 'instal', 'isnt', 'isnta', 'isntal'],
      ...['isntall', 'ci', 'clean-install', 'ic', 'install-clean', 'isntall-clean'],
      ...['install-test', 'it', 'install-ci-test', 'cit', 'update', 'up', 'upgrade', 'udpate'],
    ]),
  ],
  ['pnpm', new Set(['install', 'i', 'ci', 'install-test', 'it', 'update', 'up', 'upgrade'])],
  ['yarn', new Set(['', 'install', 'upgrade', 'up'])],
  ['bun', new Set(['install', 'i', 'update'])],
]);
/** Options of the package managers that name the project to install into. */
const PROJECT_OPTIONS = new Set(['--prefix', '-C', '--dir', '--cwd']);
/** Options of the package managers that take a value as the next word. */
const VALUED_OPTIONS = new Set([...PROJECT_OPTIONS, '--filter', '-F', '--registry', '--tag']);
/** The first `node_modules` segment of a path. */
const NODE_MODULES = /\/node_modules(?:\/|$)/;

/**
 * Judges a package-manager command that reinstalls the whole dependency tree of a project
 * whose `node_modules` contains the sandstack package the guard runs from. The finding asks,
 * because the reinstall can swap the guard's code. An install in any other folder is not judged.
 */
export function guardReinstall(
  command: SimpleCommand,
  paths: PathContext,
  context: GuardContext,
): Finding | undefined {
  const subcommands = REINSTALLS.get(command.name);
  if (subcommands === undefined || context.guardFiles === undefined) {
    return undefined;
  }
  const { words, project } = splitArguments(command.argv.slice(1));
  const subcommand = words[0] ?? '';
  if (!subcommands.has(subcommand) || words.length > 1 || isGlobal(command.argv)) {
    return undefined;
  }
  const installDir = resolvePath(project ?? '.', paths);
  const owner = context.guardFiles
    .map((file) => projectOfPackage(file))
    .find((dir) => dir !== undefined && isInside(installDir, dir));
  if (owner === undefined) {
    return undefined;
  }
  const shownCommand = subcommand === '' ? command.name : `${command.name} ${subcommand}`;
  return finding(
    'security-weaken',
    `"${shownCommand}" reinstalls "${owner}/node_modules", which contains the sandstack package the guard runs from, so the reinstall could replace the guard's code; install sandstack outside the project to let the agent reinstall freely`,
    'guard-reinstall',
  );
}

/** Splits arguments into the words that are not options and the value of a project option. */
function splitArguments(args: readonly string[]): { words: string[]; project?: string } {
  const words: string[] = [];
  let project: string | undefined;
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    // `--prefix=dir` joins the value to its option at the first `=`.
    const equals = arg.indexOf('=');
    const option = equals === -1 ? arg : arg.slice(0, equals);
    const inline = equals === -1 ? undefined : arg.slice(equals + 1);
    if (VALUED_OPTIONS.has(option)) {
      const value = inline ?? args[(index += inline === undefined ? 1 : 0)];
      if (PROJECT_OPTIONS.has(option) && value !== undefined) {
        project = value;
      }
    } else if (!arg.startsWith('-')) {
      words.push(arg);
    }
  }
  return project === undefined ? { words } : { words, project };
}

function isGlobal(argv: readonly string[]): boolean {
  return argv.some((arg) => arg === '-g' || arg === '--global' || arg === '--location=global');
}

/**
 * Returns the project folder whose `node_modules` contains `file`, the installed package as
 * `guardFilesOf` lists it (`/p/node_modules/sandstack`, or pnpm's
 * `/p/node_modules/.pnpm/sandstack@1.0.0/node_modules/sandstack`).
 */
function projectOfPackage(file: string): string | undefined {
  if (path.basename(file) !== 'sandstack') {
    return undefined;
  }
  const match = NODE_MODULES.exec(file);
  return match === null ? undefined : file.slice(0, match.index) || '/';
}

/** `git stash` sub-commands that save changes and reset the work tree. */
const STASH_SAVES = new Set(['push', 'save']);

/**
 * Judges a `git stash` that takes untracked files (`-u`, `--include-untracked`, `-a`,
 * `--all`) or a `git clean -d` run where one of the guard's files sits untracked in the
 * project: denied, because both remove those files from the disk. A `git clean` without
 * `-x`, and a stash without `-a`, leave ignored files alone, so they are judged only when
 * the project's `.gitignore` does not list the folder. Files that do not exist are skipped.
 */
export function guardUntrackedDelete(
  command: SimpleCommand,
  paths: PathContext,
  context: GuardContext,
): Finding | undefined {
  if (command.name !== 'git' || context.guardFiles === undefined) {
    return undefined;
  }
  const { subcommand, args, workTree } = gitArguments(command.argv.slice(1), paths);
  const removal =
    subcommand === 'stash'
      ? stashRemoval(args)
      : subcommand === 'clean'
        ? cleanRemoval(args)
        : undefined;
  if (removal === undefined || !isInside(workTree, context.projectDir)) {
    return undefined;
  }
  // `git clean` removes from its working folder down, `git stash` from the whole work tree.
  const scope = subcommand === 'clean' ? workTree : context.projectDir;
  for (const file of context.guardFiles) {
    const top = topFolder(file, context.projectDir);
    if (top === undefined || !isInside(top, scope) || !existsSync(file)) {
      continue;
    }
    if (!removal.ignored && isIgnored(top, context.projectDir)) {
      continue;
    }
    return finding(
      'self-modification',
      `"git ${subcommand}" removes untracked files, among them "${file}", which the guard runs from or with, so later calls would go unchecked`,
      'guard-untracked-delete',
    );
  }
  return undefined;
}

/** Splits git's arguments into the sub-command, its arguments and the folder it runs in. */
function gitArguments(
  args: readonly string[],
  paths: PathContext,
): { subcommand: string | undefined; args: string[]; workTree: string } {
  let workTree = paths.cwd;
  let index = 0;
  while (index < args.length && (args[index] ?? '').startsWith('-')) {
    const arg = args[index] ?? '';
    if (arg === '-C' && args[index + 1] !== undefined) {
      workTree = resolvePath(args[index + 1] ?? '.', { ...paths, cwd: workTree });
      index += 1;
    } else if (arg === '-c' || arg === '--git-dir' || arg === '--work-tree') {
      index += 1;
    }
    index += 1;
  }
  return { subcommand: args[index], args: args.slice(index + 1), workTree };
}

/** Returns how a `git stash` removes untracked files, or undefined when it keeps them. */
function stashRemoval(args: readonly string[]): { ignored: boolean } | undefined {
  const first = args[0];
  if (first !== undefined && !first.startsWith('-') && !STASH_SAVES.has(first)) {
    return undefined;
  }
  const options = optionsBefore(args);
  const all = options.includes('--all') || shortFlags(options).includes('a');
  const untracked =
    all || options.includes('--include-untracked') || shortFlags(options).includes('u');
  return untracked ? { ignored: all } : undefined;
}

/** Returns how a `git clean` removes untracked folders, or undefined when it removes none. */
function cleanRemoval(args: readonly string[]): { ignored: boolean } | undefined {
  const options = optionsBefore(args);
  const flags = shortFlags(options);
  const dryRun = options.includes('--dry-run') || flags.includes('n') || flags.includes('i');
  const force = options.includes('--force') || flags.includes('f');
  if (dryRun || !force || !flags.includes('d')) {
    return undefined;
  }
  return { ignored: flags.includes('x') || flags.includes('X') };
}

/** Lists the options before `--`, leaving out the value of `-m`, `-e` and `--message`. */
function optionsBefore(args: readonly string[]): string[] {
  const options: string[] = [];
  for (let index = 0; index < args.length && args[index] !== '--'; index += 1) {
    const arg = args[index] ?? '';
    if (arg === '-m' || arg === '-e' || arg === '--message' || arg === '--exclude') {
      index += 1;
    } else if (arg.startsWith('-')) {
      options.push(arg);
    }
  }
  return options;
}

/** Joins the letters of short option clusters (`-fdx` gives `fdx`). */
function shortFlags(options: readonly string[]): string {
  return options
    .filter((option) => /^-[a-zA-Z]+$/.test(option))
    .map((option) => option.slice(1))
    .join('');
}

/** Returns the folder right under `projectDir` that contains `file`, or undefined outside it. */
function topFolder(file: string, projectDir: string): string | undefined {
  if (!isInside(file, projectDir) || file === projectDir) {
    return undefined;
  }
  const first = path.relative(projectDir, file).split(path.sep)[0] ?? '';
  return path.join(projectDir, first);
}

/** Checks whether the project's top-level `.gitignore` lists the folder `top`. */
function isIgnored(top: string, projectDir: string): boolean {
  let text: string;
  try {
    text = readFileSync(path.join(projectDir, '.gitignore'), 'utf8');
  } catch {
    return false;
  }
  const name = path.basename(top);
  return text
    .split('\n')
    .map((line) =>
      line
        .trim()
        .replace(/^\//, '')
        .replace(/\/\**$/, ''),
    )
    .some((line) => line === name);
}
