/**
 * Tasks that project runners define in their own files and run by name: `pdm run NAME`
 * (`[tool.pdm.scripts]`), `hatch run [ENV:]NAME` (`[tool.hatch.envs.ENV.scripts]` or
 * hatch.toml), `rye run NAME` (`[tool.rye.scripts]`), `pixi run NAME` (`[tasks]` of pixi.toml
 * or `[tool.pixi.tasks]`), `mise run NAME` (`[tasks]` of mise.toml and file tasks), `cargo make
 * NAME` and `makers NAME` (Makefile.toml), and `deno task NAME` (deno.json). Each task is
 * returned as the shell text it runs and the tasks it runs first or after, for
 * script-targets.ts to judge like `npm run` targets.
 *
 * Not read: `poetry run NAME`, pdm and rye `call` entries and the tasks of `invoke`, `nox` and
 * `tox`, which are Python code or entry points, and a name the file does not define, which
 * the runner runs as a command. A task file that exists but cannot be read or parsed, and a
 * task written in a language other than shell, are returned as unread so the call asks.
 */
import path from 'node:path';
import { isUnread, type FileReader } from './file-reader.js';
import { splitOptions } from './options.js';
import { parseToml, TomlError, type TomlTable, type TomlValue } from './toml-tables.js';

/** Programs whose calls may name a runner task. */
export const RUNNER_TASK_PROGRAMS: ReadonlySet<string> = new Set([
  'pdm',
  'hatch',
  'rye',
  'pixi',
  'mise',
  'cargo',
  'cargo-make',
  'makers',
  'deno',
]);

/** One task as a runner defines it. */
export interface RunnerTask {
  /** Tasks run before this one (dependencies, `pre_` hooks, `chain` and `composite` items). */
  before: string[];
  /** Shell text of each command the task runs. */
  commands: string[];
  /** Tasks run after this one (`post_` hooks, `run_task`). */
  after: string[];
  /** Why the task's own text cannot be judged, such as a script in another language. */
  unread?: string;
  /** The file the task's text comes from, when it is not the task file (mise file tasks). */
  file?: string;
}

/** The task file a runner call reads, with the tasks it names. */
export interface RunnerTaskFile {
  /** Absolute path of the task file. */
  file: string;
  /** Kind of task for messages, such as `pdm script`. */
  label: string;
  /** Task names the call runs, as the call names them. */
  requested: string[];
  /** Returns the task named `name`, or undefined when the file does not define it. */
  find: (name: string) => RunnerTask | undefined;
}

/** A task file that exists but was not read, and why. */
export interface UnreadTaskFile {
  file: string;
  reason: string;
}

/** Folders searched upward for a runner's task file. */
const MAX_PARENT_FOLDERS = 8;

/**
 * Returns the task file and requested tasks of a runner call `argv` (program `name`, run in
 * `cwd`), an unread file, or undefined when the call runs no task or no task file exists.
 */
export function runnerTaskFile(
  argv: readonly string[],
  name: string,
  cwd: string,
  readFile: FileReader,
): RunnerTaskFile | UnreadTaskFile | undefined {
  const call = runnerCall(argv, name);
  if (call === undefined) {
    return undefined;
  }
  const folder = call.folder === undefined ? cwd : path.posix.resolve(cwd, call.folder);
  const names = call.file === undefined ? call.reader.files : [call.file];
  let found = findTaskFile(folder, names, readFile, call.file === undefined);
  if (found === undefined && call.reader === MISE) {
    // mise runs file tasks from `mise-tasks/` without any config file.
    found = { file: path.posix.join(folder, 'mise.toml'), text: '' };
  }
  if (found === undefined || 'reason' in found) {
    return found;
  }
  let tasks: TaskTable | undefined;
  try {
    tasks = call.reader.read(found.file, found.text, call, readFile);
  } catch (error) {
    if (error instanceof TomlError || error instanceof SyntaxError) {
      return { file: found.file, reason: `could not be parsed (${error.message})` };
    }
    throw error;
  }
  if (tasks === undefined) {
    return undefined;
  }
  const table = tasks;
  const requested = call.tasks.filter((task) => table.find(task) !== undefined);
  return requested.length === 0
    ? undefined
    : { file: found.file, label: call.reader.label, requested, find: table.find };
}

interface RunnerCallWords {
  reader: TaskReader;
  /** Task names the call runs, when the file defines them. */
  tasks: string[];
  /** A task file named by an option. */
  file?: string;
  /** A folder named by an option. */
  folder?: string;
  /** An environment named by the call (`hatch run test:cov`). */
  environment?: string;
}

interface TaskTable {
  find: (name: string) => RunnerTask | undefined;
}

