/**
 * Program paths in system folders. `/usr/bin/git`, `/usr/local/../bin/git`, `//usr/./bin/git`
 * and `../../usr/bin/git` (from `/home/dev`) all run `git`, so checks that read `argv[0]` must
 * see each of them as `git`.
 */
import path from 'node:path';

/** A normalised absolute path of a program in a system folder, such as `/usr/bin/git`. */
const SYSTEM_PROGRAM =
  /^\/(?:usr\/(?:local\/)?)?s?bin\/[^/]+$|^\/opt\/homebrew\/bin\/[^/]+$|^\/snap\/bin\/[^/]+$/;

/** The part of a system program's path below the root that a relative path may end in. */
const SYSTEM_TAIL = /^(?:usr\/(?:local\/)?s?bin|opt\/homebrew\/bin|snap\/bin)\/[^/]+$/;

/**
 * Returns the program name of `word` when it is a path of a program in a system folder,
 * after lexical normalisation against `cwd` (`.`, `..` and repeated slashes removed).
 * Returns undefined for bare names and for paths elsewhere, such as `../bin/tool`.
 *
 * A relative path is read as a system program also when the folder it starts from is not
 * known: when `cwdChanged` is set (an earlier `cd`), or when it climbs with `..` to a tail
 * such as `usr/bin/git`, because enough `..` from any folder reach the root.
 *
 * NOTE: tails of one folder (`bin/rm`, `sbin/x`) are not read that way, because
 * `../bin/tool` is usually a sibling folder of the project; their names are still taken.
 *
 * NOTE: the normalisation is lexical: a symlinked folder before `..` could lead elsewhere
 * at run time, which this reads as the system program.
 */
export function systemProgramName(
  word: string,
  cwd: string,
  cwdChanged = false,
): string | undefined {
  if (!word.includes('/') || word.endsWith('/')) {
    return undefined;
  }
  const absolute = word.startsWith('/') ? word : path.posix.join(cwd, word);
  const normalised = path.posix.normalize(absolute).replace(/^\/+/, '/');
  if (SYSTEM_PROGRAM.test(normalised)) {
    return path.posix.basename(normalised);
  }
  if (word.startsWith('/')) {
    return undefined;
  }
  const relative = path.posix.normalize(word);
  const tail = relative.replace(/^(?:\.\.\/)+/, '');
  const climbs = tail !== relative;
  return (climbs || cwdChanged) && SYSTEM_TAIL.test(tail) ? path.posix.basename(tail) : undefined;
}
