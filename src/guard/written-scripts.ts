/**
 * Shell scripts that one command line writes and then runs, such as
 * `echo 'rm -rf ~/old' > c.sh && bash c.sh` or a heredoc to `cat > c.sh` followed by `./c.sh`.
 * The file does not exist when the guard decides, so its text is taken from the command that
 * writes it and judged as if it were the text of a `bash -c`.
 */
import path from 'node:path';
import {
  parseShell,
  type ParsedShell,
  type ParseShellOptions,
  type SimpleCommand,
} from './shell.js';

const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'mksh', 'ash', 'busybox']);
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
interface WrittenText {
  text: string;
  known: boolean;
}

/**
 * Parses the text of every script that `parsed` writes and later runs with a shell, `source`
 * or `.` or as `./file`, and adds its commands to `parsed`, marked with `written-script` in
 * `via`. A script written with text built at run time makes the parse not confident.
 */
export async function followWrittenScripts(
  parsed: ParsedShell,
  options: ParseShellOptions & { cwd: string },
): Promise<void> {
  const written = new Map<string, WrittenText>();
  const followed = new Set<string>();
  // Commands added below are not scanned again: a written script is followed one level deep.
  for (const command of [...parsed.commands]) {
    const script = scriptRun(command, options.cwd);
    const text = script === undefined ? undefined : written.get(script);
    if (script !== undefined && text !== undefined && !followed.has(script)) {
      followed.add(script);
      await addScript(parsed, script, text, options);
    }
    recordWrites(command, options.cwd, written);
  }
}

async function addScript(
  parsed: ParsedShell,
  script: string,
  written: WrittenText,
  options: ParseShellOptions,
): Promise<void> {
  if (!written.known) {
    parsed.confident = false;
    parsed.problems.push(`${script} is written with text built at run time and then run`);
  }
  const inner = await parseShell(written.text, options);
  for (const command of inner.commands) {
    parsed.commands.push({ ...command, via: ['written-script', ...command.via] });
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
  const text = WRITERS.has(command.name) ? writtenText(command) : undefined;
  const targets = command.redirects
    .filter((redirect) => redirect.operator.includes('>'))
    .map((redirect) => ({ target: redirect.target, append: redirect.operator.includes('>>') }));
  if (command.name === 'tee') {
    const append = command.argv.some((arg) => /^-[a-z]*a|^--append$/.test(arg));
    for (const arg of command.argv.slice(1).filter((word) => !word.startsWith('-'))) {
      targets.push({ target: arg, append });
    }
  }
  if (REWRITERS.has(command.name)) {
    for (const arg of command.argv.slice(1)) {
      written.delete(path.posix.resolve(cwd, arg.replace(/^of=/, '')));
    }
  }
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
function writtenText(command: SimpleCommand): WrittenText | undefined {
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

/** Returns the absolute path of the script `command` runs, if it runs one. */
function scriptRun(command: SimpleCommand, cwd: string): string | undefined {
  const [program, ...args] = command.argv;
  if (program === undefined) {
    return undefined;
  }
  if (SHELLS.has(command.name) || SOURCE_COMMANDS.has(command.name)) {
    // `busybox sh file` names the shell first.
    const rest = command.name === 'busybox' ? args.slice(1) : args;
    if (rest.some((arg) => /^-[a-zA-Z]*c[a-zA-Z]*$/.test(arg))) {
      return undefined;
    }
    const file = rest.find((arg) => !arg.startsWith('-') && !arg.startsWith('+'));
    const input = command.redirects.find((redirect) => redirect.operator === '<')?.target;
    const script = file ?? input;
    return script === undefined ? undefined : path.posix.resolve(cwd, script);
  }
  return program.includes('/') ? path.posix.resolve(cwd, program) : undefined;
}
