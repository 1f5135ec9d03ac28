import { describe, expect, it } from 'vitest';
import { bashVerdict } from '../../test/helpers/guard.js';
import { parseShell } from './shell.js';

const OPTIONS = { homeDir: '/home/dev', cwd: '/home/dev/project' };

describe('loop variables from the parse', () => {
  it('records for, select and read variables', async () => {
    const parsed = await parseShell(
      'for f in a.log "b c.log" ~/x; do :; done; select s in one two; do break; done; read -r name rest <<< "v1 v2"',
      OPTIONS,
    );
    expect(parsed.loopVariables).toEqual([
      { name: 'f', words: ['a.log', 'b c.log', '/home/dev/x'], complete: true },
      { name: 's', words: ['one', 'two'], complete: true },
      { name: 'name', words: ['v1', 'v2'], complete: true },
      { name: 'rest', words: ['v1', 'v2'], complete: true },
    ]);
  });

  it('marks words it cannot see', async () => {
    const parsed = await parseShell(
      'for f in a $(ls); do :; done; for g; do :; done; while read -r line; do :; done < list.txt',
      OPTIONS,
    );
    expect(parsed.loopVariables.map((variable) => [variable.name, variable.complete])).toEqual([
      ['f', false],
      ['g', false],
      ['line', false],
    ]);
  });

  it('ties read to its own heredoc only', async () => {
    const parsed = await parseShell(
      'cat <<\'EOF\'\n/home/dev/.ssh/id_rsa\nEOF\nwhile read -r f; do echo "$f"; done < files.txt',
      OPTIONS,
    );
    expect(parsed.loopVariables).toEqual([{ name: 'f', words: [], complete: false }]);
  });

  it('finds loops inside nested shells', async () => {
    const parsed = await parseShell('bash -c \'for k in ~/.aws/*; do cat "$k"; done\'', OPTIONS);
    expect(parsed.loopVariables[0]?.words).toEqual(['/home/dev/.aws/*']);
  });
});

describe('writes and reads through loop variables', () => {
  const message = 'Clean out the old logs.';

  it.each([
    'for f in app.log worker.log; do rm "$f"; done',
    'for d in build dist .cache; do rm -rf "$d"; done',
    'for f in logs/a.log logs/b.log; do : > "$f"; done',
  ])('allows %s', async (command) => {
    expect(await bashVerdict(command, message)).toBe('allow');
  });

  it.each([
    'for d in build ~/.config; do rm -rf "$d"; done',
    'for f in a.log; do rm "$f"; done; for f in /etc/hosts; do rm "$f"; done',
    'for f in "$@"; do rm -rf "$f"; done',
    'for k in ~/.ssh/id_*; do cat "$k"; done',
    'while read -r f; do cat "$f"; done <<EOF\n/home/dev/.aws/credentials\nEOF',
  ])('blocks %s', async (command) => {
    expect(await bashVerdict(command, message)).not.toBe('allow');
  });
});

describe('loop variables assigned in the body', () => {
  it('adds a literal value to the loop words', async () => {
    const parsed = await parseShell(
      'for f in a.log b.log; do f=/etc/hosts; rm "$f"; done',
      OPTIONS,
    );
    expect(parsed.loopVariables).toEqual([
      { name: 'f', words: ['a.log', 'b.log', '/etc/hosts'], complete: true },
    ]);
  });

  it('marks a computed value unknown', async () => {
    const parsed = await parseShell('for f in a b; do f=$(ls ~ | head -1); rm "$f"; done', OPTIONS);
    expect(parsed.loopVariables[0]?.complete).toBe(false);
  });

  it('ignores a prefix assignment of one command', async () => {
    const parsed = await parseShell('for f in a b; do f=/etc/hosts true; rm "$f"; done', OPTIONS);
    expect(parsed.loopVariables[0]?.words).toEqual(['a', 'b']);
  });

  const message = 'Clean out the old logs.';

  it('allows a literal value in the project', async () => {
    const command = 'for f in a.log b.log; do f=logs/old.log; rm "$f"; done';
    expect(await bashVerdict(command, message)).toBe('allow');
  });

  it.each([
    'for f in a.log b.log; do f=/etc/hosts; rm $f; done',
    'for d in dist build; do d=~/Documents; rm -rf "$d"; done',
    'for f in a.log; do f=~/.ssh/id_rsa; cat "$f"; done',
    'for f in a.log; do f=$(ls ~ | head -1); rm -rf "$f"; done',
  ])('blocks %s', async (command) => {
    expect(await bashVerdict(command, message)).not.toBe('allow');
  });
});
