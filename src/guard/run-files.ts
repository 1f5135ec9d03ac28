/**
 * Files that a call runs or feeds to a program from disk: `bash deploy.sh`, `./tools/x`,
 * `python3 tools/x.py`, `psql -f migrate.sql`, `sqlite3 app.db < dump.sql`, `curl -K
 * req.cfg`, `sftp -b batch host`, `lftp -f script`. The call's own text shows nothing of what
 * such a file does. When the guard may read files (see `GuardContext.readFile`), each file
 * is turned into the command line it amounts to and judged with the checks for its kind. A
 * shell script counts as shell, Python, Node, Ruby, Perl and PHP as inline code, and a SQL
 * file by its file, program and network actions. Request configs and transfer batch files are handed to
 * their own readers through `ParsedShell.files`. A file that an earlier command on the same
 * line writes or changes is left to the checks of the call (see written-scripts.ts).
 *
 * A script that a shell or interpreter runs and that exists but cannot be read (too large,
 * binary, a link out of the project) is listed as unread, so the call asks. So is a script
 * whose path the guard cannot resolve as the command will: a glob, a folder set by
 * `cd "$X"`, a `/proc` or `/dev` path. A compiled program that the project builds and runs
 * by its path is ordinary work and is not listed.
 */
import path from 'node:path';
import { clientFileActions, isDatabaseClient } from './client-scripts.js';
import { interpreterName, isShell } from './interpreters.js';
import { isUnread, type FileReader, type UnreadFile } from './file-reader.js';
import { RunFolders, runsElsewhere, type FolderContext } from './run-file-folders.js';
import { interpreterSyntax, scriptOperand } from './script-operands.js';
import { SCRIPT_TARGET_PROGRAMS, scriptTargetReading } from './script-targets.js';
import { shellScriptFile } from './shell-invocations.js';
import type { Finding } from './findings.js';
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
  /** Description of the part that runs when it is not the whole file, such as `the npm script "deploy"`. */
  description?: string;
}

/** A script a command runs that the guard could not read or place. */
export interface UnreadRunFile {
  /** The path as the command names it, or its absolute path when the guard resolved one. */
  file: string;
  /** Why it was not read, as a phrase after the file name: "is larger than 65536 bytes". */
  reason: string;
}

/** The files the commands of a line run: those read, and scripts that could not be read. */
export interface RunFiles {
  read: RunFile[];
  unread: UnreadRunFile[];
}

/**
 * Returns an `ask` finding about the first script a command runs that could not be read or
 * placed, or undefined when there is none.
 */
export function unreadRunFileFinding(unread: readonly UnreadRunFile[]): Finding | undefined {
  const first = unread[0];
  if (first === undefined) {
    return undefined;
  }
  return {
    category: 'unparsed',
    reason: `The script "${first.file}" that the command runs was not read because it ${first.reason}, so a human must review the call`,
    rule: 'stage1:unread-run-file',
  };
}

/** Inline-code command of each interpreter whose scripts the guard reads as inline code. */
const CODE_RUNNERS: Readonly<Record<string, string>> = {
  python: 'python3 -c',
  node: 'node -e',
  ruby: 'ruby -e',
  perl: 'perl -e',
  php: 'php -r',
};
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
      const result = changedEarlier(parsed, command, absolute, cwd)
        ? undefined
        : readFile(absolute);
      // A config that exists but was not read is left to the checks of the call.
      const text = typeof result === 'string' ? result : undefined;
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
 * feed to a database client as SQL, with the command line each amounts to, the script
 * targets they run by name (see script-targets.ts), and the scripts that could not be read.
 * Relative paths resolve against the folder that earlier `cd`, `pushd` and `popd` commands
 * of the line moved to. Only one level is read: a script that the read script runs is not.
 */
export function filesRun(
  parsed: ParsedShell,
  folders: FolderContext,
  readFile: FileReader,
): RunFiles {
  const found: RunFiles = { read: [], unread: [] };
  const seen = new Set<string>();
  const here = new RunFolders(folders);
  for (const command of parsed.commands) {
    const folders = here.foldersOf(command);
    for (const target of runsElsewhere(command) ? [] : runTargets(command)) {
      const unplaced = unplacedReason(target, folders);
      if (unplaced !== undefined) {
        if (target.kind !== 'sql') {
          found.unread.push({ file: target.file, reason: unplaced });
        }
        continue;
      }
      for (const cwd of folders ?? []) {
        const absolute = path.posix.resolve(cwd, target.file);
        if (seen.has(absolute) || changedEarlier(parsed, command, absolute, cwd)) {
          continue;
        }
        seen.add(absolute);
        readTarget(target, absolute, readFile, found);
      }
    }
    if (SCRIPT_TARGET_PROGRAMS.has(command.name) && !runsElsewhere(command)) {
      for (const cwd of folders ?? []) {
        const targets = scriptTargetReading(command.argv, command.name, cwd, readFile);
        for (const target of targets.runs) {
          if (!changedEarlier(parsed, command, target.file, cwd)) {
            const { file, description, command: text } = target;
            found.read.push({ file, kind: 'shell', command: text, text, description });
          }
        }
        found.unread.push(...targets.unread);
      }
    }
    here.follow(command);
  }
  return found;
}

