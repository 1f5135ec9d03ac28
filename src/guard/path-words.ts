/**
 * Paths, file names and host names in the user's messages. A word such as "preview" or
 * "draft" inside `~/sites/preview`, `docs/draft.md` or `preview.acme.dev` names a place, not
 * a request for a preview or a draft, so checks that read such requests test the text with
 * these words replaced.
 */

/**
 * Words with a `/` or a leading `~` (paths and URLs), and dotted names with letters or digits
 * after every dot (`draft.md`, `preview.acme.dev`). A sentence's closing period is no part of
 * the word.
 */
const PATH_WORD = /(?:~|[\w.@:+-]*\/)[^\s,;!?'"`()]*|\b[\w-]+(?:\.[A-Za-z0-9_-]+)+\b/g;

/** Returns `text` with every path, file or host name replaced by the word `PATH`. */
export function withoutPathWords(text: string): string {
  if (!/[/~.]/.test(text)) {
    return text;
  }
  return text.replace(PATH_WORD, 'PATH');
}
