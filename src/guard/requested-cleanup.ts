/**
 * Stage-1 consent for deletes the user requested in their own words: a `git clean` of the
 * untracked (and ignored) files with every file the user names to keep excluded, and inline
 * Python or Node code that removes only folders the user named, relative to the project.
 */
import { requestsFor } from './consent.js';
import { containsWord } from './named-targets.js';
import type { ParsedShell, SimpleCommand } from './shell.js';

/** git subcommands that discard work; a line with any of them besides `git clean` is not covered. */
const DISCARDING = new Set(['reset', 'checkout', 'restore', 'stash', 'clean']);

/** Words that end the part of a request saying what to delete and start what to keep. */
const KEEP_START = /\b(?:but|except|keep\w*|other than|leav\w*|spar\w*|apart from|besides)\b/i;

/** File names in a phrase: a word with a dot or slash in it, such as `.env` or `data/`. */
const FILE_TOKEN = /(?:^|[\s,(])((?:\.[\w-]+|[\w-]+(?=\.[\w-]|\/))(?:[./][\w-]+)*\/?)/g;

/**
 * Checks that every discarding git command of the line is a `git clean` the user requested.
 * A delete request must name untracked files (and ignored ones for `-x`), and every file the
 * user names after "keep", "but" or "except" must be passed to `--exclude`. Paths, `-ff` and `-i` are not covered.
 */
export function cleansRequestedUntracked(parsed: ParsedShell, messages: string): boolean {
  const discarding = parsed.commands.filter(
    (command) => command.name === 'git' && DISCARDING.has(command.argv[1] ?? ''),
  );
  if (discarding.length === 0) {
    return false;
  }
  const requests = requestsFor('delete', messages);
  return discarding.every((command) => cleansAsRequested(command, requests));
}

export function isGitClean(command: SimpleCommand): boolean {
  return command.name === 'git' && command.argv[1] === 'clean';
}

function cleansAsRequested(command: SimpleCommand, requests: string[]): boolean {
  if (command.argv[1] !== 'clean' || command.dynamic || command.wrappers.length > 0) {
    return false;
  }
  const flags = new Set<string>();
  const excludes: string[] = [];
  const args = command.argv.slice(2);
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (arg === '-e' || arg === '--exclude') {
      excludes.push(args[index + 1] ?? '');
      index += 1;
    } else if (arg.startsWith('--exclude=')) {
      excludes.push(arg.slice('--exclude='.length));
    } else if (arg === '--force' || arg === '--quiet') {
      flags.add(arg.slice(2, 3));
    } else if (/^-[fdxXq]+$/.test(arg)) {
      for (const flag of arg.slice(1)) {
        // `-ff` also removes untracked nested repositories.
        if (flag === 'f' && flags.has('f')) {
          return false;
        }
        flags.add(flag);
      }
    } else {
      return false;
    }
  }
  const deleteParts = requests.map((request) => request.split(KEEP_START)[0] ?? '');
  const ignoredToo = flags.has('x') || flags.has('X');
  const requested = deleteParts.some(
    (part) =>
      (flags.has('X') || /\buntracked\b/i.test(part)) &&
      (!ignoredToo || /\bignored\b|\beverything\b/i.test(part)),
  );
  // An exclude only spares files, so excludes the user did not name are harmless.
  return requested && keepsAllNamed(requests, excludes);
}

