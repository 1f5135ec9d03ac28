/**
 * Values that bash computes at run time from constants written on the same line: variables
 * set by `read` from a here-string or heredoc, `mapfile`, `printf -v`, `declare`, arrays and
 * `set --`, parameter expansions such as `${v//x/y}` or `${!name}`, and command substitutions
 * whose output is a constant (`$(echo rm)`). Each is followed only where the result is exact
 * under bash 5.2 with default options; anything else returns undefined and stays dynamic.
 *
 * NOTE: not followed: `read` from a file (even one the line wrote) or the terminal, `read` in
 * a `while` loop over literal input, `mapfile` into the default `MAPFILE`,
 * `read -d`/`-n`/`-N`/`-u`, `declare -i`/`-n`/`-A`, associative arrays, `${@:N}` slices, the
 * value x has in the environment for `${x:-w}` (defaultWords reads w), `${v@Q}`
 * transformations, extended globs and character classes in patterns, and substitutions
 * running pipelines or programs other than `echo`, `printf` and `cat` of a here-string.
 */
import type { Node } from 'web-tree-sitter';
import {
  expandTilde,
  isVisible,
  wordValue,
  type ConstantVariable,
  type WordContext,
} from './shell-words.js';
import type { PlacedStatement } from './statement-places.js';

/** Default IFS: space, tab and newline. */
const DEFAULT_IFS = ' \t\n';

/** Values longer than this are not computed, which bounds the pattern matching work. */
const MAX_VALUE_LENGTH = 4096;

/** Characters outside ASCII, whose case and length depend on the locale. */
const NON_ASCII = /[^\p{ASCII}]/u;

/** A variable name as bash accepts it. */
const NAME = /^[A-Za-z_]\w*$/;

/** Variables one statement sets, and the text range of that statement. */
export interface StatementBinding {
  start: number;
  end: number;
  values: Map<string, ConstantVariable>;
}

/** Statement types that cheap text tests mark as possibly setting variables. */
const BINDING_PROGRAMS = new Set(['read', 'printf', 'set', 'mapfile', 'readarray']);

/**
 * Finds the variables that `read`, `mapfile`, `printf -v` and `set --` statements set to
 * values known from the line itself, for the statements that have a place (see
 * statement-places.ts). A value set on only some paths is marked conditional, and one set in
 * a function body is visible only inside it.
 */
export function statementBindings(
  statements: readonly PlacedStatement[],
  state: WordContext,
): StatementBinding[] {
  const bindings: StatementBinding[] = [];
  for (const { node: statement, place } of statements) {
    const command =
      statement.type === 'redirected_statement' ? statement.firstNamedChild : statement;
    if (command === null || command.type !== 'command') {
      continue;
    }
    const program = command.childForFieldName('name')?.text ?? '';
    // A function's `set --` changes only its own positional parameters.
    if (
      !BINDING_PROGRAMS.has(program) ||
      place.never === true ||
      (program === 'set' && place.scopeEnd !== undefined)
    ) {
      continue;
    }
    const values =
      program === 'read'
        ? readValues(statement, command, state)
        : program === 'printf'
          ? printfVariable(command, state)
          : program === 'set'
            ? positionalParameters(statement, command, state)
            : mapfileArray(statement, command, state);
    if (values === undefined) {
      continue;
    }
    for (const value of values.values()) {
      value.conditional = place.conditional || undefined;
      value.certainEnd = place.certainEnd;
      value.scopeEnd = place.scopeEnd;
    }
    bindings.push({ start: statement.startIndex, end: statement.endIndex, values });
  }
  return bindings;
}

/** Returns the argument words of a simple command after its name, or undefined if any is dynamic. */
function constantArguments(command: Node, state: WordContext): string[] | undefined {
  const args: string[] = [];
  let seenName = false;
  for (const child of command.namedChildren) {
    if (child === null) {
      continue;
    }
    if (child.type === 'command_name') {
      seenName = true;
      continue;
    }
    if (!seenName || child.type.endsWith('redirect')) {
      continue;
    }
    const value = wordValue(child, state);
    if (value.dynamic || hasUnquotedGlob(child)) {
      return undefined;
    }
    args.push(value.text);
  }
  return args;
}

