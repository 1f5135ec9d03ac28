/**
 * Script targets that a call runs by name: `npm run X`, `pnpm X`, `yarn X`, `bun run X`,
 * `make X`, `just X`, `task X` (Taskfile.yml) and `composer run-script X`. The call's text
 * shows only the name, so each target's command text is read from the project's
 * package.json, Makefile, justfile, Taskfile or composer.json and judged as shell, one unit
 * per recipe line or script entry. A target whose text runs another target is followed up to
 * {@link MAX_TARGET_DEPTH} levels. Package-manager commands such as `npm ci`, `pnpm install`,
 * `npm publish` and `npm version patch` run the project's lifecycle scripts, which are read
 * the same way.
 *
 * What is not read stays as the call's own checks judge it: a missing file, a target that the
 * file does not name, make `include`s, Taskfile `includes`, values computed by `$(shell ...)`
 * and variables other than literal ones set in the same file. `poetry run X` and `rake X` run
 * code entry points, which are left alone.
 */
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { FileReader } from './file-reader.js';
import { splitOptions } from './options.js';
import {
  findTaskFile,
  RUNNER_TASK_PROGRAMS,
  runnerTaskFile,
  type RunnerTaskFile,
  type UnreadTaskFile,
} from './runner-tasks.js';

/** Programs whose calls may name a script target. */
export const SCRIPT_TARGET_PROGRAMS: ReadonlySet<string> = new Set([
  'npm',
  'pnpm',
  'yarn',
  'bun',
  'make',
  'gmake',
  'just',
  'task',
  'go-task',
  'composer',
  ...RUNNER_TASK_PROGRAMS,
]);

/** Levels of targets followed when a target's text runs another one (`npm run a` -> `npm run b`). */
export const MAX_TARGET_DEPTH = 4;
/** Units read for one call at most, so a file with many chained targets stays cheap. */
const MAX_UNITS = 200;

/** One piece of shell text a named target runs. */
export interface TargetRun {
  /** Absolute path of the file the target is defined in. */
  file: string;
  /** Description of the text for messages, such as `the npm script "deploy"`. */
  description: string;
  /** The shell text, judged as one command line. */
  command: string;
}

interface Reading {
  readFile: FileReader;
  runs: TargetRun[];
  /** Task files and tasks that exist but could not be read. */
  unread: UnreadTaskFile[];
  /** Targets already read, as `file#name`, so a loop of targets ends. */
  seen: Set<string>;
}

/**
 * Returns the shell text of the script targets that `argv` (a command named `name`, run in
 * `cwd`) runs, read with `readFile`. Returns an empty list when the program names no target
 * or the file that defines it cannot be read.
 *
 * @example
 * // package.json: {"scripts": {"deploy": "./ship.sh --env production"}}
 * scriptTargetRuns(['npm', 'run', 'deploy'], 'npm', '/home/dev/project', readFile);
 * // [{ file: '/home/dev/project/package.json', description: 'the npm script "deploy"', command: './ship.sh --env production' }]
 */
export function scriptTargetRuns(
  argv: readonly string[],
  name: string,
  cwd: string,
  readFile: FileReader,
): TargetRun[] {
  return scriptTargetReading(argv, name, cwd, readFile).runs;
}

/**
 * Returns what {@link scriptTargetRuns} returns, plus the runner task files and tasks (see
 * runner-tasks.ts) that exist but could not be read, about which the call asks.
 */
export function scriptTargetReading(
  argv: readonly string[],
  name: string,
  cwd: string,
  readFile: FileReader,
): { runs: TargetRun[]; unread: UnreadTaskFile[] } {
  if (!SCRIPT_TARGET_PROGRAMS.has(name)) {
    return { runs: [], unread: [] };
  }
  const reading: Reading = { readFile, runs: [], unread: [], seen: new Set() };
  readTargets(argv, name, cwd, reading, 0);
  return { runs: reading.runs, unread: reading.unread };
}

