/**
 * The script file a shell or interpreter command runs, found as the program finds it: after
 * its options, with the values of options that take one skipped (`bash -o errexit x.sh`,
 * `python -W ignore x.py`, `node -r ts-node/register x.ts`, `perl -I lib x.pl`).
 */

/** Option syntax of one program, as far as it decides which word is the script. */
interface OptionSyntax {
  /** Short option letters that take a value, attached (`-Ilib`) or as the next word. */
  shortValues: string;
  /** Short option letters whose value may only be attached (`perl -i.bak`, `ruby -x`). */
  attachedValues: string;
  /** Short option letters whose attached value is digits only, so other letters may follow (`perl -l0e`). */
  digitValues: string;
  /** Long options that take the next word as their value when written without `=`. */
  longValues: ReadonlySet<string>;
  /** Short option letters after which no script file runs: inline code, a module, stdin. */
  noScriptShort: string;
  /** Long options after which no script file runs. */
  noScriptLong: ReadonlySet<string>;
  /** Short option letters whose value is the script file (`php -f x.php`). */
  scriptShort: string;
}

/** Option syntax of the interpreters whose scripts the guard reads, by `interpreterName`. */
const INTERPRETER_SYNTAX: Readonly<Record<string, OptionSyntax>> = {
  python: {
    shortValues: 'WXQ',
    attachedValues: '',
    digitValues: '',
    longValues: new Set(['--check-hash-based-pycs']),
    noScriptShort: 'cm',
    noScriptLong: new Set(),
    scriptShort: '',
  },
  node: {
    shortValues: 'rC',
    attachedValues: '',
    digitValues: '',
    longValues: new Set([
      '--require',
      '--import',
      '--loader',
      '--experimental-loader',
      '--conditions',
      '--env-file',
      '--input-type',
      '--title',
      '--redirect-warnings',
      '--inspect-port',
      '--disable-warning',
    ]),
    noScriptShort: 'epi',
    noScriptLong: new Set(['--eval', '--print', '--interactive', '--run', '--check']),
    scriptShort: '',
  },
  ruby: {
    shortValues: 'IrCE',
    attachedValues: 'xiTWFKU',
    digitValues: '0l',
    longValues: new Set(['--encoding', '--external-encoding', '--internal-encoding']),
    noScriptShort: 'e',
    noScriptLong: new Set(),
    scriptShort: '',
  },
  perl: {
    shortValues: 'IMm',
    attachedValues: 'iCdDxV',
    digitValues: '0l',
    longValues: new Set(),
    noScriptShort: 'eE',
    noScriptLong: new Set(),
    scriptShort: '',
  },
  php: {
    shortValues: 'cdzSt',
    attachedValues: '',
    digitValues: '',
    longValues: new Set(['--php-ini', '--define', '--zend-extension']),
    noScriptShort: 'rRBEFa',
    noScriptLong: new Set(['--run', '--process-code', '--process-begin', '--process-end']),
    scriptShort: 'f',
  },
};

/** Returns the option syntax of an interpreter, keyed as `interpreterName` names it. */
export function interpreterSyntax(interpreter: string): OptionSyntax | undefined {
  return Object.hasOwn(INTERPRETER_SYNTAX, interpreter)
    ? INTERPRETER_SYNTAX[interpreter]
    : undefined;
}

/**
 * Returns the script file that `args` (the words after the program) make the program run.
 * Returns `stdin` when the program reads its script from standard input (no operand, or
 * `-`), and undefined when it runs inline code or a module. Shells are read by
 * shell-invocations.ts instead.
 */
export function scriptOperand(
  args: readonly string[],
  syntax: OptionSyntax,
): { file: string } | 'stdin' | undefined {
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (arg === '--') {
      const next = args[index + 1];
      return next === undefined ? 'stdin' : { file: next };
    }
    if (arg === '-') {
      return 'stdin';
    }
    if (arg.startsWith('--')) {
      const [name = ''] = arg.split('=', 1);
      if (syntax.noScriptLong.has(name)) {
        return undefined;
      }
      if (!arg.includes('=') && syntax.longValues.has(name)) {
        index += 1;
      }
      continue;
    }
    const isShort = arg.length > 1 && arg.startsWith('-');
    if (!isShort) {
      return { file: arg };
    }
    const cluster = readCluster(arg.slice(1), syntax);
    if (cluster === 'no-script') {
      return undefined;
    }
    if (cluster === 'script') {
      const next = args[index + 1];
      return next === undefined ? undefined : { file: next };
    }
    if (cluster === 'script-attached') {
      return { file: arg.slice(arg.indexOf(syntax.scriptShort) + 1) };
    }
    if (cluster === 'value-next') {
      index += 1;
    }
  }
  return 'stdin';
}

/**
 * Reads one cluster of short options (`eo` of `-eo pipefail`) and returns what it means for
 * the next word.
 */
function readCluster(
  letters: string,
  syntax: OptionSyntax,
): 'flags' | 'value-next' | 'no-script' | 'script' | 'script-attached' {
  for (let position = 0; position < letters.length; position += 1) {
    const letter = letters[position] ?? '';
    const last = position === letters.length - 1;
    if (syntax.noScriptShort.includes(letter)) {
      return 'no-script';
    }
    if (syntax.scriptShort.includes(letter)) {
      return last ? 'script' : 'script-attached';
    }
    if (syntax.shortValues.includes(letter)) {
      return last ? 'value-next' : 'flags';
    }
    if (syntax.attachedValues.includes(letter)) {
      return 'flags';
    }
    if (syntax.digitValues.includes(letter)) {
      while (/[0-9]/.test(letters[position + 1] ?? '')) {
        position += 1;
      }
    }
  }
  return 'flags';
}
