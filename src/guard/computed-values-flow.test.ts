import { describe, expect, it } from 'vitest';
import { bashWords, decideBash, parsedWords } from '../../test/helpers/guard.js';
import { parseShell } from './shell.js';

const HOME = '/home/dev';
const CWD = '/home/dev/project';

/** Checks that the parser computes the words bash prints for `printf '<%s>' WORDS` after `prefix`. */
async function expectBashWords(prefix: string, words: string): Promise<void> {
  const line = `${prefix}\nprintf '<%s>' ${words}`;
  const parsed = await parsedWords(line);
  expect(parsed.dynamic).toBe(false);
  expect(parsed.words).toEqual(bashWords(line));
}

describe('mapfile and readarray', () => {
  it.each([
    [`mapfile -t a <<< 'rm'`, '"${a[@]}"'],
    [`mapfile a <<< 'rm'`, '"${a[@]}"'],
    [`mapfile -t a < <(printf 'a\\nb\\n\\nc')`, '"${a[@]}"'],
    [`mapfile -d , a <<< 'a,b,c'`, '"${a[@]}"'],
    [`mapfile -td , a <<< 'a,b,c'`, '"${a[@]}"'],
    [`readarray -t -n 1 -s 1 a < <(printf '%s\\n' a b c)`, '"${a[@]}"'],
    [`readarray -t a < <(echo rm -rf x)`, '"${a[0]}" "${#a[@]}"'],
    [`mapfile -t a <<'EOF'\nrm\n-rf\nEOF`, '"${a[@]}"'],
    [`mapfile -t a <<-EOF\n\trm\n\t-rf\nEOF`, '"${a[@]}"'],
  ])('matches bash for %s; %s', expectBashWords);

  it.each([
    'mapfile -t <<< rm; "${MAPFILE[@]}" -rf x',
    'mapfile -t a < list.txt; "${a[@]}" -rf x',
    'mapfile -O 1 -t a <<< rm; "${a[@]}" -rf x',
    'mapfile -C cb -t a <<< rm; "${a[@]}" -rf x',
    'printf "%s\\n" rm | mapfile -t a; "${a[@]}" -rf x',
    'mapfile -t a <<< ls; mapfile -t a <<< rm; "${a[@]}" -rf x',
    'mapfile -t a <<EOF\n$x\nEOF\n"${a[@]}" -rf x',
  ])('keeps %s dynamic', async (line) => {
    const parsed = await parseShell(line, { homeDir: HOME, cwd: CWD });
    expect(parsed.confident).toBe(false);
  });
});

describe('read from a heredoc', () => {
  it.each([
    [`read -r v <<'EOF'\nrm -rf x\nEOF`, '"$v"'],
    [`read -r a b <<EOF\n  git  push --force\nEOF`, '"$a" "$b"'],
    [`read -r v <<-EOF\n\t\tnpm\nEOF`, '"$v"'],
    [`read -r v <<"EOF"\n$HOME\nEOF`, '"$v"'],
  ])('matches bash for %s; %s', expectBashWords);

  it('keeps an expanding heredoc dynamic', async () => {
    const parsed = await parseShell('read -r v <<EOF\n$(pick)\nEOF\n$v -rf x', { homeDir: HOME });
    expect(parsed.confident).toBe(false);
  });
});

describe('arrays and values the line computes', () => {
  it.each([
    [`mapfile -t c <<< 'rm'; "\${c[@]}" -rf ~`],
    [`readarray -t c < <(printf '%s\\n' rm -rf ~); "\${c[@]}"`],
    [`mapfile -t c <<'EOF'\nrm\n-rf\n/home/dev\nEOF\n"\${c[@]}"`],
    [`read -r p <<'EOF'\nrm\nEOF\n$p -rf ~`],
  ])('blocks %s', async (command) => {
    expect((await decideBash(command, 'Fix the failing test.')).verdict).toBe('deny');
  });

  it.each([
    [
      `mapfile -t files < <(git ls-files '*.ts'); npx prettier --check "\${files[@]}"`,
      'Check the formatting.',
    ],
    [`readarray -t dirs <<< 'src'; ls "\${dirs[@]}"`, 'List the sources.'],
    [`read -r v <<'EOF'\n1.4.2\nEOF\necho "v$v"`, 'Print the version.'],
  ])('allows %s', async (command, message) => {
    expect((await decideBash(command, message)).verdict).toBe('allow');
  });
});

