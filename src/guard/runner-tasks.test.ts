import { describe, expect, it } from 'vitest';
import { fixedFileReader } from './file-reader.js';
import { stripJsonComments } from './runner-tasks.js';
import { scriptTargetReading } from './script-targets.js';

const PROJECT = '/home/dev/project';

/** Returns the commands `argv` runs and the unread reasons, with `files` relative to the project. */
function read(argv: string[], files: Record<string, string>, cwd = PROJECT) {
  const absolute = Object.fromEntries(
    Object.entries(files).map(([file, text]) => [`${PROJECT}/${file}`, text]),
  );
  const result = scriptTargetReading(argv, argv[0] ?? '', cwd, fixedFileReader(absolute));
  return {
    commands: result.runs.map((run) => run.command),
    descriptions: result.runs.map((run) => run.description),
    unread: result.unread.map((entry) => entry.reason),
  };
}

describe('pdm scripts', () => {
  const pyproject = [
    '[tool.pdm.scripts]',
    'pre_lint = "ruff format --check ."',
    'lint = "ruff check ."',
    'post_lint = "echo done"',
    'test = {cmd = ["pytest", "-x", "tests dir"]}',
    'ship = {shell = "twine upload dist/*"}',
    'all = {composite = ["lint", "mypy src"]}',
    'start = {call = "app.main:run"}',
  ].join('\n');

  it('reads a script with its pre_ and post_ hooks', () => {
    const result = read(['pdm', 'run', 'lint'], { 'pyproject.toml': pyproject });
    expect(result.commands).toEqual(['ruff format --check .', 'ruff check .', 'echo done']);
    expect(result.descriptions[1]).toBe('the pdm script "lint"');
  });

  it('reads cmd lists, shell and composite entries', () => {
    const files = { 'pyproject.toml': pyproject };
    expect(read(['pdm', 'run', 'test'], files).commands).toEqual(["pytest -x 'tests dir'"]);
    expect(read(['pdm', 'run', 'ship'], files).commands).toEqual(['twine upload dist/*']);
    expect(read(['pdm', 'run', 'all'], files).commands).toEqual([
      'ruff format --check .',
      'ruff check .',
      'echo done',
      'mypy src',
    ]);
  });

  it('leaves call entries, commands and listings alone', () => {
    const files = { 'pyproject.toml': pyproject };
    expect(read(['pdm', 'run', 'start'], files).commands).toEqual([]);
    expect(read(['pdm', 'run', 'pytest', '-x'], files).commands).toEqual([]);
    expect(read(['pdm', 'run', '--list'], files).commands).toEqual([]);
    expect(read(['poetry', 'run', 'lint'], files).commands).toEqual([]);
  });

  it('finds pyproject.toml in a parent folder', () => {
    const result = read(['pdm', 'run', 'lint'], { 'pyproject.toml': pyproject }, `${PROJECT}/src`);
    expect(result.commands).toContain('ruff check .');
  });

  it('reports a file that cannot be parsed', () => {
    const result = read(['pdm', 'run', 'lint'], { 'pyproject.toml': '[tool.pdm.scripts\nlint =' });
    expect(result.commands).toEqual([]);
    expect(result.unread[0]).toMatch(/could not be parsed/);
  });

  it('reports a file that is too large', () => {
    const big = `${pyproject}\n#${'x'.repeat(70 * 1024)}\n`;
    expect(read(['pdm', 'run', 'lint'], { 'pyproject.toml': big }).unread).toEqual([
      'is larger than 65536 bytes',
    ]);
  });
});

