/**
 * `!` before a compound command or a declaration. tree-sitter-bash 0.25 reads `! for x in a;
 * do X; done` as a negated command named `for` followed by the commands `do X` and `done`,
 * so `X` is judged with `do` as its program, and `! export V=x` as a command whose argument
 * is a plain word, so `V` is not known to be set. `!` only inverts the exit status, so
 * masking it gives the tree of what runs.
 */
import type { Node } from 'web-tree-sitter';

/** Words that start a compound command or a declaration, which the grammar misreads after `!`. */
const MISREAD_STARTS = new Set([
  'for',
  'select',
  'while',
  'until',
  'if',
  'case',
  '{',
  'function',
  'export',
  'declare',
  'typeset',
  'local',
  'readonly',
]);

/**
 * Returns `source` with each `!` before such a word replaced by a space, keeping every
 * offset, or `source` itself when there is none.
 */
export function maskCompoundNegations(source: string, root: Node): string {
  let masked = source;
  for (const negated of root.descendantsOfType('negated_command')) {
    const inner = negated?.firstNamedChild;
    if (negated === null || inner?.type !== 'command') {
      continue;
    }
    const name = inner.childForFieldName('name')?.text ?? '';
    const start = negated.startIndex;
    if (MISREAD_STARTS.has(name) && source[start] === '!') {
      masked = `${masked.slice(0, start)} ${masked.slice(start + 1)}`;
    }
  }
  return masked;
}
