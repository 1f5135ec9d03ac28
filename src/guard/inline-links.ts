/**
 * Links made by inline interpreter code, such as `python3 -c "os.symlink('/', 'r')"`,
 * `perl -e 'symlink q{/}, q{r}'` or `node -e 'fs.symlinkSync("/", "r")'`. Each is written out
 * as the `ln` command it amounts to, so the link check judges its target as it judges
 * `ln -s`: outside the project gets `ask`, a credential location is denied.
 */
import { shellQuote } from './client-scripts.js';
import type { InlineCode } from './shell.js';

/** A string literal: single or double quoted, or Perl's `q{}`, `qq{}`, `q()` and `qq()`. */
const LITERAL = String.raw`'[^']*'|"[^"]*"|\bqq?\{[^}]*\}|\bqq?\([^)]*\)`;
/** One argument: a literal or an expression up to the next `,` or `)`. */
const ARGUMENT = String.raw`(${LITERAL}|[^,()'"]+)`;
/**
 * Calls `NAME(TARGET, LINK)` of Python's `os`, Perl, Node's `fs`, Ruby's `File` and
 * `FileUtils`, and PHP. Perl may leave out the brackets.
 */
const LINK_CALL = new RegExp(
  String.raw`\b(symlink|link|symlinkSync|linkSync|ln_s|ln_sf|ln)\b\s*\(?\s*${ARGUMENT}\s*,\s*${ARGUMENT}`,
  'g',
);
/** Python's `Path(LINK).symlink_to(TARGET)` and `.hardlink_to(TARGET)`. */
const PATH_LINK = new RegExp(
  String.raw`\bPath\s*\(\s*${ARGUMENT}\s*\)\s*\.\s*(symlink_to|hardlink_to)\s*\(\s*${ARGUMENT}`,
  'g',
);

/**
 * The home folder as an expression, followed by the concatenation of a literal:
 * `os.homedir() + '/.aws'`, `Path.home() / '.ssh'`, `$ENV{HOME} . "/.ssh"`.
 */
const HOME_PLUS_LITERAL =
  /(?:require\(\s*['"]os['"]\s*\)\.homedir\(\)|\bos\.homedir\(\)|\bos\.path\.expanduser\(\s*['"]~['"]\s*\)|\bPath\.home\(\)|\bprocess\.env\.HOME\b|\$ENV\{HOME\}|\bos\.environ\[\s*['"]HOME['"]\s*\]|\bDir\.home\b|\bENV\[\s*['"]HOME['"]\s*\])\s*[+./]\s*(['"])([^'"]*)\1/g;
/** The home folder as an expression: the forms of HOME_PLUS_LITERAL and `os.path.expanduser('~')`. */
export const HOME_EXPRESSION = String.raw`(?:require\(\s*['"]os['"]\s*\)\.homedir\(\)|\bos\.homedir\(\)|\bos\.path\.expanduser\(\s*['"]~['"]\s*\)|\bPath\.home\(\)|\bprocess\.env\.HOME\b|\bos\.environ\[\s*['"]HOME['"]\s*\]|\bos\.getenv\(\s*['"]HOME['"]\s*\)|\bDir\.home\b|\bENV\[\s*['"]HOME['"]\s*\])`;
/**
 * Home paths written as a call on a literal: `os.path.expanduser('~/.aws')`,
 * `Path('~/.ssh').expanduser()`, `path.join(os.homedir(), '.ssh')` (any module's `join`),
 * `os.path.join(Path.home(), '.aws', 'credentials')`, `Path.home().joinpath('.ssh')`,
 * `File.expand_path('~/.ssh')`. Group 1 or 2 is the `~` path, group 3 the joined literals.
 */
const HOME_CALL = new RegExp(
  String.raw`\b(?:os\.path\.expanduser|File\.expand_path)\(\s*['"](~[^'"]*)['"]\s*\)` +
    String.raw`|\bPath\(\s*['"](~[^'"]*)['"]\s*\)\s*\.\s*expanduser\(\s*\)` +
    String.raw`|(?:\b(?:[A-Za-z_]\w*\.)+join\(\s*${HOME_EXPRESSION}|${HOME_EXPRESSION}\s*\.\s*joinpath\()((?:\s*,?\s*['"][^'"]*['"])+)\s*\)`,
  'g',
);

/** Rewrites the home paths of HOME_CALL and HOME_PLUS_LITERAL as quoted `~/…` literals. */
export function literalHomePaths(code: string): string {
  return code
    .replace(HOME_CALL, (_match, expanded?: string, fromPath?: string, joined?: string) => {
      if (joined === undefined) {
        return shellQuote(expanded ?? fromPath ?? '~');
      }
      const parts = [...joined.matchAll(/['"]([^'"]*)['"]/g)].map((part) => part[1] ?? '');
      return shellQuote(['~', ...parts.map((part) => part.replace(/^\/+/, ''))].join('/'));
    })
    .replace(HOME_PLUS_LITERAL, (_match, _quote, rest: string) =>
      shellQuote(`~/${rest.replace(/^\/+/, '')}`),
    );
}

/** A link call whose arguments the patterns above cannot read. */
const ANY_LINK_CALL = /\b(?:symlink|symlinkSync|linkSync|ln_s|ln_sf|symlink_to|hardlink_to)\b\s*\(/;

/** Returns the `ln` commands that the inline code of a command line amounts to, one a line. */
export function inlineLinkActions(inlineCode: readonly InlineCode[]): string {
  const lines: string[] = [];
  for (const inline of inlineCode) {
    const code = literalHomePaths(inline.code);
    const found = lines.length;
    for (const match of code.matchAll(LINK_CALL)) {
      const [, name = '', target = '', link = ''] = match;
      lines.push(lnCommand(/^sym|_s/.test(name), target, link));
    }
    for (const match of code.matchAll(PATH_LINK)) {
      const [, link = '', method = '', target = ''] = match;
      lines.push(lnCommand(method === 'symlink_to', target, link));
    }
    if (lines.length === found && ANY_LINK_CALL.test(code)) {
      lines.push(`ln -s -- "$RUNTIME_PATH" 'link'`);
    }
  }
  return lines.join('\n');
}

/**
 * Builds `ln [-s] -- TARGET LINK`. An argument that is no literal is known only at run time,
 * so it becomes a variable, which the link check sends to a human.
 */
function lnCommand(symbolic: boolean, target: string, link: string): string {
  return `ln ${symbolic ? '-s ' : ''}-- ${shellWord(target)} ${shellWord(link)}`;
}

function shellWord(argument: string): string {
  const text = argument.trim();
  const literal = /^'([^']*)'$|^"([^"]*)"$|^qq?[{(](.*)[})]$/s.exec(text);
  if (literal === null) {
    return '"$RUNTIME_PATH"';
  }
  return shellQuote(literal[1] ?? literal[2] ?? literal[3] ?? '');
}
