/**
 * Shells and interpreters the parser follows into: which flags take inline code, and the
 * calls in that code that hand a string to a shell.
 */

/** Programs that run shell text. */
export const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'ash', 'fish', 'busybox']);

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
