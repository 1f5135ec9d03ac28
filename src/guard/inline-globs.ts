/**
 * Credential reads that inline code hides from a plain path match: a glob literal that can
 * match a credential file (`~/.s*` given to `glob.glob(os.path.expanduser(…))`), and a
 * listing of the home folder whose entries the code then reads (`fs.readdirSync(os.homedir())`
 * with `fs.readFileSync`).
 */
import { credentialFileMatching, hasGlob } from './globs.js';
import { HOME_EXPRESSION, literalHomePaths } from './inline-links.js';

/** The way inline code reaches credential files without naming one. */
export type HiddenCredentialRead = 'glob' | 'home-listing';

/** A string literal of inline code that starts with `~/` or `/`. Group 1 or 2 is its text. */
const PATH_LITERAL = /'([~/][^'\n]*)'|"([~/][^"\n]*)"/g;
/** The home folder after {@link literalHomePaths}: an expression, or the literal `'~'`. */
const HOME_TOKEN = String.raw`(?:${HOME_EXPRESSION}|'~/?'|"~/?")`;
/** A variable set to the home folder: `h = os.homedir()`, `const home = '~'`. Group 1 is its name. */
const HOME_VARIABLE = new RegExp(
  String.raw`\b([A-Za-z_]\w*)\s*=\s*${HOME_TOKEN}\s*(?=[;,\n)]|$)`,
  'g',
);
/** Calls that list a folder, with the folder as their first argument. */
const LISTING_CALL = String.raw`\b(?:readdirSync|readdir|opendirSync|opendir|listdir|scandir|walk|children|entries|each_child)\(\s*`;
/** Methods of a path object that list it: Python's `Path.home().iterdir()` and globs. */
const LISTING_METHOD = String.raw`\s*\.\s*(?:iterdir|glob|rglob|walk)\(`;
/** Calls that read a file's contents. */
const FILE_READ =
  /\b(?:readFileSync|readFile|createReadStream|open|read_text|read_bytes|File\.read|IO\.read|file_get_contents|slurp)\s*\(/;

/**
 * Returns how the inline `code` reads a credential file without naming one: a file read with
 * a glob literal that can match a credential file or folder, or with a listing of the home
 * folder. Returns undefined for code that does neither.
 */
export function hiddenCredentialRead(
  code: string,
  homeDir: string,
): HiddenCredentialRead | undefined {
  // A listing of names reads no secret, as `ls` does not. Most inline code also names no home
  // folder and no glob, and then nothing needs rewriting.
  if (!FILE_READ.test(code) || (!hasGlob(code) && !/home|~|HOME/.test(code))) {
    return undefined;
  }
  const normalized = literalHomePaths(code);
  for (const match of normalized.matchAll(PATH_LITERAL)) {
    const literal = match[1] ?? match[2] ?? '';
    const absolute = literal.startsWith('~') ? homeDir + literal.slice(1) : literal;
    if (credentialFileMatching(absolute, homeDir) !== undefined) {
      return 'glob';
    }
  }
  return listsHome(normalized) ? 'home-listing' : undefined;
}

/** Checks whether `code` lists the home folder, directly or through a variable. */
function listsHome(code: string): boolean {
  const names = [...code.matchAll(HOME_VARIABLE)].map((match) => match[1] ?? '');
  const home =
    names.length === 0 ? HOME_TOKEN : String.raw`(?:${HOME_TOKEN}|\b(?:${names.join('|')})\b)`;
  const listing = new RegExp(String.raw`${LISTING_CALL}${home}\s*[,)]|${home}${LISTING_METHOD}`);
  return listing.test(code);
}
