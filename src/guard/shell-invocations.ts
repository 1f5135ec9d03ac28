/**
 * Reads a shell's command line as the shell does, to find where its script comes from.
 *
 * bash, dash, zsh, ksh and the other POSIX shells parse every option before the first operand,
 * wherever `-c` appears among them: `bash -c -e 'X'` and `sh -c -- 'X'` run `X`. With `-c`
 * the first operand is the command text and the later ones are `$0` and the positional
 * parameters. Without `-c`, the shell reads its commands from standard input when `-s` is
 * given or when no operand is left (`bash -s a b <<'EOF'` runs the heredoc with `$1=a`);
 * otherwise the first operand names the script file.
 */

/** Source of a shell's commands. */
export type ShellSource =
  /** `-c`: the command text is the argument at `index`. */
  | { kind: 'text'; index: number }
  /** `-c` with no operand: the shell fails to start. */
  | { kind: 'missing' }
  /** Standard input (`-s`, or no operand). */
  | { kind: 'stdin' }
  /** A script file, the argument at `index`. */
  | { kind: 'file'; index: number };

/** Long options of bash that take the next word as their value. */
const LONG_VALUE_OPTIONS = new Set(['--rcfile', '--init-file']);

/**
 * Returns where a shell given `args` (the words after its name) reads its commands from.
 * Indexes count from the first word of `args`.
 */
export function shellSource(args: readonly string[]): ShellSource {
  let text = false;
  let stdin = false;
  let index = 0;
  while (index < args.length) {
    const arg = args[index] ?? '';
    if (arg === '--' || arg === '-') {
      // bash takes a lone `-` as `--`; both end the options.
      index += 1;
      break;
    }
    if (arg.startsWith('--')) {
      index += LONG_VALUE_OPTIONS.has(arg) ? 2 : 1;
      continue;
    }
    if (!/^[-+][a-zA-Z]+$/.test(arg)) {
      break;
    }
    if (arg.startsWith('-')) {
      text ||= arg.includes('c');
      stdin ||= arg.includes('s');
    }
    // `-o NAME` and bash's `-O NAME` take the next word, also at the end of a cluster (`-eo`).
    index += /[oO]/.test(arg) ? 2 : 1;
  }
  if (text) {
    return index < args.length ? { kind: 'text', index } : { kind: 'missing' };
  }
  return stdin || index >= args.length ? { kind: 'stdin' } : { kind: 'file', index };
}

/**
 * Returns the script file a shell given `args` runs: its file operand, or `input` (the file
 * redirected to its standard input) when it reads standard input. Returns undefined for `-c`.
 */
export function shellScriptFile(
  args: readonly string[],
  input: string | undefined,
): string | undefined {
  const source = shellSource(args);
  if (source.kind === 'file') {
    return args[source.index];
  }
  return source.kind === 'stdin' ? input : undefined;
}
