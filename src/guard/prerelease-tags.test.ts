import { describe, expect, it } from 'vitest';
import { namesPrereleaseTag } from './prerelease-tags.js';

describe('namesPrereleaseTag', () => {
  it.each([
    ['v1.14.0-rc2', 'move the rc2 tag to HEAD'],
    ['2.0.0-beta.3', 'the beta.3 tag is wrong'],
    ['refs/tags/v4.1.0-alpha1', 'retag alpha1, the tag points at the old commit'],
  ])('reads %s as named by %j', (ref, messages) => {
    expect(namesPrereleaseTag(ref, messages)).toBe(true);
  });

  it.each([
    ['v1.14.0', 'move the rc2 tag to HEAD'],
    ['v1.14.0-rc2', 'rc2 is on the wrong commit'],
    ['v1.14.0-rc2', 'move the rc3 tag to HEAD'],
    ['feature-rc2', 'move the rc2 tag'],
  ])('does not read %s as named by %j', (ref, messages) => {
    expect(namesPrereleaseTag(ref, messages)).toBe(false);
  });
});
