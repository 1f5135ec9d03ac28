/**
 * Word evaluation for the shell parser: quote removal, `~`, `$HOME` and `$PWD` expansion,
 * and ANSI-C strings. Any other expansion makes a word dynamic.
 */
import type { Node } from 'web-tree-sitter';

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
  const known = state.variables?.get(name);
  if (known?.copy === true && node.startIndex >= known.from) {
    return { text: known.value, dynamic: true };
  }
  if (known !== undefined && node.startIndex >= known.from) {
    // Unquoted, the value is split into words at IFS characters and globbed, so only a value
    // that stays one word under the default IFS is known.
    const quoted = node.parent?.type === 'string';
    const splits = state.ifsAssigned === true || /[\s*?[]/.test(known.value);
    return { text: known.value, dynamic: !quoted && splits };
  }
  return { text: node.text, dynamic: true };
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
  if ((type !== 'simple_expansion' && type !== 'expansion') || state.ifsAssigned === true) {
    return undefined;
  }
  const name = node.text.replace(/^\$\{?/, '').replace(/\}$/, '');
  const known = state.variables?.get(name);
  if (
    known === undefined ||
    known.copy === true ||
    node.startIndex < known.from ||
    /[*?[]/.test(known.value)
  ) {
    return undefined;
  }
  // Default IFS is space, tab and newline; leading and trailing ones make no empty words.
  return known.value
    .split(/[ \t\n]+/)
    .filter((word) => word !== '')
    .map((word) => ({ text: word, dynamic: false }));
}

/** Statement types an assignment may sit in and still run before everything after it. */
const SEQUENTIAL_PARENTS = new Set(['program', 'list']);

/**
 * Finds the variables that `root` sets exactly once, at top level, to a literal value, such as
 * `B` in `B=ma; git push origin HEAD:${B}in`. Expanding them lets the checks see the real
 * arguments. A variable set more than once, inside a loop, branch, function or subshell, by
 * `read`, `for`, `+=` or `unset`, keeps its run-time value unknown.
 */
export function constantVariables(
  root: Node,
  state: WordContext,
): Map<string, ConstantVariable> | undefined {
  const source = root.text;
  const assignments = root.descendantsOfType('variable_assignment');
  const counts = new Map<string, number>();
  for (const node of assignments) {
    const name = node?.childForFieldName('name')?.text ?? '';
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  const variables = new Map<string, ConstantVariable>();
  for (const node of assignments) {
    const name = node?.childForFieldName('name')?.text ?? '';
    const value = node?.childForFieldName('value');
    if (node === null || value === null || value === undefined || counts.get(name) !== 1) {
      continue;
    }
    const parent = node.parent;
    const declared =
      parent?.type === 'declaration_command' && SEQUENTIAL_PARENTS.has(parent.parent?.type ?? '');
    if (!SEQUENTIAL_PARENTS.has(parent?.type ?? '') && !declared) {
      continue;
    }
    // The grammar also reads malformed words such as `*_=-` as assignments, so escape the name.
    const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const rebinds = new RegExp(
      String.raw`\b(?:read|for|unset|getopts|let|local|declare|typeset|mapfile|readarray)\b[^;&|\n]*\b${escaped}\b|\b${escaped}\+=|\(\([^)]*\b${escaped}\b`,
    );
    if (node.text.startsWith(`${name}+=`) || rebinds.test(source)) {
      continue;
    }
    const literal = wordValue(value, state);
    const copied = literal.dynamic ? copiedVariable(value) : undefined;
    if (copied !== undefined) {
      variables.set(name, { value: `$${copied}`, from: node.endIndex, copy: true });
    } else if (!literal.dynamic) {
      variables.set(name, { value: literal.text, from: node.endIndex });
    }
  }
  return variables.size > 0 ? variables : undefined;
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
function expandTilde(text: string, homeDir: string, cwd?: string): string {
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
