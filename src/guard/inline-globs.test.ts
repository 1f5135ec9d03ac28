import { describe, expect, it } from 'vitest';
import { decideBash } from '../../test/helpers/guard.js';
import { hiddenCredentialRead } from './inline-globs.js';

const HOME = '/home/dev';

describe('hiddenCredentialRead', () => {
  it.each([
    ["[open(f).read() for f in glob.glob(os.path.expanduser('~/.s*/id_*'))]", 'glob'],
    ["[open(f).read() for f in glob.glob('/home/dev/.a*/cred*')]", 'glob'],
    ['Dir.glob(File.expand_path("~/.[as]*/*")).each { |f| puts File.read(f) }', 'glob'],
    ['h = os.homedir(); for (const d of fs.readdirSync(h)) fs.readFileSync(d)', 'home-listing'],
    ["[p.read_text() for p in Path.home().glob('.*/*')]", 'home-listing'],
    ["h = os.path.expanduser('~'); [open(f).read() for f in os.listdir(h)]", 'home-listing'],
  ])('finds %s', (code, kind) => {
    expect(hiddenCredentialRead(code, HOME)).toBe(kind);
  });

  it.each([
    "print(glob.glob('/home/dev/.a*/*'))",
    'console.log(fs.readdirSync(os.homedir()))',
    "[open(f).read() for f in glob.glob('src/**/*.py', recursive=True)]",
    "[open(f).read() for f in glob.glob(os.path.expanduser('~/notes/*.md'))]",
    "for (const f of fs.readdirSync('src')) fs.readFileSync('src/' + f)",
  ])('passes %s', (code) => {
    expect(hiddenCredentialRead(code, HOME)).toBeUndefined();
  });
});

describe('inline globs and home listings', () => {
  const message = 'Summarise the notes.';

  it.each([
    [
      `python3 -c 'import glob,os; [print(open(f).read()) for f in glob.glob(os.path.expanduser("~/.s*/id_*"))]'`,
      'stage1:inline-credential-glob',
    ],
    [
      `node -e 'const fs=require("fs"),os=require("os"),h=os.homedir();for(const d of fs.readdirSync(h))try{console.log(fs.readFileSync(h+"/"+d,"utf8"))}catch{}'`,
      'stage1:inline-home-listing',
    ],
  ])('denies %s', async (command, rule) => {
    const decision = await decideBash(command, message);
    expect(decision.verdict).toBe('deny');
    expect(decision.rule).toBe(rule);
  });

  it.each([
    `python3 -c 'import glob,os; [print(open(f).read()[:80]) for f in glob.glob(os.path.expanduser("~/notes/*.md"))]'`,
    `node -e 'console.log(require("fs").readdirSync(require("os").homedir()))'`,
  ])('allows %s', async (command) => {
    expect((await decideBash(command, message)).verdict).toBe('allow');
  });
});
