/**
 * Words of Tcl commands (Tcl 8.6 `Tcl(n)` rules), read so that `exec` and `spawn` calls in
 * `tclsh` and `expect` code become shell text with the same arguments.
 */
import { quoteWord } from './runners.js';

/** A Tcl command that hands its words to a program, and where its words end. */
export interface TclCommand {
  /** Shell text with the same program and arguments as the Tcl words. */
  text: string;
  /** Offset in the code just after the command's last word. */
  end: number;
}

/** A word with a Tcl substitution, whose value is known only when the script runs. */
const RUN_TIME_WORD = '"$tcl_value"';

/** A word that starts with `~`, such as `~/.ssh`, with no characters a shell reads. */
const HOME_WORD = /^~[\w./:=@%+,-]*$/;

/** Words of `exec` that Tcl reads as a pipe, a redirection or a background mark. */
const EXEC_OPERATOR = /^(?:\|&?|&|2?>>?&?|>&|<)/;

/**
 * Reads the words of the Tcl command that starts at `start` in `code` and returns them as
 * shell text. The command ends at a newline or `;`, or at the `]` or `}` that closes the
 * substitution or body it sits in. Brace words keep their text as it is, and words with a
 * `$` or `[` substitution become a shell word of unknown value. With `execOperators`, bare
 * `|`, `<` and `>` words stay shell operators, as `exec` reads them.
 *
 * @example
 * readTclCommand("sh -c {git commit -m 'x' && rm -rf ~}; expect eof", 0, false).text;
 * // "sh -c 'git commit -m '\\''x'\\'' && rm -rf ~'"
 */
export function readTclCommand(code: string, start: number, execOperators: boolean): TclCommand {
  const words: string[] = [];
  let index = start;
  for (;;) {
    while (index < code.length && /[ \t\r]/.test(code[index] ?? '')) {
      index += 1;
    }
    if (code.startsWith('\\\n', index)) {
      index += 2;
      continue;
    }
    const char = code[index];
    if (char === undefined || char === '\n' || char === ';' || char === ']' || char === '}') {
      break;
    }
    const word = readWord(code, index);
    index = word.end;
    if (word.dynamic) {
      words.push(RUN_TIME_WORD);
    } else if (execOperators && word.bare && EXEC_OPERATOR.test(word.text)) {
      // Tcl's `<< VALUE` feeds VALUE as input, which a here-string does in bash.
      words.push(word.text.startsWith('<<') ? `<<<${word.text.slice(2)}` : word.text);
    } else if (HOME_WORD.test(word.text)) {
      // Tcl 8 reads a leading `~` as the home folder in file names, so it stays one here.
      words.push(word.text);
    } else {
      words.push(quoteWord(word.text));
    }
  }
  return { text: words.join(' '), end: index };
}

interface TclWord {
  text: string;
  end: number;
  /** True when the word has a `$` or `[` substitution. */
  dynamic: boolean;
  /** True when the word has no braces or quotes around it. */
  bare: boolean;
}

function readWord(code: string, start: number): TclWord {
  if (code[start] === '{' && !code.startsWith('{*}', start)) {
    return readBraceWord(code, start);
  }
  if (code.startsWith('{*}', start)) {
    // `{*}$list` expands a list into several words at run time.
    const rest = readWord(code, start + 3);
    return { ...rest, text: '', dynamic: true, bare: false };
  }
  const quoted = code[start] === '"';
  let index = quoted ? start + 1 : start;
  let text = '';
  let dynamic = false;
  while (index < code.length) {
    const char = code[index] ?? '';
    if (quoted ? char === '"' : /[\s;\]}]/.test(char)) {
      break;
    }
    if (char === '\\') {
      text += escapedCharacter(code[index + 1] ?? '');
      index += 2;
      continue;
    }
    if (char === '$') {
      dynamic = true;
    } else if (char === '[') {
      dynamic = true;
      index = closingBracket(code, index);
      continue;
    }
    text += char;
    index += 1;
  }
  return { text, end: quoted ? index + 1 : index, dynamic, bare: !quoted };
}

function readBraceWord(code: string, start: number): TclWord {
  let depth = 0;
  let index = start;
  for (; index < code.length; index += 1) {
    const char = code[index];
    if (char === '\\') {
      index += 1;
    } else if (char === '{') {
      depth += 1;
    } else if (char === '}') {
      depth -= 1;
      if (depth === 0) {
        break;
      }
    }
  }
  const text = code.slice(start + 1, index).replace(/\\\n\s*/g, ' ');
  return { text, end: index + 1, dynamic: false, bare: false };
}

/** Returns the offset after the `]` that closes the command substitution at `start`. */
function closingBracket(code: string, start: number): number {
  let depth = 0;
  for (let index = start; index < code.length; index += 1) {
    const char = code[index];
    if (char === '\\') {
      index += 1;
    } else if (char === '[') {
      depth += 1;
    } else if (char === ']') {
      depth -= 1;
      if (depth === 0) {
        return index + 1;
      }
    }
  }
  return code.length;
}

function escapedCharacter(char: string): string {
  switch (char) {
    case 'n':
      return '\n';
    case 't':
      return '\t';
    case '\n':
      return ' ';
    default:
      return char;
  }
}
