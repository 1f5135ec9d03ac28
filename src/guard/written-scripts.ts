/**
 * Shell scripts that one command line writes and then runs, such as
 * `echo 'rm -rf ~/old' > c.sh && bash c.sh` or a heredoc to `cat > c.sh` followed by `./c.sh`.
 * The file does not exist when the guard decides, so its text is taken from the command that
 * writes it and judged as if it were the text of a `bash -c`.
 */
import path from 'node:path';
import { interpreterName, isShell } from './interpreters.js';
import { recordNestedScript } from './nested-lines.js';
import { shellScriptFile } from './shell-invocations.js';
import {
  parseInlineCode,
  parseShell,
  type ParsedShell,
  type ParseShellOptions,
  type SimpleCommand,
} from './shell.js';

const SOURCE_COMMANDS = new Set(['source', '.']);
/** Programs whose output, sent to a file, is text the guard can read from the command line. */
const WRITERS = new Set(['echo', 'printf', 'cat', 'tee']);
/** Programs that replace or change a file named in their arguments with text the guard cannot see. */
const REWRITERS = new Set([
  'cp',
  'mv',
  'install',
  'ln',
  'rsync',
  'sed',
  'perl',
  'dd',
  'curl',
  'wget',
  'truncate',
  'rm',
]);

/** Text a command writes to a file, and whether the guard could read all of it. */
export interface WrittenText {
  text: string;
  known: boolean;
}

/**
 * Parses the text of every script that `parsed` writes and later runs with a shell, `source`
 * or `.` or as `./file`, and adds its commands to `parsed`, marked with `written-script` in
 * `via`. A file run by an interpreter (`python3 f.py`, `node f.js`) is judged as that
 * interpreter's inline code. A script written with text built at run time makes the parse
 * not confident.
 */
export async function followWrittenScripts(
  parsed: ParsedShell,
  options: ParseShellOptions & { cwd: string },
): Promise<void> {
  const written = new Map<string, WrittenText>();
  const followed = new Set<string>();
  const aliases = aliasNames(parsed);
  // Commands added below are not scanned again: a written script is followed one level deep.
  for (const command of [...parsed.commands]) {
    // The parser records an alias call (`zz > f <<EOF` after `alias zz=cat`) both as written
    // and as its expansion, which comes first; only the expansion says what is written.
    if (aliases.has(command.name)) {
      continue;
    }
    // Only a file written earlier on the line can be followed, and most lines write none.
    const script = written.size === 0 ? undefined : scriptRun(command, options.cwd);
    const text = script === undefined ? undefined : written.get(script);
    if (script !== undefined && text !== undefined && !followed.has(script)) {
      followed.add(script);
      await addScript(parsed, script, text, options, interpreterRun(command));
    }
    recordWrites(command, options.cwd, written);
  }
}

/** Returns the names that `alias NAME=VALUE` defines on the line. */
function aliasNames(parsed: ParsedShell): Set<string> {
  const names = new Set<string>();
  for (const command of parsed.commands) {
    if (command.name !== 'alias') {
      continue;
    }
    for (const definition of command.argv.slice(1)) {
      if (definition.includes('=')) {
        names.add(definition.slice(0, definition.indexOf('=')));
      }
    }
  }
  return names;
}

/**
 * Returns the text that the commands of `parsed` before `reader` write to `file` with `echo`,
 * `printf`, `cat` or `tee`, such as the batch file of `echo 'put x' > b && sftp -b b host`,
 * or else the file's text on disk when the guard read it into `parsed.files`. Undefined when
 * neither is known.
 */
export function textWrittenBefore(
  parsed: ParsedShell,
  reader: SimpleCommand,
  file: string,
  cwd: string,
): WrittenText | undefined {
  const written = new Map<string, WrittenText>();
  for (const command of parsed.commands) {
    if (command === reader) {
      break;
    }
    recordWrites(command, cwd, written);
  }
  const onDisk = parsed.files?.get(file);
  return (
    written.get(path.posix.resolve(cwd, file)) ??
    (onDisk === undefined ? undefined : { text: onDisk, known: true })
  );
}

