/**
 * Scripts of GNU sed (4.8) and the shell commands their `e` command and `s///e` flag run.
 */

/** Reads what a process substitution word prints, when it is literal. */
type SubstitutionReader = (word: string) => string | undefined;

/** The scripts of one sed call, and why any of them cannot be read. */
export interface SedScripts {
  scripts: string[];
  unreadable: string[];
}

/** Short options of sed that take no value. */
const SED_FLAGS = new Set(['n', 'r', 'E', 's', 'u', 'z', 'b']);
/** Long options of sed that take a value in the next word. */
const SED_LONG_VALUES = new Set(['--expression', '--file', '--line-length']);
/** Files that exist only while the command runs: standard input and process substitutions. */
const STDIN_FILE = /^(?:-|\/dev\/stdin|\/dev\/fd\/0|\/proc\/self\/fd\/0)$/;
const RUNTIME_FILE = /^[<>]\(|^\/dev\/(?:fd\/|stdin$)|^\/proc\/(?:self|thread-self|\d+)\/fd\//;

/**
 * Returns the scripts of `sed ARGS`: every `-e`/`--expression` value and the text of every
 * `-f`/`--file` script that comes from a heredoc or a literal process substitution, or else
 * the first operand. Short options may be clustered (`-ne X`), and `-i` takes the rest of
 * its word as the backup suffix, so `-ie` is not `-e`.
 */
export function sedScripts(
  argv: readonly string[],
  input: string | undefined,
  readSubstitution: SubstitutionReader,
): SedScripts {
  const result: SedScripts = { scripts: [], unreadable: [] };
  let operand: string | undefined;
  let given = false;
  const addFile = (file: string): void => {
    given = true;
    const text = STDIN_FILE.test(file)
      ? input
      : RUNTIME_FILE.test(file)
        ? readSubstitution(file)
        : undefined;
    if (text === undefined) {
      result.unreadable.push('sed reads its script from a file');
    } else {
      result.scripts.push(text);
    }
  };
  for (let index = 1; index < argv.length; index += 1) {
    const arg = argv[index] ?? '';
    if (arg === '--') {
      operand ??= argv[index + 1];
      break;
    }
    if (arg.startsWith('--')) {
      const [name = '', value] = arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined];
      const text = value ?? (SED_LONG_VALUES.has(name) ? argv[(index += 1)] : undefined);
      if (name === '--expression' && text !== undefined) {
        given = true;
        result.scripts.push(text);
      } else if (name === '--file' && text !== undefined) {
        addFile(text);
      }
      continue;
    }
    if (!arg.startsWith('-') || arg === '-') {
      operand ??= arg;
      continue;
    }
    // A cluster of short options: flags, then `e`, `f` or `l` with the rest as their value.
    for (let at = 1; at < arg.length; at += 1) {
      const letter = arg[at] ?? '';
      if (SED_FLAGS.has(letter)) {
        continue;
      }
      if (letter === 'e' || letter === 'f' || letter === 'l') {
        const value = at + 1 < arg.length ? arg.slice(at + 1) : argv[(index += 1)];
        if (value !== undefined && letter === 'e') {
          given = true;
          result.scripts.push(value);
        } else if (value !== undefined && letter === 'f') {
          addFile(value);
        }
      }
      // `-i[SUFFIX]`, `-l N` and unknown letters end the cluster.
      break;
    }
  }
  if (!given && operand !== undefined) {
    result.scripts.push(operand);
  }
  return result;
}

/**
 * A GNU sed `e` command after an optional address, at the start of a script or after `;`,
 * `{`, `}` or a newline. As with `a`, `i` and `c`, its command is the rest of the line, so
 * `;` does not end it, and a line that ends in `\` goes on to the next line.
 */
const SED_E_COMMAND =
  /(?:^|[;\n{}])\s*(?:(?:\d+(?:~\d+)?|\$|\/(?:\\.|[^/\\])*\/I?|\\(.)(?:\\.|(?!\1).)*\1I?)(?:\s*,\s*(?:[+~]?\d+|\$|\/(?:\\.|[^/\\])*\/I?))?!?)?\s*e(?:[ \t]+((?:[^\n\\]|\\[\s\S])*)|(?=[;\n}]|$))/g;
/** An `s` command with the `e` flag, which runs the pattern space as a command. */
const SED_S_EXECUTE =
  /(?:^|[;\n{}\s\d$/!])s([^\w\s\\])(?:\\.|(?!\1).)*\1(?:\\.|(?!\1).)*\1[gpIiMm0-9w]*e/;

/**
 * Adds to `runs` the shell commands that sed `script` runs: the text of each `e COMMAND`,
 * and a problem for `e` alone and `s///e`, which run the text being edited.
 */
export function addSedCommands(
  script: string,
  runs: { scripts: string[]; unreadable: string[] },
): void {
  if (SED_S_EXECUTE.test(script)) {
    runs.unreadable.push('sed runs the text it edits as a command (s///e)');
  }
  if (!/e/.test(script)) {
    return;
  }
  for (const match of script.matchAll(SED_E_COMMAND)) {
    const command = (match[2] ?? '').replace(/\\\n/g, '\n').trim();
    if (command === '') {
      runs.unreadable.push('sed runs the text it edits as a command (e)');
    } else {
      runs.scripts.push(command);
    }
  }
}
