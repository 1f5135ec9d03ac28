/**
 * The command line `xargs` builds when its input is known on the command line: a heredoc or
 * here-string (`xargs rm -rf <<< ~`), the literal `printf` or `echo` piped into it, or a
 * process substitution of those given with `-a` (`xargs -0 -a <(printf '%s\0' ~) rm -rf`).
 * The input's items are appended to the program's words as xargs appends them, or put in
 * place of the `-I` string, so that the checks judge the program with its real arguments.
 */
import { quoteWord } from './runners.js';
import { XARGS_OPTIONS_WITH_VALUE } from './wrappers.js';
import { decodePrintfEscapes } from './printed-text.js';

/** Where xargs reads its items from, as found in its options. */
interface XargsOptions {
  /** The `-a`/`--arg-file` value, or undefined when xargs reads standard input. */
  argFile: string | undefined;
  /** The item delimiter (`-0`, `-d`), or undefined for blank-separated, quoted items. */
  delimiter: string | undefined;
  /** The `-I` replace string, if any. */
  replace: string | undefined;
  /** The program and its arguments. */
  program: string[];
}

/**
 * Returns the shell text that xargs in `words` runs for `input`, or undefined when `words`
 * has no xargs with a program or the input is unknown. `readFile` returns the text of an
 * `-a` value it can read (a literal process substitution), or undefined.
 */
export function xargsCommandLine(
  words: readonly string[],
  stdin: string | undefined,
  readFile: (file: string) => string | undefined,
): string | undefined {
  const start = words.findIndex((word) => /(?:^|\/)xargs$/.test(word));
  const options = start < 0 ? undefined : readOptions(words.slice(start + 1));
  if (options === undefined || options.program.length === 0) {
    return undefined;
  }
  const input = options.argFile === undefined ? stdin : readFile(options.argFile);
  if (input === undefined) {
    return undefined;
  }
  const items = splitItems(input, options.delimiter);
  if (options.replace === undefined) {
    return [...options.program, ...items].map(quoteWord).join(' ');
  }
  // With `-I`, each input line runs the program once with the line put in place of the string.
  const replace = options.replace;
  const lines =
    options.delimiter === undefined ? input.split('\n').filter((line) => line !== '') : items;
  return lines
    .map((line) =>
      options.program.map((word) => quoteWord(word.replaceAll(replace, line))).join(' '),
    )
    .join('\n');
}

function readOptions(args: readonly string[]): XargsOptions | undefined {
  const options: XargsOptions = {
    argFile: undefined,
    delimiter: undefined,
    replace: undefined,
    program: [],
  };
  let index = 0;
  for (; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (arg === '--') {
      index += 1;
      break;
    }
    if (!arg.startsWith('-')) {
      break;
    }
    const joined = /^(-[adI]|--(?:arg-file|delimiter|replace)=)(.+)$/s.exec(arg);
    const option = joined?.[1]?.replace(/=$/, '') ?? arg;
    const value = joined?.[2] ?? args[index + 1];
    if (joined === null && XARGS_OPTIONS_WITH_VALUE.includes(arg)) {
      index += 1;
    }
    if (option === '-a' || option === '--arg-file') {
      options.argFile = value;
    } else if (option === '-d' || option === '--delimiter') {
      options.delimiter = decodePrintfEscapes(value ?? '');
    } else if (arg === '-0' || arg === '--null') {
      options.delimiter = '\0';
    } else if (option === '-I' || option === '--replace') {
      options.replace = value;
    } else if (arg === '-i') {
      options.replace = '{}';
    }
  }
  options.program = args.slice(index);
  return options;
}

/** Splits xargs input into items: at the delimiter, or at blanks outside quotes. */
function splitItems(input: string, delimiter: string | undefined): string[] {
  if (delimiter !== undefined && delimiter !== '') {
    return input.split(delimiter).filter((item, at, all) => item !== '' || at < all.length - 1);
  }
  const items: string[] = [];
  for (const match of input.matchAll(/(?:'([^']*)'|"([^"]*)"|((?:\\.|[^\s'"\\])+))/g)) {
    items.push(match[1] ?? match[2] ?? (match[3] ?? '').replace(/\\(.)/g, '$1'));
  }
  return items;
}
