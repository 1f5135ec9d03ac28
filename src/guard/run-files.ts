/**
 * Files that a call runs or feeds to a program from disk: `bash deploy.sh`, `./tools/x`,
 * `python3 tools/x.py`, `psql -f migrate.sql`, `sqlite3 app.db < dump.sql`, `curl -K
 * req.cfg`, `sftp -b batch host`, `lftp -f script`. The call's own text shows nothing of what
 * such a file does. When the guard may read files (see `GuardContext.readFile`), each file
 * is turned into the command line it amounts to and judged with the checks for its kind. A
 * shell script counts as shell, Python, Node, Ruby, Perl and PHP as inline code, and a SQL
 * file by its file, program and network actions. Request configs and transfer batch files are handed to
 * their own readers through `ParsedShell.files`. A file that cannot be read, or that an
 * earlier command on the same line writes or changes, is left to the checks of the call.
 */
import path from 'node:path';
import { clientFileActions, isDatabaseClient } from './client-scripts.js';
import { interpreterName, isShell } from './interpreters.js';
import { shellSource } from './shell-invocations.js';
import type { FileReader } from './file-reader.js';
import type { ParsedShell, SimpleCommand } from './shell.js';

/** The kind of content a file read from disk is judged as. */
export type RunFileKind = 'shell' | 'code' | 'sql';

/** One file a command runs, with the command line it amounts to. */
export interface RunFile {
  /** Absolute path of the file. */
  file: string;
  kind: RunFileKind;
  /** The shell text the file amounts to; empty when a SQL file has no file or program action. */
  command: string;
  /** The file's text. */
  text: string;
}

