/**
 * Credential reads that inline code hides from a plain path match: a glob literal that can
 * match a credential file (`~/.s*` given to `glob.glob(os.path.expanduser(…))`), a credential
 * path assembled from parts (`h + '/.' + 'aws/cred' + 'entials'`), and a listing or walk of the
 * home folder or of a folder that contains credentials (`~/.ssh`, `~/.config`) whose entries the
 * code then reads (`fs.readdirSync(os.homedir())` with `fs.readFileSync`).
 */
import { namesCredentialPath } from './findings.js';
import { credentialFileMatching, credentialFiles, hasGlob } from './globs.js';
import { foldHomePaths } from './inline-home-paths.js';
import { HOME_EXPRESSION } from './inline-links.js';
import { isInside } from './paths.js';
import { grepReachesCredential } from './search-targets.js';

/** The way inline code reaches credential files without naming one. */
export type HiddenCredentialRead = 'glob' | 'assembled-path' | 'home-listing' | 'folder-listing';

/** A string literal of inline code that starts with `~/` or `/`. Group 1 or 2 is its text. */
const PATH_LITERAL = /'([~/][^'\n]*)'|"([~/][^"\n]*)"/g;
/** The home folder after {@link foldHomePaths}: an expression, or the literal `'~'`. */
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
/** Any listing of a folder, whatever its argument: a call, a method, or Perl's `opendir`. */
const ANY_LISTING = new RegExp(
  String.raw`${LISTING_CALL}|${LISTING_METHOD}|\bopendir\b|\bDir\.(?:glob|each_child|children|entries)\b|\bDir\[`,
);
/** Calls that read a file's contents, and Perl's `open FH, PATH`. */
const FILE_READ =
  /\b(?:readFileSync|readFile|createReadStream|open|read_text|read_bytes|File\.read!?|File\.readlines|IO\.read|IO\.readlines|file_get_contents|file:read_file|readText|readBytes|readLines|readString|readAllBytes|readlines|contentsOfFile|slurp)\s*[(:]|\(slurp\b|\bopen\s+(?:my\s+)?\$?\w+\s*,/;
/** A `~` path literal after {@link foldHomePaths}. Group 1 is the path. */
const HOME_LITERAL = /'(~\/[^'\n]*)'/g;

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
  const normalized = foldHomePaths(code);
  for (const match of normalized.matchAll(PATH_LITERAL)) {
    const literal = match[1] ?? match[2] ?? '';
    const absolute = literal.startsWith('~') ? homeDir + literal.slice(1) : literal;
    if (credentialFileMatching(absolute, homeDir) !== undefined) {
      return 'glob';
    }
  }
  if (normalized !== code && namesCredentialPath(normalized)) {
    return 'assembled-path';
  }
  if (listsHome(normalized)) {
    return 'home-listing';
  }
  return listsCredentialFolder(normalized, homeDir) ? 'folder-listing' : undefined;
}

/**
 * Checks whether `code` names a folder of the home that contains credentials (`~/.ssh`,
 * `~/.config`) and lists some folder. The listing's argument is not traced, because code
 * often walks through a helper function or a loop variable, as in `walk(path.join(home,
 * '.config'))`; code that reads files and lists folders while naming such a folder is judged
 * as reading what it finds there.
 */
function listsCredentialFolder(code: string, homeDir: string): boolean {
  if (!ANY_LISTING.test(code)) {
    return false;
  }
  for (const match of code.matchAll(HOME_LITERAL)) {
    const folder = `${homeDir}/${(match[1] ?? '').slice(2)}`.replace(/\/+$/, '');
    // The home folder itself counts only through a traced listing, in listsHome.
    if (folder === homeDir) {
      continue;
    }
    if (
      grepReachesCredential(folder, '', homeDir) !== undefined ||
      credentialFiles(homeDir).some((file) => isInside(file, folder))
    ) {
      return true;
    }
  }
  return false;
}

/** Checks whether `code` lists the home folder, directly or through a variable. */
function listsHome(code: string): boolean {
  const names = [...code.matchAll(HOME_VARIABLE)].map((match) => match[1] ?? '');
  const home =
    names.length === 0 ? HOME_TOKEN : String.raw`(?:${HOME_TOKEN}|\b(?:${names.join('|')})\b)`;
  const listing = new RegExp(String.raw`${LISTING_CALL}${home}\s*[,)]|${home}${LISTING_METHOD}`);
  return listing.test(code);
}