interface TaskReader {
  label: string;
  /** File names searched, first match wins. */
  files: readonly string[];
  read: (
    file: string,
    text: string,
    call: RunnerCallWords,
    readFile: FileReader,
  ) => TaskTable | undefined;
}

/** Options that list or print tasks without running them. */
const LIST_FLAGS = new Set([
  '-l',
  '--list',
  '-j',
  '--json',
  '--help',
  '-h',
  '--list-all-steps',
  '--print-steps',
]);

/** Returns the reader and task names of a runner call, or undefined when it runs no task. */
function runnerCall(argv: readonly string[], name: string): RunnerCallWords | undefined {
  let subcommandAt = 1;
  let reader: TaskReader | undefined;
  let valueOptions: ReadonlySet<string> = new Set();
  switch (name) {
    case 'pdm':
      reader = PDM;
      valueOptions = new Set(['-p', '--project', '-k', '--skip', '--venv']);
      break;
    case 'hatch':
      reader = HATCH;
      valueOptions = new Set(['-e', '--env', '-p', '--project', '--data-dir', '--cache-dir']);
      break;
    case 'rye':
      reader = RYE;
      valueOptions = new Set(['--pyproject']);
      break;
    case 'pixi':
      reader = PIXI;
      valueOptions = new Set(['-e', '--environment', '--manifest-path', '--color', '--skip-deps']);
      break;
    case 'mise':
      reader = MISE;
      valueOptions = new Set([
        '-C',
        '--cd',
        '-j',
        '--jobs',
        '-t',
        '--tool',
        '-o',
        '--output',
        '-E',
        '--env',
      ]);
      break;
    case 'deno':
      reader = DENO;
      valueOptions = new Set(['-c', '--config', '--cwd', '-f', '--filter']);
      break;
    case 'cargo':
      if (argv[1] !== 'make') {
        return undefined;
      }
      reader = CARGO_MAKE;
      valueOptions = CARGO_MAKE_VALUES;
      subcommandAt = 2;
      break;
    case 'cargo-make':
      reader = CARGO_MAKE;
      valueOptions = CARGO_MAKE_VALUES;
      subcommandAt = argv[1] === 'make' ? 2 : 1;
      break;
    case 'makers':
      reader = CARGO_MAKE;
      valueOptions = CARGO_MAKE_VALUES;
      break;
    default:
      return undefined;
  }
  const rest = argv.slice(subcommandAt);
  if (reader === CARGO_MAKE) {
    return cargoMakeCall(rest, valueOptions);
  }
  // The runner's own options may come before its `run` or `task` subcommand.
  const leading = splitOptions(rest, valueOptions, { stopAtOperand: true });
  const subcommand = leading.operands[0];
  const runWords = name === 'deno' ? ['task'] : name === 'mise' ? ['run', 'r'] : ['run'];
  let words = leading.operands.slice(1);
  if (name === 'mise' && subcommand === 'tasks' && words[0] === 'run') {
    words = words.slice(1);
  } else if (subcommand === undefined || !runWords.includes(subcommand)) {
    return undefined;
  }
  const after = splitOptions(words, valueOptions, { stopAtOperand: true });
  const options = new Map([...leading.options, ...after.options]);
  const flags = new Set([...leading.flags, ...after.flags]);
  if ([...flags].some((flag) => LIST_FLAGS.has(flag))) {
    return undefined;
  }
  let task = after.operands[0];
  if (task === undefined || task.includes('$')) {
    return undefined;
  }
  const call: RunnerCallWords = { reader, tasks: [] };
  if (name === 'hatch') {
    const colon = task.indexOf(':');
    if (colon > 0) {
      call.environment = task.slice(0, colon);
      task = task.slice(colon + 1);
    } else {
      call.environment = options.get('-e') ?? options.get('--env') ?? 'default';
    }
  }
  call.tasks.push(task);
  if (name === 'mise') {
    // `mise run a ::: b` runs several tasks.
    after.operands.forEach((word, index) => {
      const next = after.operands[index + 1];
      if (word === ':::' && next !== undefined) {
        call.tasks.push(next);
      }
    });
  }
  call.file =
    options.get('--manifest-path') ??
    options.get('--pyproject') ??
    options.get('-c') ??
    options.get('--config');
  call.folder =
    options.get('-p') ??
    options.get('--project') ??
    options.get('-C') ??
    options.get('--cd') ??
    options.get('--cwd');
  if (name === 'pixi' && call.file !== undefined && !call.file.endsWith('.toml')) {
    call.folder = call.file;
    call.file = undefined;
  }
  if (call.file?.includes('$') === true || call.folder?.includes('$') === true) {
    return undefined;
  }
  return call;
}

