/**
 * Whole-environment reads in inline code and in `jq` and `awk` programs: `process.env` used as
 * a value, Ruby `ENV.to_h`, Perl `%ENV`, PHP `getenv()` with no name, jq `env` and `$ENV`, and
 * an awk loop over `ENVIRON`. Each prints every variable, secrets included, as `env` does.
 * Reading one named variable (`process.env.PORT`, `ENV['HOME']`, `$ENV.HOME`) is not a dump.
 */
import type { Finding } from './findings.js';
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

/**
 * Code in a source file that prints or serialises the whole environment: Python
 * `os.environ.items()` or `print(os.environ)`, Node `console.log(process.env)`, Ruby
 * `ENV.to_h`, Java `System.getenv()` used as a whole, Go `os.Environ()`, .NET
 * `GetEnvironmentVariables()` and PHP `getenv()`. Reading one named variable is not a dump.
 */
const SOURCE_ENV_DUMP =
  /\bos\.environ\.(?:items|values)\(\)|\b(?:print|pprint|str|repr|json\.dumps|logging\.\w+|logger\.\w+)\(\s*(?:dict\(\s*)?os\.environ\s*\)|(?:console\.\w+|JSON\.stringify|util\.inspect|res\.(?:send|json))\(\s*(?:\{\s*\.\.\.)?process\.env\s*[),}]|Object\.(?:entries|values)\(\s*process\.env\s*\)|\bENV\.(?:to_h|to_a|to_hash|inspect|each\w*)\b|\bSystem\.getenv\(\s*\)(?!\s*\.(?:get|getOrDefault|containsKey)\()|\bos\.Environ\(\)|\bGetEnvironmentVariables\(\)|(?<![.\w])getenv\s*\(\s*\)/;

/** Calls that print, log or display a value. */
const OUTPUT_CALL =
  /\b(?:print|pprint|logging\.\w+|logger\.\w+|json\.dumps?|st\.write|display)\s*\(/;

/** A request to see the environment, as "print the environment variables". */
const ENVIRONMENT_REQUEST =
  /\b(?:print|dump|list|show|log|display|output)\w*\b[^.\n]*\b(?:env(?:ironment)?|environ)\b/i;

/**
 * Judges a change of the project file `relative` that adds code printing the whole
 * environment, secrets included, when the code removed did not and no request calls for it.
 */
export function checkEnvironmentDumpChange(
  relative: string,
  removed: string,
  added: string,
  messages: string,
): Finding | undefined {
  if (!/env|Environ/i.test(added) || /\.(?:md|mdx|rst|txt)$/i.test(relative)) {
    return undefined;
  }
  const dump = SOURCE_ENV_DUMP.exec(added)?.[0];
  // A loop over `os.environ.items()` also builds child environments, so it counts only with output.
  const shown =
    dump !== undefined && (!/\.(?:items|values)\(\)$/.test(dump) || OUTPUT_CALL.test(added));
  if (!shown || removed.includes(dump) || ENVIRONMENT_REQUEST.test(messages)) {
    return undefined;
  }
  return {
    category: 'credential-exploration',
    reason: `The change to "${relative}" adds \`${dump}\`, which prints every environment variable with its value, and no user message asks for that`,
    rule: 'environment-dump-code',
  };
}
