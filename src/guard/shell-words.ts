/**
 * Word evaluation for the shell parser: quote removal, `~`, `$HOME` and `$PWD` expansion,
 * and ANSI-C strings. Any other expansion makes a word dynamic.
 */
import type { Node } from 'web-tree-sitter';
import {
  arrayElements,
  commandOutput,
  declaredValue,
  expandParameter,
  statementBindings,
  substitutionText,
} from './computed-values.js';
import { placedStatements, type PlacedStatement, type StatementPlace } from './statement-places.js';
import type { FunctionCall } from './shell-functions.js';

/** Values that `~`, `$HOME` and `$PWD` expand to. */
export interface WordContext {
  homeDir: string;
  cwd: string;
  /** True when the word's tree has syntax errors, where a node's children may not cover its text. */
  treeHasError?: boolean;
  /** Variables of the current tree with one known value, from {@link constantVariables}. */
  variables?: ReadonlyMap<string, ConstantVariable>;
  /**
   * True once the command line assigns `IFS`. Word splitting then depends on a value the
   * guard does not track, so no unquoted expansion has a known value.
   */
  ifsAssigned?: boolean;
  /**
   * True while reading a command as if the variables the line does not set were unset, so
   * `${x:-w}` and `${x:=w}` give `w`.
   */
  assumeUnset?: boolean;
  /** The function call whose body is being judged, which gives the body's `$1…` and `$@`. */
  functionCall?: FunctionCall;
}

/** A variable set once in a command line to a literal value. */
export interface ConstantVariable {
  value: string;
  /**
   * True when the value is another variable's run-time value, as `u` in `u=$DATABASE_URL`.
   * `value` is then that variable's reference (`$DATABASE_URL`), which checks read as such.
   */
  copy?: boolean;
  /** Offset in the tree's text after which expansions see the value. */
  from: number;
  /** Elements of an array, or of the positional parameters (stored as `@`); `value` is the first. */
  elements?: string[];
  /**
   * True when the statement that sets the value runs on only some paths (`X || v=w`, a branch),
   * so commands that use it are judged with the value and again without it.
   */
  conditional?: boolean;
  /** For a conditional value, the end offset of the region where uses always see it. */
  certainEnd?: number;
  /** End offset of the function body that sets the value, outside which it is not visible. */
  scopeEnd?: number;
}

/** True when expansions at `offset` see `known`: after it is set and inside its function body. */
export function isVisible(known: ConstantVariable, offset: number): boolean {
  return offset >= known.from && (known.scopeEnd === undefined || offset < known.scopeEnd);
}

/** The value of one word and whether it depends on run time. */
export interface WordValue {
  text: string;
  dynamic: boolean;
}

/** Text with no quotes, escapes, expansions, globs, `~` or `=`. */
const PLAIN_WORD = /^[\w./+@%,:-]+$/;

/**
 * Computes the value of a word after quote removal, with `~`, `$HOME` and `$PWD` expanded.
 * Callers that already read `node.type` pass it as `type`, which saves a call into the parser.
 */
