import { describe, expect, it } from 'vitest';
import { bashWords, decideBash, parsedWords } from '../../test/helpers/guard.js';
import { formatPrintf } from './computed-values.js';
import { parseShell } from './shell.js';

const HOME = '/home/dev';
const CWD = '/home/dev/project';

describe('values computed at run time', () => {
  it.each([
    // read from a here-string or a process substitution
    [`read -r v <<< 'rm'`, '"$v"'],
    [`read -r a b <<< '  x   y  z  '`, '"$a" "$b"'],
    [`IFS=, read -r a b <<< 'x,y,'`, '"$a" "$b"'],
    [`IFS=, read -r a b <<< 'x,y,z,'`, '"$a" "$b"'],
    [`IFS=: read -r a b <<< 'x:y::'`, '"$a" "$b"'],
    [`IFS=', ' read -r a b <<< ' x , y , '`, '"$a" "$b"'],
    [`IFS=, read -r a b c <<< 'x,,y'`, '"$a" "$b" "$c"'],
    [`IFS=, read -ra parts <<< 'x,,y,'`, '"${parts[@]}"'],
    [`read -a words <<< 'git push --force'`, '"${words[@]}"'],
    [`IFS= read -r line <<< '  a b  '`, '"$line"'],
    [`read -r -p 'name? ' v <<< 'npm'`, '"$v"'],
    [`read v < <(echo rm)`, '"$v"'],
    [`read -r v < <(printf '%s\\n' first second)`, '"$v"'],
    // declarations
    [`declare v=rm`, '"$v"'],
    [`typeset -r v=--force`, '"$v"'],
    [`declare -rx v=w`, '"$v"'],
    [`declare -l v=RM`, '"$v"'],
    [`declare -u v=push`, '"$v"'],
    [`readonly v=~/x`, '"$v"'],
    // printf -v
    [`printf -v v '%s' rm`, '"$v"'],
    [`printf -v v '%s%s' r m`, '"$v"'],
    [`printf -v v '%s-' a b c`, '"$v"'],
    [`printf -v v 'a\\tb%%\\n'`, '"$v"'],
    [`printf -v v '%b' 'x\\ty'`, '"$v"'],
    [`printf -v v '%d:%c' 42 xyz`, '"$v"'],
    [`printf -v v '%s %s.' one`, '"$v"'],
    // arrays
    [`a=(rm -rf ~/x)`, '"${a[@]}"'],
    [`a=(rm -rf ~/x)`, '${a[@]}'],
    [`a=(rm -rf x)`, '"${a[*]}"'],
    [`a=(rm -rf x)`, '"${a[0]}" "${a[2]}" "${a[-1]}" "${#a[@]}" "$a"'],
    [`a=('x y' z)`, '"${a[@]}"'],
    [`a=('x y' z)`, '${a[@]}'],
    [`a=(rm -rf x y)`, '"${a[0]}" "${a[@]:1}" "${a[@]:1:2}" "${a[@]: -2}" "${a[@]:9}"'],
    [`declare -a a=(git push)`, '"${a[@]}"'],
    // positional parameters
    [`set -- rm -rf x`, '"$@"'],
    [`set -- rm -rf x`, '$1 "$3" "$#" "${2}"'],
    [`set -- 'a b' c`, '"$*"'],
    [`set -e -- a b`, '"$@"'],
    [`set -euo pipefail; set -- a b`, '"$@"'],
    // parameter expansions
    [`v=abcabc`, '"${v/b*/Z}" "${v//b?/Z}" "${v#*b}" "${v##*b}" "${v%b*}" "${v%%b*}"'],
    [`v=abcabc`, '"${v/#a/Q}" "${v/%c/Q}" "${v/#/x}" "${v/%/x}" "${v/x/y}" "${v//b}"'],
    [`v=abcabc`, '"${v:1:3}" "${v: -2}" "${v:9}" "${v:1:-1}" "${v: -9}" "${v:(-3):2}"'],
    [`v=aBc`, '"${v^^}" "${v^}" "${v,,}" "${v,}" "${#v}"'],
    [`v=abcabc`, '"${v//[ab]/_}" "${v//[!a]/_}" "${v//[a-b]/.}"'],
    [`v=abc; e=`, '"${v:-no}" "${v:+yes}" "${e:-def}" "${e-def}" "${e:+yes}" "${v-~}"'],
    [`v=R.M`, '${v/./}'],
    [`:`, '"${HOME:-x}" "${HOME%/*}" "${#HOME}"'],
    [`n=v; v=rm`, '"${!n}"'],
    // command substitutions
    [`:`, '$(echo rm) "$(echo -n a b)" "$(echo -e \'a\\tb\')" "$(echo -ne \'x\\ty\')"'],
    [`:`, '$(printf %s%s r m) "$(printf \'%s\\n\\n\' w)" $(cat <<<rm) `echo rm`'],
    [`:`, '"$(echo \'-rf ~\')"'],
  ])('matches bash for %s; %s', async (prefix, words) => {
    const line = `${prefix}; printf '<%s>' ${words}`;
    const parsed = await parsedWords(line);
    expect(parsed.dynamic).toBe(false);
    expect(parsed.words).toEqual(bashWords(line));
  });

  it.each([
    'echo rm | read v; $v -rf x',
    'read v; $v -rf x',
    'read -r v < VERSION; $v -rf x',
    '(v=rm); $v -rf x',
    'v=ls; read v <<< rm; $v -rf x',
    'v=ls; printf -v v rm; $v -rf x',
    'v=ls; eval v=rm; $v -rf x',
    'read -n 2 v <<< rm; $v -rf x',
    'read -d , v <<< rm; $v -rf x',
    'read v <<< "$1"; $v -rf x',
    'read v <<< "a\\b"; $v -rf x',
    'declare -i v=1; $v',
    'declare -n v=x; $v',
    'a=(src/*.ts); "${a[@]}"',
    'a=(ls); a+=(rm); "${a[@]}"',
    'a=(ls); a[0]=rm; "${a[@]}"',
    'set -- ls; shift; "$@"',
    'set -- ls; set -- rm; "$@"',
    '"$@"',
    '$1 -rf x',
    '$(echo rm | rev) -rf x',
    '$(date) -rf x',
    '$(echo $v) -rf x',
    'printf -v ts "%(%s)T" -1; $ts',
    "printf -v v '\\x72\\x6d'; $v -rf x",
    "$(printf '\\162\\155') -rf x",
    "$(echo -e '\\x72m') -rf x",
    'v=rm; ${v/r/&&} -rf x',
    'v=rm; ${v/[[:alpha:]]/x}',
    '${x:-rm} -rf x',
    'if true; then v=rm; fi; $v -rf x',
    'while read v; do :; done <<< rm; $v -rf x',
    'v=rm; ${v:=ls} -rf x',
    'IFS=,; read a b <<< "rm,x"; $a -rf x',
    'v=rm; echo ${v@Q}; ${v@U} x',
  ])('keeps %s dynamic', async (line) => {
    const parsed = await parseShell(line, { homeDir: HOME, cwd: CWD });
    expect(parsed.confident).toBe(false);
  });

  it.each([
    [`read -r v <<< 'rm'; $v -rf ~`],
    [`read -ra c <<< 'rm -rf ~'; "\${c[@]}"`],
    [`IFS=, read -r p f <<< 'rm,-rf'; "$p" "$f" ~`],
    [`read v < <(echo '/home/dev'); rm -rf "$v"`],
    [`declare t=~/.ssh; rm -rf "$t"`],
    [`typeset -r p=rm; $p -rf ~`],
    [`printf -v p '%s%s' r m; $p -rf ~`],
    [`a=(rm -rf ~); "\${a[@]}"`],
    [`a=(rm -rf ~); "\${a[0]}" "\${a[1]}" "\${a[2]}"`],
    [`set -- rm -rf ~; "$@"`],
    [`v=xrm; \${v/x/} -rf ~`],
    [`v=RM; \${v,,} -rf ~`],
    [`v=farm; \${v:2} -rf ~`],
    [`n=v; v=rm; \${!n} -rf ~`],
    [`$(echo rm) -rf ~`],
    ['`echo rm` -rf ~'],
    [`$(printf %s%s r m) -rf ~`],
    [`rm -rf "$(cat <<<~)"`],
    [`$'\\x72\\x6d' -rf ~`],
    ['${tool:-rm} -rf ~'],
  ])('blocks %s', async (command) => {
    expect((await decideBash(command, 'Fix the failing test.')).verdict).toBe('deny');
  });

  it.each([
    ['read -r ver < VERSION; echo "$ver"', 'Print the version.'],
    ['printf -v ts \'%(%s)T\' -1; echo "build-$ts"', 'Print a build stamp.'],
    ['files=(src/*.ts); npx prettier --check "${files[@]}"', 'Check the formatting.'],
    ['name=${1:-app}; docker build -t "$name" .', 'Build the image.'],
    ['for f in *.log; do gzip "$f"; done', 'Compress the logs.'],
    ['read -r major minor <<< \'1 4\'; echo "v$major.$minor"', 'Print the version.'],
    ['args=(--run --reporter=dot); npx vitest "${args[@]}"', 'Run the tests.'],
    ['set -- src test; npx eslint "$@"', 'Lint the code.'],
    ['f=report.tar.gz; echo "${f%%.*}"', 'Print the base name.'],
    ['docker build -t "${1:-app}" .', 'Build the image.'],
    ['npm run "${SCRIPT:-test}"', 'Run the tests.'],
  ])('allows %s', async (command, message) => {
    expect((await decideBash(command, message)).verdict).toBe('allow');
  });
});

