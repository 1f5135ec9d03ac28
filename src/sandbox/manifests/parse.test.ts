import { describe, expect, it } from 'vitest';
import { isSandstackError } from '../../core/errors.js';
import { parseManifests } from './parse.js';

/** A document whose nine levels of aliases expand to 10^9 strings. */
const ALIAS_BOMB = [
  'a: &a ["x","x","x","x","x","x","x","x","x","x"]',
  ...['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'].map(
    (name, index) =>
      `${name}: &${name} [${Array(10)
        .fill(`*${String.fromCharCode(97 + index)}`)
        .join(',')}]`,
  ),
].join('\n');

describe('parseManifests', () => {
  it('rejects an alias bomb as invalid YAML', () => {
    let error: unknown;
    try {
      parseManifests(ALIAS_BOMB, 'bomb.yaml');
    } catch (caught) {
      error = caught;
    }
    expect(isSandstackError(error, 'INVALID_CONFIG')).toBe(true);
    expect((error as Error).message).toContain('bomb.yaml');
    expect((error as Error).message).toContain('invalid YAML: Excessive alias count');
  });
});