async function addScript(
  parsed: ParsedShell,
  script: string,
  written: WrittenText,
  options: ParseShellOptions,
  interpreter: string | undefined,
): Promise<void> {
  if (!written.known) {
    parsed.confident = false;
    parsed.problems.push(`${script} is written with text built at run time and then run`);
  }
  const inner =
    interpreter === undefined
      ? await parseShell(written.text, options)
      : await parseInlineCode(interpreter, written.text, options);
  addParsed(parsed, inner, 'written-script');
  if (interpreter === undefined && written.known) {
    // The script is also judged as a line of its own, which follows the scripts it writes.
    recordNestedScript(parsed, written.text, []);
  }
}

/** Adds the commands and findings of `inner` to `parsed`, with `step` in front of each `via`. */
function addParsed(parsed: ParsedShell, inner: ParsedShell, step: string): void {
  for (const command of inner.commands) {
    parsed.commands.push({ ...command, via: [step, ...command.via] });
  }
  parsed.inlineCode.push(...inner.inlineCode);
  parsed.heredocs.push(...inner.heredocs);
  parsed.loopVariables.push(...inner.loopVariables);
  if (!inner.confident) {
    parsed.confident = false;
    parsed.problems.push(...inner.problems);
  }
}

/** Records the files `command` writes with text from its own arguments or heredoc. */
function recordWrites(
  command: SimpleCommand,
  cwd: string,
  written: Map<string, WrittenText>,
): void {
  const targets = command.redirects
    .filter((redirect) => redirect.operator.includes('>'))
    .map((redirect) => ({ target: redirect.target, append: redirect.operator.includes('>>') }));
  if (command.name === 'tee') {
    const append = command.argv.some((arg) => /^-[a-z]*a|^--append$/.test(arg));
    for (const arg of command.argv.slice(1).filter((word) => !word.startsWith('-'))) {
      targets.push({ target: arg, append });
    }
  }
  if (REWRITERS.has(command.name) && written.size > 0) {
    for (const arg of command.argv.slice(1)) {
      written.delete(path.posix.resolve(cwd, arg.replace(/^of=/, '')));
    }
  }
  if (targets.length === 0) {
    return;
  }
  const text = WRITERS.has(command.name)
    ? writtenText(command)
    : isDecoder(command)
      ? { text: '', known: false }
      : undefined;
  for (const { target, append } of targets) {
    const file = path.posix.resolve(cwd, target);
    if (text === undefined) {
      // Any other writer makes the file's text unknown to this module.
      written.delete(file);
      continue;
    }
    const before = append ? written.get(file) : undefined;
    written.set(file, {
      text: before === undefined ? text.text : `${before.text}\n${text.text}`,
      known: text.known && (before?.known ?? true),
    });
  }
}

/** Returns the text `echo`, `printf`, `cat` or `tee` prints, or undefined when it reads a file. */
export function writtenText(command: SimpleCommand): WrittenText | undefined {
  const args = command.argv.slice(1);
  if (command.name === 'echo') {
    const words = dropLeading(args, /^-[neE]+$/);
    const escapes = args.some((arg) => /^-[nE]*e/.test(arg));
    const text = words.join(' ');
    return { text: escapes ? unescape(text) : text, known: !command.dynamic };
  }
  if (command.name === 'printf') {
    const words = dropLeading(args, /^--$/);
    const format = words[0] ?? '';
    // `printf '%s\n' a b` prints each argument on its own line; a format alone prints itself.
    const text = words.length > 1 ? words.slice(1).join('\n') : unescape(format);
    return { text, known: !command.dynamic };
  }
  // `cat` and `tee` print their standard input; with file arguments `cat` prints files.
  if (command.stdin === undefined || (command.name === 'cat' && args.length > 0)) {
    return undefined;
  }
  return { text: command.stdin, known: true };
}

/**
 * Checks whether `command` decodes its input (`base64 -d`, `xxd -r`, `openssl enc -d`,
 * `gunzip`): a file it writes holds text the command line does not show, so a script run
 * from that file is code built at run time.
 */
