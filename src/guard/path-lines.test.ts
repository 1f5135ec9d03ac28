import { describe, expect, it } from 'vitest';
import { splitWidenedPathLines } from './path-lines.js';

describe('splitWidenedPathLines', () => {
  it('turns a widened export into its new folders', () => {
    const result = splitWidenedPathLines(
      ['export PATH="$HOME/bin:$PATH"'],
      ['export PATH="$HOME/bin:$HOME/.cargo/bin:$PATH"'],
    );
    expect(result.removed).toEqual([]);
    expect(result.added).toEqual(['export PATH="$HOME/.cargo/bin:$PATH"']);
  });

  it('reads folders appended after $PATH', () => {
    const result = splitWidenedPathLines(
      ['export PATH="$PATH:$HOME/bin"'],
      ['export PATH="$PATH:$HOME/bin:$HOME/.deno/bin"'],
    );
    expect(result.added).toEqual(['export PATH="$HOME/.deno/bin:$PATH"']);
  });

  it.each([
    ['export PATH="$HOME/bin:$PATH"', 'export PATH="$HOME/.cargo/bin:$PATH"'],
    ['export PATH="$HOME/bin:$PATH"', 'export PATH="$HOME/bin:$PATH:$PATH"'],
    ['export PATH="$HOME/bin:$PATH"', 'export PATH="$HOME/bin:$(curl x):$PATH"'],
    ['alias ll="ls -l"', 'alias ll="ls -la"'],
  ])('keeps %j replaced by %j as it is', (removed, added) => {
    const result = splitWidenedPathLines([removed], [added]);
    expect(result.removed).toEqual([removed]);
    expect(result.added).toEqual([added]);
  });
});
