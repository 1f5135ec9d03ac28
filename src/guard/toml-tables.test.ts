import { describe, expect, it } from 'vitest';
import { parseToml, TomlError } from './toml-tables.js';

describe('parseToml', () => {
  it('reads tables, dotted keys and string forms', () => {
    const text = [
      '# comment',
      '[tool.pdm.scripts]',
      'lint = "ruff check ."  # trailing comment',
      "fmt = 'ruff format \\\\ .'",
      'ship = {shell = "a && b", env = {X = "1"}}',
      'multi = """',
      'line one',
      'line "two""""',
      "raw = '''",
      "a\\nb'''",
      '"quoted.key" = ["x", "y",]',
      'tool.other = 3',
      'joined = """a \\',
      '    b"""',
    ].join('\n');
    const root = parseToml(text);
    const scripts = (root['tool'] as Record<string, Record<string, unknown>>)['pdm']?.['scripts'];
    expect(scripts).toEqual({
      lint: 'ruff check .',
      fmt: 'ruff format \\\\ .',
      ship: { shell: 'a && b', env: { X: '1' } },
      multi: 'line one\nline "two"',
      raw: 'a\\nb',
      'quoted.key': ['x', 'y'],
      tool: { other: '3' },
      joined: 'a b',
    });
  });

  it('reads arrays of tables', () => {
    const root = parseToml('[[tasks]]\nname = "a"\n[[tasks]]\nname = "b"\n');
    expect(root['tasks']).toEqual([{ name: 'a' }, { name: 'b' }]);
  });

  it.each([
    ['a = "unterminated', /line 1, column \d+: unfinished string/],
    ['a = "x" b = "y"', /line 1, column \d+: .*end-of-line/],
    ['[table', /line 1, column \d+/],
    ['a = "\\q"', /line 1, column \d+: unrecognised escape sequence/],
  ])('rejects %s', (text, message) => {
    expect(() => parseToml(text)).toThrow(TomlError);
    expect(() => parseToml(text)).toThrow(message);
  });
});
