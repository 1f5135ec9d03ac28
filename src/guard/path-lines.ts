/**
 * `PATH` lines of shell start-up files that an edit widens: `export PATH="$HOME/bin:$PATH"`
 * changed to `export PATH="$HOME/bin:$HOME/.cargo/bin:$PATH"` keeps every folder and adds one,
 * so the edit is judged as the added folder alone.
 */

/** `export PATH=…` in sh syntax, quoted or not, with the folders and `$PATH` in its value. */
const PATH_EXPORT = /^export PATH=(?<quote>"?)(?<value>[\w./~${}:-]+)\k<quote>$/;

/** Returns the parts of a `PATH` export's value, or undefined for other lines. */
function pathParts(line: string): string[] | undefined {
  const value = PATH_EXPORT.exec(line)?.groups?.['value'];
  if (value === undefined) {
    return undefined;
  }
  const parts = value.split(':');
  const own = parts.filter((part) => part === '$PATH' || part === '${PATH}').length;
  return own === 1 && parts.every((part) => part !== '') ? parts : undefined;
}

/**
 * Returns the folders that `added` puts into the `PATH` export `removed`, when `added` keeps
 * every part of `removed` in order and only inserts folders, or undefined otherwise.
 */
function insertedFolders(removed: string, added: string): string[] | undefined {
  const before = pathParts(removed);
  const after = pathParts(added);
  if (before === undefined || after === undefined || after.length <= before.length) {
    return undefined;
  }
  const inserted: string[] = [];
  let next = 0;
  for (const part of after) {
    if (part === before[next]) {
      next += 1;
    } else if (part.startsWith('$PATH') || part.startsWith('${PATH')) {
      return undefined;
    } else {
      inserted.push(part);
    }
  }
  return next === before.length ? inserted : undefined;
}

/**
 * Replaces each removed `PATH` export that an added line widens with one
 * `export PATH="FOLDER:$PATH"` line per inserted folder, so the caller checks only the new
 * folders. Lines of other kinds are returned as they are.
 */
export function splitWidenedPathLines(
  removed: readonly string[],
  added: readonly string[],
): { removed: string[]; added: string[] } {
  const keptRemoved: string[] = [];
  const result = [...added];
  for (const line of removed) {
    const at = result.findIndex((candidate) => insertedFolders(line, candidate) !== undefined);
    if (at < 0) {
      keptRemoved.push(line);
      continue;
    }
    const folders = insertedFolders(line, result[at] ?? '') ?? [];
    result.splice(at, 1, ...folders.map((folder) => `export PATH="${folder}:$PATH"`));
  }
  return { removed: keptRemoved, added: result };
}
