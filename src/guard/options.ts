/**
 * Option values of a command's arguments.
 */

/** Returns the value of the first of `names` in `args`, as `--name value` or `--name=value`. */
export function optionValue(args: readonly string[], names: readonly string[]): string | undefined {
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    for (const name of names) {
      if (arg === name) {
        return args[index + 1];
      }
      if (arg.startsWith(`${name}=`)) {
        return arg.slice(name.length + 1);
      }
    }
  }
  return undefined;
}

/** A program's arguments split by {@link splitOptions}. */
export interface SplitOptions {
  /** Options given with a value, as `--name=value` or as one of the value options and its next word. */
  options: Map<string, string>;
  /** Options given without a value. */
  flags: Set<string>;
  operands: string[];
}

/**
 * Splits a program's arguments (without the program) into options, flags and operands. Only
 * `valueOptions` take the next word as their value. With `stopAtOperand`, the first operand ends
 * the options and every later word is an operand, as for a runner whose first operand names a
 * task and whose other words are the task's arguments. A `--` then ends the options and is
 * dropped. Without it, options may follow operands, and a `--` ends the options but stays among
 * the operands, so a caller can tell which operands came after it.
 */
export function splitOptions(
  words: readonly string[],
  valueOptions: ReadonlySet<string>,
  { stopAtOperand }: { stopAtOperand: boolean },
): SplitOptions {
  const options = new Map<string, string>();
  const flags = new Set<string>();
  const operands: string[] = [];
  for (let index = 0; index < words.length; index += 1) {
    const word = words[index] ?? '';
    if (word === '--') {
      operands.push(...words.slice(stopAtOperand ? index + 1 : index));
      break;
    }
    if (!word.startsWith('-') || word === '-') {
      if (stopAtOperand) {
        operands.push(...words.slice(index));
        break;
      }
      operands.push(word);
      continue;
    }
    const equals = word.indexOf('=');
    if (word.startsWith('--') && equals > 0) {
      options.set(word.slice(0, equals), word.slice(equals + 1));
    } else if (valueOptions.has(word)) {
      options.set(word, words[index + 1] ?? '');
      index += 1;
    } else {
      flags.add(word);
    }
  }
  return { options, flags, operands };
}
