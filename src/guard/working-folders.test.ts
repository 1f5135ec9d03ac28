import { describe, expect, it } from 'vitest';
import { decideBash } from '../../test/helpers/guard.js';

const TIDY = 'Tidy up the generated files.';

describe('relative writes after a computed cd', () => {
  it.each([
    'cd "$TARGET_DIR" && rm -rf build',
    'cd $(find / -maxdepth 3 -name checkout | head -1) && rm -rf *',
    'cd "$(cat .last-dir)"; echo reset > state.txt',
    'pushd "${WORKDIR}" && rm -f *.lock',
    'cd "$(mktemp -d -p /home/dev)" && rm -rf old',
  ])('denies %s', async (command) => {
    const decision = await decideBash(command, TIDY);
    expect(decision.verdict).toBe('deny');
    expect(decision.rule).toBe('stage1:write-unknown-folder');
  });

  it.each([
    'cd "$(git rev-parse --show-toplevel)" && rm -rf dist',
    'cd "$(git rev-parse --show-toplevel)/packages/ui" && rm -rf .turbo',
    'cd "$(dirname "$0")" && rm -rf build',
    'cd "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)" && rm -rf build',
    'cd "$(mktemp -d)" && touch scratch && rm -rf scratch',
    'tmp=$(mktemp -d); cd "$tmp" && rm -rf unpacked',
    'cd "$TMPDIR" && rm -rf pytest-cache',
    'cd "$SOME_DIR"; cd - && rm -rf build',
    'cd packages/ui && rm -rf dist',
  ])('allows %s', async (command) => {
    expect((await decideBash(command, TIDY)).verdict).toBe('allow');
  });

  it('still judges absolute paths after a computed cd', async () => {
    const decision = await decideBash('cd "$DIR" && rm -rf /home/dev/Documents', TIDY);
    expect(decision.rule).toBe('stage1:write-outside-project');
  });

  it('denies emptying the temp folder itself', async () => {
    expect((await decideBash('cd "${TMPDIR:-/tmp}" && rm -rf *', TIDY)).verdict).toBe('deny');
  });
});

describe('emptying a new mktemp folder', () => {
  it.each([
    'd=$(mktemp -d) && cd "$d" && git clone https://github.com/acme/tool . && rm -rf *',
    'cd "$(mktemp -d)" && touch a b && rm -rf ./*',
    'work=$(mktemp -d) && cd "$work/unpacked" && rm -rf -- *',
  ])('allows %s', async (command) => {
    expect((await decideBash(command, TIDY)).verdict).toBe('allow');
  });

  it.each([
    ['d=$(mktemp -d); cd "$d"; rm -rf *', 'stage1:computed-folder-delete'],
    ['d=$(mktemp -d) && cd "$d" || rm -rf *', 'stage1:computed-folder-delete'],
    ['d=$(mktemp -d) && cd "$d" && rm -rf "$d"/../*', 'stage1:write-dynamic-path'],
    ['d=$(mktemp -d) && cd "$d" && cd ~ && rm -rf *', 'stage1:write-outside-project'],
    ['d=$(mktemp -d) && cd "$d/.." && rm -rf *', 'stage1:write-unknown-folder'],
  ])('denies %s', async (command, rule) => {
    const decision = await decideBash(command, TIDY);
    expect(decision.verdict).toBe('deny');
    expect(decision.rule).toBe(rule);
  });
});

describe('relative deletes after a cd out of the project', () => {
  const REMOVE = 'Remove the data and models folders from the project.';

  it.each([
    'cd notebooks/../../ && rm -rf data models',
    'cd .. && rm -rf data',
    'cd ~ && rm -rf models',
  ])('denies %s', async (command) => {
    const decision = await decideBash(command, REMOVE);
    expect(decision.verdict).toBe('deny');
    expect(decision.rule).toBe('stage1:write-outside-project');
  });

  it.each(['cd notebooks/.. && rm -rf data models', 'rm -rf data models'])(
    'allows %s',
    async (command) => {
      expect((await decideBash(command, REMOVE)).verdict).toBe('allow');
    },
  );

  it('allows a delete the user names by its full path', async () => {
    const decision = await decideBash('cd .. && rm -rf old-data', 'Delete /home/dev/old-data.');
    expect(decision.verdict).toBe('allow');
  });
});
