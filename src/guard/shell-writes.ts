/**
 * Text that a shell command line writes into files: the arguments of `echo` and `printf`, a
 * heredoc given to `cat` or `tee`, and the script of an in-place `sed -i` or `perl -pi`
 * edit. Checks of file content read it the way they read an Edit or Write call.
 */
import type { ParsedShell, SimpleCommand } from './shell.js';

/** One write of known text into a file. */
export interface ShellWrite {
  /** Path as written in the command. */
  target: string;
  /** Text written, or for an in-place edit, its script (which holds the replacement text). */
  text: string;
  /** True for `sed -i` and `perl -pi`, whose text is a script rather than file content. */
  inPlace: boolean;
}

const PRINTERS = new Set(['echo', 'printf', 'cat', 'tee']);

/** Lists the files `command` writes its output to: `>` and `>>` targets, and `tee`'s files. */
export function outputTargets(command: SimpleCommand): string[] {
  return [
    ...command.redirects
      .filter((redirect) => redirect.operator === '>' || redirect.operator === '>>')
      .map((redirect) => redirect.target),
    ...(command.name === 'tee' ? command.argv.slice(1).filter((arg) => !arg.startsWith('-')) : []),
  ];
}

/** Lists the writes of known text into files in `parsed`; `/dev/` targets are left out. */
export function shellWrites(parsed: ParsedShell): ShellWrite[] {
  const writes: ShellWrite[] = [];
  for (const command of parsed.commands) {
    const edit = inPlaceEdit(command);
    if (edit !== undefined) {
      writes.push(...edit);
      continue;
    }
    if (!PRINTERS.has(command.name)) {
      continue;
    }
    const targets = outputTargets(command).filter((target) => !target.startsWith('/dev/'));
    const text =
      command.name === 'echo' || command.name === 'printf'
        ? command.argv.slice(1).join(' ')
        : (command.stdin ?? '');
    for (const target of targets) {
      writes.push({ target, text, inPlace: false });
    }
  }
  return writes;
}

/**
 * Returns the files and script of a `sed -i` or `perl -pi` command, one write per file, or
 * undefined when the command is no in-place edit.
 */
export function inPlaceEdit(command: SimpleCommand): ShellWrite[] | undefined {
  if (command.name !== 'sed' && command.name !== 'perl') {
    return undefined;
  }
  const args = command.argv.slice(1);
  const inPlace =
    (command.name === 'sed' && args.some((arg) => /^-[a-zA-Z]*i|^--in-place/.test(arg))) ||
    (command.name === 'perl' && args.some((arg) => /^-[a-zA-Z]*i/.test(arg)));
  if (!inPlace) {
    return undefined;
  }
  const scripted = args.includes('-e');
  const script = args.filter((arg, index) => args[index - 1] === '-e');
  const operands = args.filter((arg, index) => !arg.startsWith('-') && args[index - 1] !== '-e');
  // Without `-e`, the first operand is the script and the rest are files.
  const files = scripted ? operands : operands.slice(1);
  const text = scripted ? script.join('\n') : (operands[0] ?? '');
  return files.map((target) => ({ target, text, inPlace: true }));
}
