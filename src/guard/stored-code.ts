/**
 * Command substitutions stored in a variable's value by quoting. bash runs such text later
 * without any `eval` on the line: it expands `PS4` before every traced command (`PS4='$(X)';
 * set -x`), and when arithmetic reads a variable whose value is an array subscript
 * (`v='a[$(X)]'; : $((v))`) it expands the subscript, substitutions included. The value is
 * single-quoted, so the grammar reads no substitution in it and nothing in it is judged.
 *
 * Which later use runs the text is hard to know from the line (prompt variables, arithmetic
 * in `[[ ]]`, `let`, subscripts, `declare -i`), so every substitution in a quoted value that is
 * assigned is judged as if it ran. A value that is only text stays harmless: its commands
 * are judged like any other, and ordinary ones (`PS4='+$(date +%s) '`) stay allowed.
 */
import type { Node } from 'web-tree-sitter';

/** Text that can start a command substitution inside a stored value. */
const SUBSTITUTION = /\$\(|`/;

/** A word that assigns, as `env` and `export` take it: `NAME=value`. */
const ASSIGNMENT_WORD = /^[A-Za-z_]\w*(?:\[[^\]]*\])?\+?=/;

/** Quoted string types whose text bash does not expand where they are written. */
const LITERAL_STRINGS = ['raw_string', 'ansi_c_string'];

/** Checks whether `source` can hold a stored substitution, before any tree walk. */
export function mayStoreCode(source: string): boolean {
  return source.includes("'") && SUBSTITUTION.test(source) && source.includes('=');
}

/**
 * Returns shell text that runs the substitutions stored in the assigned quoted values below
 * `root`, as `: "VALUE"`, so the caller parses it and every check judges what they run.
 */
export function storedCodeTexts(root: Node): string[] {
  const texts: string[] = [];
  for (const literal of root.descendantsOfType(LITERAL_STRINGS)) {
    if (literal === null) {
      continue;
    }
    const quoted = literal.text;
    if (!SUBSTITUTION.test(quoted) || !isAssignedValue(literal)) {
      continue;
    }
    // NOTE: escapes of `$'…'` values are not decoded, so `$'\x72m'` inside one stays unread.
    const value = literal.type === 'ansi_c_string' ? quoted.slice(2, -1) : quoted.slice(1, -1);
    texts.push(`: "${value.replace(/"/g, '\\"')}"`);
    // Each substitution's text is also parsed on its own, so a variable it sets and then
    // uses (`$(B=main; git push origin HEAD:$B)`) gets its value, as at top level.
    texts.push(...substitutionBodies(value));
  }
  return texts;
}

/**
 * Returns the text inside each outermost `$(…)` of `value`, skipping `$((…))` arithmetic.
 * Parentheses inside quotes are counted too, which may end a body early. That only makes
 * the body text shorter, and the whole value is judged as well.
 */
function substitutionBodies(value: string): string[] {
  const bodies: string[] = [];
  let index = value.indexOf('$(');
  while (index >= 0) {
    if (value.startsWith('$((', index)) {
      index = value.indexOf('$(', index + 3);
      continue;
    }
    let depth = 0;
    let end = index + 1;
    for (; end < value.length; end += 1) {
      const char = value[end];
      if (char === '(') {
        depth += 1;
      } else if (char === ')') {
        depth -= 1;
        if (depth === 0) {
          break;
        }
      }
    }
    bodies.push(value.slice(index + 2, end));
    index = value.indexOf('$(', end);
  }
  return bodies;
}

/**
 * Checks whether `literal` is part of a value being assigned: inside a `variable_assignment`
 * node, or inside a word written `NAME=…` (an argument of `env`, `export` or `declare` that the
 * grammar reads as a plain word).
 */
function isAssignedValue(literal: Node): boolean {
  for (let node = literal.parent; node !== null; node = node.parent) {
    if (node.type === 'variable_assignment') {
      return true;
    }
    if (node.type === 'word' || node.type === 'concatenation') {
      if (ASSIGNMENT_WORD.test(node.text)) {
        return true;
      }
      continue;
    }
    if (node.type === 'command' || node.type === 'declaration_command' || node.type === 'program') {
      return false;
    }
  }
  return false;
}