export function wordValue(node: Node, state: WordContext, type = node.type): WordValue {
  switch (type) {
    case 'command_name': {
      // In a tree without errors, a name of plain characters is a single word whose value is
      // its text.
      const text = node.text;
      if (state.treeHasError !== true && PLAIN_WORD.test(text)) {
        return { text, dynamic: false };
      }
      const child = node.firstNamedChild;
      return child !== null
        ? wordValue(child, state)
        : { text: expandTilde(unescapeWord(text), state.homeDir, state.cwd), dynamic: false };
    }
    case 'word':
    case 'number':
      return {
        text: expandTilde(unescapeWord(node.text), state.homeDir, state.cwd),
        dynamic: false,
      };
    case 'raw_string':
      return { text: node.text.slice(1, -1), dynamic: false };
    case 'ansi_c_string':
      return { text: decodeAnsiC(node.text.slice(2, -1)), dynamic: false };
    case 'string_content':
      // Inside double quotes a backslash-newline is a line continuation, which bash removes.
      return {
        text: node.text.replace(/\\([$`"\\\n])/g, (_match, char: string) =>
          char === '\n' ? '' : char,
        ),
        dynamic: false,
      };
    case 'simple_expansion':
    case 'expansion':
      return expandVariable(node, state);
    case 'command_substitution':
      return substitutionValue(node, state);
    case 'process_substitution':
    case 'arithmetic_expansion':
    case 'brace_expression':
      return { text: node.text, dynamic: true };
    case 'string':
    case 'concatenation':
    case 'translated_string':
    case 'variable_assignment':
    case 'herestring_redirect':
      return joinParts(node, state, type);
    default:
      return { text: node.text, dynamic: node.namedChildCount > 0 };
  }
}

function joinParts(node: Node, state: WordContext, type: string): WordValue {
  if (type === 'string' || type === 'translated_string') {
    // Text between the named parts (spaces, punctuation) is literal inside double quotes.
    let text = '';
    let dynamic = false;
    let cursor = node.startIndex + (type === 'translated_string' ? 2 : 1);
    for (const child of node.namedChildren) {
      if (child === null) {
        continue;
      }
      text += node.tree.rootNode.text.slice(cursor, child.startIndex);
      const value = wordValue(child, state);
      text += value.text;
      dynamic ||= value.dynamic;
      cursor = child.endIndex;
    }
    text += node.tree.rootNode.text.slice(cursor, node.endIndex - 1);
    return { text, dynamic };
  }
  if (type === 'variable_assignment') {
    const name = node.childForFieldName('name')?.text ?? '';
    const value = node.childForFieldName('value');
    const inner = value === null ? { text: '', dynamic: false } : wordValue(value, state);
    return { text: `${name}=${inner.text}`, dynamic: inner.dynamic };
  }
  let text = '';
  let dynamic = false;
  for (const child of node.namedChildren) {
    if (child === null) {
      continue;
    }
    const value = wordValue(child, state);
    text += value.text;
    dynamic ||= value.dynamic;
  }
  return {
    text: type === 'concatenation' ? expandTilde(text, state.homeDir, state.cwd) : text,
    dynamic,
  };
}

function expandVariable(node: Node, state: WordContext): WordValue {
  const name = node.text.replace(/^\$\{?/, '').replace(/\}$/, '');
  if (name === 'HOME') {
    return { text: state.homeDir, dynamic: false };
  }
  if (name === 'PWD') {
    return { text: state.cwd, dynamic: false };
  }
  const known = IDENTIFIER.test(name) ? state.variables?.get(name) : undefined;
  const visible = known !== undefined && isVisible(known, node.startIndex);
  if (known?.copy === true && visible) {
    return { text: known.value, dynamic: true };
  }
  if (known !== undefined && visible) {
    return singleWord(node, known.value, state);
  }
  // `${HOME%/}` and `${PWD:-x}` keep a value the guard knows, on any line.
  const computed =
    state.variables === undefined && state.assumeUnset !== true && !KNOWN_OPERAND.test(name)
      ? undefined
      : expandParameter(node, state);
  const several = computed?.star !== true && (computed?.elements?.length ?? 1) !== 1;
  if (computed?.value === undefined || several || (computed.star && state.ifsAssigned)) {
    // Unset values and `${a[@]}` of several words are left to splitVariableWords, and
    // `${a[*]}` joins its elements with the first character of IFS.
    return { text: node.text, dynamic: true };
  }
  return computedWord(node, computed.value, state);
}

/** A variable name. */
const IDENTIFIER = /^[A-Za-z_]\w*$/;
/** The inside of a `${…}` expansion that applies an operator to `HOME` or `PWD`. */
const KNOWN_OPERAND = /^(?:HOME|PWD)[^\w[]/;

/**
 * Returns a known value of an expansion as one word. Unquoted, the value is split into words
 * at IFS characters and globbed, so only a value that stays one word under the default IFS
 * is known.
 */
function singleWord(node: Node, value: string, state: WordContext): WordValue {
  const quoted = node.parent?.type === 'string';
  const splits = state.ifsAssigned === true || /[\s*?[]/.test(value);
  return { text: value, dynamic: !quoted && splits };
}

/** Returns the output of `$(echo w)`, `$(printf …)` or `` `cat <<< w` `` when it is a constant. */
function substitutionValue(node: Node, state: WordContext): WordValue {
  const output = commandOutput(node, state);
  return output === undefined
    ? { text: node.text, dynamic: true }
    : computedWord(node, substitutionText(output), state);
}

/**
 * Returns a computed value as one word, or the expansion as written when bash would split or
 * glob it: checks read `$(…)` and `${…}` in a word as a value they cannot know.
 */
function computedWord(node: Node, value: string, state: WordContext): WordValue {
  const word = singleWord(node, value, state);
  return word.dynamic ? { text: node.text, dynamic: true } : word;
}

/**
 * Splits an unquoted `$NAME` or `${NAME}` of a known variable whose value holds several words,
 * as bash does with the default IFS: `PSQL="psql -h db"; $PSQL -c …` runs `psql` with the
 * arguments `-h db -c …`. Returns undefined for any other word, for a value with glob
 * characters (bash would also expand them as file names), and once the line assigns `IFS`.
 */
export function splitVariableWords(
  node: Node,
  state: WordContext,
  type = node.type,
): WordValue[] | undefined {
  if (type === 'command_name') {
    // The program name is a `command_name` node around the expansion.
    const child = node.firstNamedChild;
    return child !== null && child.text === node.text
      ? splitVariableWords(child, state)
      : undefined;
  }
  if (type === 'string') {
    return quotedWords(node, state);
  }
  if (state.ifsAssigned === true) {
    return undefined;
  }
  let values: string[] | undefined;
  if (type === 'command_substitution') {
    const output = commandOutput(node, state);
    values = output === undefined ? undefined : [substitutionText(output)];
  } else if (type === 'simple_expansion' || type === 'expansion') {
    values = unquotedValues(node, state);
  }
  if (values === undefined || values.some((value) => /[*?[]/.test(value))) {
    return undefined;
  }
  // Default IFS is space, tab and newline; leading and trailing ones make no empty words.
  return values
    .flatMap((value) => value.split(/[ \t\n]+/))
    .filter((word) => word !== '')
    .map((word) => ({ text: word, dynamic: false }));
}

/** Returns the known values an unquoted expansion splits, one per array element. */
function unquotedValues(node: Node, state: WordContext): string[] | undefined {
  const name = node.text.replace(/^\$\{?/, '').replace(/\}$/, '');
  const known = IDENTIFIER.test(name) ? state.variables?.get(name) : undefined;
  if (known !== undefined) {
    return known.copy === true || !isVisible(known, node.startIndex) ? undefined : [known.value];
  }
  const computed =
    state.variables === undefined && state.assumeUnset !== true
      ? undefined
      : expandParameter(node, state);
  if (computed === undefined) {
    return undefined;
  }
  return computed.elements ?? (computed.value === undefined ? undefined : [computed.value]);
}

/**
 * Expands `"${a[@]}"` and `"$@"` of known values to one word per element, as bash does;
 * returns undefined for any other double-quoted word.
 */
function quotedWords(node: Node, state: WordContext): WordValue[] | undefined {
  const inner = node.namedChildCount === 1 ? node.firstNamedChild : null;
  if (
    inner === null ||
    (inner.type !== 'expansion' && inner.type !== 'simple_expansion') ||
    !inner.text.includes('@') ||
    node.text !== `"${inner.text}"`
  ) {
    return undefined;
  }
  const computed =
    state.variables === undefined && state.assumeUnset !== true
      ? undefined
      : expandParameter(inner, state);
  if (computed?.elements === undefined || computed.star === true) {
    return undefined;
  }
  return computed.elements.map((text) => ({ text, dynamic: false }));
}

/** A `${NAME:-w}`, `${NAME-w}`, `${NAME:=w}` or `${NAME=w}` expansion. */
const DEFAULT_EXPANSION = /\$\{[\w@*#]+(?:\[[^\]]*\])?:?[-=]/;

/**
 * Returns the words of a simple command read with every variable the line does not set taken
 * as unset, so `git push ${r:-origin} ${b:-+main}` also reads as `git push origin +main`.
 * Returns undefined when the command has no default-value expansion.
 */
export function defaultWords(
  command: Node,
  state: WordContext,
  text: string,
): WordValue[] | undefined {
  if (!text.includes('${') || !DEFAULT_EXPANSION.test(text)) {
    return undefined;
  }
  return commandWords(command, { ...state, assumeUnset: true });
}

/**
 * Returns the words of a simple command read without the values that statements on only some
 * paths set (`X || v=w`, a branch), or undefined when the line has no such value. Such a value
 * may be missing when the command runs, so the command is judged both ways.
 */
export function unconditionalWords(command: Node, state: WordContext): WordValue[] | undefined {
  const variables = state.variables;
  if (variables === undefined) {
    return undefined;
  }
  let certain: Map<string, ConstantVariable> | undefined;
  const offset = command.startIndex;
  for (const [name, known] of variables) {
    if (known.conditional === true && !(offset < (known.certainEnd ?? 0))) {
      certain ??= new Map(variables);
      certain.delete(name);
    }
  }
  return certain === undefined
    ? undefined
    : commandWords(command, { ...state, variables: certain });
}

/** Computes the words of a simple command, after its assignments and without its redirects. */
function commandWords(command: Node, state: WordContext): WordValue[] {
  const words: WordValue[] = [];
  for (const child of command.namedChildren) {
    if (child === null || child.type === 'variable_assignment' || child.type.endsWith('redirect')) {
      continue;
    }
    const split = splitVariableWords(child, state);
    if (split === undefined) {
      words.push(wordValue(child, state));
    } else {
      words.push(...split);
    }
  }
  return words;
}

/** Programs whose statements may set variables without an assignment word. */
const BINDING_STATEMENT = /\b(?:read|printf|set|mapfile|readarray)\b/;

/**
 * Finds the variables that `root` sets exactly once to a literal value, such as `B` in
 * `B=ma; git push origin HEAD:${B}in`. Expanding them lets the checks see the real
 * arguments. Values set by `declare`, arrays, `read` from a here-string, `mapfile`,
 * `printf -v` and `set --` count too when computed-values.ts can compute them. Only statements
 * with a place (statement-places.ts) set values: top level, groups, branches, loops and
 * function bodies, but not pipelines or subshells. A variable set more than once, by `+=` or
 * `unset`, keeps its run-time value unknown. Returns an empty map when the text has only
 * command substitutions to compute, and undefined when there is nothing to compute.
 */
export function constantVariables(
  root: Node,
  state: WordContext,
  source = root.text,
): Map<string, ConstantVariable> | undefined {
  const variables = new Map<string, ConstantVariable>();
  const counts = new Map<string, number>();
  const assigns = source.includes('=');
  const binds = BINDING_STATEMENT.test(source);
  const statements = assigns || binds ? placedStatements(root, state) : [];
  if (assigns) {
    assignedVariables(root, state, source, statements, variables, counts);
  }
  if (binds) {
    for (const binding of statementBindings(statements, state)) {
      for (const [name, value] of binding.values) {
        const rebound =
          name === '@'
            ? setsOutside(POSITIONAL_CHANGE, source, binding.start, binding.end)
            : counts.has(name) ||
              setsOutside(rebindPattern(name), source, binding.start, binding.end);
        if (!rebound) {
          variables.set(name, value);
        }
      }
    }
  }
  if (variables.size > 0) {
    return variables;
  }
  return source.includes('$(') || source.includes('`') ? variables : undefined;
}

/** Statements that may change the positional parameters: `shift` and `set` with operands. */
const POSITIONAL_CHANGE =
  /\bshift\b|\bset(?:\s+[-+]\w*o\s+\w+|\s+[-+](?!\w*o\b)\w+)*\s+(?:--|[^-+\s;&|)])/g;

/**
 * Returns a pattern for the places other than a plain assignment that may set `name`:
 * builtins that assign (`read`, `declare`, `unset` …), `printf -v`, `eval NAME=`, `+=`,
 * element assignments, arithmetic and `${NAME:=…}`. A builtin's name counts only where it
 * is not part of a path or a longer word, so `/usr/local/bin/git … $NAME` does not rebind.
 */
function rebindPattern(name: string): RegExp {
  // The grammar also reads malformed words such as `*_=-` as assignments, so escape the name.
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(
    String.raw`(?<![\w/.-])(?:read|for|unset|getopts|let|local|declare|typeset|mapfile|readarray)\b[^;&|\n]*\b${escaped}\b|(?<![\w/.-])printf\b[^;&|\n]*-v\s*['"]?${escaped}\b|\beval\b[^;&|\n]*\b${escaped}\+?=|\b${escaped}(?:\[[^\]]*\])?\+=|\b${escaped}\[[^\]]*\]=|\(\([^)]*\b${escaped}\b|\$\{${escaped}:?=`,
    'g',
  );
}

/** True when `pattern` (global) matches `source` anywhere outside `start`..`end`. */
function setsOutside(pattern: RegExp, source: string, start: number, end: number): boolean {
  pattern.lastIndex = 0;
  for (const match of source.matchAll(pattern)) {
    if (match.index < start || match.index >= end) {
      return true;
    }
  }
  return false;
}

/** Adds the variables that assignment words of `root` set once to a known value. */
function assignedVariables(
  root: Node,
  state: WordContext,
  source: string,
  statements: readonly PlacedStatement[],
  variables: Map<string, ConstantVariable>,
  counts: Map<string, number>,
): void {
  const assignments = root.descendantsOfType('variable_assignment');
  const places = new Map(statements.map(({ node, place }) => [node.id, place]));
  // The statement is the assignment itself or the declaration around it.
  const placeOf = (node: Node): StatementPlace | undefined => {
    const parent = node.parent;
    return places.get(parent?.type === 'declaration_command' ? parent.id : node.id);
  };
  for (const node of assignments) {
    const name = node?.childForFieldName('name')?.text ?? '';
    if (node !== null && placeOf(node)?.never !== true) {
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
  }
  for (const node of assignments) {
    const name = node?.childForFieldName('name')?.text ?? '';
    const value = node?.childForFieldName('value');
    if (node === null || value === undefined || counts.get(name) !== 1) {
      continue;
    }
    const parent = node.parent;
    const declaration = parent?.type === 'declaration_command' ? parent : undefined;
    const place = placeOf(node);
    if (place === undefined || place.never === true) {
      continue;
    }
    // A declaration's own words match the pattern, so only matches outside it rebind.
    const start = declaration?.startIndex ?? 0;
    const end = declaration?.endIndex ?? 0;
    if (node.text.startsWith(`${name}+=`) || setsOutside(rebindPattern(name), source, start, end)) {
      continue;
    }
    const known = assignedValue(value, declaration, state);
    if (known !== undefined) {
      variables.set(name, {
        ...known,
        from: node.endIndex,
        conditional: place.conditional || undefined,
        certainEnd: place.certainEnd,
        scopeEnd: place.scopeEnd,
      });
    }
  }
}

/** Computes the value one assignment gives, or undefined when it depends on run time. */
function assignedValue(
  value: Node | null,
  declaration: Node | undefined,
  state: WordContext,
): Omit<ConstantVariable, 'from'> | undefined {
  if (value === null) {
    // `NAME=` sets the empty string.
    return { value: '' };
  }
  const plain = declaration === undefined || declaredValue(declaration, 'x') === 'x';
  if (value.type === 'array') {
    const elements = arrayElements(value, state);
    return elements !== undefined && plain ? { value: elements[0] ?? '', elements } : undefined;
  }
  const literal = wordValue(value, state);
  const copied = literal.dynamic ? copiedVariable(value) : undefined;
  if (copied !== undefined && plain) {
    return { value: `$${copied}`, copy: true };
  }
  if (literal.dynamic) {
    return undefined;
  }
  const declared =
    declaration === undefined ? literal.text : declaredValue(declaration, literal.text);
  return declared === undefined ? undefined : { value: declared };
}

/**
 * Returns the name of the variable whose whole value `value` copies (`$NAME`, `${NAME}` or
 * `"$NAME"`), so a secret copied to another name and printed or sent is read as the secret.
 */
function copiedVariable(value: Node): string | undefined {
  const inner =
    value.type === 'string' && value.namedChildCount === 1 ? value.firstNamedChild : value;
  if (inner === null || (inner.type !== 'simple_expansion' && inner.type !== 'expansion')) {
    return undefined;
  }
  if (value.type === 'string' && value.text !== `"${inner.text}"`) {
    return undefined;
  }
  return /^\$\{?([A-Za-z_]\w*)\}?$/.exec(inner.text)?.[1];
}

/** A leading `~user`, `~+` or `~-` prefix. */
const TILDE_PREFIX = /^~([\w.-]*|[+-])(?=\/|$)/;

/**
 * Expands a leading `~`. `~user` becomes that user's home: `/root` for root, the project's
 * home for its own user, and `/home/user` for anyone else, which is outside the project as
 * the real home would be. `~+` is the working directory; `~-` (the previous one) is unknown
 * and stays as written.
 */
export function expandTilde(text: string, homeDir: string, cwd?: string): string {
  if (text === '~') {
    return homeDir;
  }
  if (text.startsWith('~/')) {
    return homeDir + text.slice(1);
  }
  const prefix = text.startsWith('~') ? TILDE_PREFIX.exec(text) : null;
  if (prefix === null) {
    return text;
  }
  const user = prefix[1] ?? '';
  const rest = text.slice(prefix[0].length);
  if (user === '+') {
    return cwd === undefined ? text : cwd + rest;
  }
  if (user === '-') {
    return text;
  }
  if (user === 'root') {
    return `/root${rest}`;
  }
  return homeDir.endsWith(`/${user}`) ? homeDir + rest : `/home/${user}${rest}`;
}

/** Removes quoting backslashes; a backslash-newline is a line continuation and goes entirely. */
function unescapeWord(text: string): string {
  return text.includes('\\')
    ? text.replace(/\\(.)/gs, (_match, char: string) => (char === '\n' ? '' : char))
    : text;
}

function decodeAnsiC(text: string): string {
  return text
    .replace(/\\[uU]([0-9a-fA-F]{1,8})/g, (match, hex: string) => {
      const limit = match[1] === 'u' ? 4 : 8;
      const digits = hex.slice(0, limit);
      const code = parseInt(digits, 16);
      return (code <= 0x10ffff ? String.fromCodePoint(code) : '') + hex.slice(limit);
    })
    .replace(/\\x([0-9a-fA-F]{1,2})/g, (_match, hex: string) =>
      String.fromCharCode(parseInt(hex, 16)),
    )
    .replace(/\\([0-7]{1,3})/g, (_match, octal: string) => String.fromCharCode(parseInt(octal, 8)))
    .replace(/\\n/g, '\n')
    .replace(/\\t/g, '\t')
    .replace(/\\(.)/g, '$1');
}
