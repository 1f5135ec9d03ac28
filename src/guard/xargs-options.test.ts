import { describe, expect, it } from 'vitest';
import { xargsRunsInput } from './runners.js';
import { unwrapCommand } from './wrappers.js';

describe('xargs options', () => {
  it.each([
    [
      ['xargs', '-i', 'rm', '{}'],
      ['rm', '{}'],
    ],
    [['xargs', '-l', 'rm'], ['rm']],
    [['xargs', '-e', 'rm'], ['rm']],
    [
      ['xargs', '--replace', 'rm', '{}'],
      ['rm', '{}'],
    ],
    [
      ['xargs', '-I', '%', 'rm', '%'],
      ['rm', '%'],
    ],
    [['xargs', '-n', '1', '-P', '4', 'rm'], ['rm']],
    [['xargs', '--max-chars', '100', 'rm'], ['rm']],
    [
      ['xargs', '-J', '%', 'cp', '%', 'out/'],
      ['cp', '%', 'out/'],
    ],
  ])('unwraps %j', (argv, program) => {
    expect(unwrapCommand(argv).argv).toEqual(program);
  });

  it.each([
    ['xargs', '--replace', 'sh', '-c', 'echo {}'],
    ['xargs', '-i', 'bash', '-c', 'cat {}'],
    ['xargs', '-J', '%', 'sh', '-c', 'rm %'],
    ['parallel', '-j', '4', 'sh', '-c', 'rm {}'],
  ])('finds input run as code in %j', (...words) => {
    expect(xargsRunsInput(words)).toBeDefined();
  });

  it('reads -e as taking no value', () => {
    expect(xargsRunsInput(['xargs', '-e', '-I', '{}', 'sh', '-c', 'echo {}'])).toBeDefined();
  });

  it('leaves xargs without a replace string alone', () => {
    expect(xargsRunsInput(['xargs', '-l', 'sh', '-c', 'echo'])).toBeUndefined();
  });
});
