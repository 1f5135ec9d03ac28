/**
 * Wildcard matching for patterns that come from the command being judged (`find -name`,
 * `fd -g`, `locate`). A regular expression built from such a pattern can backtrack for a
 * very long time (`*?*?*?…`), and the hook must decide within its timeout, so these patterns
 * are matched with the greedy star algorithm in time proportional to the pattern length
 * times the text length.
 */

/** One step of a compiled wildcard: any run of characters, or one character that passes. */
type Token = { star: true } | { star: false; accepts: (char: string) => boolean };

/** Options for {@link compileWildcard}. */
export interface WildcardOptions {
  ignoreCase?: boolean;
  /** True when `*` and `?` do not match `/`, as in shell globs. @default false */
  stopAtSlash?: boolean;
}

/**
 * Compiles a pattern with `*`, `?` and `[…]` classes (`!` or `^` negates a class) into a
 * matcher for the whole text.
 */
export function compileWildcard(
  pattern: string,
  options: WildcardOptions = {},
): (text: string) => boolean {
  const fold = (text: string): string => (options.ignoreCase === true ? text.toLowerCase() : text);
  const tokens = tokenize(fold(pattern), options.stopAtSlash === true);
  return (text) => matches(tokens, fold(text), options.stopAtSlash === true);
}

function tokenize(pattern: string, stopAtSlash: boolean): Token[] {
  const tokens: Token[] = [];
  for (let index = 0; index < pattern.length; index += 1) {
    const char = pattern[index] ?? '';
    if (char === '*') {
      if (tokens.at(-1)?.star !== true) {
        tokens.push({ star: true });
      }
    } else if (char === '?') {
      tokens.push({ star: false, accepts: (next) => !stopAtSlash || next !== '/' });
    } else if (char === '[' && pattern.indexOf(']', index + 2) > 0) {
      const close = pattern.indexOf(']', index + 2);
      tokens.push({ star: false, accepts: classOf(pattern.slice(index + 1, close)) });
      index = close;
    } else {
      tokens.push({ star: false, accepts: (next) => next === char });
    }
  }
  return tokens;
}

/** Builds the test of a bracket class body such as `a-z`, `!.` or `^0-9_`. */
function classOf(body: string): (char: string) => boolean {
  const negated = body.startsWith('!') || body.startsWith('^');
  const members = negated ? body.slice(1) : body;
  const ranges: [string, string][] = [];
  for (let index = 0; index < members.length; index += 1) {
    const low = members[index] ?? '';
    if (members[index + 1] === '-' && index + 2 < members.length) {
      ranges.push([low, members[index + 2] ?? low]);
      index += 2;
    } else {
      ranges.push([low, low]);
    }
  }
  return (char) => ranges.some(([low, high]) => char >= low && char <= high) !== negated;
}

/**
 * Matches with the greedy algorithm: on a mismatch, the last star takes one more character.
 * Only the last star is ever revisited, so the work is at most tokens × text length.
 */
function matches(tokens: readonly Token[], text: string, stopAtSlash: boolean): boolean {
  let token = 0;
  let at = 0;
  let starToken = -1;
  let starAt = 0;
  while (at < text.length) {
    const current = tokens[token];
    const char = text[at] ?? '';
    if (current !== undefined && !current.star && current.accepts(char)) {
      token += 1;
      at += 1;
    } else if (current?.star === true) {
      starToken = token;
      starAt = at;
      token += 1;
    } else if (starToken >= 0 && !(stopAtSlash && text[starAt] === '/')) {
      starAt += 1;
      at = starAt;
      token = starToken + 1;
    } else {
      return false;
    }
  }
  while (tokens[token]?.star === true) {
    token += 1;
  }
  return token === tokens.length;
}