/** True when an unquoted part of the word has a glob character, so bash may expand it to file names. */
function hasUnquotedGlob(node: Node): boolean {
  if (node.type === 'word') {
    return /[*?[]/.test(node.text.replace(/\\./g, ''));
  }
  if (node.type === 'concatenation') {
    return node.namedChildren.some((child) => child !== null && hasUnquotedGlob(child));
  }
  return false;
}

/** Options of `read` that are followed; the value options take the next word. */
const READ_FLAGS = new Set(['r', 's', 'e']);
const READ_VALUE_FLAGS = new Set(['a', 'p', 't', 'i']);

/**
 * Computes what `read` sets from a here-string or from `< <(CMD)` with a constant output, as
 * `read -r v <<< 'w'`, `IFS=, read -r a b <<< "x,y"` or `read -a words <<< 'a b'`.
 */
function readValues(
  statement: Node,
  command: Node,
  state: WordContext,
): Map<string, ConstantVariable> | undefined {
  const call = inputAndArguments(statement, command, state);
  if (call === undefined) {
    return undefined;
  }
  const { input, args } = call;
  let raw = false;
  let arrayName: string | undefined;
  const names: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (names.length === 0 && arrayName === undefined && /^-[a-zA-Z]+$/.test(arg)) {
      const flags = arg.slice(1);
      for (let at = 0; at < flags.length; at += 1) {
        const flag = flags[at] ?? '';
        if (READ_FLAGS.has(flag)) {
          raw ||= flag === 'r';
        } else if (READ_VALUE_FLAGS.has(flag)) {
          // The value is the rest of this word or, when none is left, the next word.
          const value = at < flags.length - 1 ? flags.slice(at + 1) : args[(index += 1)];
          if (value === undefined) {
            return undefined;
          }
          if (flag === 'a') {
            arrayName = value;
          }
          break;
        } else {
          return undefined;
        }
      }
    } else if (arg === '--' && names.length === 0) {
      continue;
    } else if (NAME.test(arg)) {
      names.push(arg);
    } else {
      return undefined;
    }
  }
  const ifs = prefixIfs(command, state);
  const newline = input.indexOf('\n');
  const line = newline === -1 ? input : input.slice(0, newline);
  // Without -r a backslash escapes the next character, which also keeps it from splitting.
  if (ifs === undefined || (!raw && line.includes('\\')) || line.length > MAX_VALUE_LENGTH) {
    return undefined;
  }
  const from = statement.endIndex;
  const values = new Map<string, ConstantVariable>();
  if (arrayName !== undefined) {
    if (!NAME.test(arrayName) || names.length > 0) {
      return undefined;
    }
    const elements = splitFields(line, ifs);
    values.set(arrayName, { value: elements[0] ?? '', elements, from });
    return values;
  }
  if (names.length === 0) {
    return undefined;
  }
  const fields = readFields(line, ifs, names.length);
  names.forEach((name, index) => values.set(name, { value: fields[index] ?? '', from }));
  return values;
}

/**
 * Returns the standard input of a `read` or `mapfile` call and its constant arguments, or
 * undefined unless the line shows both.
 */
function inputAndArguments(
  statement: Node,
  command: Node,
  state: WordContext,
): { input: string; args: string[] } | undefined {
  const input = readInput(statement, command, state);
  const args = input === undefined ? undefined : constantArguments(command, state);
  return input === undefined || args === undefined ? undefined : { input, args };
}

/**
 * Returns the text `read` or `mapfile` gets on standard input from a here-string, a heredoc
 * or `< <(CMD)` with a constant output, or undefined when the line does not show it.
 */
function readInput(statement: Node, command: Node, state: WordContext): string | undefined {
  for (const child of command.namedChildren) {
    if (child?.type === 'herestring_redirect') {
      const word = child.lastNamedChild;
      const value = word === null ? undefined : wordValue(word, state);
      return value === undefined || value.dynamic ? undefined : `${value.text}\n`;
    }
  }
  if (statement === command) {
    return undefined;
  }
  const redirects = statement.namedChildren.filter((child) => child?.id !== command.id);
  const redirect = redirects.length === 1 ? redirects[0] : undefined;
  if (redirect?.type === 'heredoc_redirect') {
    return heredocText(redirect);
  }
  const target = redirect?.lastNamedChild;
  if (redirect?.type !== 'file_redirect' || !redirect.text.startsWith('<') || !target) {
    return undefined;
  }
  return target.type === 'process_substitution' ? commandOutput(target, state) : undefined;
}

/**
 * Returns the text of a heredoc: literal when its delimiter is quoted, and for an unquoted
 * delimiter only when the body has no `$`, backquote or backslash that bash would expand.
 * `<<-` removes leading tabs from each line.
 */