/** Inline-code command of each interpreter whose scripts the guard reads as inline code. */
const CODE_RUNNERS: Readonly<Record<string, string>> = {
  python: 'python3 -c',
  node: 'node -e',
  ruby: 'ruby -e',
  perl: 'perl -e',
  php: 'php -r',
};
/** Interpreter options that make the first operand something other than a script file. */
const NOT_A_SCRIPT = /^(?:-c|-e|-E|-r|-m|-p|--eval|--print|-pe|-n|-i|-l)$/;
/** A `#!` line and the program it names, directly or through `env`. */
const SHEBANG = /^#!\s*(?:\S*\/)?(?:env\s+(?:-\S+\s+)*)?([\w.-]+)/;
/** Extensions of shell scripts that have no `#!` line. */
const SHELL_EXTENSIONS = new Set(['.sh', '.bash']);
/** Programs that read a request config or a transfer batch file. */
const CONFIG_READERS = new Set(['curl', 'wget', 'sftp', 'lftp', 'ftp', 'smbclient', 'tftp']);
/** Options whose value is such a file, by program. */
const CONFIG_OPTIONS: Readonly<Record<string, readonly string[]>> = {
  curl: ['-K', '--config'],
  wget: ['--config'],
  sftp: ['-b'],
  lftp: ['-f'],
};
/** Options of database clients whose value is a script file. */
const SQL_FILE_OPTIONS = new Set(['-f', '--file', '-init']);
/** SQL read from a file inside a command substitution: `$(cat q.sql)` or `$(< q.sql)`. */
const SUBSTITUTED_FILE = /\$\(\s*(?:cat\s+(?:--\s+)?|<\s*)([^\s)$`;|&<>'"]+)\s*\)/g;

/**
 * Reads the request configs and transfer batch files of `parsed` (`curl -K FILE`, `sftp -b
 * FILE`, `lftp -f FILE`, `wget --config FILE`, and a `< FILE` into such a program) into
 * `parsed.files`, and a `< FILE` into the command's standard input, so the config and
 * transfer readers judge their text as they judge text written on the same line.
 */
export function readConfigFiles(parsed: ParsedShell, cwd: string, readFile: FileReader): void {
  for (const command of parsed.commands) {
    if (!CONFIG_READERS.has(command.name)) {
      continue;
    }
    const input = inputFile(command);
    const named = optionValues(command.argv, CONFIG_OPTIONS[command.name] ?? []);
    for (const file of input === undefined ? named : [...named, input]) {
      const absolute = path.posix.resolve(cwd, file);
      const text = changedEarlier(parsed, command, absolute, cwd) ? undefined : readFile(absolute);
      if (text === undefined) {
        continue;
      }
      parsed.files ??= new Map();
      parsed.files.set(file, text);
      if (file === input) {
        command.stdin ??= text;
      }
    }
  }
}

/**
 * Returns the files that the commands of `parsed` run as shell or interpreter scripts, or
 * feed to a database client as SQL, with the command line each amounts to. Only the files
 * `readFile` returns are listed, and only one level deep: a script that the read script runs
 * is not read.
 */
export function filesRun(parsed: ParsedShell, cwd: string, readFile: FileReader): RunFile[] {
  const found: RunFile[] = [];
  const seen = new Set<string>();
  for (const command of parsed.commands) {
    for (const { file, kind, runner } of runTargets(command)) {
      const absolute = path.posix.resolve(cwd, file);
      if (seen.has(absolute) || changedEarlier(parsed, command, absolute, cwd)) {
        continue;
      }
      seen.add(absolute);
      const text = readFile(absolute);
      const run = text === undefined ? undefined : asRunFile(absolute, text, kind, runner);
      if (run !== undefined) {
        found.push(run);
      }
    }
  }
  return found;
}

/** A file a command names and how it is run: by a shell, an interpreter, a client or itself. */
interface RunTarget {
  file: string;
  kind: RunFileKind | 'program';
  /** The interpreter or database client that reads the file. */
  runner: string;
}

function runTargets(command: SimpleCommand): RunTarget[] {
  const args = command.argv.slice(1);
  const input = inputFile(command);
  if (isDatabaseClient(command.name)) {
    const files = optionValues(command.argv, [...SQL_FILE_OPTIONS]);
    if (input !== undefined) {
      files.push(input);
    }
    for (const arg of args) {
      for (const match of arg.includes('$(') ? arg.matchAll(SUBSTITUTED_FILE) : []) {
        files.push(match[1] ?? '');
      }
    }
    return files.map((file) => ({ file, kind: 'sql', runner: command.name }));
  }
  if (isShell(command.name) || command.name === 'source' || command.name === '.') {
    const rest = command.name === 'busybox' ? args.slice(1) : args;
    const source = shellSource(rest);
    const file =
      source.kind === 'file' ? rest[source.index] : source.kind === 'stdin' ? input : undefined;
    return file === undefined ? [] : [{ file, kind: 'shell', runner: 'bash' }];
  }
  const interpreter = interpreterName(command.name);
  if (interpreter !== undefined) {
    const runner = CODE_RUNNERS[interpreter];
    if (runner === undefined || args.some((arg) => NOT_A_SCRIPT.test(arg))) {
      return [];
    }
    const file = args.find((arg) => !arg.startsWith('-')) ?? input;
    return file === undefined ? [] : [{ file, kind: 'code', runner }];
  }
  const program = command.argv[0] ?? '';
  return program.includes('/') ? [{ file: program, kind: 'program', runner: '' }] : [];
}

function asRunFile(
  file: string,
  text: string,
  kind: RunFileKind | 'program',
  runner: string,
): RunFile | undefined {
  if (kind === 'sql') {
    return { file, kind, command: clientFileActions(runner, text), text };
  }
  if (kind === 'shell') {
    return { file, kind, command: text, text };
  }
  if (kind === 'code') {
    return { file, kind, command: inlineCommand(runner, text), text };
  }
  // A program run by its path is judged by its `#!` line, or as shell by its extension.
  const named = SHEBANG.exec(text)?.[1];
  if (named === undefined) {
    return SHELL_EXTENSIONS.has(path.posix.extname(file))
      ? { file, kind: 'shell', command: text, text }
      : undefined;
  }
  if (isShell(named)) {
    return { file, kind: 'shell', command: text, text };
  }
  const interpreter = interpreterName(named);
  const code = interpreter === undefined ? undefined : CODE_RUNNERS[interpreter];
  return code === undefined
    ? undefined
    : { file, kind: 'code', command: inlineCommand(code, text), text };
}

/** Returns `runner 'code'`, with the `#!` line and PHP's tags left out as the interpreter does. */
function inlineCommand(runner: string, text: string): string {
  let code = text.replace(/^#![^\n]*\n?/, '');
  if (runner === 'php -r') {
    code = code.replace(/^\s*<\?(?:php\b|=)?|\?>\s*$/g, '');
  }
  return `${runner} '${code.replaceAll("'", String.raw`'\''`)}'`;
}

/** Returns the file a `<` redirect feeds to the command's standard input, if any. */
function inputFile(command: SimpleCommand): string | undefined {
  return command.redirects.find((redirect) => redirect.operator === '<')?.target;
}

/** Returns the values of `options` in `argv`: `-f FILE`, `--file=FILE` and `-fFILE`. */
function optionValues(argv: readonly string[], options: readonly string[]): string[] {
  const values: string[] = [];
  for (let index = 1; index < argv.length; index += 1) {
    const arg = argv[index] ?? '';
    for (const option of options) {
      if (arg === option) {
        const value = argv[index + 1];
        if (value !== undefined && value !== '-') {
          values.push(value);
        }
      } else if (option.startsWith('--') && arg.startsWith(`${option}=`)) {
        values.push(arg.slice(option.length + 1));
      } else if (!option.startsWith('--') && option.length === 2 && arg.startsWith(option)) {
        values.push(arg.slice(2));
      }
    }
  }
  return values.filter((value) => value !== '' && value !== '-' && !value.includes('$'));
}

/** Programs that read the files they name, or change only their mode or owner. */
const NOT_WRITERS = new Set([
  'cat',
  'head',
  'tail',
  'less',
  'more',
  'grep',
  'rg',
  'wc',
  'ls',
  'stat',
  'file',
  'test',
  '[',
  'diff',
  'cmp',
  'shellcheck',
  'md5sum',
  'sha1sum',
  'sha256sum',
  'chmod',
  'chown',
  'echo',
  'printf',
]);

/**
 * Checks whether a command before `reader` on the line may write `file`: a `>` redirect to
 * it, or a program other than a known reader that names it. The text on disk is then not
 * what runs; scripts written on the line are judged in written-scripts.ts instead.
 */
function changedEarlier(
  parsed: ParsedShell,
  reader: SimpleCommand,
  file: string,
  cwd: string,
): boolean {
  for (const command of parsed.commands) {
    if (command === reader) {
      return false;
    }
    const targets = command.redirects
      .filter((redirect) => redirect.operator.includes('>'))
      .map((redirect) => redirect.target);
    if (!NOT_WRITERS.has(command.name)) {
      targets.push(...command.argv.slice(1));
    }
    if (targets.some((target) => path.posix.resolve(cwd, target.replace(/^of=/, '')) === file)) {
      return true;
    }
  }
  return false;
}
