/**
 * Shell text in the inline code of interpreters whose calls to a shell do not look like
 * `system("…")`: R `system()`, Julia command literals, Elixir `System.cmd`, Emacs
 * `shell-command`, Tcl `exec`, and `!` lines of `ed` and `ex` scripts. Each text is returned so
 * that it is judged as the shell command it is.
 */
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
      // `exec prog args…` runs a program; braces quote words as single quotes do in a shell.
      return [...code.matchAll(/(?:^|[\n;[])\s*exec\s+([^\n;\]]+)/g)].map((match) =>
        (match[1] ?? '').replace(/[{}]/g, "'"),
      );
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
