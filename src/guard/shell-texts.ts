/**
 * Shell text in the inline code of interpreters whose calls to a shell do not look like
 * `system("…")`: R `system()`, Julia command literals, Elixir `System.cmd`, Emacs
 * `shell-command`, Tcl `exec`, and `!` lines of `ed` and `ex` scripts. Each text is returned so
 * that it is judged as the shell command it is.
 */
import { readTclCommand } from './tcl-words.js';
import { INLINE_CACHE_ENTRIES, TextCache } from './text-cache.js';

/** Calls that hand a string to a shell, in the interpreters below. */
const SHELL_CALL_WORDS =
  /system2?\s*\(|shell-command|System\.(?:cmd|shell)|os:cmd|\bshell\s*\(|\brun\s*\(/;
/** String literals: double-quoted, and Julia's backtick command literals. */
const LITERALS = /"((?:\\.|[^"\\])*)"|`([^`]*)`/g;

/** Results of {@link shellTextsOf} by interpreter and code. */
const shellTexts = new TextCache<string[]>(INLINE_CACHE_ENTRIES);

/**
 * Returns the shell texts that `code`, run by `interpreter`, hands to a shell. The array is
 * shared with later calls for the same code, so callers must not change it.
 */
export function shellTextsOf(interpreter: string, code: string): string[] {
  return shellTexts.get(`${interpreter}\0${code}`, () => readShellTexts(interpreter, code));
}

function readShellTexts(interpreter: string, code: string): string[] {
  switch (interpreter) {
    case 'ed':
      // `!command` runs a shell command; `r !command` and `w !command` read from and write to one.
      return code
        .split('\n')
        .map((line) => /^\s*(?:[rwe]\s*)?!(.*)$/.exec(line)?.[1] ?? '')
        .filter((text) => text.trim() !== '');
    case 'tcl':
      return tclCommandTexts(code, 'exec');
    case 'julia':
      return [...code.matchAll(LITERALS)].flatMap((match) =>
        match[2] === undefined ? [] : [match[2]],
      );
    default:
      if (!SHELL_CALL_WORDS.test(code)) {
        return [];
      }
      // Every literal with a space in it may be a command line (`System.cmd("sh", ["-c", "…"])`).
      return [...code.matchAll(LITERALS)]
        .map((match) => match[1] ?? match[2] ?? '')
        .filter((text) => /\s/.test(text.trim()));
  }
}

/** A Tcl command start: the start of the code, a newline, `;`, `[` or `{` (a script body). */
const TCL_COMMAND = /(?:^|[\n;[{])\s*(exec|spawn)\s+(?:-\S+\s+)*/g;

/**
 * Returns the words of each Tcl command named in `names` (`exec`, `spawn`) as shell text.
 * Braces quote words as single quotes do in a shell (tcl-words.ts reads the words), and a
 * command ends at a newline or `;`, or at the `]` or `}` that closes the substitution or
 * body it sits in.
 *
 * @example
 * tclCommandTexts('if {1} {exec rm -rf ~}', 'exec'); // ['rm -rf ~']
 */
export function tclCommandTexts(code: string, names: string): string[] {
  const texts: string[] = [];
  for (const match of code.matchAll(TCL_COMMAND)) {
    const name = match[1] ?? '';
    if (!names.split(' ').includes(name)) {
      continue;
    }
    const start = (match.index ?? 0) + match[0].length;
    texts.push(readTclCommand(code, start, name === 'exec').text);
  }
  return texts;
}