function heredocText(redirect: Node): string | undefined {
  const start = redirect.namedChildren.find((child) => child?.type === 'heredoc_start');
  const body = redirect.namedChildren.find((child) => child?.type === 'heredoc_body');
  if (start === undefined || start === null) {
    return undefined;
  }
  const text = body?.text ?? '';
  const quoted = /['"\\]/.test(start.text);
  if ((!quoted && /[$`\\]/.test(text)) || text.length > MAX_VALUE_LENGTH) {
    return undefined;
  }
  return redirect.text.startsWith('<<-') ? text.replace(/^\t+/gm, '') : text;
}

/** Returns the IFS a command runs with: its own `IFS=…` prefix, else the default one. */
function prefixIfs(command: Node, state: WordContext): string | undefined {
  for (const child of command.namedChildren) {
    if (child?.type !== 'variable_assignment') {
      continue;
    }
    if (child.childForFieldName('name')?.text === 'IFS') {
      const value = child.childForFieldName('value');
      const ifs = value === null ? { text: '', dynamic: false } : wordValue(value, state);
      return ifs.dynamic ? undefined : ifs.text;
    }
  }
  return state.ifsAssigned === true ? undefined : DEFAULT_IFS;
}

/**
 * Splits off one field as bash's `read` does: up to the next IFS character, then any IFS
 * whitespace, at most one other IFS character and the IFS whitespace after it.
 */
function nextField(text: string, ifs: string): [string, string] {
  let end = 0;
  while (end < text.length && !ifs.includes(text[end] ?? '')) {
    end += 1;
  }
  const field = text.slice(0, end);
  let rest = end;
  rest = skipIfsWhitespace(text, rest, ifs);
  if (rest < text.length && !isSpace(text[rest]) && ifs.includes(text[rest] ?? '')) {
    rest = skipIfsWhitespace(text, rest + 1, ifs);
  }
  return [field, text.slice(rest)];
}

function isSpace(char: string | undefined): boolean {
  return char === ' ' || char === '\t' || char === '\n';
}

function skipIfsWhitespace(text: string, from: number, ifs: string): number {
  let index = from;
  while (index < text.length && isSpace(text[index]) && ifs.includes(text[index] ?? '')) {
    index += 1;
  }
  return index;
}

/** Removes IFS whitespace at both ends, as `read` does before splitting. */
function trimIfsWhitespace(line: string, ifs: string, start = true): string {
  let from = 0;
  let to = line.length;
  while (start && from < to && isSpace(line[from]) && ifs.includes(line[from] ?? '')) {
    from += 1;
  }
  while (to > from && isSpace(line[to - 1]) && ifs.includes(line[to - 1] ?? '')) {
    to -= 1;
  }
  return line.slice(from, to);
}

/**
 * Returns the values `read` gives `count` names: one field each, and the rest of the line for
 * the last name. As in bash 5.2, a rest that is a single field ends without its delimiter,
 * and any other rest keeps its delimiters and loses only trailing IFS whitespace.
 */
function readFields(line: string, ifs: string, count: number): string[] {
  if (ifs === '') {
    return [line];
  }
  let rest = trimIfsWhitespace(line, ifs, true);
  const fields: string[] = [];
  for (let index = 0; index < count - 1 && rest !== ''; index += 1) {
    const [field, after] = nextField(rest, ifs);
    fields.push(field);
    rest = after;
  }
  if (rest !== '') {
    const [field, after] = nextField(rest, ifs);
    fields.push(after === '' ? field : trimIfsWhitespace(rest, ifs, false));
  }
  return fields;
}

/** Splits a whole line into fields, as `read -a` does. */
function splitFields(line: string, ifs: string): string[] {
  if (ifs === '') {
    return line === '' ? [] : [line];
  }
  let rest = trimIfsWhitespace(line, ifs, true);
  const fields: string[] = [];
  while (rest !== '') {
    const [field, after] = nextField(rest, ifs);
    fields.push(field);
    rest = after;
  }
  return fields;
}

/**
 * Computes the array `mapfile` or `readarray` fills from input the line shows, with the
 * options `-t`, `-d DELIM`, `-n COUNT` and `-s COUNT`. The array must be named: the default
 * `MAPFILE` is not followed, nor are `-O`, `-u`, `-C` and `-c`.
 */
function mapfileArray(
  statement: Node,
  command: Node,
  state: WordContext,
): Map<string, ConstantVariable> | undefined {
  const call = inputAndArguments(statement, command, state);
  const options = call === undefined ? undefined : mapfileOptions(call.args);
  if (call === undefined || options === undefined) {
    return undefined;
  }
  const { input } = call;
  const lines: string[] = [];
  let rest = input;
  while (rest !== '') {
    const end = rest.indexOf(options.delimiter);
    lines.push(end === -1 ? rest : rest.slice(0, options.trim ? end : end + 1));
    rest = end === -1 ? '' : rest.slice(end + 1);
  }
  const { skip, count } = options;
  const elements = lines.slice(skip, count === 0 ? undefined : skip + count);
  return new Map([
    [options.name, { value: elements[0] ?? '', elements, from: statement.endIndex }],
  ]);
}

/** Options of one `mapfile` call and the array it fills. */
interface MapfileOptions {
  name: string;
  trim: boolean;
  delimiter: string;
  /** Lines to keep; 0 keeps all. */
  count: number;
  /** Lines to skip first. */
  skip: number;
}

/** Reads the options and the array name of `mapfile`, or returns undefined for any other option. */
function mapfileOptions(args: string[]): MapfileOptions | undefined {
  const options = { name: '', trim: false, delimiter: '\n', count: 0, skip: 0 };
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (options.name !== '') {
      return undefined;
    }
    if (arg === '--') {
      continue;
    }
    if (!arg.startsWith('-')) {
      options.name = arg;
      continue;
    }
    const flags = arg.slice(1);
    for (let at = 0; at < flags.length; at += 1) {
      const flag = flags[at] ?? '';
      if (flag === 't') {
        options.trim = true;
        continue;
      }
      if (flag !== 'd' && flag !== 'n' && flag !== 's') {
        return undefined;
      }
      // The value is the rest of this word or, when none is left, the next word.
      const value = at < flags.length - 1 ? flags.slice(at + 1) : args[(index += 1)];
      if (value === undefined) {
        return undefined;
      }
      if (flag === 'd') {
        // An empty delimiter is the NUL byte, which no computed text contains.
        options.delimiter = value === '' ? '\0' : value.slice(0, 1);
      } else if (!/^\d{1,6}$/.test(value)) {
        return undefined;
      } else if (flag === 'n') {
        options.count = Number(value);
      } else {
        options.skip = Number(value);
      }
      break;
    }
  }
  return NAME.test(options.name) ? options : undefined;
}

/** Computes the variable `printf -v NAME FORMAT ARGS…` sets. */
function printfVariable(
  command: Node,
  state: WordContext,
): Map<string, ConstantVariable> | undefined {
  const args = constantArguments(command, state);
  if (args === undefined || args[0] !== '-v') {
    return undefined;
  }
  const name = args[1] ?? '';
  const rest = args[2] === '--' ? args.slice(3) : args.slice(2);
  const [format, ...values] = rest;
  if (!NAME.test(name) || format === undefined) {
    return undefined;
  }
  const text = formatPrintf(format, values);
  return text === undefined
    ? undefined
    : new Map([[name, { value: text, from: command.endIndex }]]);
}

/** Options of `set` whose last letter `o` takes the next word as its value, as in `-euo pipefail`. */
const SET_VALUE_OPTION = /^[-+]\w*o$/;

/**
 * Computes the positional parameters `set -- WORDS` or `set WORDS` gives, stored under the
 * name `@` with one element per parameter. `set` with options only leaves them unchanged.
 */
function positionalParameters(
  statement: Node,
  command: Node,
  state: WordContext,
): Map<string, ConstantVariable> | undefined {
  const args = constantArguments(command, state);
  if (args === undefined) {
    return undefined;
  }
  let index = 0;
  while (index < args.length && /^[-+]/.test(args[index] ?? '') && args[index] !== '--') {
    index += SET_VALUE_OPTION.test(args[index] ?? '') ? 2 : 1;
  }
  if (index >= args.length) {
    return undefined;
  }
  const elements = args.slice(args[index] === '--' ? index + 1 : index);
  return new Map([['@', { value: elements[0] ?? '', elements, from: statement.endIndex }]]);
}

/**
 * Returns the elements of an array assignment `(a b c)` when each is a constant word that
 * no file name expansion can change, or undefined.
 */
export function arrayElements(array: Node, state: WordContext): string[] | undefined {
  const elements: string[] = [];
  for (const child of array.namedChildren) {
    if (child === null || child.type === 'comment') {
      continue;
    }
    // `[2]=x` sets an index; only plain lists are followed.
    if (child.text.startsWith('[') || hasUnquotedGlob(child)) {
      return undefined;
    }
    const value = wordValue(child, state);
    if (value.dynamic) {
      return undefined;
    }
    elements.push(value.text);
  }
  return elements;
}

/** Options of `declare`, `typeset`, `local`, `export` and `readonly` whose assignments are followed. */
const DECLARE_FLAGS = /^-[rxgatlu]+$/;

/**
 * Applies the options of the declaration around an assignment: returns the value the
 * variable gets (lowercased by `-l`, uppercased by `-u`), or undefined when an option makes
 * it something else (`-i` arithmetic, `-n` reference) or is not followed.
 */
export function declaredValue(declaration: Node, value: string): string | undefined {
  let lower = false;
  let upper = false;
  for (const child of declaration.namedChildren) {
    if (child === null || child.type !== 'word') {
      continue;
    }
    const flags = child.text;
    if (!flags.startsWith('-') && !flags.startsWith('+')) {
      continue;
    }
    if (!DECLARE_FLAGS.test(flags)) {
      return undefined;
    }
    lower ||= flags.includes('l');
    upper ||= flags.includes('u');
  }
  if (lower || upper) {
    // Bash lets the last of -l and -u win; with both in one command the order is not tracked.
    if ((lower && upper) || NON_ASCII.test(value)) {
      return undefined;
    }
    return lower ? value.toLowerCase() : value.toUpperCase();
  }
  return value;
}

/**
 * Returns the output of a command substitution or process substitution that runs one
 * `echo`, `printf` or `cat <<< WORD` with constant words, or undefined. Trailing newlines
 * are kept; the caller removes them where bash does.
 */
export function commandOutput(node: Node, state: WordContext): string | undefined {
  const commands = node.namedChildren.filter((child) => child !== null && child.type !== 'comment');
  const command = commands.length === 1 ? commands[0] : undefined;
  if (command === undefined || command === null || command.type !== 'command') {
    return undefined;
  }
  const first = command.firstNamedChild;
  if (first?.type !== 'command_name') {
    return undefined;
  }
  const program = first.text;
  const args = constantArguments(command, state);
  if (args === undefined) {
    return undefined;
  }
  let herestring: Node | null = null;
  for (const child of command.namedChildren) {
    if (child?.type.endsWith('redirect') === true) {
      if (child.type !== 'herestring_redirect' || program !== 'cat') {
        return undefined;
      }
      herestring = child.lastNamedChild;
    }
  }
  if (program === 'echo') {
    return echoOutput(args);
  }
  if (program === 'printf') {
    return args.length === 0 || args[0]?.startsWith('-') === true
      ? undefined
      : formatPrintf(args[0] ?? '', args.slice(1));
  }
  if (program === 'cat' && herestring !== null && (args.length === 0 || args[0] === '-')) {
    const value = wordValue(herestring, state);
    return value.dynamic || args.length > 1 ? undefined : `${value.text}\n`;
  }
  return undefined;
}

/** Returns what bash's builtin `echo` prints for `args`. */
function echoOutput(args: string[]): string | undefined {
  let index = 0;
  let newline = true;
  let escapes = false;
  while (index < args.length && /^-[neE]+$/.test(args[index] ?? '')) {
    const flags = args[index] ?? '';
    for (const flag of flags.slice(1)) {
      if (flag === 'n') {
        newline = false;
      } else {
        escapes = flag === 'e';
      }
    }
    index += 1;
  }
  let text = args.slice(index).join(' ');
  if (escapes) {
    const decoded = decodeEscapes(text);
    if (decoded === undefined) {
      return undefined;
    }
    text = decoded;
  }
  return newline ? `${text}\n` : text;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\',
  a: '\x07',
  b: '\b',
  e: '\x1b',
  E: '\x1b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

/**
 * Decodes the named backslash escapes that printf formats, `printf %b` and `echo -e` share
 * (`\n`, `\t`, `\\` …). Returns undefined for escapes that give a character by its number
 * (`\x72`, `\162`, `\u…`), so encoded text keeps going to a human, and for `\c`, which stops
 * the output.
 */
function decodeEscapes(text: string): string | undefined {
  if (!text.includes('\\')) {
    return text;
  }
  let result = '';
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index] ?? '';
    if (char !== '\\') {
      result += char;
      continue;
    }
    const simple = SIMPLE_ESCAPES[text[index + 1] ?? ''];
    if (simple === undefined) {
      return undefined;
    }
    result += simple;
    index += 1;
  }
  return result;
}

/** One conversion of a printf format: `%s`, `%b`, `%d`, `%i`, `%c` or the literal `%%`. */
const CONVERSION = /%([sbdic%])/g;

/**
 * Returns what bash's `printf FORMAT ARGS…` prints. The format is reused while arguments
 * remain, and missing ones read as empty strings or zero. Widths, precisions, flags and other
 * conversions (such as `%(…)T` or `%q`) return undefined.
 */
export function formatPrintf(format: string, args: string[]): string | undefined {
  if (/%(?![sbdic])/.test(format.replace(/%%/g, ''))) {
    return undefined;
  }
  const decoded = decodeEscapes(format);
  if (decoded === undefined) {
    return undefined;
  }
  let output = '';
  let next = 0;
  do {
    const start = next;
    let failed = false;
    output += decoded.replace(CONVERSION, (_match, conversion: string) => {
      if (conversion === '%') {
        return '%';
      }
      const arg = args[next];
      next += 1;
      const text = convert(conversion, arg);
      failed ||= text === undefined;
      return text ?? '';
    });
    if (failed || output.length > MAX_VALUE_LENGTH) {
      return undefined;
    }
    // A format that consumes no argument is printed once.
    if (next === start) {
      break;
    }
  } while (next < args.length);
  return output;
}

function convert(conversion: string, arg: string | undefined): string | undefined {
  switch (conversion) {
    case 's':
      return arg ?? '';
    case 'b':
      return decodeEscapes(arg ?? '');
    case 'c':
      return (arg ?? '').slice(0, 1);
    default:
      // %d and %i: plain decimal integers only, so no arithmetic or base rules apply.
      if (arg === undefined) {
        return '0';
      }
      return /^[+-]?\d{1,15}$/.test(arg) ? String(Number(arg)) : undefined;
  }
}

/** Removes the trailing newlines that command substitution drops. */
export function substitutionText(output: string): string {
  return output.replace(/\n+$/, '');
}

/** The parts of a `${…}` expansion that {@link expandParameter} reads. */
const PARAMETER =
  /^\$\{(#|!)?([A-Za-z_]\w*|\d+|[@*#])(?:\[([^\]]*)\])?(?:(:?[-=+?]|##?|%%?|\/[/#%]?|\^\^?|,,?|:)([\s\S]*))?\}$/;

/** Looks up a variable visible at `offset`. */
function lookup(state: WordContext, name: string, offset: number): ConstantVariable | undefined {
  const known = state.variables?.get(name);
  return known !== undefined && isVisible(known, offset) && known.copy !== true ? known : undefined;
}

/**
 * Positional parameters: inside a function body, the arguments of the call being judged, and
 * elsewhere the ones `set --` gave earlier on the line.
 */
function positional(node: Node, state: WordContext): string[] | undefined {
  for (let parent = node.parent; parent !== null; parent = parent.parent) {
    if (parent.type === 'function_definition') {
      const call = state.functionCall;
      return call !== undefined && parent.id === call.definition ? call.args : undefined;
    }
  }
  return lookup(state, '@', node.startIndex)?.elements;
}

/**
 * The value of one parameter: a scalar (`value`) or the words of an array or of `$@`
 * (`elements`, which expand to several words in `"${a[@]}"`).
 */
interface ParameterValue {
  value: string | undefined;
  elements?: string[];
  /** True for `$*` and `${a[*]}`, which join their elements into one word when quoted. */
  star?: boolean;
}

/** Reads parameter `name` with an optional subscript, or returns undefined when unknown. */
function parameterValue(
  node: Node,
  state: WordContext,
  name: string,
  subscript: string | undefined,
): ParameterValue | undefined {
  if (/^\d+$/.test(name) || name === '@' || name === '*' || name === '#') {
    if (subscript !== undefined || name === '0') {
      return undefined;
    }
    const parameters = positional(node, state);
    if (parameters === undefined) {
      return undefined;
    }
    if (name === '#') {
      return { value: String(parameters.length) };
    }
    if (name === '@' || name === '*') {
      return { value: parameters.join(' '), elements: parameters, star: name === '*' };
    }
    return { value: parameters[Number(name) - 1] };
  }
  if ((name === 'HOME' || name === 'PWD') && subscript === undefined) {
    return { value: name === 'HOME' ? state.homeDir : state.cwd };
  }
  const known = lookup(state, name, node.startIndex);
  if (known === undefined) {
    return undefined;
  }
  const elements = known.elements ?? [known.value];
  if (subscript === undefined) {
    return { value: known.value };
  }
  if (subscript === '@' || subscript === '*') {
    return { value: elements.join(' '), elements, star: subscript === '*' };
  }
  if (!/^-?\d+$/.test(subscript)) {
    return undefined;
  }
  const index = Number(subscript);
  return { value: elements[index < 0 ? elements.length + index : index] };
}

/**
 * Computes a `${…}` expansion of known values: subscripts (`${a[1]}`, `${a[@]}`), positional
 * parameters, `${#v}`, `${!name}`, defaults of set variables, pattern removal and
 * replacement, case changes and substrings. Returns the value with `elements` when it
 * expands to several words, or undefined when any part is unknown or not followed.
 */
export function expandParameter(node: Node, state: WordContext): ParameterValue | undefined {
  const text = node.text;
  if (node.type === 'simple_expansion') {
    const name = text.slice(1);
    return /^(?:\d|[@*#])$/.test(name) ? parameterValue(node, state, name, undefined) : undefined;
  }
  const parts = PARAMETER.exec(text);
  if (parts === null) {
    return undefined;
  }
  const [, prefix, name = '', subscript, operator, operand = ''] = parts;
  let target = parameterValue(node, state, name, subscript);
  if (prefix === '!') {
    // Indirection: the value names the variable to expand.
    const named = target?.value;
    if (named === undefined || !NAME.test(named) || subscript !== undefined) {
      return undefined;
    }
    target = parameterValue(node, state, named, undefined);
  }
  if (target === undefined) {
    const fallback = state.assumeUnset === true && prefix === undefined && operator !== undefined;
    return fallback && /^:?[-=]$/.test(operator) ? literalOperand(operand, state) : undefined;
  }
  if (prefix === '#') {
    if (operator !== undefined) {
      return undefined;
    }
    if (target.elements !== undefined) {
      return { value: String(target.elements.length) };
    }
    const value = target.value ?? '';
    return NON_ASCII.test(value) ? undefined : { value: String(value.length) };
  }
  if (operator === undefined) {
    return target;
  }
  if (target.elements !== undefined && subscript === '@' && operator === ':') {
    // `${a[@]:OFFSET:LENGTH}` selects elements, not characters.
    return elementSlice(target.elements, operand);
  }
  if (
    target.elements !== undefined &&
    (subscript === '@' || subscript === '*' || name === '@' || name === '*')
  ) {
    return eachElement(target, operator, operand, state);
  }
  if (target.elements !== undefined && target.elements.length !== 1) {
    return undefined;
  }
  const value = target.elements?.[0] ?? target.value;
  return operate(value, operator, operand, state);
}

/** Operators that `${a[@]OP…}` applies to each element: pattern removal and replacement, case changes. */
const ELEMENT_OPERATOR = /^(?:##?|%%?|\/[/#%]?|\^\^?|,,?)$/;

/**
 * Applies a pattern or case operator to each element of `${a[@]}`, `${a[*]}` or `$@`, as bash
 * does. Default-value operators on arrays are not followed.
 */
function eachElement(
  target: ParameterValue,
  operator: string,
  operand: string,
  state: WordContext,
): ParameterValue | undefined {
  const elements: string[] = [];
  if (!ELEMENT_OPERATOR.test(operator)) {
    return undefined;
  }
  for (const element of target.elements ?? []) {
    const value = operate(element, operator, operand, state)?.value;
    if (value === undefined) {
      return undefined;
    }
    elements.push(value);
  }
  return { value: elements.join(' '), elements, star: target.star };
}

/** Computes `${a[@]:OFFSET}` and `${a[@]:OFFSET:LENGTH}` of known elements for integer literals. */
function elementSlice(elements: readonly string[], operand: string): ParameterValue | undefined {
  const parts = /^\s*(\(?\s*-?\d+\s*\)?)\s*(?::\s*(\d+)\s*)?$/.exec(operand);
  if (parts === null) {
    return undefined;
  }
  let offset = Number((parts[1] ?? '').replace(/[()\s]/g, ''));
  if (offset < 0) {
    offset += elements.length;
  }
  const picked =
    offset < 0
      ? []
      : elements.slice(offset, parts[2] === undefined ? undefined : offset + Number(parts[2]));
  return { value: picked[0] ?? '', elements: picked };
}

/** Applies one `${v OPERATOR OPERAND}` operator to a known value (undefined when unset). */
function operate(
  value: string | undefined,
  operator: string,
  operand: string,
  state: WordContext,
): ParameterValue | undefined {
  if (value !== undefined && value.length > MAX_VALUE_LENGTH) {
    return undefined;
  }
  if (/^:?[-=+?]$/.test(operator)) {
    const empty = value === undefined || (operator.startsWith(':') && value === '');
    const kind = operator.slice(-1);
    if (kind === '+') {
      return empty ? { value: '' } : literalOperand(operand, state);
    }
    if (!empty) {
      return { value };
    }
    // An unset variable takes the operand (or fails, for `?`); a `=` would also assign it.
    return kind === '-' ? literalOperand(operand, state) : undefined;
  }
  if (value === undefined) {
    return undefined;
  }
  if (operator === ':') {
    return substring(value, operand);
  }
  if (operator === '^' || operator === '^^' || operator === ',' || operator === ',,') {
    return caseChange(value, operator, operand);
  }
  if (operator.startsWith('/')) {
    return replacePattern(value, operator, operand);
  }
  return removePattern(value, operator, operand);
}

/** Returns an operand word (`w` in `${v:-w}`) of plain characters, with `~` expanded. */
function literalOperand(operand: string, state: WordContext): ParameterValue | undefined {
  if (/^[\w./+@%,:=~-]*$/.test(operand)) {
    return { value: expandTilde(operand, state.homeDir, state.cwd) };
  }
  const quoted = /^'([^']*)'$/.exec(operand);
  return quoted === null ? undefined : { value: quoted[1] };
}

/** Computes `${v:OFFSET}` and `${v:OFFSET:LENGTH}` for integer literals. */
function substring(value: string, operand: string): ParameterValue | undefined {
  const parts = /^\s*(\(?\s*-?\d+\s*\)?)\s*(?::\s*(-?\d+)\s*)?$/.exec(operand);
  if (parts === null || NON_ASCII.test(value)) {
    return undefined;
  }
  const offsetText = (parts[1] ?? '').replace(/[()\s]/g, '');
  let offset = Number(offsetText);
  if (offset < 0) {
    offset += value.length;
    // A negative offset before the start expands to nothing.
    if (offset < 0) {
      return { value: '' };
    }
  }
  if (offset > value.length) {
    return { value: '' };
  }
  if (parts[2] === undefined) {
    return { value: value.slice(offset) };
  }
  const length = Number(parts[2]);
  const end = length < 0 ? value.length + length : offset + length;
  if (end < offset) {
    // Bash reports "substring expression < 0" and runs no command.
    return undefined;
  }
  return { value: value.slice(offset, end) };
}

function caseChange(value: string, operator: string, operand: string): ParameterValue | undefined {
  if (operand !== '' || NON_ASCII.test(value)) {
    return undefined;
  }
  const change = (text: string): string =>
    operator.startsWith('^') ? text.toUpperCase() : text.toLowerCase();
  return {
    value: operator.length === 2 ? change(value) : change(value.slice(0, 1)) + value.slice(1),
  };
}

/**
 * Converts a glob pattern of literal characters, `*`, `?` and simple bracket lists to a
 * regular expression source, or returns undefined for quotes, escapes, expansions,
 * character classes and extended globs.
 */
export function patternSource(pattern: string): string | undefined {
  if (/["'\\$`]|\[:|[?*+@!]\(/.test(pattern)) {
    return undefined;
  }
  let source = '';
  for (let index = 0; index < pattern.length; index += 1) {
    const char = pattern[index] ?? '';
    if (char === '*') {
      source += '[\\s\\S]*';
    } else if (char === '?') {
      source += '[\\s\\S]';
    } else if (char === '[') {
      const list = /^\[([!^]?)(\]?[^\]]*)\]/.exec(pattern.slice(index));
      if (list === null) {
        source += '\\[';
        continue;
      }
      const body = (list[2] ?? '').replace(/[\\\]^]/g, '\\$&');
      source += `[${list[1] === '' ? '' : '^'}${body}]`;
      index += list[0].length - 1;
    } else {
      source += char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    }
  }
  return source;
}

/** Computes `${v#p}`, `${v##p}`, `${v%p}` and `${v%%p}`. */
function removePattern(
  value: string,
  operator: string,
  pattern: string,
): ParameterValue | undefined {
  const source = patternSource(pattern);
  if (source === undefined) {
    return undefined;
  }
  const whole = new RegExp(`^(?:${source})$`);
  const longest = operator.length === 2;
  const lengths = [...Array(value.length + 1).keys()];
  if (longest) {
    lengths.reverse();
  }
  for (const length of lengths) {
    if (operator.startsWith('#') && whole.test(value.slice(0, length))) {
      return { value: value.slice(length) };
    }
    if (operator.startsWith('%') && whole.test(value.slice(value.length - length))) {
      return { value: value.slice(0, value.length - length) };
    }
  }
  return { value };
}

/**
 * Computes `${v/p/r}`, `${v//p/r}`, `${v/#p/r}` and `${v/%p/r}`: the longest match is
 * replaced, at the first position that matches or at each one. Replacements with `&` (which
 * bash 5.2 reads as the matched text), quotes, escapes or expansions are not followed.
 */
function replacePattern(
  value: string,
  operator: string,
  operand: string,
): ParameterValue | undefined {
  const slash = operand.indexOf('/');
  const pattern = slash === -1 ? operand : operand.slice(0, slash);
  const replacement = slash === -1 ? '' : operand.slice(slash + 1);
  const source = patternSource(pattern);
  if (source === undefined || /[&"'\\$`]|^~/.test(replacement)) {
    return undefined;
  }
  const whole = new RegExp(`^(?:${source})$`);
  if (operator === '/#' || operator === '/%') {
    const prefix = operator === '/#';
    for (let length = value.length; length >= 0; length -= 1) {
      const part = prefix ? value.slice(0, length) : value.slice(value.length - length);
      if (whole.test(part)) {
        return {
          value: prefix
            ? replacement + value.slice(length)
            : value.slice(0, value.length - length) + replacement,
        };
      }
    }
    return { value };
  }
  if (pattern === '') {
    return { value };
  }
  // A pattern that matches the empty string follows rules this does not model.
  if (whole.test('')) {
    return undefined;
  }
  let result = '';
  let index = 0;
  let replaced = false;
  while (index < value.length) {
    let end = -1;
    if (!replaced || operator === '//') {
      for (let stop = value.length; stop > index; stop -= 1) {
        if (whole.test(value.slice(index, stop))) {
          end = stop;
          break;
        }
      }
    }
    if (end === -1) {
      result += value[index] ?? '';
      index += 1;
    } else {
      result += replacement;
      index = end;
      replaced = true;
    }
  }
  return { value: result };
}