/** Finds the first of `names` in `folder` or, when `upward`, in a folder above it. */
export function findTaskFile(
  folder: string,
  names: readonly string[],
  readFile: FileReader,
  upward: boolean,
): { file: string; text: string } | UnreadTaskFile | undefined {
  let current = folder;
  for (let level = 0; level < (upward ? MAX_PARENT_FOLDERS : 1); level += 1) {
    for (const name of names) {
      const file = path.posix.resolve(current, name);
      const text = readFile(file);
      if (isUnread(text)) {
        return { file, reason: text.unread };
      }
      if (text !== undefined) {
        return { file, text };
      }
    }
    const parent = path.posix.dirname(current);
    if (parent === current) {
      break;
    }
    current = parent;
  }
  return undefined;
}

// --- task values -------------------------------------------------------------------------

function asTable(value: TomlValue | unknown): TomlTable | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as TomlTable)
    : undefined;
}

function tableAt(root: TomlTable | undefined, keys: readonly string[]): TomlTable | undefined {
  let current = root;
  for (const key of keys) {
    current = asTable(current?.[key]);
  }
  return current;
}

function strings(value: unknown): string[] {
  if (typeof value === 'string') {
    return [value];
  }
  return Array.isArray(value)
    ? value.filter((item): item is string => typeof item === 'string')
    : [];
}

/** Joins an argument list (`cmd = ["pytest", "-x"]`) into shell text, quoting where needed. */
function joinWords(words: readonly string[]): string {
  return words
    .map((word) =>
      /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", String.raw`'\''`)}'`,
    )
    .join(' ');
}

/** Returns a command given as a string or as an argument list. */
function commandText(value: unknown): string[] {
  if (typeof value === 'string') {
    return [value];
  }
  const words = strings(value);
  return words.length > 0 ? [joinWords(words)] : [];
}

function own(table: TomlTable | undefined, name: string): TomlValue | undefined {
  return table !== undefined && Object.hasOwn(table, name) ? table[name] : undefined;
}

function task(partial: Partial<RunnerTask>): RunnerTask {
  return { before: [], commands: [], after: [], ...partial };
}

// --- pdm ----------------------------------------------------------------------------------

const PDM: TaskReader = {
  label: 'pdm script',
  files: ['pyproject.toml'],
  read(_file, text) {
    const scripts = tableAt(parseToml(text), ['tool', 'pdm', 'scripts']);
    return {
      find(name) {
        const value = own(scripts, name);
        if (value === undefined || name === '_') {
          return undefined;
        }
        const hooks = {
          before: own(scripts, `pre_${name}`) === undefined ? [] : [`pre_${name}`],
          after: own(scripts, `post_${name}`) === undefined ? [] : [`post_${name}`],
        };
        const entry = asTable(value);
        if (entry === undefined) {
          return task({ ...hooks, commands: commandText(value) });
        }
        // `composite` items are script names or commands, run in order.
        const composite = strings(entry['composite']);
        const before = [...hooks.before, ...composite.map((item) => item.split(/\s+/)[0] ?? '')];
        const commands = [
          ...commandText(entry['cmd']),
          ...strings(entry['shell']),
          ...composite.filter((item) => own(scripts, item.split(/\s+/)[0] ?? '') === undefined),
        ];
        return task({ before, commands, after: hooks.after });
      },
    };
  },
};

// --- hatch --------------------------------------------------------------------------------

const HATCH: TaskReader = {
  label: 'hatch script',
  files: ['hatch.toml', 'pyproject.toml'],
  read(file, text, call) {
    const root = parseToml(text);
    const environments = file.endsWith('/hatch.toml')
      ? asTable(root['envs'])
      : tableAt(root, ['tool', 'hatch', 'envs']);
    const environment = call.environment ?? 'default';
    const scripts = tableAt(environments, [environment, 'scripts']);
    return {
      find(name) {
        const value = own(scripts, name);
        if (value === undefined) {
          return undefined;
        }
        // A command whose first word is another script of the environment runs that script.
        const before: string[] = [];
        const commands: string[] = [];
        for (const command of strings(value)) {
          const first = command.trim().split(/\s+/)[0] ?? '';
          if (first !== name && own(scripts, first) !== undefined) {
            before.push(first);
          } else {
            commands.push(command);
          }
        }
        return task({ before, commands });
      },
    };
  },
};

// --- rye ----------------------------------------------------------------------------------

