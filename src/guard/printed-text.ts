/**
 * The text that `printf` and `echo` print from literal words, as bash's builtins print it.
 * Programs that read a file or their input (`make -f <(printf …)`, `xargs -a <(…)`,
 * `printf … | xargs prog`) get this text, so the guard can judge what they run.
 */

const ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
  e: '\x1b',
  '\\': '\\',
  "'": "'",
  '"': '"',
};

/** Decodes the backslash escapes of a `printf` format or of `echo -e` (octal and hex too). */
export function decodePrintfEscapes(text: string): string {
  if (!text.includes('\\')) {
    return text;
  }
  return text.replace(
    /\\(?:0?([0-7]{1,3})|x([0-9A-Fa-f]{1,2})|(.))/gs,
    (whole, octal?: string, hex?: string, char?: string) => {
      if (octal !== undefined) {
        return String.fromCharCode(parseInt(octal, 8));
      }
      if (hex !== undefined) {
        return String.fromCharCode(parseInt(hex, 16));
      }
      return ESCAPES[char ?? ''] ?? whole;
    },
  );
}

/** A conversion of a `printf` format: flags, width, precision and the conversion letter. */
const CONVERSION = /%(?:%|[-+ #0]*(?:\d+|\*)?(?:\.(?:\d+|\*))?([sbqdiouxXcfeEgG]))/g;

/**
 * Returns what `printf FORMAT ARGS…` prints. As in bash, the format is used again while
 * arguments remain, and a missing argument prints as empty text. Undefined for `printf -v`,
 * which assigns a variable and prints nothing.
 */
export function printfText(args: readonly string[]): string | undefined {
  const words = args[0] === '--' ? args.slice(1) : [...args];
  if (words.length === 0 || words[0]?.startsWith('-') === true) {
    return undefined;
  }
  const format = decodePrintfEscapes(words[0] ?? '');
  const values = words.slice(1);
  let output = '';
  let next = 0;
  // Bounded: every pass after the first takes at least one argument, or the loop stops.
  for (let pass = 0; pass <= values.length; pass += 1) {
    let used = false;
    output += format.replace(CONVERSION, (whole, letter?: string) => {
      if (letter === undefined) {
        return '%';
      }
      used = true;
      const value = values[next] ?? '';
      next += 1;
      return letter === 'b' ? decodePrintfEscapes(value) : value;
    });
    if (!used || next >= values.length) {
      break;
    }
  }
  return output;
}

/** Returns what `echo ARGS…` prints, with bash's `-n`, `-e` and `-E` flags. */
export function echoText(args: readonly string[]): string {
  let index = 0;
  let escapes = false;
  let newline = true;
  for (; index < args.length && /^-[neE]+$/.test(args[index] ?? ''); index += 1) {
    const flags = args[index] ?? '';
    newline &&= !flags.includes('n');
    escapes = flags.lastIndexOf('e') > flags.lastIndexOf('E');
  }
  const text = args.slice(index).join(' ');
  return (escapes ? decodePrintfEscapes(text) : text) + (newline ? '\n' : '');
}

/** Returns what `argv` prints when it is `printf` or `echo`, or undefined for other programs. */
export function printedText(argv: readonly string[]): string | undefined {
  const name = argv[0] ?? '';
  if (name === 'printf') {
    return printfText(argv.slice(1));
  }
  return name === 'echo' ? echoText(argv.slice(1)) : undefined;
}
