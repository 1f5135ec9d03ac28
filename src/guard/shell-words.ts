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
        : { text: expandTilde(unescapeWord(text), state.homeDir), dynamic: false };
    }
    case 'word':
    case 'number':
      return { text: expandTilde(unescapeWord(node.text), state.homeDir), dynamic: false };
    case 'raw_string':
      return { text: node.text.slice(1, -1), dynamic: false };
    case 'ansi_c_string':
      return { text: decodeAnsiC(node.text.slice(2, -1)), dynamic: false };
    case 'string_content':
      return { text: node.text.replace(/\\([$`"\\\n])/g, '$1'), dynamic: false };
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
  return { text: type === 'concatenation' ? expandTilde(text, state.homeDir) : text, dynamic };
}

function expandVariable(node: Node, state: WordContext): WordValue {
  const name = node.text.replace(/^\$\{?/, '').replace(/\}$/, '');
  if (name === 'HOME') {
    return { text: state.homeDir, dynamic: false };
  }
  if (name === 'PWD') {
    return { text: state.cwd, dynamic: false };
  }
  return { text: node.text, dynamic: true };
}

function expandTilde(text: string, homeDir: string): string {
  if (text === '~') {
    return homeDir;
  }
  return text.startsWith('~/') ? homeDir + text.slice(1) : text;
}

function unescapeWord(text: string): string {
  return text.includes('\\') ? text.replace(/\\(.)/gs, '$1') : text;
}

function decodeAnsiC(text: string): string {
  return text
    .replace(/\\x([0-9a-fA-F]{1,2})/g, (_match, hex: string) =>
      String.fromCharCode(parseInt(hex, 16)),
    )
    .replace(/\\([0-7]{1,3})/g, (_match, octal: string) => String.fromCharCode(parseInt(octal, 8)))
    .replace(/\\n/g, '\n')
    .replace(/\\t/g, '\t')
    .replace(/\\(.)/g, '$1');
}
