/**
 * Commands that inline code runs through calls the `SHELL_CALL` pattern does not read:
 * argument lists (`subprocess.run(["rm", "-rf", ".git"])`, `execFileSync("bash", ["-c", X])`,
 * `new Deno.Command("rm", { args: [...] })`, Ruby and Perl `system("rm", "-rf", "x")`),
 * command literals (Ruby and Perl backticks, `%x(…)`, `qx(…)`), Lua `os.execute` and
 * `io.popen`, PHP `proc_open`, and string literals with the language's escapes
 * (`os.system("rm -rf \"$d\"")`). Each command is returned as shell text, its words quoted,
 * so that it is judged as the shell command it amounts to. A call whose arguments are not
 * all literals up to the command is skipped.
 */
import { INLINE_CACHE_ENTRIES, TextCache } from './text-cache.js';

import { resolveCallAliases } from './call-aliases.js';

/** Words one of which any call read here contains; tested before any pattern. */
const CALL_HINTS = [
  'subprocess',
  'exec',
  'spawn',
  'system',
  'Command',
  'popen',
  'open',
  'capture',
  'pipeline',
  'qx',
  '%x',
  '`',
  'passthru',
  'os.execute',
];

/**
 * How a call's arguments make its command. `argv0` marks calls whose argument list repeats
 * the program as its first word (`os.execvp("bash", ["bash", "-c", X])`).
 */
interface CallForm {
  argv0: boolean;
  /** The first argument is shell text whatever follows it (`proc_open("…", $spec, $pipes)`). */
  text?: boolean;
}

const PLAIN: CallForm = { argv0: false };
const NAMED: CallForm = { argv0: true };
const TEXT: CallForm = { argv0: false, text: true };
/** Calls whose first argument is shell text. */
const TEXT_CALLS =
  /^(?:os\.system|os\.popen|os\.execute|io\.popen|proc_open|shell_exec|passthru|popen|execSync|child_process\.exec)\b/;

