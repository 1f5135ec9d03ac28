/**
 * Shells and interpreters the parser follows into: which flags take inline code, and the
 * calls in that code that hand a string to a shell.
 */

/** POSIX shells: each runs `sh`-style text and reads `$ENV` at start-up. */
const POSIX_SHELLS: ReadonlySet<string> = new Set([
  'sh',
  'bash',
  'dash',
  'ash',
  'hush',
  'ksh',
  'ksh93',
  'mksh',
  'pdksh',
  'oksh',
  'loksh',
  'posh',
  'yash',
  'zsh',
]);

/** Programs that run shell text: the POSIX shells, fish, the C shells and busybox. */
export const SHELLS: ReadonlySet<string> = new Set([
  ...POSIX_SHELLS,
  'fish',
  'csh',
  'tcsh',
  'busybox',
]);

/** A shell named with its version, as installed side by side: `bash5`, `bash-5.2`, `zsh-5.9`. */
const VERSIONED_SHELL = /^([a-z]+?)-?\d+(?:\.\d+)*$/;

/** Returns the shell a program name runs (`bash-5.2` runs `bash`), or undefined. */
export function shellName(name: string): string | undefined {
  if (SHELLS.has(name)) {
    return name;
  }
  // The digit test skips the pattern for the many names without a version.
  const last = name.charCodeAt(name.length - 1);
  if (last < 48 || last > 57) {
    return undefined;
  }
  const base = VERSIONED_SHELL.exec(name)?.[1];
  return base !== undefined && SHELLS.has(base) && base !== 'busybox' ? base : undefined;
}

/** Checks whether a program name runs shell text, versioned names included. */
export function isShell(name: string): boolean {
  return shellName(name) !== undefined;
}

/** Checks whether a program name is a POSIX shell, which reads `$ENV` at start-up. */
export function isPosixShell(name: string): boolean {
  const base = shellName(name);
  return base !== undefined && POSIX_SHELLS.has(base);
}

/** Flags that take inline code, per interpreter. */
export const INLINE_FLAGS: Record<string, readonly string[]> = {
  python: ['-c'],
  node: ['-e', '--eval', '-p', '--print', '-pe'],
  deno: ['eval'],
  bun: ['-e', '--eval', '-p', '--print'],
  perl: ['-e', '-E'],
  ruby: ['-e'],
  php: ['-r'],
  powershell: ['-Command', '-command', '-c', '-C'],
  osascript: ['-e'],
  lua: ['-e'],
  r: ['-e'],
  julia: ['-e', '--eval', '-E', '--print'],
  elixir: ['-e', '--eval'],
  erl: ['-eval'],
  emacs: ['--eval', '-eval'],
  guile: ['-c'],
  racket: ['-e'],
  clojure: ['-e', '--eval'],
  babashka: ['-e', '--eval'],
  scala: ['-e'],
  kotlin: ['-e'],
  swift: ['-e'],
  groovy: ['-e'],
  tcl: [],
  ed: [],
};

/**
 * Interpreter names, as a Set of own keys, so a program named like an `Object.prototype`
 * property (`constructor`) is not taken for an interpreter.
 */
const INLINE_FLAG_NAMES: ReadonlySet<string> = new Set(Object.keys(INLINE_FLAGS));

/** Calls in inline code that hand a string literal to a shell. */
export const SHELL_CALL =
  /(?:os\.system|os\.popen|subprocess\.\w+|commands\.getoutput|exec(?:Sync)?|spawn(?:Sync)?|system|shell_exec|passthru|popen)\(\s*\[?\s*(['"])((?:\\.|(?!\1).)*)\1/g;

/** Program names of the interpreters keyed by another name in {@link INLINE_FLAGS}. */
const OTHER_NAMES: Readonly<Record<string, string>> = Object.assign(Object.create(null) as object, {
  Rscript: 'r',
  R: 'r',
  iex: 'elixir',
  clj: 'clojure',
  bb: 'babashka',
  kotlinc: 'kotlin',
  'kotlinc-jvm': 'kotlin',
  tclsh: 'tcl',
  wish: 'tcl',
  expect: 'tcl',
  ex: 'ed',
});

/** Maps `python3.12`, `nodejs` or `pwsh` to the key used in {@link INLINE_FLAGS}. */
export function interpreterName(name: string): string | undefined {
  // The prefix tests skip the patterns for the many names that cannot match them.
  if ((name.startsWith('python') && /^python[0-9.]*$/.test(name)) || name === 'pypy3') {
    return 'python';
  }
  if (name === 'nodejs') {
    return 'node';
  }
  if (name.startsWith('lua') && /^lua(?:jit|[0-9.]+)?$/.test(name)) {
    return 'lua';
  }
  if (name === 'pwsh' || name === 'powershell.exe') {
    return 'powershell';
  }
  const other = OTHER_NAMES[name];
  if (other !== undefined) {
    return other;
  }
  return INLINE_FLAG_NAMES.has(name) ? name : undefined;
}
