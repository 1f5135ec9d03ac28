/**
 * The text of a command whose words come from known expansions. Checks test a command's
 * text before its words (`/pro?d/` before reading a deploy task), so a command written as
 * `"$@"` after `set -- task deploy ENV=prod`, or as `"${a[@]}"` after `a=(…)`, must carry
 * the words it runs in its text too, or those cheap tests skip it.
 */
import { quoteWord } from './runners.js';
import type { WordValue } from './shell-words.js';

/** One expansion of a command's source text and the words it expands to. */
export interface ExpandedPart {
  /** Source text of the expansion, such as `"$@"` or `${a[@]}`. */
  source: string;
  words: readonly WordValue[];
}

/**
 * Returns `text` with each part, in source order, replaced by its words quoted as shell
 * words. A part whose source is not found after the previous one is left as written.
 */
export function expandedText(text: string, parts: readonly ExpandedPart[]): string {
  let result = '';
  let cursor = 0;
  for (const part of parts) {
    const at = text.indexOf(part.source, cursor);
    if (at === -1) {
      continue;
    }
    const words = part.words.map((word) => (word.dynamic ? word.text : quoteWord(word.text)));
    result += text.slice(cursor, at) + words.join(' ');
    cursor = at + part.source.length;
  }
  return result + text.slice(cursor);
}
