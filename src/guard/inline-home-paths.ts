/**
 * Home paths that inline code assembles from parts, written out as `'~/…'` literals so the
 * credential checks can read them. Code reaches `~/.aws/credentials` as
 * `h + '/.' + 'aws/cred' + 'entials'` with `h = os.environ['HOME']`, as
 * `Path.home().joinpath('.aws', 'credentials')` or as `"$ENV{HOME}/." . "ssh"`; each becomes
 * `'~/.aws/credentials'` or `'~/.ssh'` here.
 */
import { HOME_EXPRESSION, literalHomePaths } from './inline-links.js';

/** Two string literals joined by `+` (Python, JavaScript, Ruby) or `.` (Perl, PHP). */
const JOINED_LITERALS = /(['"`])([^'"`\n]*)\1\s*[+.]\s*(['"`])([^'"`\n$]*)\3/g;
/**
 * A string literal that starts with the home folder interpolated: Perl's `"$ENV{HOME}/…"`,
 * Ruby's `"#{Dir.home}/…"`, JavaScript's `` `${os.homedir()}/…` `` and Python's
 * `f'{Path.home()}/…'`. Group 1 is the opening quote.
 */
const INTERPOLATED_HOME = new RegExp(
  String.raw`(?:\bf)?(["'\`])(?:\$ENV\{HOME\}|\$\{?HOME\}?|#\{\s*${HOME_EXPRESSION}\s*\}|\$\{\s*${HOME_EXPRESSION}\s*\}|\{\s*${HOME_EXPRESSION}\s*\})(?=[/'"\`])`,
  'g',
);
/**
 * A variable set to a home path literal or to the home folder itself: `d = '~/.ssh'`,
 * `h = os.environ['HOME']`, `my $d = "~/.ssh"`. Group 1 is the name, group 3 the path.
 */
const HOME_PATH_VARIABLE = new RegExp(
  String.raw`(?<![\w.$])(\$?[A-Za-z_]\w*)\s*=\s*(?:(['"\`])(~[^'"\`\n]*)\2|${HOME_EXPRESSION})\s*(?=[;,\n)]|$)`,
  'g',
);
/** A `join` call of any module whose arguments are all literals, the first a `~` path. */
const LITERAL_JOIN =
  /\b(?:[A-Za-z_]\w*\.)*join\(\s*((['"`])~[^'"`\n]*\2(?:\s*,\s*(['"`])[^'"`\n]*\3)*)\s*\)/g;
/** Rounds of rewriting: each resolves one more level of variables, as in `h` then `d = h + …`. */
const MAX_ROUNDS = 3;

/** Returns `code` with the home paths it assembles from parts written as `'~/…'` literals. */
export function foldHomePaths(code: string): string {
  let folded = code;
  for (let round = 0; round < MAX_ROUNDS; round += 1) {
    const before = folded;
    folded = literalHomePaths(joinLiterals(folded.replace(INTERPOLATED_HOME, '$1~')));
    folded = joinLiterals(folded.replace(LITERAL_JOIN, (_match, args: string) => joinedPath(args)));
    folded = joinLiterals(substituteVariables(folded));
    if (folded === before) {
      break;
    }
  }
  return folded;
}

/** Joins adjacent string literals: `'/.' + 'aws'` becomes `'/.aws'`. */
function joinLiterals(code: string): string {
  let joined = code;
  // Each pass joins pairs, so a chain of n literals takes about log2(n) passes.
  for (let pass = 0; pass < 8; pass += 1) {
    const next = joined.replace(JOINED_LITERALS, (_m, _q1, left: string, _q2, right: string) =>
      quote(`${left}${right}`),
    );
    if (next === joined) {
      break;
    }
    joined = next;
  }
  return joined;
}

/** Writes the literals of a `join` call as one path literal. */
function joinedPath(args: string): string {
  const parts = [...args.matchAll(/['"`]([^'"`\n]*)['"`]/g)].map((part) => part[1] ?? '');
  const [first = '~', ...rest] = parts;
  return quote(
    [first.replace(/\/+$/, ''), ...rest.map((part) => part.replace(/^\/+/, ''))].join('/'),
  );
}

/**
 * Replaces each use of a variable set to a home path by that path's literal, so that
 * `h + '/.aws'` becomes `'~' + '/.aws'`. Uses inside string literals stay as they are.
 */
function substituteVariables(code: string): string {
  const paths = new Map<string, string>();
  for (const match of code.matchAll(HOME_PATH_VARIABLE)) {
    paths.set(match[1] ?? '', match[3] ?? '~');
  }
  if (paths.size === 0) {
    return code;
  }
  const names = [...paths.keys()].map((name) => name.replace(/\$/g, '\\$')).join('|');
  // A use is the name not followed by an assignment and not a property or method name.
  const use = new RegExp(String.raw`(?<![\w.$'"\`])(${names})(?![\w'"\`])(?!\s*=[^=])`, 'g');
  return code.replace(use, (name: string) => quote(paths.get(name) ?? '~'));
}

function quote(text: string): string {
  return `'${text}'`;
}