/** Calls that run a program from their arguments, each followed by `(`. */
const CALLS =
  /(?:\bsubprocess\.(?:run|call|check_call|check_output|Popen|getoutput|getstatusoutput)|\bos\.(exec[lv]p?e?|posix_spawnp?)|\bpty\.spawn|\bcreate_subprocess_(?:exec|shell)|\bexecFile(?:Sync)?|\bspawn(?:Sync)?|\bnew\s+Deno\.Command|\bDeno\.run|\bBun\.spawn(?:Sync)?|\bOpen3\.(?:capture[23]e?|popen[23]e?|pipeline\w*)|\bIO\.popen|\bProcess\.spawn|(?<![.\w])(?:system|exec)|\bos\.execute|\bos\.system|\bos\.popen|\bexecSync|\bchild_process\.exec\b|\bio\.popen|\bproc_open|\bshell_exec|\bpassthru|(?<![.\w])popen|(?<![.\w$])open)\s*(\(|\s(?=\s*['"q%]))/g;

/** What {@link readInlineCommands} finds in inline code. */
interface InlineCommands {
  /** Shell texts of the commands whose text or words are literals. */
  texts: string[];
  /** The first call that runs a command built at run time (`system(cmd)`), as written. */
  computed: string | undefined;
}

const NO_COMMANDS: InlineCommands = { texts: [], computed: undefined };

/** Results of {@link readInlineCommands} by interpreter and code. */
const inlineCommands = new TextCache<InlineCommands>(INLINE_CACHE_ENTRIES);

/**
 * Returns the shell texts of the commands that `code` runs through the calls above. The array
 * is shared with later calls for the same code, so callers must not change it.
 */
export function inlineCommandsOf(interpreter: string, code: string): string[] {
  return cachedInlineCommands(interpreter, code).texts;
}

/**
 * Returns the first call of `code` that runs a command whose program or shell text is not a
 * literal (`system(cmd)`, `execSync(process.argv[1])`, Ruby `` `#{cmd}` ``), as written, or
 * undefined. What such a call runs cannot be read, so it must not be allowed unseen.
 */
export function computedInlineCommand(interpreter: string, code: string): string | undefined {
  return cachedInlineCommands(interpreter, code).computed;
}

function cachedInlineCommands(interpreter: string, code: string): InlineCommands {
  return inlineCommands.get(`${interpreter}\0${code}`, () => readInlineCommands(interpreter, code));
}

function readInlineCommands(interpreter: string, source: string): InlineCommands {
  let code = source;
  if (!CALL_HINTS.some((hint) => code.includes(hint))) {
    return NO_COMMANDS;
  }
  code = resolveCallAliases(code);
  const constants = literalConstants(code);
  const texts: string[] = [];
  let computed: string | undefined;
  for (const match of code.matchAll(CALLS)) {
    const name = match[0];
    // Bare `system`, `exec`, `open` and `popen` run commands only in these languages
    // (Python's `exec` runs Python, JavaScript's `open` opens a URL).
    if (/^(?:system|exec|open|popen)\b/.test(name) && !BARE_CALLERS.has(interpreter)) {
      continue;
    }
    if (/^open\b/.test(name) && interpreter !== 'perl') {
      continue;
    }
    let form = PLAIN;
    let start = (match.index ?? 0) + name.length;
    if (match[1] !== undefined) {
      form = NAMED;
    } else if (TEXT_CALLS.test(name)) {
      form = TEXT;
    } else if (/^open\b/.test(name)) {
      // The handle (`my $f`) is not a literal: read from the mode after it.
      const comma = code.indexOf(',', start);
      if (comma < 0) {
        continue;
      }
      start = comma + 1;
    }
    const args = readArguments(code, start, match[2] === '(', constants);
    const text = /^open\b/.test(name) ? perlOpenCommand(args) : commandOf(args, form);
    if (text !== undefined) {
      texts.push(text);
    } else if (args[0] === null && !/^open\b/.test(name)) {
      // `open` with a computed argument mostly opens a file, so only the other calls count.
      computed ??= code.slice(match.index ?? 0, start + 40).trim();
    }
  }
  if (LITERAL_LANGUAGES.has(interpreter)) {
    const literals = commandLiterals(interpreter, code);
    texts.push(...literals.texts);
    computed ??= literals.computed;
  }
  return { texts, computed };
}

/** Languages whose bare `system(…)` and `exec(…)` run a command. */
const BARE_CALLERS: ReadonlySet<string> = new Set(['ruby', 'perl', 'php']);
/** Languages with command literals (backticks; Ruby `%x`, Perl `qx`). */
const LITERAL_LANGUAGES: ReadonlySet<string> = new Set(['ruby', 'perl', 'php']);

/**
 * Returns the command a Perl `open` runs, from the arguments after its handle: a pipe mode
 * (`-|`, `|-`) and the command, or the two-argument form with the pipe in the text
 * (`"cmd |"`, `"| cmd"`). Opens of files return undefined.
 */
function perlOpenCommand(args: Argument[]): string | undefined {
  const mode = args[0];
  if (typeof mode !== 'string') {
    return undefined;
  }
  if (/^\s*(?:-\||\|-)\s*$/.test(mode)) {
    return commandOf(args.slice(1), PLAIN);
  }
  const piped = /^\s*\|(.*)$|^(.*)\|\s*$/s.exec(mode);
  return args.length === 1 && piped !== null ? (piped[1] ?? piped[2]) : undefined;
}

/** A call argument: a string literal, a list of literals, or something else (`null`). */
type Argument = string | string[] | null;

/** Builds the shell text of a call from its arguments, or undefined. */
function commandOf(args: Argument[], form: CallForm): string | undefined {
  const first = args[0];
  if (first === undefined || first === null) {
    return undefined;
  }
  if (Array.isArray(first)) {
    return first.length > 0 ? quoteWords(first) : undefined;
  }
  if (form.text === true) {
    return first;
  }
  const second = args[1];
  if (Array.isArray(second)) {
    return quoteWords([first, ...(form.argv0 ? second.slice(1) : second)]);
  }
  const strings: string[] = [];
  for (const arg of args) {
    if (typeof arg !== 'string') {
      break;
    }
    strings.push(arg);
  }
  if (strings.length === 1) {
    // One string is shell text (`system("rm -rf x")`, `os.execute("…")`).
    return strings.length === args.length || args[1] === null ? first : undefined;
  }
  return quoteWords(form.argv0 ? [first, ...strings.slice(2)] : strings);
}

/** Quotes each word for a POSIX shell and joins them into one command line. */
function quoteWords(words: string[]): string {
  return words.map((word) => `'${word.replaceAll("'", "'\\''")}'`).join(' ');
}

/**
 * Reads the arguments of a call from `start` (after its `(`, or after the space of a call
 * without parentheses) up to its end. A list or an object holding one list (`{ args: [...] }`)
 * becomes that list; anything else that is not a literal becomes `null`, and reading stops.
 */
function readArguments(
  code: string,
  start: number,
  parenthesized: boolean,
  constants: ReadonlyMap<string, string> = new Map(),
): Argument[] {
  const args: Argument[] = [];
  let index = start;
  for (;;) {
    index = skipSpace(code, index);
    const char = code[index];
    if (char === undefined || char === ')' || char === ';' || (!parenthesized && char === '\n')) {
      return args;
    }
    if (char === ',') {
      index += 1;
      continue;
    }
    // Ruby and Python splat a list into the arguments: `exec(*["sh", "-c", X])`.
    if (char === '*' && code[index + 1] === '[') {
      index += 1;
      continue;
    }
    if (char === '[' && code[index + 1] !== '[') {
      const list = readList(code, index + 1);
      args.push(list?.words ?? null);
      if (list === undefined) {
        return args;
      }
      index = list.end;
      continue;
    }
    if (char === '{') {
      const key = /^\{\s*(?:args|cmd)\s*:\s*\[/.exec(code.slice(index, index + 40));
      const list = key === null ? undefined : readList(code, index + key[0].length);
      args.push(list?.words ?? null);
      return args;
    }
    const literal = readLiteral(code, index) ?? readConstant(code, index, constants);
    if (literal === undefined) {
      args.push(null);
      return args;
    }
    args.push(literal.value);
    index = literal.end;
  }
}

/**
 * Returns the names that `code` assigns a string literal to once and never again
 * (`const c = "rm -rf x"`, `c = '…'`, `my $c = "…"`, `$c = "…"`), with their values.
 */
function literalConstants(code: string): Map<string, string> {
  const constants = new Map<string, string>();
  if (!code.includes('=')) {
    return constants;
  }
  const assigned = new Set<string>();
  for (const match of code.matchAll(/(?<![\w$.])(\$?[A-Za-z_]\w*)\s*=(?![=~>])\s*/g)) {
    const name = match[1] ?? '';
    const literal = readLiteral(code, (match.index ?? 0) + match[0].length);
    if (assigned.has(name) || literal === undefined) {
      // A name assigned twice, or assigned something else, has no single known value.
      constants.delete(name);
    } else {
      constants.set(name, literal.value);
    }
    assigned.add(name);
  }
  return constants;
}

/** Reads a name from `constants` at `index` as if it were its literal. */
function readConstant(
  code: string,
  index: number,
  constants: ReadonlyMap<string, string>,
): { value: string; end: number } | undefined {
  if (constants.size === 0) {
    return undefined;
  }
  const name = /^\$?[A-Za-z_]\w*(?=\s*[,)\n;]|$)/.exec(code.slice(index, index + 80))?.[0];
  const value = name === undefined ? undefined : constants.get(name);
  return value === undefined || name === undefined
    ? undefined
    : { value, end: index + name.length };
}

/** Reads a list of literals from after its `[`; undefined when an item is not a literal. */
function readList(code: string, start: number): { words: string[]; end: number } | undefined {
  const words: string[] = [];
  let index = start;
  for (;;) {
    index = skipSpace(code, index);
    const char = code[index];
    if (char === ']') {
      return { words, end: index + 1 };
    }
    if (char === ',') {
      index += 1;
      continue;
    }
    const literal = readLiteral(code, index);
    if (literal === undefined) {
      return undefined;
    }
    words.push(literal.value);
    index = literal.end;
  }
}

function skipSpace(code: string, index: number): number {
  let next = index;
  while (next < code.length && /\s/.test(code[next] ?? '')) {
    next += 1;
  }
  return next;
}

/** Closing delimiters of the bracketing quote-like operators (`qx(…)`, `%x{…}`). */
const CLOSERS: Record<string, string> = { '(': ')', '[': ']', '{': '}', '<': '>' };

/**
 * Reads a string literal at `index`: quoted, a JavaScript template without substitutions,
 * Lua `[[…]]`, Perl `q(…)`/`qq(…)` and Ruby `%q(…)`/`%Q(…)`. Returns its decoded value.
 */
function readLiteral(code: string, index: number): { value: string; end: number } | undefined {
  const char = code[index];
  if (char === '"' || char === "'" || char === '`') {
    const end = closingQuote(code, index + 1, char);
    if (end === undefined) {
      return undefined;
    }
    const raw = code.slice(index + 1, end);
    if (char === '`' && raw.includes('${')) {
      return undefined;
    }
    return { value: decodeEscapes(raw, char), end: end + 1 };
  }
  if (char === '[' && code[index + 1] === '[') {
    const end = code.indexOf(']]', index + 2);
    return end < 0 ? undefined : { value: code.slice(index + 2, end), end: end + 2 };
  }
  const quoted = /^(?:qq?|%[qQ]?)([^\w\s])/.exec(code.slice(index, index + 3));
  if (quoted !== null) {
    const open = quoted[1] ?? '';
    const close = CLOSERS[open] ?? open;
    const start = index + quoted[0].length;
    const end = code.indexOf(close, start);
    return end < 0 ? undefined : { value: code.slice(start, end), end: end + 1 };
  }
  return undefined;
}

/** Returns the index of the quote that closes a literal opened before `start`. */
function closingQuote(code: string, start: number, quote: string): number | undefined {
  for (let index = start; index < code.length; index += 1) {
    const char = code[index];
    if (char === '\\') {
      index += 1;
    } else if (char === quote) {
      return index;
    }
  }
  return undefined;
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0' };

/**
 * Decodes the escapes common to the string literals of Python, JavaScript, Ruby, Perl, Lua
 * and PHP: `\\`, the quote, `\n`, `\t`, `\r`. Other escapes keep their backslash.
 */
export function decodeEscapes(raw: string, quote: string): string {
  if (!raw.includes('\\')) {
    return raw;
  }
  return raw.replace(/\\(.)/gs, (whole, char: string) => {
    // `"\$x"` in Perl, PHP, Ruby and JavaScript is a literal `$`, which the shell expands.
    // `"\@"` and `"\#"` are a literal `@` and `#` in Perl, Ruby and JavaScript, where
    // `@name` (Perl) and `#{…}` (Ruby) interpolate.
    if (
      char === '\\' ||
      char === quote ||
      char === '"' ||
      char === "'" ||
      ((char === '$' || char === '@' || char === '#') && quote !== "'")
    ) {
      return char;
    }
    return ESCAPES[char] ?? whole;
  });
}

/**
 * Command literals: Ruby, Perl and PHP backticks, Ruby `%x(…)` and Perl `qx(…)` with any
 * delimiter. Returns their decoded texts, and the first literal that Ruby interpolates
 * (`#{…}`), whose text is built at run time. Perl and PHP interpolate `$name`, which the
 * shell parser then reads as a variable computed at run time.
 */
function commandLiterals(interpreter: string, code: string): InlineCommands {
  const texts: string[] = [];
  let computed: string | undefined;
  const add = (raw: string, quote: string): void => {
    if (interpreter === 'ruby' && raw.includes('#{')) {
      computed ??= raw.slice(0, 80);
    } else if (raw.trim() !== '') {
      texts.push(decodeLiteral(raw, quote));
    }
  };
  if (code.includes('`')) {
    for (const match of code.matchAll(/`((?:\\.|[^`\\])*)`/g)) {
      add(match[1] ?? '', '`');
    }
  }
  if (code.includes('%x') || code.includes('qx')) {
    for (const match of code.matchAll(/(?:%x|\bqx)\s*([^\w\s])/g)) {
      const open = match[1] ?? '';
      const start = (match.index ?? 0) + match[0].length;
      const end = closingDelimiter(code, start, open);
      if (end !== undefined && end > start) {
        add(code.slice(start, end), open);
      }
    }
  }
  return { texts, computed };
}

/**
 * Decodes a command literal. Perl's `qx'…'` is not interpolated and decodes only `\\` and
 * `\'`; the other delimiters decode as double-quoted strings do.
 */
function decodeLiteral(raw: string, quote: string): string {
  if (quote === "'") {
    return raw.replace(/\\([\\'])/g, '$1');
  }
  return decodeEscapes(raw, quote);
}

/**
 * Returns the index of the delimiter that closes a quote-like literal opened by `open` before
 * `start`. A backslash escapes the next character, and bracket delimiters nest (`qx(a (b))`).
 */
function closingDelimiter(code: string, start: number, open: string): number | undefined {
  const close = CLOSERS[open] ?? open;
  let depth = 0;
  for (let index = start; index < code.length; index += 1) {
    const char = code[index];
    if (char === '\\') {
      index += 1;
    } else if (char === close && depth === 0) {
      return index;
    } else if (char === close) {
      depth -= 1;
    } else if (char === open && close !== open) {
      depth += 1;
    }
  }
  return undefined;
}