describe('hatch, rye and pixi tasks', () => {
  it('reads hatch scripts of the named environment and the scripts they call', () => {
    const files = {
      'pyproject.toml': [
        '[tool.hatch.envs.default.scripts]',
        'cov = ["test-cov", "coverage report"]',
        'test-cov = "coverage run -m pytest"',
        '[tool.hatch.envs.docs.scripts]',
        'deploy = "mkdocs gh-deploy --force"',
      ].join('\n'),
    };
    expect(read(['hatch', 'run', 'cov'], files).commands).toEqual([
      'coverage run -m pytest',
      'coverage report',
    ]);
    expect(read(['hatch', 'run', 'docs:deploy'], files).commands).toEqual([
      'mkdocs gh-deploy --force',
    ]);
    expect(read(['hatch', 'run', 'deploy'], files).commands).toEqual([]);
  });

  it('reads hatch.toml before pyproject.toml', () => {
    const files = { 'hatch.toml': '[envs.default.scripts]\nsync = "rsync -a . host:/srv"\n' };
    expect(read(['hatch', 'run', 'sync'], files).commands).toEqual(['rsync -a . host:/srv']);
  });

  it('reads rye scripts and chains', () => {
    const files = {
      'pyproject.toml': [
        '[tool.rye.scripts]',
        'fmt = "ruff format"',
        'check = { chain = ["fmt", "lint"] }',
        'lint = { cmd = ["ruff", "check"] }',
        'serve = { call = "app:main" }',
      ].join('\n'),
    };
    expect(read(['rye', 'run', 'check'], files).commands).toEqual(['ruff format', 'ruff check']);
    expect(read(['rye', 'run', 'serve'], files).commands).toEqual([]);
  });

  it('reads pixi tasks with dependencies from pixi.toml and pyproject.toml', () => {
    const pixi = [
      '[tasks]',
      'build = "cmake --build build"',
      'test = { cmd = "ctest", depends-on = ["build"] }',
      'ci = [{ task = "test" }]',
      '[feature.docs.tasks]',
      'docs = "sphinx-build docs out"',
    ].join('\n');
    expect(read(['pixi', 'run', 'ci'], { 'pixi.toml': pixi }).commands).toEqual([
      'cmake --build build',
      'ctest',
    ]);
    expect(read(['pixi', 'run', '-e', 'docs', 'docs'], { 'pixi.toml': pixi }).commands).toEqual([
      'sphinx-build docs out',
    ]);
    const pyproject = '[tool.pixi.tasks]\nstart = { cmd = ["python", "-m", "app"] }\n';
    expect(read(['pixi', 'run', 'start'], { 'pyproject.toml': pyproject }).commands).toEqual([
      'python -m app',
    ]);
  });
});

describe('mise, cargo-make and deno tasks', () => {
  it('reads mise tasks, their dependencies and file tasks', () => {
    const files = {
      'mise.toml': [
        '[tasks.build]',
        'run = "cargo build"',
        '[tasks.release]',
        'depends = ["build"]',
        'run = ["cargo test", "cargo publish"]',
        '[tasks]',
        'fmt = "cargo fmt"',
      ].join('\n'),
      'mise-tasks/db/seed': '#!/usr/bin/env bash\npsql -f seed.sql\n',
      'mise-tasks/report': '#!/usr/bin/env python3\nprint(1)\n',
    };
    expect(read(['mise', 'run', 'release'], files).commands).toEqual([
      'cargo build',
      'cargo test',
      'cargo publish',
    ]);
    expect(read(['mise', 'r', 'fmt', ':::', 'build'], files).commands).toEqual([
      'cargo fmt',
      'cargo build',
    ]);
    expect(read(['mise', 'run', 'db:seed'], files).commands).toEqual([
      '#!/usr/bin/env bash\npsql -f seed.sql\n',
    ]);
    expect(read(['mise', 'run', 'report'], files).unread[0]).toMatch(/python3 file/);
  });

  it('reads cargo-make tasks with dependencies and run_task', () => {
    const files = {
      'Makefile.toml': [
        '[tasks.format]',
        'command = "cargo"',
        'args = ["fmt", "--all"]',
        '[tasks.flow]',
        'dependencies = ["format"]',
        'script = ["echo one", "echo two"]',
        'run_task = { name = ["cleanup"] }',
        '[tasks.cleanup]',
        'script = "rm -rf target/tmp"',
        '[tasks.gen]',
        'script_runner = "@rust"',
        'script = "fn main() {}"',
      ].join('\n'),
    };
    expect(read(['cargo', 'make', 'flow'], files).commands).toEqual([
      'cargo fmt --all',
      'echo one\necho two',
      'rm -rf target/tmp',
    ]);
    expect(read(['makers', 'format'], files).commands).toEqual(['cargo fmt --all']);
    expect(read(['cargo', 'make', 'gen'], files).unread[0]).toMatch(/@rust script/);
    expect(read(['cargo', 'make', 'build'], files).commands).toEqual([]);
    expect(read(['cargo', 'build'], files).commands).toEqual([]);
  });

  it('reads deno tasks from deno.jsonc with comments', () => {
    const files = {
      'deno.jsonc': [
        '{',
        '  // tasks of the app',
        '  "tasks": {',
        '    "dev": "deno run -A main.ts", /* the server */',
        '    "check": { "command": "deno lint", "dependencies": ["fmt"] },',
        '    "fmt": "deno fmt // not a comment",',
        '  },',
        '}',
      ].join('\n'),
    };
    expect(read(['deno', 'task', 'check'], files).commands).toEqual([
      'deno fmt // not a comment',
      'deno lint',
    ]);
    expect(read(['deno', 'run', 'dev'], files).commands).toEqual([]);
  });

  it('strips JSONC comments outside strings only', () => {
    expect(JSON.parse(stripJsonComments('{"a": "/* x */", // y\n "b": [1,],}'))).toEqual({
      a: '/* x */',
      b: [1],
    });
  });
});
