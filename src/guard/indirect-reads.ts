/**
 * Credential reads through indirection: a loop or `read` variable, a command substitution or
 * a parameter expansion in a reader's path, `find -exec`, and `xargs` fed by a here-string or
 * a file. The direct checks in file-access.ts see only literal paths.
 */
import { finding, type Finding } from './findings.js';
import { PRINTERS, namesCredentialFile } from './file-access.js';
import { credentialFiles } from './globs.js';
import { expandHome, isInside, resolvePath, type PathContext } from './paths.js';
import type { ParsedShell, SimpleCommand } from './shell.js';
import type { GuardContext } from './types.js';
import { compileWildcard } from './wildcards.js';

/** Programs that print, copy or pack the files named by their operands. */
export const READERS: ReadonlySet<string> = new Set([
  ...PRINTERS,
  'cp',
  'mv',
  'scp',
  'rsync',
  'tar',
  'zip',
  'gzip',
  'install',
  'openssl',
  'dd',
]);

/** `find` actions that run a program on each match. */
const FIND_EXEC = new Set(['-exec', '-execdir', '-ok', '-okdir']);
/** `find` tests that select by name or path, each followed by a glob. */
export const FIND_NAME_TESTS: ReadonlySet<string> = new Set([
  '-name',
  '-iname',
  '-path',
  '-ipath',
  '-wholename',
]);

/** A variable reference with no operator: `$f`, `${f}`, `"$f"` after quote removal. */
const PLAIN_VARIABLE = /\$\{?([A-Za-z_]\w*)\}?/;

/**
 * Returns a finding for a reader whose path argument reaches a credential file through a
 * variable, an expansion, `find -exec` or `xargs`: deny when the files reached are known
 * credentials, ask when the path is unknown and may reach one.
 */
