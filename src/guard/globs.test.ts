import { describe, expect, it } from 'vitest';
import { credentialFileMatching, expandBraces, globToRegExp } from './globs.js';

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

  it('stops at 64 words', () => {
    expect(expandBraces('{a,b}{c,d}{e,f}{g,h}{i,j}{k,l}{m,n}')).toHaveLength(64);
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