const RYE: TaskReader = {
  label: 'rye script',
  files: ['pyproject.toml'],
  read(_file, text) {
    const scripts = tableAt(parseToml(text), ['tool', 'rye', 'scripts']);
    return {
      find(name) {
        const value = own(scripts, name);
        if (value === undefined) {
          return undefined;
        }
        const entry = asTable(value);
        return entry === undefined
          ? task({ commands: commandText(value) })
          : task({ before: strings(entry['chain']), commands: commandText(entry['cmd']) });
      },
    };
  },
};

// --- pixi ---------------------------------------------------------------------------------

const PIXI: TaskReader = {
  label: 'pixi task',
  files: ['pixi.toml', 'pyproject.toml'],
  read(file, text) {
    const root = parseToml(text);
    const manifest = file.endsWith('/pyproject.toml') ? tableAt(root, ['tool', 'pixi']) : root;
    // Tasks of every feature and platform target are read, because the call's environment
    // and platform decide which one runs.
    const tables = [asTable(manifest?.['tasks'])];
    for (const group of ['feature', 'target']) {
      for (const entry of Object.values(asTable(manifest?.[group]) ?? {})) {
        tables.push(asTable(asTable(entry)?.['tasks']));
        for (const target of Object.values(asTable(asTable(entry)?.['target']) ?? {})) {
          tables.push(asTable(asTable(target)?.['tasks']));
        }
      }
    }
    return {
      find(name) {
        const values = tables
          .map((table) => own(table, name))
          .filter((value) => value !== undefined);
        if (values.length === 0) {
          return undefined;
        }
        const result = task({});
        for (const value of values) {
          const entry = asTable(value);
          if (entry === undefined) {
            // A list is an alias that only runs other tasks.
            if (Array.isArray(value)) {
              result.before.push(...dependencyNames(value));
            } else {
              result.commands.push(...commandText(value));
            }
            continue;
          }
          result.before.push(...dependencyNames(entry['depends-on'] ?? entry['depends_on']));
          result.commands.push(...commandText(entry['cmd']));
        }
        return result;
      },
    };
  },
};

/** Task names of a `depends-on` value: names, or tables with a `task` key. */
function dependencyNames(value: unknown): string[] {
  const items = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return items.flatMap((item) => {
    if (typeof item === 'string') {
      return [item];
    }
    const named = asTable(item)?.['task'] ?? asTable(item)?.['name'];
    return typeof named === 'string' ? [named] : [];
  });
}

// --- mise ---------------------------------------------------------------------------------

/** Folders of mise file tasks, each file an executable task named by its path. */
const MISE_TASK_FOLDERS = [
  'mise-tasks',
  '.mise-tasks',
  'mise/tasks',
  '.mise/tasks',
  '.config/mise/tasks',
];
/** A `#!` line and the program it names, directly or through `env`. */
const SHEBANG = /^#!\s*(?:\S*\/)?(?:env\s+(?:-\S+\s+)*)?([\w.-]+)/;

const MISE: TaskReader = {
  label: 'mise task',
  files: [
    'mise.toml',
    '.mise.toml',
    'mise/config.toml',
    '.mise/config.toml',
    '.config/mise.toml',
    '.config/mise/config.toml',
    'mise.local.toml',
  ],
  read(file, text, _call, readFile) {
    const tasks = asTable(parseToml(text)['tasks']);
    const base = path.posix.dirname(file).replace(/\/(?:\.config\/mise|\.config|\.?mise)$/, '');
    return {
      find(name) {
        const value = own(tasks, name);
        if (value !== undefined) {
          const entry = asTable(value);
          if (entry === undefined) {
            return task({ commands: commandText(value) });
          }
          return task({
            before: dependencyNames(entry['depends']),
            commands: strings(entry['run']),
            after: dependencyNames(entry['depends_post']),
            ...(entry['file'] === undefined
              ? {}
              : { unread: 'runs a file task that the guard does not read' }),
          });
        }
        return miseFileTask(base, name, readFile);
      },
    };
  },
};

/** Reads the file task `name` (`mise run db:seed` runs `mise-tasks/db/seed`). */
function miseFileTask(base: string, name: string, readFile: FileReader): RunnerTask | undefined {
  if (!/^[\w.-]+(?::[\w.-]+)*$/.test(name)) {
    return undefined;
  }
  for (const folder of MISE_TASK_FOLDERS) {
    const file = path.posix.join(base, folder, ...name.split(':'));
    const text = readFile(file);
    if (isUnread(text)) {
      return text.unread === 'is a folder'
        ? undefined
        : task({ file, unread: `is a file that ${text.unread}` });
    }
    if (text === undefined) {
      continue;
    }
    const program = SHEBANG.exec(text)?.[1];
    if (program !== undefined && !/^(?:ba|da|z|k)?sh$/.test(program)) {
      return task({ file, unread: `is a ${program} file, which the guard does not read as shell` });
    }
    return task({ file, commands: [text] });
  }
  return undefined;
}