/**
 * Paths that name a file of the process that resolves them (`/proc/self/cwd/x.sh`,
 * `/dev/fd/3`, `/dev/stdin`): the guard would read its own, not the command's.
 */
const PROCESS_PATH = /^\/(?:proc|dev)(?:\/|$)/;
/** Characters that make a word a glob pattern, which the shell expands to file names. */
const GLOB_CHARACTERS = /[*?[]/;

/**
 * Returns why the file of `target` cannot be placed without running the command: a glob, a
 * relative path after a `cd` to a folder computed at run time, or a `/proc` or `/dev` path.
 */
function unplacedReason(target: RunTarget, folders: string[] | undefined): string | undefined {
  if (GLOB_CHARACTERS.test(target.file)) {
    return 'is a glob pattern, whose matches the guard does not expand';
  }
  if (target.file.startsWith('/')) {
    return PROCESS_PATH.test(path.posix.normalize(target.file))
      ? 'is under /proc or /dev, where the path names a file of the process that opens it'
      : undefined;
  }
  if (folders === undefined) {
    return 'is relative to a folder that an earlier `cd` computes at run time';
  }
  return folders.some((cwd) => PROCESS_PATH.test(path.posix.resolve(cwd, target.file)))
    ? 'is under /proc or /dev, where the path names a file of the process that opens it'
    : undefined;
}

/** Reads one target file into `found`: as a run file, as unread, or not at all. */
function readTarget(
  target: RunTarget,
  absolute: string,
  readFile: FileReader,
  found: RunFiles,
): void {
  const result = readFile(absolute);
  if (result === undefined) {
    return;
  }
  if (isUnread(result)) {
    if (asksWhenUnread(target, absolute, result)) {
      found.unread.push({ file: absolute, reason: result.unread });
    }
    return;
  }
  const run = asRunFile(absolute, result, target.kind, target.runner);
  if (run !== undefined) {
    found.read.push(run);
  }
}

/**
 * Folders of installed dependencies and build output. Bundled code there is often larger
 * than the read limit, and the project's own build or package manager wrote it.
 */
const GENERATED_FOLDER =
  /\/(?:node_modules|dist|build|out|target|vendor|\.venv|venv|site-packages)\//;

/**
 * Checks whether a script that exists but was not read makes the call ask. A shell script
 * always does, because what it runs is unknown, unless it is a folder. Interpreter code and a program run by its
 * path do too, except a compiled program (ELF, Mach-O, PE), and code over the size limit in a
 * folder of dependencies or build output. SQL files keep being judged by the call alone,
 * because dumps and migrations are often larger than the limit.
 */
function asksWhenUnread(target: RunTarget, absolute: string, result: UnreadFile): boolean {
  // `node .`, `node --test tests/` and `python3 app/` run a package or test folder, and a
  // shell given a folder fails before it runs anything.
  if (target.kind === 'sql' || result.unread === 'is a folder') {
    return false;
  }
  if (target.kind === 'shell') {
    return true;
  }
  if (target.kind === 'program' && result.compiled) {
    return false;
  }
  return !(result.unread.startsWith('is larger than') && GENERATED_FOLDER.test(absolute));
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
  if (command.name === 'source' || command.name === '.') {
    const file = args[0] ?? input;
    return file === undefined ? [] : [{ file, kind: 'shell', runner: 'bash' }];
  }
  if (isShell(command.name)) {
    const rest = command.name === 'busybox' ? args.slice(1) : args;
    const file = shellScriptFile(rest, input);
    return file === undefined ? [] : [{ file, kind: 'shell', runner: 'bash' }];
  }
  const interpreter = interpreterName(command.name);
  if (interpreter !== undefined) {
    const runner = CODE_RUNNERS[interpreter];
    const syntax = interpreterSyntax(interpreter);
    if (runner === undefined || syntax === undefined) {
      return [];
    }
    const operand = scriptOperand(args, syntax);
    const file = operand === 'stdin' ? input : operand?.file;
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

/**
 * Programs that read the files they name or change only their mode or owner, and builtins
 * that only keep words for a later command (`set -- bash x.sh; "$@"`).
 */
const NOT_WRITERS = new Set([
  'set',
  'declare',
  'typeset',
  'local',
  'readonly',
  'export',
  'alias',
  ':',
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
/**
 * Returns `words` without the words of `reader` when `reader` is the command they run, as in
 * `find . -exec bash deploy.sh \;` or `uv run bash deploy.sh`: those words name the script
 * that runs, not a file that the outer command writes.
 */
function withoutRunWords(words: readonly string[], reader: SimpleCommand): readonly string[] {
  const length = reader.argv.length;
  if ((reader.wrappers.length === 0 && reader.via.length === 0) || length === 0) {
    return words;
  }
  for (let start = 0; start + length <= words.length; start += 1) {
    if (reader.argv.every((word, offset) => words[start + offset] === word)) {
      return [...words.slice(0, start), ...words.slice(start + length)];
    }
  }
  return words;
}

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
      targets.push(...withoutRunWords(command.argv.slice(1), reader));
    }
    if (targets.some((target) => path.posix.resolve(cwd, target.replace(/^of=/, '')) === file)) {
      return true;
    }
  }
  return false;
}