export function checkIndirectReads(
  parsed: ParsedShell,
  raw: string,
  paths: PathContext,
  context: GuardContext,
): Finding | undefined {
  const variables = listVariables(parsed, paths.homeDir);
  // Variables set from `mktemp` and the temp-folder variables name fresh or scratch folders.
  const temporary = new Set(['TMPDIR', 'TMP', 'TEMP', 'RUNNER_TEMP']);
  // The pattern needs the word `mktemp`, which most lines lack.
  if (raw.includes('mktemp')) {
    for (const match of raw.matchAll(/\b([A-Za-z_]\w*)=["']?\$\(mktemp\b/g)) {
      temporary.add(match[1] ?? '');
    }
  }
  for (const command of parsed.commands) {
    const found =
      checkFindExec(command, paths, context) ??
      checkXargsInput(command, paths, context) ??
      checkDynamicOperands(command, { variables, temporary }, paths, context);
    if (found !== undefined) {
      return found;
    }
  }
  return undefined;
}

/** Words a loop or `read` variable takes, and whether the guard saw all of them. */
interface VariableWords {
  words: string[];
  complete: boolean;
}

/**
 * Maps each variable of a `for` or `select` loop and of `read`, as the parser found them, to
 * its words. A name set by two loops takes the words of both.
 */
function listVariables(parsed: ParsedShell, homeDir: string): Map<string, VariableWords> {
  const variables = new Map<string, VariableWords>();
  // NOTE: a variable that the loop body assigns again keeps the loop's words.
  for (const variable of parsed.loopVariables) {
    const before = variables.get(variable.name);
    const words = variable.words.map((word) => expandHome(word, homeDir));
    variables.set(variable.name, {
      words: [...(before?.words ?? []), ...words],
      complete: variable.complete && (before?.complete ?? true),
    });
  }
  return variables;
}

interface LineVariables {
  /** Loop and `read` variables with their words. */
  variables: ReadonlyMap<string, VariableWords>;
  /** Variables that name a temporary folder. */
  temporary: ReadonlySet<string>;
}

function checkDynamicOperands(
  command: SimpleCommand,
  { variables, temporary }: LineVariables,
  paths: PathContext,
  context: GuardContext,
): Finding | undefined {
  // Without an expansion in the command, a `$(` or `$x` in a word is literal text, such as a
  // quoted grep pattern.
  if (!READERS.has(command.name) || !command.dynamic) {
    return undefined;
  }
  const pattern = searchPatternIndex(command);
  for (const [index, arg] of command.argv.entries()) {
    const at = arg.search(/\$|`/);
    if (index === 0 || index === pattern || arg.startsWith('-') || at < 0) {
      continue;
    }
    const variable = PLAIN_VARIABLE.exec(arg);
    const name = variable?.[1];
    if (name !== undefined && temporary.has(name)) {
      continue;
    }
    if (variable !== null && variable.index === at && name !== undefined && variables.has(name)) {
      const values = variables.get(name);
      const reached = values?.words
        .map((value) => arg.replace(variable[0], value))
        .find((value) => namesCredentialFile(value, paths, context));
      if (reached !== undefined) {
        return credentialRead(reached);
      }
      if (values?.complete === true) {
        continue;
      }
    }
    const found = checkUnknownPath(arg, at, paths, context);
    if (found !== undefined) {
      return found;
    }
  }
  return undefined;
}

/** Search tools whose first operand is a pattern unless `-e` or `-f` gives it. */
const SEARCH_TOOLS = new Set(['grep', 'egrep', 'fgrep', 'zgrep', 'rg', 'ag', 'ack']);

/** Returns the argv index of a search tool's pattern operand, or -1 when there is none. */
function searchPatternIndex(command: SimpleCommand): number {
  if (!SEARCH_TOOLS.has(command.name)) {
    return -1;
  }
  const argv = command.argv;
  if (argv.some((arg) => /^(?:-[a-zA-Z]*[ef]|--regexp|--file)(?:=|$)/.test(arg))) {
    return -1;
  }
  return argv.findIndex((arg, index) => index > 0 && !arg.startsWith('-'));
}

/**
 * Checks a path whose part from `at` on is computed at run time: a credential suffix after
 * it (`$(echo /root)/.ssh/id_rsa`), a credential path inside a command substitution
 * (`$(ls ~/.ssh/id_r*)`), or a known prefix from which a credential location is reachable.
 */
function checkUnknownPath(
  arg: string,
  at: number,
  paths: PathContext,
  context: GuardContext,
): Finding | undefined {
  const prefix = arg.slice(0, at);
  const inner = /^\$\((.*)\)/s.exec(arg.slice(at))?.[1];
  if (inner !== undefined) {
    const named = inner
      .split(/\s+/)
      .map((word) => word.replace(/^["']|["']$/g, ''))
      .find((word) => /^[~/]/.test(word) && namesCredentialFile(word, paths, context));
    if (named !== undefined) {
      return credentialRead(arg);
    }
  }
  const suffix = /(?:\}|\)|`|\$[A-Za-z_]\w*)(\/[^$`]*)$/.exec(arg)?.[1];
  if (suffix !== undefined) {
    const candidates = [paths.homeDir, '/root', ''].map((root) => `${root}${suffix}`);
    if (candidates.some((candidate) => namesCredentialFile(candidate, paths, context))) {
      return credentialRead(arg);
    }
  }
  const known = prefix === '' ? '' : resolvePath(prefix, paths).replace(/\/+$/, '');
  const reachesCredentials =
    known === '' ||
    known === '/etc' ||
    isInside(paths.homeDir, known === '' ? '/' : known) ||
    isInside('/root', known === '' ? '/' : known);
  if (reachesCredentials && !isInside(known, context.projectDir)) {
    return finding(
      'unresolved-read',
      `The command reads "${arg}", a path computed at run time that may name a credential file`,
      'read-dynamic-path',
    );
  }
  return undefined;
}

/** Checks `find START... -name GLOB -exec READER`, which reads every match. */
function checkFindExec(
  command: SimpleCommand,
  paths: PathContext,
  context: GuardContext,
): Finding | undefined {
  if (command.name !== 'find') {
    return undefined;
  }
  const argv = command.argv;
  const execAt = argv.findIndex((arg) => FIND_EXEC.has(arg));
  const program = argv[execAt + 1] ?? '';
  if (execAt < 0 || !READERS.has(program.replace(/^.*\//, ''))) {
    return undefined;
  }
  const firstTest = argv.findIndex((arg, index) => index > 0 && /^[-(!]/.test(arg));
  const starts = argv.slice(1, firstTest < 0 ? argv.length : firstTest);
  const roots = (starts.length === 0 ? ['.'] : starts).map((start) => resolvePath(start, paths));
  const tests: { option: string; pattern: { test: (text: string) => boolean } }[] = [];
  for (let index = 1; index < argv.length - 1; index += 1) {
    const option = argv[index] ?? '';
    if (FIND_NAME_TESTS.has(option)) {
      tests.push({ option, pattern: findGlob(argv[index + 1] ?? '', option.startsWith('-i')) });
    }
  }
  const reached = credentialFiles(paths.homeDir).find(
    (file) =>
      !isInside(file, context.projectDir) &&
      roots.some((root) => isInside(file, root)) &&
      tests.every(({ option, pattern }) =>
        pattern.test(option.endsWith('name') ? file.replace(/^.*\//, '') : file),
      ),
  );
  return reached === undefined ? undefined : credentialRead(reached);
}

/**
 * Compiles a `find -name`/`-path` glob, where `*` also matches `/`. The glob comes from the
 * judged command, so it is matched without a backtracking regular expression, which a glob
 * such as `*?*?*?…` could keep busy past the hook's timeout.
 */
function findGlob(glob: string, ignoreCase: boolean): { test: (text: string) => boolean } {
  return { test: compileWildcard(glob, { ignoreCase }) };
}

/**
 * Checks `xargs READER` fed by its own here-string or heredoc, whose words become the
 * reader's operands, or by a file, whose words are unknown.
 */
function checkXargsInput(
  command: SimpleCommand,
  paths: PathContext,
  context: GuardContext,
): Finding | undefined {
  if (!command.wrappers.includes('xargs') || !READERS.has(command.name)) {
    return undefined;
  }
  const words = (command.stdin ?? '').split(/\s+/).filter((word) => word !== '');
  const reached = words.find((word) => namesCredentialFile(word, paths, context));
  if (reached !== undefined) {
    return credentialRead(reached);
  }
  const input = command.redirects.find((redirect) => redirect.operator === '<');
  if (input !== undefined) {
    return finding(
      'unresolved-read',
      `The command passes the words of "${input.target}" to ${command.name}, so the files it reads are unknown`,
      'read-dynamic-path',
    );
  }
  return undefined;
}

function credentialRead(path: string): Finding {
  return finding(
    'credential-exploration',
    `The command reads the credential file "${path}" through a variable, an expansion or find`,
    'credential-indirect',
  );
}