function isDecoder(command: SimpleCommand): boolean {
  const args = command.argv.slice(1);
  switch (command.name) {
    case 'base64':
    case 'base32':
    case 'basenc':
      return args.some((arg) => /^-[a-zA-Z]*[dD]|^--decode$/.test(arg));
    case 'xxd':
      return args.some((arg) => /^-[a-z]*r/.test(arg));
    case 'openssl':
      return args.some((arg) => arg === '-d' || arg === '-base64' || arg === 'base64');
    case 'uudecode':
    case 'gunzip':
    case 'zcat':
    case 'bunzip2':
    case 'xz':
    case 'unxz':
      return true;
    case 'gzip':
    case 'bzip2':
      return args.some((arg) => /^-[a-z]*d|^--decompress$/.test(arg));
    default:
      return false;
  }
}

function dropLeading(args: string[], option: RegExp): string[] {
  let index = 0;
  while (index < args.length && option.test(args[index] ?? '')) {
    index += 1;
  }
  return args.slice(index);
}

function unescape(text: string): string {
  return text.replace(/\\n/g, '\n').replace(/\\t/g, '\t');
}

/** Returns the interpreter of `command` (`python`, `node`) when it runs a script file by name. */
function interpreterRun(command: SimpleCommand): string | undefined {
  const interpreter = interpreterName(command.name);
  const file = command.argv.slice(1).find((arg) => !arg.startsWith('-'));
  return interpreter !== undefined && file !== undefined && !file.includes('$')
    ? interpreter
    : undefined;
}

/** Returns the absolute path of the script `command` runs, if it runs one. */
function scriptRun(command: SimpleCommand, cwd: string): string | undefined {
  const [program, ...args] = command.argv;
  if (program === undefined) {
    return undefined;
  }
  if (interpreterRun(command) !== undefined) {
    // `python3 -u tool.py` and `node --trace-warnings f.js`: the first operand is the file.
    const file = args.find((arg) => !arg.startsWith('-')) ?? '';
    return path.posix.resolve(cwd, file);
  }
  if (isShell(command.name) || SOURCE_COMMANDS.has(command.name)) {
    // `busybox sh file` names the shell first.
    const rest = command.name === 'busybox' ? args.slice(1) : args;
    const input = command.redirects.find((redirect) => redirect.operator === '<')?.target;
    const script = shellScriptFile(rest, input);
    return script === undefined ? undefined : path.posix.resolve(cwd, script);
  }
  return program.includes('/') ? path.posix.resolve(cwd, program) : undefined;
}

/** Options of `ssh` that take a value as the next word. */
const SSH_VALUE_OPTIONS = /^-[bcDEeFIiJLlmOoPpQRSWw]$/;

/**
 * Parses the heredoc or here-string that `ssh HOST` feeds to a remote shell (`ssh HOST`,
 * `ssh HOST bash`, `ssh HOST 'bash -s'`) and adds its commands to `parsed`, marked with
 * `ssh HOST` in `via`, so the text the remote shell runs is judged as code.
 */
export async function followRemoteHeredocs(
  parsed: ParsedShell,
  options: ParseShellOptions,
): Promise<void> {
  for (const command of [...parsed.commands]) {
    const host = remoteShellHost(command);
    if (host === undefined || command.stdin === undefined) {
      continue;
    }
    // The remote shell starts in the remote user's home, which the guard cannot see.
    const inner = await parseShell(command.stdin, { ...options, cwd: '/', homeDir: '/root' });
    addParsed(parsed, inner, `ssh ${host}`);
  }
}

/** Returns the host of an `ssh` call whose remote command is a shell reading its input, or none. */
function remoteShellHost(command: SimpleCommand): string | undefined {
  if (command.name !== 'ssh') {
    return undefined;
  }
  const args = command.argv.slice(1);
  let index = 0;
  while (index < args.length && (args[index] ?? '').startsWith('-')) {
    index += SSH_VALUE_OPTIONS.test(args[index] ?? '') ? 2 : 1;
  }
  const host = args[index];
  const remote = args
    .slice(index + 1)
    .join(' ')
    .trim()
    .split(/\s+/)
    .filter((word) => word !== '');
  const shell = remote.filter((word) => word !== 'sudo' && !/^-[a-z]*$/.test(word));
  const readsInput =
    remote.length === 0 || (shell.length === 1 && isShell(path.posix.basename(shell[0] ?? '')));
  return host !== undefined && readsInput ? host : undefined;
}