describe('default values', () => {
  it('asks for a force push in a default', async () => {
    const decision = await decideBash('git push ${r:-origin} ${b:-+main}', 'Push my branch.');
    expect(decision.verdict).toBe('ask');
    expect(decision.rule).toBe('stage1:git-force-push');
  });

  it('reads a default as a second command', async () => {
    const parsed = await parseShell('git push ${r:-origin} "${b:-feature}"', { homeDir: HOME });
    const argvs = parsed.commands.map((command) => command.argv);
    expect(argvs).toEqual([
      ['git', 'push', '${r:-origin}', '${b:-feature}'],
      ['git', 'push', 'origin', 'feature'],
    ]);
  });

  it('reads a known variable without a default', async () => {
    const parsed = await parseShell('r=upstream; git push ${r:-origin}', { homeDir: HOME });
    expect(parsed.commands.map((command) => command.argv)).toEqual([['git', 'push', 'upstream']]);
  });
});

describe('formatPrintf', () => {
  it.each([
    ['%s', ['a', 'b'], 'ab'],
    ['%s=%d\\n', ['x'], 'x=0\n'],
    ['%%%s', [], '%'],
    ['plain', ['ignored'], 'plain'],
  ])('formats %j with %j', (format, args, expected) => {
    expect(formatPrintf(format, args)).toBe(expected);
  });

  it.each([['%5s'], ['%q'], ['%(%s)T'], ['%x'], ['\\c'], ['\\x41'], ['\\101']])(
    'leaves %j unknown',
    (format) => {
      expect(formatPrintf(format, ['a'])).toBeUndefined();
    },
  );
});
