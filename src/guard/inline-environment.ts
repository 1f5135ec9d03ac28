/**
 * Whole-environment reads in inline code and in `jq` and `awk` programs: `process.env` used as
 * a value, Ruby `ENV.to_h`, Perl `%ENV`, PHP `getenv()` with no name, jq `env` and `$ENV`, and
 * an awk loop over `ENVIRON`. Each prints every variable, secrets included, as `env` does.
 * Reading one named variable (`process.env.PORT`, `ENV['HOME']`, `$ENV.HOME`) is not a dump.
 */
import type { ParsedShell, SimpleCommand } from './shell.js';

const INLINE_PATTERNS: Record<string, RegExp> = {
  node: /(?<!\bin\s+|Object\.keys\(\s*|\benv\s*:\s*)\bprocess\.env\b(?!\s*(?:\.|\[|\?\.|=[^=]))|\bDeno\.env\.toObject\b/,
  ruby: /\bENV\.(?:to_h|to_a|to_hash|inspect|to_s|each\w*|map|select|filter|reject|sort\w*|entries|values|dup|clone)\b|\b(?:p|pp|puts|print)\s*\(?\s*ENV\b(?!\s*[[.])/,
  perl: /%ENV\b/,
  php: /\bgetenv\s*\(\s*\)|\$_(?:ENV|SERVER)\b(?!\s*\[)/,
};
INLINE_PATTERNS.deno = INLINE_PATTERNS.node as RegExp;
INLINE_PATTERNS.bun = INLINE_PATTERNS.node as RegExp;

/** jq's whole-environment value: `env` or `$ENV` not followed by a field, an index or `keys`. */
const JQ_ENV = /(?:(?<![\w.$])env|\$ENV)\b(?!\s*(?:[.[]|\|\s*keys\b))/;
/** awk's whole-environment array used other than by a named index. */
const AWK_ENV = /\bENVIRON\b(?!\s*\[)/;
const AWKS = new Set(['awk', 'gawk', 'mawk', 'nawk', 'busybox-awk']);
/** Programs whose own program text {@link inlineEnvironmentDump} reads: jq and the awks. */
export const ENVIRONMENT_PROGRAMS: ReadonlySet<string> = new Set(['jq', ...AWKS]);

/** Returns what prints the whole environment in `parsed`, or undefined when nothing does. */
export function inlineEnvironmentDump(parsed: ParsedShell): string | undefined {
  for (const { interpreter, code } of parsed.inlineCode) {
    const pattern = INLINE_PATTERNS[interpreter];
    if (pattern !== undefined && /env/i.test(code) && pattern.test(code)) {
      return `${interpreter} inline code`;
    }
  }
  for (const command of parsed.commands) {
    if (programDumpsEnvironment(command)) {
      return command.name;
    }
  }
  return undefined;
}

function programDumpsEnvironment(command: SimpleCommand): boolean {
  const pattern = command.name === 'jq' ? JQ_ENV : AWKS.has(command.name) ? AWK_ENV : undefined;
  if (pattern === undefined) {
    return false;
  }
  const program = programText(
    command.argv.slice(1),
    command.name === 'jq' ? JQ_VALUED : AWK_VALUED,
  );
  return program !== undefined && pattern.test(program);
}

/** jq options and the number of words each takes (`--arg NAME VALUE`). */
const JQ_VALUED: ReadonlyMap<string, number> = new Map([
  ['--arg', 2],
  ['--argjson', 2],
  ['--slurpfile', 2],
  ['--rawfile', 2],
  ['--indent', 1],
  ['-L', 1],
]);
/** awk options that take the next word as their value. */
const AWK_VALUED: ReadonlyMap<string, number> = new Map([
  ['-v', 1],
  ['-F', 1],
]);

/** Returns the program text: the first operand after the options and their values. */
function programText(
  args: readonly string[],
  valued: ReadonlyMap<string, number>,
): string | undefined {
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (arg === '-f' || arg === '--from-file') {
      // The program is in a file the guard does not read.
      return undefined;
    }
    if (!arg.startsWith('-')) {
      return arg;
    }
    index += valued.get(arg) ?? 0;
  }
  return undefined;
}