function readTargets(
  argv: readonly string[],
  name: string,
  cwd: string,
  reading: Reading,
  depth: number,
): void {
  if (depth >= MAX_TARGET_DEPTH || reading.runs.length >= MAX_UNITS) {
    return;
  }
  switch (name) {
    case 'npm':
    case 'pnpm':
    case 'yarn':
    case 'bun':
      readPackageScript(argv, name, cwd, reading, depth);
      return;
    case 'make':
    case 'gmake':
      readMakeTargets(argv, cwd, reading, depth);
      return;
    case 'just':
      readJustRecipes(argv, cwd, reading, depth);
      return;
    case 'task':
    case 'go-task':
      readTasks(argv, cwd, reading, depth);
      return;
    case 'composer':
      readComposerScript(argv, cwd, reading, depth);
      return;
  }
  if (RUNNER_TASK_PROGRAMS.has(name)) {
    const found = runnerTaskFile(argv, name, cwd, reading.readFile);
    if (found === undefined) {
      return;
    }
    if ('reason' in found) {
      reading.unread.push(found);
      return;
    }
    for (const task of found.requested) {
      readRunnerTask(found, task, reading, depth);
    }
  }
}

/** Adds the commands of runner task `name`, with the tasks it runs before and after. */
function readRunnerTask(
  tasks: RunnerTaskFile,
  name: string,
  reading: Reading,
  depth: number,
): void {
  const task = tasks.find(name);
  if (task === undefined || depth >= MAX_TARGET_DEPTH || readBefore(reading, tasks.file, name)) {
    return;
  }
  const file = task.file ?? tasks.file;
  if (task.unread !== undefined) {
    const reason =
      task.file === undefined
        ? `defines the ${tasks.label} "${name}", which ${task.unread}`
        : `runs as the ${tasks.label} "${name}" and ${task.unread}`;
    reading.unread.push({ file, reason });
    return;
  }
  for (const before of task.before) {
    readRunnerTask(tasks, before, reading, depth + 1);
  }
  for (const command of task.commands) {
    addUnit(reading, file, `the ${tasks.label} "${name}"`, command, depth);
  }
  for (const after of task.after) {
    readRunnerTask(tasks, after, reading, depth + 1);
  }
}

/**
 * Adds `text` as a unit and follows the targets that its commands run. Commands are split at
 * `;`, `&&`, `||`, `|` and newlines without parsing, which is enough to find `npm run b` in a
 * script. The unit itself is parsed in full when it is judged.
 */
function addUnit(
  reading: Reading,
  file: string,
  description: string,
  text: string,
  depth: number,
): void {
  if (text.trim() === '' || reading.runs.length >= MAX_UNITS) {
    return;
  }
  reading.runs.push({ file, description, command: text });
  const folder = path.posix.dirname(file);
  for (const part of text.split(/&&|\|\||[;|\n]/)) {
    const words = part.trim().split(/\s+/);
    let start = 0;
    while (/^[A-Za-z_]\w*=/.test(words[start] ?? '')) {
      start += 1;
    }
    const program = words[start] ?? '';
    const programName = program.slice(program.lastIndexOf('/') + 1);
    if (SCRIPT_TARGET_PROGRAMS.has(programName)) {
      readTargets(words.slice(start).map(unquote), programName, folder, reading, depth + 1);
    }
  }
}

