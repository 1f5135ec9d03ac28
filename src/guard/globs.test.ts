import { describe, expect, it } from 'vitest';
import {
  braceWordCount,
  credentialFileMatching,
  expandBraces,
  globToRegExp,
  MAX_BRACE_WORDS,
} from './globs.js';

const HOME = '/home/dev';

describe('expandBraces', () => {
  it.each([
    ['{/etc/shadow,x}', ['/etc/shadow', 'x']],
    ['a{b,c}d', ['abd', 'acd']],
    ['{a,{b,c}}', ['a', 'b', 'c']],
    ['x{1..3}', ['x{1..3}']],
    ['{single}', ['{single}']],
    ['plain', ['plain']],
  ])('expands %s', (word, expected) => {
    expect(expandBraces(word)).toEqual(expected);
  });

  it('expands every word up to the bound', () => {
    const words = expandBraces(`${'{a,b}'.repeat(11)}{/root/.ssh/id_rsa,x}`);
    expect(words).toHaveLength(MAX_BRACE_WORDS);
    expect(words.at(-2)).toBe('bbbbbbbbbbb/root/.ssh/id_rsa');
  });

  it('keeps a word over the bound unexpanded', () => {
    const bomb = '{a,b}'.repeat(64);
    expect(expandBraces(bomb)).toEqual([bomb]);
  });
});

describe('braceWordCount', () => {
  it.each([
    ['plain', 1],
    ['a{b,c}d', 2],
    ['{a,{b,c}}', 4],
    ['{a,b}{c,d,e}', 6],
    ['{a,b', 1],
    ['x{1..3}', 1],
  ])('bounds %s at %d', (word, expected) => {
    expect(braceWordCount(word)).toBe(expected);
  });

  it('stops counting past the bound', () => {
    expect(braceWordCount('{a,b}'.repeat(10_000))).toBe(MAX_BRACE_WORDS + 1);
  });
});

describe('globToRegExp', () => {
  it.each([
    ['/e?c/shadow', '/etc/shadow', true],
    ['/etc/sh*', '/etc/shadow', true],
    ['/etc/shad[o]w', '/etc/shadow', true],
    ['/etc/shad[!o]w', '/etc/shadow', false],
    ['/home/dev/*', '/home/dev/.npmrc', false],
    ['/home/dev/.*rc', '/home/dev/.npmrc', true],
    ['/etc/*', '/etc/ssl/cert.pem', false],
  ])('%s matching %s is %s', (pattern, path, expected) => {
    expect(globToRegExp(pattern).test(path)).toBe(expected);
  });
});

describe('credentialFileMatching', () => {
  it.each([
    ['/e?c/shadow', '/etc/shadow'],
    ['/home/dev/.p?pass', '/home/dev/.pgpass'],
    ['/home/dev/.ss?', '/home/dev/.ssh'],
    [
      '/var/run/secrets/kubernetes.io/serviceaccount/*',
      '/var/run/secrets/kubernetes.io/serviceaccount/token',
    ],
  ])('finds what %s matches', (pattern, expected) => {
    expect(credentialFileMatching(pattern, HOME)).toBe(expected);
  });

  it.each(['/home/dev/*', '/home/dev/project/*.py', '/etc/os-release', '/tmp/*'])(
    'finds nothing for %s',
    (pattern) => {
      expect(credentialFileMatching(pattern, HOME)).toBeUndefined();
    },
  );
});