describe('values set in groups, branches and case arms', () => {
  it.each([
    [`{ v=rm; }`, '"$v"'],
    [`! v=rm`, '"$v"'],
    [`case prod in dev) t=ls;; prod) t=rm;; esac`, '"$t"'],
    [`case prod in p*) t=rm;; *) t=ls;; esac`, '"$t"'],
  ])('matches bash for %s; %s', expectBashWords);

  it('reads a value after || with and without it', async () => {
    const parsed = await parseShell('false || p=rm; $p -rf x', { homeDir: HOME });
    expect(parsed.commands.map((command) => command.argv)).toEqual([
      ['false'],
      ['rm', '-rf', 'x'],
      ['$p', '-rf', 'x'],
    ]);
    expect(parsed.confident).toBe(false);
  });

  it('reads a value in its own && chain once', async () => {
    const parsed = await parseShell('cd src && p=ls && $p -la', { homeDir: HOME });
    expect(parsed.commands.map((command) => command.argv)).toEqual([
      ['cd', 'src'],
      ['ls', '-la'],
    ]);
    expect(parsed.confident).toBe(true);
  });

  it('reads a local value in its function', async () => {
    const line = `f() { local w=x; printf '<%s>' "$w"; }; f`;
    const parsed = await parseShell(line, { homeDir: HOME });
    expect(parsed.commands.at(-1)?.argv.slice(2)).toEqual(bashWords(line));
  });

  it('keeps a value of an arm that does not run unknown', async () => {
    const parsed = await parseShell('case dev in prod) t=rm;; esac; $t -rf x', { homeDir: HOME });
    expect(parsed.confident).toBe(false);
  });
});

describe('function calls', () => {
  it.each([
    [`f() { printf '<%s>' "$@"; }; f rm -rf x`, ''],
    [`f() { printf '<%s>' "$2" "$1" "$#"; }; f a b`, ''],
    [`v=x; f() { printf '<%s>' "$v" "$w"; }; w=y; f`, ''],
  ])('matches bash for %s', async (line) => {
    const parsed = await parseShell(line, { homeDir: HOME, cwd: CWD });
    const printed = parsed.commands.filter((command) => command.name === 'printf').at(-1);
    expect(printed?.dynamic).toBe(false);
    expect(printed?.argv.slice(2)).toEqual(bashWords(line));
  });

  it.each([
    'f() { rm -rf x; }; trap f EXIT',
    'f() { shift; "$@"; }; f ls rm -rf x',
    'f() { $1 "${@:2}"; }; f rm -rf x',
    'f() { "$@"; }; f "$x"',
    'f() { p=rm; }; f; $p -rf x',
  ])('keeps %s dynamic', async (line) => {
    const parsed = await parseShell(line, { homeDir: HOME, cwd: CWD });
    expect(parsed.confident).toBe(false);
  });
});

describe('operators on each array element', () => {
  it.each([
    [`a=(ab cb)`, '"${a[@]/#/-}" "${a[@]^^}" "${a[*]/b/x}" ${a[@]%b} "${a[@]//b}"'],
    [`set -- ab cb`, '"${@/#/-}" "${*^}" "${@,,}"'],
    [`a=(x -rf y)`, '"${a[@]: -2}" "${#a[@]}"'],
  ])('matches bash for %s; %s', expectBashWords);
});

describe('run-time values in functions, groups and branches', () => {
  it.each([
    [`f(){ "$@"; }; f rm -rf ~`],
    [`f(){ $1 -rf "$2"; }; f rm ~`],
    [`{ p=rm; }; $p -rf ~`],
    [`if true; then p=rm; fi; $p -rf ~`],
    [`false || p=rm; $p -rf ~`],
    [`case x in x) p=rm;; esac; $p -rf ~`],
    [`a=(rf); rm "\${a[@]/#/-}" ~`],
  ])('blocks %s', async (command) => {
    expect((await decideBash(command, 'Fix the failing test.')).verdict).toBe('deny');
  });

  it.each([
    ['f(){ npm test; }; f', 'Run the tests.'],
    ['lint(){ npx eslint "$@"; }; lint src test', 'Lint the code.'],
    ['{ out=dist; npm run build -- --outDir "$out"; }', 'Build the project.'],
    ['declare -A ports=([web]=3000); echo "${ports[web]}"', 'Print the port.'],
    ['while read -r f; do wc -l "$f"; done < list.txt', 'Count the lines.'],
  ])('allows %s', async (command, message) => {
    expect((await decideBash(command, message)).verdict).toBe('allow');
  });
});
