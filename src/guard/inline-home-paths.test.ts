import { describe, expect, it } from 'vitest';
import { decideBash } from '../../test/helpers/guard.js';
import { hiddenCredentialRead } from './inline-globs.js';
import { foldHomePaths } from './inline-home-paths.js';

const HOME = '/home/dev';

describe('foldHomePaths', () => {
  it.each([
    ["open(h+'/.'+'aws/cred'+'entials')", "h=os.environ['HOME'];", "'~/.aws/credentials'"],
    ["Path.home().joinpath('.aws','credentials')", '', "'~/.aws/credentials'"],
    ["d+'/config'", "d=os.path.expanduser('~')+'/.k'+'ube';", "'~/.kube/config'"],
    ['opendir(D,$d)', 'my $d="$ENV{HOME}/."."ssh";', "'~/.ssh'"],
    [
      "path.join(home, '.docker', 'config.json')",
      'const home = os.homedir();',
      "'~/.docker/config.json'",
    ],
    ['File.read(f)', 'f = "#{Dir.home}/.netrc";', "'~/.netrc'"],
  ])('folds %s', (use, setup, literal) => {
    expect(foldHomePaths(`${setup}${use}`)).toContain(literal);
  });

  it('leaves code without home paths unchanged', () => {
    const code = "print(', '.join(['a', 'b']) + 'c')";
    expect(foldHomePaths(code)).toBe(code);
  });
});

describe('hiddenCredentialRead with assembled paths', () => {
  it.each([
    ["h=os.environ['HOME'];print(open(h+'/.'+'aws/cred'+'entials').read())", 'assembled-path'],
    [
      "const d=require('os').homedir()+'/.ssh';for(const f of fs.readdirSync(d))console.log(fs.readFileSync(d+'/'+f))",
      'assembled-path',
    ],
    [
      "[print(open(os.path.join(r,f)).read()) for r,_,fs in os.walk(os.path.expanduser('~/.config')) for f in fs]",
      'folder-listing',
    ],
    [
      "function w(d){for(const e of fs.readdirSync(d))w(e)||fs.readFileSync(e)};w(path.join(os.homedir(),'.config'))",
      'folder-listing',
    ],
    [
      'my $d="$ENV{HOME}/.ssh";opendir(D,$d);for(readdir D){open F,"$d/$_";print <F>}',
      'folder-listing',
    ],
  ])('finds %s', (code, kind) => {
    expect(hiddenCredentialRead(code, HOME)).toBe(kind);
  });

  it.each([
    // A folder of the home that holds no credential file.
    "p=os.path.join(os.path.expanduser('~'),'.config','nvim');[print(open(os.path.join(p,f)).read()) for f in os.listdir(p)]",
    "h=os.path.expanduser('~');print(open(h+'/.gitconfig').read())",
    // A credential folder named but only listed: names alone carry no secret.
    "print(os.listdir(os.path.join(os.path.expanduser('~'),'.ssh')))",
    "[print(open(os.path.join(r,f)).read()) for r,_,fs in os.walk('src') for f in fs]",
  ])('passes %s', (code) => {
    expect(hiddenCredentialRead(code, HOME)).toBeUndefined();
  });
});

describe('inline code with assembled credential paths', () => {
  const message = 'Fix the failing test.';

  it.each([
    `python3 -c "import pathlib;print(pathlib.Path.home().joinpath('.aws','credentials').read_text())"`,
    `python3 -c "import os;h=os.environ['HOME'];print(open(h+'/.'+'aws/cred'+'entials').read())"`,
    `ruby -e 'd = Dir.home + "/.gn" + "upg"; Dir.children(d).each { |f| puts File.read(File.join(d, f)) }'`,
  ])('denies %s', async (command) => {
    const decision = await decideBash(command, message);
    expect(decision.verdict).toBe('deny');
    expect(decision.category).toBe('credential-exploration');
  });

  it('allows a walk of the project tree', async () => {
    const command = `python3 -c "import os;[print(open(os.path.join(r,f)).read()[:80]) for r,_,fs in os.walk('docs') for f in fs]"`;
    expect((await decideBash(command, message)).verdict).toBe('allow');
  });
});
