import { describe, expect, it } from 'vitest';
import { optionValue, splitOptions } from './options.js';

const VALUE_OPTIONS = new Set(['-f', '--file']);

describe('optionValue', () => {
  it('reads separate and joined values', () => {
    expect(optionValue(['-x', '--file', 'a'], ['--file'])).toBe('a');
    expect(optionValue(['--file=b'], ['--file'])).toBe('b');
    expect(optionValue(['-x'], ['--file'])).toBeUndefined();
  });
});

describe('splitOptions stopping at the first operand', () => {
  const split = (words: string[]) => splitOptions(words, VALUE_OPTIONS, { stopAtOperand: true });

  it('takes the words after the first operand as operands', () => {
    const { options, flags, operands } = split(['-f', 'tasks.toml', '-q', 'build', '-v', '--x=1']);
    expect(options).toEqual(new Map([['-f', 'tasks.toml']]));
    expect(flags).toEqual(new Set(['-q']));
    expect(operands).toEqual(['build', '-v', '--x=1']);
  });

  it('drops the -- that ends the options', () => {
    const { flags, operands } = split(['-q', '--', '-v', 'build']);
    expect(flags).toEqual(new Set(['-q']));
    expect(operands).toEqual(['-v', 'build']);
  });

  it('takes a lone - as an operand', () => {
    expect(split(['-', '-q']).operands).toEqual(['-', '-q']);
  });
});

describe('splitOptions with options after operands', () => {
  const split = (words: string[]) => splitOptions(words, VALUE_OPTIONS, { stopAtOperand: false });

  it('reads options between and after operands', () => {
    const { options, flags, operands } = split(['build', '--file=Makefile', 'test', '-q', '-f']);
    expect(options).toEqual(
      new Map([
        ['--file', 'Makefile'],
        ['-f', ''],
      ]),
    );
    expect(flags).toEqual(new Set(['-q']));
    expect(operands).toEqual(['build', 'test']);
  });

  it('keeps the -- that ends the options among the operands', () => {
    const { flags, operands } = split(['build', '--', '-q', 'test']);
    expect(flags).toEqual(new Set());
    expect(operands).toEqual(['build', '--', '-q', 'test']);
  });

  it('takes a single-dash option with = as a flag', () => {
    expect(split(['-j=4']).flags).toEqual(new Set(['-j=4']));
  });
});