function unquote(word: string): string {
  return /^(['"])(.*)\1$/s.exec(word)?.[2] ?? word;
}

/** Marks `file#target` as read and returns whether it was read before. */
function readBefore(reading: Reading, file: string, target: string): boolean {
  const key = `${file}#${target}`;
  if (reading.seen.has(key)) {
    return true;
  }
  reading.seen.add(key);
  return false;
}

/**
 * Returns the first of `names` found in `folder` or, when `upward`, in a folder above it, or
 * undefined when none is found or the file found is unread.
 */
function findFile(
  folder: string,
  names: readonly string[],
  readFile: FileReader,
  upward: boolean,
): { file: string; text: string } | undefined {
  const found = findTaskFile(folder, names, readFile, upward);
  // NOTE: a project file too large or odd to read hides its targets; the call is then
  // judged by its own words, as when the file does not exist.
  return found === undefined || 'reason' in found ? undefined : found;
}

function folderOption(
  cwd: string,
  options: Map<string, string>,
  names: readonly string[],
): string | undefined {
  for (const name of names) {
    const value = options.get(name);
    if (value !== undefined) {
      return value === '' || value.includes('$') ? undefined : path.posix.resolve(cwd, value);
    }
  }
  return cwd;
}

// --- package.json scripts -------------------------------------------------------------------

const PACKAGE_VALUE_OPTIONS = new Set(['--prefix', '-C', '--dir', '--cwd', '-w', '--workspace']);
/** Package-manager commands that run the script of the same name. */
const SCRIPT_COMMANDS: Readonly<Record<string, string>> = {
  test: 'test',
  t: 'test',
  tst: 'test',
  start: 'start',
  stop: 'stop',
  restart: 'restart',
};
/**
 * Built-in commands of pnpm and yarn, which run instead of a script of the same name. Any
 * other first operand runs the package.json script it names.
 */
const PACKAGE_MANAGER_COMMANDS = new Set([
  'add',
  'audit',
  'bin',
  'cache',
  'config',
  'create',
  'dedupe',
  'deploy',
  'dlx',
  'exec',
  'fetch',
  'help',
  'import',
  'info',
  'init',
  'install',
  'i',
  'link',
  'list',
  'ls',
  'login',
  'logout',
  'outdated',
  'pack',
  'patch',
  'prune',
  'publish',
  'rebuild',
  'remove',
  'rm',
  'root',
  'server',
  'setup',
  'store',
  'unlink',
  'up',
  'update',
  'upgrade',
  'version',
  'why',
  'workspace',
  'workspaces',
]);

/** The project's scripts that `npm install` and `npm ci` run, in npm's order. */
const INSTALL_HOOKS = [
  'preinstall',
  'install',
  'postinstall',
  'prepublish',
  'preprepare',
  'prepare',
  'postprepare',
] as const;

/**
 * Scripts that package-manager commands run from the project's own package.json, in order, as
 * npm 11 documents them ("Life Cycle Operation Order" of `npm help scripts`). `install` and
 * `ci` run them only without package operands. pnpm, yarn and bun run the install hooks of the
 * project on a plain install too.
 */
const LIFECYCLE_SCRIPTS: Readonly<Record<string, readonly string[]>> = {
  install: INSTALL_HOOKS,
  ci: INSTALL_HOOKS,
  rebuild: ['preinstall', 'install', 'postinstall', 'prepare'],
  pack: ['prepack', 'prepare', 'postpack'],
  publish: ['prepublishOnly', 'prepack', 'prepare', 'postpack', 'publish', 'postpublish'],
  version: ['preversion', 'version', 'postversion'],
};
/** Aliases of the package-manager commands in {@link LIFECYCLE_SCRIPTS}. */
const LIFECYCLE_ALIASES: Readonly<Record<string, string>> = {
  i: 'install',
  in: 'install',
  ins: 'install',
  inst: 'install',
  insta: 'install',
  instal: 'install',
  isnt: 'install',
  isnta: 'install',
  isntal: 'install',
  isntall: 'install',
  'clean-install': 'ci',
  ic: 'ci',
  'install-clean': 'ci',
  'isntall-clean': 'ci',
  rb: 'rebuild',
};
/** Commands that run the lifecycle scripts only when no package is named. */
const INSTALL_COMMANDS = new Set(['install', 'ci']);
/** Options with which a package manager runs no scripts of the project. */
const NO_SCRIPTS = new Set(['--ignore-scripts', '-g', '--global']);

/**
 * Returns the lifecycle scripts that `command` with `operands` runs, or undefined when it runs
 * none: an install with a package operand, `npm version` without a new version, or a call with
 * `--ignore-scripts`.
 */
function lifecycleScripts(
  manager: string,
  command: string | undefined,
  operands: readonly string[],
  flags: ReadonlySet<string>,
  options: ReadonlyMap<string, string>,
): readonly string[] | undefined {
  const plainYarn = manager === 'yarn' && command === undefined;
  const name = plainYarn ? 'install' : (LIFECYCLE_ALIASES[command ?? ''] ?? command ?? '');
  if (!Object.hasOwn(LIFECYCLE_SCRIPTS, name)) {
    return undefined;
  }
  // `npm publish --dry-run` and `npm pack --dry-run` still run their scripts, and an install's
  // dry run runs none.
  const dryRun = flags.has('--dry-run') || options.get('--dry-run') === 'true';
  const ignored =
    [...flags].some((flag) => NO_SCRIPTS.has(flag)) ||
    options.get('--ignore-scripts') === 'true' ||
    options.get('--location') === 'global' ||
    (dryRun && name !== 'publish' && name !== 'pack');
  const packageNamed = INSTALL_COMMANDS.has(name) && operands.length > 1;
  const noNewVersion = name === 'version' && operands.length < 2;
  if (ignored || packageNamed || noNewVersion) {
    return undefined;
  }
  return LIFECYCLE_SCRIPTS[name];
}

function readPackageScript(
  argv: readonly string[],
  manager: string,
  cwd: string,
  reading: Reading,
  depth: number,
): void {
  const { options, flags, operands } = splitOptions(argv.slice(1), PACKAGE_VALUE_OPTIONS, {
    stopAtOperand: false,
  });
  if (options.has('-w') || options.has('--workspace') || options.has('--filter')) {
    // The workspace's folder is not on the command line.
    return;
  }
  const folder = folderOption(cwd, options, ['--prefix', '-C', '--dir', '--cwd']);
  const [command, target] = operands;
  let names: readonly string[] | undefined;
  let script: string | undefined;
  if (command === 'run' || command === 'run-script' || command === 'rum' || command === 'urn') {
    script = target;
  } else if (command !== undefined && Object.hasOwn(SCRIPT_COMMANDS, command)) {
    script = SCRIPT_COMMANDS[command];
  } else if (
    (manager === 'pnpm' || manager === 'yarn') &&
    command !== undefined &&
    !PACKAGE_MANAGER_COMMANDS.has(command)
  ) {
    script = command;
  } else {
    names = lifecycleScripts(manager, command, operands, flags, options);
  }
  if (script !== undefined && !script.includes('$')) {
    // npm, yarn 1 and bun run pre- and post-scripts around the script. pnpm does not by
    // default, but a project can switch that on, so they are read for every manager.
    names = [`pre${script}`, script, `post${script}`];
  }
  if (names === undefined || folder === undefined) {
    return;
  }
  const found = findFile(folder, ['package.json'], reading.readFile, true);
  const scripts = found === undefined ? undefined : packageScripts(found.text);
  if (found === undefined || scripts === undefined) {
    return;
  }
  for (const name of names) {
    const text = scripts[name];
    if (typeof text === 'string' && !readBefore(reading, found.file, name)) {
      addUnit(reading, found.file, `the ${manager} script "${name}"`, text, depth);
    }
  }
}

function packageScripts(text: string): Record<string, unknown> | undefined {
  try {
    const manifest = JSON.parse(text) as { scripts?: unknown };
    const scripts = manifest.scripts;
    return typeof scripts === 'object' && scripts !== null && !Array.isArray(scripts)
      ? (scripts as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

// --- Makefile -------------------------------------------------------------------------------

const MAKE_VALUE_OPTIONS = new Set([
  '-C',
  '--directory',
  '-f',
  '--file',
  '--makefile',
  '-I',
  '--include-dir',
  '-o',
  '--old-file',
  '--assume-old',
  '-W',
  '--what-if',
  '--new-file',
  '--assume-new',
  '-l',
  '--load-average',
]);
/** Options with which make prints or checks recipes without running them. */
const MAKE_NO_RUN = new Set([
  '-n',
  '--dry-run',
  '--just-print',
  '--recon',
  '-q',
  '--question',
  '-p',
  '--print-data-base',
]);

function readMakeTargets(
  argv: readonly string[],
  cwd: string,
  reading: Reading,
  depth: number,
): void {
  const { options, flags, operands } = splitOptions(argv.slice(1), MAKE_VALUE_OPTIONS, {
    stopAtOperand: false,
  });
  if ([...flags].some((flag) => MAKE_NO_RUN.has(flag))) {
    return;
  }
  const folder = folderOption(cwd, options, ['-C', '--directory']);
  const named = options.get('-f') ?? options.get('--file') ?? options.get('--makefile');
  if (folder === undefined || named === '-' || named?.includes('$') === true) {
    // A makefile from standard input is read in runners.ts.
    return;
  }
  const found =
    named === undefined
      ? findFile(folder, ['GNUmakefile', 'makefile', 'Makefile'], reading.readFile, false)
      : findFile(folder, [named], reading.readFile, false);
  if (found === undefined) {
    return;
  }
  const overrides = new Map<string, string>();
  const goals: string[] = [];
  for (const operand of operands) {
    const assignment = /^([A-Za-z_][\w.-]*)=(.*)$/s.exec(operand);
    if (assignment !== null) {
      overrides.set(assignment[1] ?? '', assignment[2] ?? '');
    } else if (/^[\w./-]+$/.test(operand) && /^\d+$/.test(operand) === false) {
      goals.push(operand);
    }
  }
  const makefile = parseMakefile(found.text);
  for (const [name, value] of overrides) {
    makefile.variables.set(name, value);
  }
  const targets = goals.length > 0 ? goals : [makefile.firstTarget ?? ''];
  for (const target of targets) {
    readMakeRule(makefile, found.file, target, reading, depth);
  }
}

/** The rules of a makefile, read without includes or run-time values. */
export interface Makefile {
  rules: Map<string, { prerequisites: string[]; recipe: string[] }>;
  /**
   * Every tab-started recipe line in file order, also one outside any rule, such as after a
   * variable assignment or a conditional. It suits text that no rule walk covers, such as a
   * makefile read from standard input.
   */
  recipeLines: string[];
  /** Variables set to literal text (no `$`) in the file. */
  variables: Map<string, string>;
  /** The default goal: the first target that does not start with a dot. */
  firstTarget: string | undefined;
}

/**
 * Reads the rules and recipes of makefile `text`. A recipe line starts with a tab after a rule
 * line, and a trailing backslash joins the next line, as in GNU make. Conditionals, includes
 * and pattern rules are not evaluated, so their recipes may be missing.
 */
export function parseMakefile(text: string): Makefile {
  const rules = new Map<string, { prerequisites: string[]; recipe: string[] }>();
  const recipeLines: string[] = [];
  const variables = new Map<string, string>();
  let firstTarget: string | undefined;
  let current: { prerequisites: string[]; recipe: string[] }[] = [];
  const lines = text.replace(/[ \t]*\\\r?\n[ \t]*/g, ' ').split(/\r?\n/);
  for (const line of lines) {
    if (line.startsWith('\t')) {
      // Make drops the `@` (silent), `-` (ignore errors) and `+` (run under -n) prefixes.
      const command = line.slice(1).replace(/^[\s@+-]+/, '');
      recipeLines.push(command);
      for (const rule of current) {
        rule.recipe.push(command);
      }
      continue;
    }
    if (line.trim() === '' || line.trimStart().startsWith('#')) {
      continue;
    }
    const assignment =
      /^(?:export\s+|override\s+)?([A-Za-z_][\w.-]*)\s*(?::{1,3}=|\?=|=)\s*(.*)$/.exec(line);
    if (assignment !== null) {
      const value = (assignment[2] ?? '').trim();
      if (!value.includes('$')) {
        variables.set(assignment[1] ?? '', value);
      }
      current = [];
      continue;
    }
    const rule = /^([^:=#\t][^:=#]*?)\s*::?(?!=)\s*([^;#]*)(?:;\s*(.*))?$/.exec(line);
    if (rule === null) {
      current = [];
      continue;
    }
    const targets = (rule[1] ?? '').trim().split(/\s+/);
    const prerequisites = (rule[2] ?? '')
      .split('|')
      .join(' ')
      .trim()
      .split(/\s+/)
      .filter((word) => word !== '');
    current = targets.map((target) => {
      const entry = rules.get(target) ?? { prerequisites: [], recipe: [] };
      entry.prerequisites.push(...prerequisites);
      rules.set(target, entry);
      firstTarget ??= target.startsWith('.') || target.includes('%') ? undefined : target;
      return entry;
    });
    const inline = rule[3]?.trim();
    if (inline !== undefined && inline !== '') {
      for (const entry of current) {
        entry.recipe.push(inline);
      }
    }
  }
  return { rules, recipeLines, variables, firstTarget };
}

function readMakeRule(
  makefile: Makefile,
  file: string,
  target: string,
  reading: Reading,
  depth: number,
): void {
  const rule = makefile.rules.get(target);
  if (rule === undefined || depth >= MAX_TARGET_DEPTH || readBefore(reading, file, target)) {
    return;
  }
  // Make brings the prerequisites up to date first, running their recipes.
  for (const prerequisite of rule.prerequisites) {
    readMakeRule(makefile, file, expandMake(prerequisite, makefile.variables), reading, depth + 1);
  }
  for (const line of rule.recipe) {
    addUnit(
      reading,
      file,
      `the make target "${target}"`,
      expandMake(line, makefile.variables),
      depth,
    );
  }
}

/**
 * Replaces `$(NAME)` and `${NAME}` of literal variables with their values, `$(MAKE)` with
 * `make` and `$$` with `$`. Other references stay as they are written.
 */
function expandMake(line: string, variables: ReadonlyMap<string, string>): string {
  return line.replace(/\$\$|\$[({]([A-Za-z_][\w.-]*)[)}]/g, (match, name: string | undefined) => {
    if (match === '$$') {
      return '$';
    }
    if (name === 'MAKE') {
      return 'make';
    }
    return (name === undefined ? undefined : variables.get(name)) ?? match;
  });
}

// --- justfile -------------------------------------------------------------------------------

const JUST_VALUE_OPTIONS = new Set([
  '-f',
  '--justfile',
  '-d',
  '--working-directory',
  '--set',
  '--shell',
  '--shell-arg',
  '--dotenv-filename',
  '--dotenv-path',
  '--color',
  '--command-color',
  '--list-heading',
  '--list-prefix',
]);
/** Options with which just lists, shows or prints recipes without running them. */
const JUST_NO_RUN = new Set([
  '-l',
  '--list',
  '--summary',
  '--show',
  '-s',
  '-n',
  '--dry-run',
  '--evaluate',
  '--dump',
  '--help',
  '-h',
  '--version',
  '-V',
  '--variables',
  '--choose',
  '--edit',
  '-e',
  '--init',
  '--fmt',
  '--completions',
]);

interface JustRecipe {
  dependencies: string[];
  body: string[];
}

function readJustRecipes(
  argv: readonly string[],
  cwd: string,
  reading: Reading,
  depth: number,
): void {
  const { options, flags, operands } = splitOptions(argv.slice(1), JUST_VALUE_OPTIONS, {
    stopAtOperand: false,
  });
  if ([...flags].some((flag) => JUST_NO_RUN.has(flag)) || options.has('--show')) {
    return;
  }
  const named = options.get('-f') ?? options.get('--justfile');
  const folder = folderOption(cwd, options, ['-d', '--working-directory']);
  if (folder === undefined || named?.includes('$') === true) {
    return;
  }
  const found =
    named === undefined
      ? findFile(folder, ['justfile', 'Justfile', '.justfile'], reading.readFile, true)
      : findFile(folder, [named], reading.readFile, false);
  if (found === undefined) {
    return;
  }
  const justfile = parseJustfile(found.text);
  const names = operands.filter((operand) => justfile.recipes.has(operand));
  const first = operands.find((operand) => !operand.includes('='));
  if (names.length === 0 && first === undefined) {
    names.push(justfile.recipes.has('default') ? 'default' : (justfile.first ?? ''));
  }
  for (const name of names) {
    readJustRecipe(justfile, found.file, name, reading, depth);
  }
}

/**
 * Reads the recipes of justfile `text`: a header `name params: deps` at the start of a line,
 * then its indented body lines. Aliases point to their recipe, `{{name}}` of a literal
 * `name := "value"` is replaced, and a recipe whose body starts with a `#!` line of a program
 * other than a shell is code and left out.
 */
export function parseJustfile(text: string): {
  recipes: Map<string, JustRecipe>;
  first: string | undefined;
} {
  const recipes = new Map<string, JustRecipe>();
  const variables = new Map<string, string>();
  const aliases = new Map<string, string>();
  let first: string | undefined;
  let current: JustRecipe | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (/^[ \t]/.test(line)) {
      if (current !== undefined && line.trim() !== '') {
        current.body.push(line.trim().replace(/^[@-]+/, ''));
      }
      continue;
    }
    if (line.trim() === '') {
      continue;
    }
    current = undefined;
    const alias = /^alias\s+([\w-]+)\s*:=\s*([\w-]+)/.exec(line);
    if (alias !== null) {
      aliases.set(alias[1] ?? '', alias[2] ?? '');
      continue;
    }
    const assignment = /^(?:export\s+)?([\w-]+)\s*:=\s*(?:"([^"$\\{}]*)"|'([^']*)')\s*$/.exec(line);
    if (assignment !== null) {
      variables.set(assignment[1] ?? '', assignment[2] ?? assignment[3] ?? '');
      continue;
    }
    const header = /^@?([A-Za-z_][\w-]*)\b([^:]*):(?!=)(.*)$/.exec(line);
    if (header === null || line.startsWith('#') || line.startsWith('[')) {
      continue;
    }
    const name = header[1] ?? '';
    const dependencies = (header[3] ?? '')
      .replace(/\([^)]*\)/g, (call) => call.slice(1, -1).trim().split(/\s+/)[0] ?? '')
      .split(/\s+/)
      .filter((word) => /^[A-Za-z_][\w-]*$/.test(word));
    current = { dependencies, body: [] };
    recipes.set(name, current);
    first ??= name;
  }
  for (const recipe of recipes.values()) {
    const shebang = /^#!\s*(?:\S*\/)?(?:env\s+(?:-\S+\s+)*)?([\w.-]+)/.exec(recipe.body[0] ?? '');
    if (shebang !== null && !/^(?:ba|da|z|k)?sh$/.test(shebang[1] ?? '')) {
      recipe.body = [];
    }
    recipe.body = recipe.body
      .filter((line) => !line.startsWith('#!'))
      .map((line) =>
        line.replace(
          /\{\{\s*([\w-]+)\s*\}\}/g,
          (match, name: string) => variables.get(name) ?? match,
        ),
      );
  }
  for (const [alias, target] of aliases) {
    const recipe = recipes.get(target);
    if (recipe !== undefined && !recipes.has(alias)) {
      recipes.set(alias, recipe);
    }
  }
  return { recipes, first };
}

function readJustRecipe(
  justfile: ReturnType<typeof parseJustfile>,
  file: string,
  name: string,
  reading: Reading,
  depth: number,
): void {
  const recipe = justfile.recipes.get(name);
  if (recipe === undefined || depth >= MAX_TARGET_DEPTH || readBefore(reading, file, name)) {
    return;
  }
  for (const dependency of recipe.dependencies) {
    readJustRecipe(justfile, file, dependency, reading, depth + 1);
  }
  for (const line of recipe.body) {
    addUnit(reading, file, `the just recipe "${name}"`, line, depth);
  }
}

// --- Taskfile -------------------------------------------------------------------------------

const TASK_VALUE_OPTIONS = new Set(['-d', '--dir', '-t', '--taskfile', '-o', '--output', '-C']);
/** Options with which task lists or prints tasks without running them. */
const TASK_NO_RUN = new Set([
  '-l',
  '--list',
  '-a',
  '--list-all',
  '-n',
  '--dry',
  '--summary',
  '-h',
  '--help',
  '--version',
  '-i',
  '--init',
]);

function readTasks(argv: readonly string[], cwd: string, reading: Reading, depth: number): void {
  const { options, flags, operands } = splitOptions(argv.slice(1), TASK_VALUE_OPTIONS, {
    stopAtOperand: false,
  });
  if ([...flags].some((flag) => TASK_NO_RUN.has(flag))) {
    return;
  }
  const named = options.get('-t') ?? options.get('--taskfile');
  const folder = folderOption(cwd, options, ['-d', '--dir']);
  if (folder === undefined || named?.includes('$') === true) {
    return;
  }
  const found =
    named === undefined
      ? findFile(
          folder,
          ['Taskfile.yml', 'taskfile.yml', 'Taskfile.yaml', 'taskfile.yaml', 'Taskfile.dist.yml'],
          reading.readFile,
          true,
        )
      : findFile(folder, [named], reading.readFile, false);
  if (found === undefined) {
    return;
  }
  let document: unknown;
  try {
    document = parseYaml(found.text, { maxAliasCount: 100 });
  } catch {
    return;
  }
  const root = asRecord(document);
  const tasks = asRecord(root?.['tasks']);
  if (tasks === undefined) {
    return;
  }
  const variables = literalVariables(root?.['vars']);
  const end = operands.indexOf('--');
  const names = (end < 0 ? operands : operands.slice(0, end)).filter(
    (operand) => !operand.includes('='),
  );
  for (const name of names.length > 0 ? names : ['default']) {
    readTask(tasks, variables, found.file, name, reading, depth);
  }
}

function readTask(
  tasks: Record<string, unknown>,
  variables: ReadonlyMap<string, string>,
  file: string,
  name: string,
  reading: Reading,
  depth: number,
): void {
  if (depth >= MAX_TARGET_DEPTH || !Object.hasOwn(tasks, name) || readBefore(reading, file, name)) {
    return;
  }
  const task = tasks[name];
  const record = asRecord(task);
  const own = new Map([...variables, ...literalVariables(record?.['vars'])]);
  const description = `the task "${name}"`;
  const runItem = (item: unknown): void => {
    if (typeof item === 'string') {
      addUnit(reading, file, description, expandTaskVariables(item, own), depth);
      return;
    }
    const entry = asRecord(item);
    if (typeof entry?.['cmd'] === 'string') {
      addUnit(reading, file, description, expandTaskVariables(entry['cmd'], own), depth);
    } else if (typeof entry?.['task'] === 'string') {
      readTask(tasks, variables, file, entry['task'], reading, depth + 1);
    } else if (entry?.['defer'] !== undefined) {
      runItem(entry['defer']);
    }
  };
  if (typeof task === 'string' || Array.isArray(task)) {
    // The short forms: a task that is one command or a list of commands.
    (Array.isArray(task) ? task : [task]).forEach(runItem);
    return;
  }
  const dependencies = record?.['deps'];
  for (const dependency of Array.isArray(dependencies) ? dependencies : []) {
    const dependencyName =
      typeof dependency === 'string' ? dependency : asRecord(dependency)?.['task'];
    if (typeof dependencyName === 'string') {
      readTask(tasks, variables, file, dependencyName, reading, depth + 1);
    }
  }
  if (record?.['cmd'] !== undefined) {
    runItem(record['cmd']);
  }
  const commands = record?.['cmds'];
  for (const item of Array.isArray(commands) ? commands : []) {
    runItem(item);
  }
}

function literalVariables(value: unknown): Map<string, string> {
  const variables = new Map<string, string>();
  for (const [name, entry] of Object.entries(asRecord(value) ?? {})) {
    if (typeof entry === 'string' || typeof entry === 'number' || typeof entry === 'boolean') {
      variables.set(name, String(entry));
    }
  }
  return variables;
}

function expandTaskVariables(text: string, variables: ReadonlyMap<string, string>): string {
  return text.replace(
    /\{\{\s*\.([\w]+)\s*\}\}/g,
    (match, name: string) => variables.get(name) ?? match,
  );
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

// --- composer.json scripts ------------------------------------------------------------------

const COMPOSER_VALUE_OPTIONS = new Set(['-d', '--working-dir']);
/** Built-in composer commands, which run instead of a script of the same name. */
const COMPOSER_COMMANDS = new Set([
  'about',
  'archive',
  'audit',
  'browse',
  'bump',
  'check-platform-reqs',
  'clear-cache',
  'config',
  'create-project',
  'depends',
  'diagnose',
  'dump-autoload',
  'dumpautoload',
  'exec',
  'fund',
  'global',
  'help',
  'init',
  'install',
  'i',
  'licenses',
  'list',
  'outdated',
  'prohibits',
  'reinstall',
  'remove',
  'require',
  'search',
  'self-update',
  'show',
  'status',
  'suggests',
  'update',
  'u',
  'upgrade',
  'validate',
]);

function readComposerScript(
  argv: readonly string[],
  cwd: string,
  reading: Reading,
  depth: number,
): void {
  const { options, operands } = splitOptions(argv.slice(1), COMPOSER_VALUE_OPTIONS, {
    stopAtOperand: false,
  });
  const folder = folderOption(cwd, options, ['-d', '--working-dir']);
  const [command, target] = operands;
  const script =
    command === 'run-script' || command === 'run'
      ? target
      : command !== undefined && !COMPOSER_COMMANDS.has(command)
        ? command
        : undefined;
  if (folder === undefined || script === undefined) {
    return;
  }
  const found = findFile(folder, ['composer.json'], reading.readFile, false);
  const scripts = found === undefined ? undefined : packageScripts(found.text);
  if (found !== undefined && scripts !== undefined) {
    readComposerEntry(scripts, found.file, script, reading, depth);
  }
}

function readComposerEntry(
  scripts: Record<string, unknown>,
  file: string,
  name: string,
  reading: Reading,
  depth: number,
): void {
  if (
    depth >= MAX_TARGET_DEPTH ||
    !Object.hasOwn(scripts, name) ||
    readBefore(reading, file, name)
  ) {
    return;
  }
  const value = scripts[name];
  for (const entry of Array.isArray(value) ? value : [value]) {
    if (typeof entry !== 'string' || /^[\w\\]+::\w+$/.test(entry)) {
      // A PHP callback (`Vendor\\Class::method`) runs code, not a command line.
      continue;
    }
    const reference = /^@([\w:-]+)(?:\s|$)/.exec(entry)?.[1];
    if (reference === 'php' || reference === 'composer') {
      addUnit(reading, file, `the composer script "${name}"`, entry.slice(1), depth);
    } else if (reference === 'putenv') {
      continue;
    } else if (reference !== undefined) {
      readComposerEntry(scripts, file, reference, reading, depth + 1);
    } else {
      addUnit(reading, file, `the composer script "${name}"`, entry, depth);
    }
  }
}