/** Checks that every file named after "keep" or "but" in a request is excluded. */
function keepsAllNamed(requests: string[], excludes: string[]): boolean {
  const excluded = new Set(excludes.map((name) => name.replace(/^\.\//, '').replace(/\/$/, '')));
  return requests.every((request) => {
    const match = KEEP_START.exec(request);
    if (match === null) {
      return true;
    }
    const keptFiles = [...request.slice(match.index).matchAll(FILE_TOKEN)].map((token) =>
      (token[1] ?? '').replace(/\.$/, '').replace(/\/$/, ''),
    );
    return keptFiles.every((name) => excluded.has(name));
  });
}

/** Interpreters whose inline code {@link removesRequestedFolders} reads. */
const INTERPRETERS = /^(?:python[\d.]*|node|bun|deno)$/;

/** Code that reaches outside the working folder or computes what it deletes. */
const OUTSIDE =
  /\.\.|~|expanduser|home\(|homedir|environ|getenv|process\.env|sys\.argv|process\.argv|chdir|input\(|readline|walk\(|Remove-Item/;

/** String literals of inline code, with the text before each. */
const LITERAL = /(['"`])((?:(?!\1)[^\\])*)\1/g;

/** Inline delete calls a rule of stage 1 looks for. */
const DELETE_CALL =
  /rmtree\(|os\.remove\(|os\.unlink\(|fs\.rm(?:Sync)?\(|fs\.unlink(?:Sync)?\(|\b(?:rm|rmdir|unlink)Sync\(/;

/**
 * Checks that every inline delete on the line removes only folders or files the user named
 * in a delete request, by relative name or `**`-glob, from the working folder inside the
 * project. Code with absolute paths, `..`, the home folder, the environment or a walk is not
 * covered.
 */
export function removesRequestedFolders(
  parsed: ParsedShell,
  messages: string,
  inProject: boolean,
): boolean {
  if (!inProject || parsed.commands.some((command) => command.name === 'cd')) {
    return false;
  }
  // Commands the parser derives from the code (`rm -rf NAME` for `rmtree('NAME')`) carry the
  // interpreter in `via`, and the path checks judge them on their own.
  const interpreters = parsed.commands.filter(
    (command) =>
      DELETE_CALL.test(command.text) && !command.via.some((via) => INTERPRETERS.test(via)),
  );
  const codes = interpreters.map(codeArgument);
  if (
    interpreters.length === 0 ||
    !interpreters.every((command) => INTERPRETERS.test(command.name) && !command.dynamic)
  ) {
    return false;
  }
  const requests = requestsFor('delete', messages).join('\n');
  return codes.every((code) => code !== undefined && deletesNamedOnly(code, requests));
}

/** Returns the code after `-c`, `-e` or `--eval`, also in a cluster such as python's `-Bc`. */
function codeArgument(command: SimpleCommand): string | undefined {
  const args = command.argv.slice(1);
  const at = args.findIndex((arg) => /^-[a-zA-Z]*[ce]$|^--eval$/.test(arg));
  const code = at < 0 ? undefined : args[at + 1];
  // Arguments after the code reach it as sys.argv or process.argv, which the check rejects.
  return code !== undefined && DELETE_CALL.test(code) ? code : undefined;
}

function deletesNamedOnly(code: string, requests: string): boolean {
  if (OUTSIDE.test(code)) {
    return false;
  }
  const targets: string[] = [];
  for (const match of code.matchAll(LITERAL)) {
    const before = code.slice(Math.max(0, match.index - 8), match.index);
    const value = match[2] ?? '';
    // Module names and the starting folder are not delete targets.
    if (/(?:require\(|import\(|from\s)$/.test(before) || /^\.\/?$/.test(value)) {
      continue;
    }
    if (match[1] === '`' || value.startsWith('/') || value.includes('$')) {
      return false;
    }
    targets.push(value.replace(/^\.\//, '').replace(/^(?:\*\*\/)+/, ''));
  }
  return targets.length > 0 && targets.every((target) => namesFolder(requests, target));
}

/** Checks whether a request names a folder, also in words: "pycache", "mypy cache". */
function namesFolder(requests: string, target: string): boolean {
  if (target === '' || target.includes('/') || /^\*?$/.test(target)) {
    return false;
  }
  const bare = target.replace(/[._-]+/g, ' ').trim();
  return containsWord(requests, target) || (bare.length >= 3 && containsWord(requests, bare));
}