// --- cargo-make ---------------------------------------------------------------------------

const CARGO_MAKE_VALUES: ReadonlySet<string> = new Set([
  '--makefile',
  '-t',
  '--task',
  '-e',
  '--env',
  '-p',
  '--profile',
  '--cwd',
  '-l',
  '--loglevel',
  '--env-file',
  '--skip-tasks',
  '--output-format',
  '--output-file',
]);

function cargoMakeCall(
  words: readonly string[],
  valueOptions: ReadonlySet<string>,
): RunnerCallWords | undefined {
  const { operands, options, flags } = splitOptions(words, valueOptions, { stopAtOperand: true });
  if ([...flags].some((flag) => LIST_FLAGS.has(flag))) {
    return undefined;
  }
  const named = options.get('-t') ?? options.get('--task') ?? operands[0] ?? 'default';
  const call: RunnerCallWords = { reader: CARGO_MAKE, tasks: [named] };
  const file = options.get('--makefile');
  const folder = options.get('--cwd');
  if (named.includes('$') || file?.includes('$') === true || folder?.includes('$') === true) {
    return undefined;
  }
  if (file !== undefined) {
    call.file = file;
  }
  if (folder !== undefined) {
    call.folder = folder;
  }
  return call;
}

/** Script runners of cargo-make whose scripts are shell text. */
const CARGO_MAKE_SHELLS = /^(?:@shell|(?:\S*\/)?(?:ba|da|z|k)?sh)$/;

const CARGO_MAKE: TaskReader = {
  label: 'cargo-make task',
  files: ['Makefile.toml'],
  read(_file, text) {
    const tasks = asTable(parseToml(text)['tasks']);
    return {
      find(name) {
        const entry = asTable(own(tasks, name));
        if (entry === undefined) {
          // A name the file does not define may be one of cargo-make's built-in tasks.
          return undefined;
        }
        const result = task({
          before: dependencyNames(entry['dependencies']),
          after: runTaskNames(entry['run_task']),
        });
        const command = entry['command'];
        if (typeof command === 'string') {
          result.commands.push(joinWords([command, ...strings(entry['args'])]));
        }
        const script = entry['script'];
        const runner = entry['script_runner'];
        if (script !== undefined) {
          if (typeof runner === 'string' && !CARGO_MAKE_SHELLS.test(runner)) {
            result.unread = `runs a ${runner} script, which the guard does not read as shell`;
          } else if (asTable(script) !== undefined) {
            result.unread = 'runs a script from a file that the guard does not read';
          } else {
            result.commands.push(strings(script).join('\n'));
          }
        }
        return result;
      },
    };
  },
};

/** Task names of a cargo-make `run_task`: a name, or a table whose `name` is one or a list. */
function runTaskNames(value: unknown): string[] {
  if (typeof value === 'string') {
    return [value];
  }
  return strings(asTable(value)?.['name']);
}

// --- deno ---------------------------------------------------------------------------------

const DENO: TaskReader = {
  label: 'deno task',
  files: ['deno.json', 'deno.jsonc'],
  read(_file, text) {
    const document = JSON.parse(stripJsonComments(text)) as { tasks?: unknown };
    const tasks = asTable(document.tasks);
    return {
      find(name) {
        const value = own(tasks, name) as unknown;
        if (value === undefined) {
          return undefined;
        }
        const entry = asTable(value);
        return entry === undefined
          ? task({ commands: strings(value) })
          : task({ before: strings(entry['dependencies']), commands: strings(entry['command']) });
      },
    };
  },
};

const JSON_STRING = /"(?:[^"\\]|\\.)*"/sy;

/** Removes `//` and `/* *\/` comments and trailing commas from JSONC, leaving strings alone. */
export function stripJsonComments(text: string): string {
  let output = '';
  let index = 0;
  while (index < text.length) {
    const char = text[index] ?? '';
    if (char === '"') {
      JSON_STRING.lastIndex = index;
      const end = JSON_STRING.exec(text)?.[0] ?? text.slice(index);
      output += end;
      index += end.length;
    } else if (text.startsWith('//', index)) {
      const end = text.indexOf('\n', index);
      index = end < 0 ? text.length : end;
    } else if (text.startsWith('/*', index)) {
      const end = text.indexOf('*/', index + 2);
      index = end < 0 ? text.length : end + 2;
    } else {
      output += char;
      index += 1;
    }
  }
  return output.replace(/,(\s*[}\]])/g, '$1');
}
