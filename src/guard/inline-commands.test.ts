import { describe, expect, it } from 'vitest';
import { bashVerdict } from '../../test/helpers/guard.js';
import { decodeEscapes, inlineCommandsOf } from './inline-commands.js';

const REQUEST = 'Fix the failing test.';

/**
 * Commands run from inline code by argument lists, command literals and escaped strings:
 * each blocked line must stay blocked, and the look-alikes of ordinary work must stay allowed.
 */
const KINDS: Record<string, { blocked: string[]; allowed: string[] }> = {
  'argument lists': {
    blocked: [
      `python3 -c 'import subprocess; subprocess.call(["rm", "-rf", "/home/dev"])'`,
      `python3 -c 'import os; os.execv("/bin/bash", ["bash", "-c", "rm -rf ~"])'`,
      `python3 -c 'import os; os.posix_spawn("/bin/rm", ["rm", "-rf", "/home/dev"], {})'`,
      `python3 -c 'import asyncio; asyncio.run(asyncio.create_subprocess_exec("rm", "-rf", "/home/dev"))'`,
      `node -e 'require("child_process").execFileSync("bash", ["-c", "rm -rf ~"])'`,
      `node -e 'require("child_process").spawnSync("rm", ["-rf", "/home/dev"])'`,
      `deno eval 'new Deno.Command("rm", { args: ["-rf", "/home/dev"] }).outputSync()'`,
      `bun -e 'Bun.spawnSync(["rm", "-rf", "/home/dev"])'`,
      `ruby -e 'system("rm", "-rf", "/home/dev")'`,
      `ruby -e 'Process.spawn("rm", "-rf", "/home/dev")'`,
      `perl -e 'system("rm", "-rf", "/home/dev")'`,
      `perl -e 'system "rm", "-rf", "/home/dev"'`,
    ],
    allowed: [
      `python -c 'import subprocess; subprocess.run(["git", "status"])'`,
      `node -e 'require("child_process").execFileSync("npm", ["test"])'`,
      `ruby -e 'system("bundle", "exec", "rspec")'`,
      `python3 -c 'import subprocess; subprocess.run(["rm", "-rf", "dist"])'`,
    ],
  },
  'command literals and shell calls': {
    blocked: [
      "ruby -e 'puts `rm -rf /home/dev`'",
      "ruby -e '%x~rm -rf /home/dev~'",
      `ruby -e 'require "open3"; Open3.capture2("rm -rf /home/dev")'`,
      "perl -e 'qx~rm -rf /home/dev~'",
      "perl -e 'system(q~rm -rf /home/dev~)'",
      `perl -e 'open(my $f, "-|", "rm -rf /home/dev")'`,
      "perl -e 'print `rm -rf /home/dev`'",
      `lua -e 'os.execute("rm -rf /home/dev")'`,
      "lua -e 'os.execute([[rm -rf /home/dev]])'",
      `lua -e 'io.popen("rm -rf /home/dev")'`,
      `php -r 'proc_open("rm -rf /home/dev", [], $pipes);'`,
      `perl -e 'open(F, "rm -rf /home/dev |"); print <F>'`,
      `ruby -e 'IO.popen(["rm", "-rf", "/home/dev"]).read'`,
    ],
    allowed: [
      "ruby -e 'puts `git log -1 --format=%H`'",
      "perl -e 'print qx(ls lib)'",
      `perl -e 'open(my $f, "<", "Makefile") or die; print <$f>'`,
      "node -e 'console.log(`v${process.version}`)'",
      `python3 -c 'exec("print(42)")'`,
      `lua -e 'os.execute("make check")'`,
      `perl -e 'open(F, "git log --oneline |"); print <F>'`,
      `ruby -e 'puts IO.popen(["git", "status"]).read'`,
    ],
  },
  'escapes in string literals': {
    blocked: [
      `python3 -c 'import os; os.system("rm -rf \\"/home/dev\\"")'`,
      `node -e 'require("child_process").execSync("rm -rf \\"/home/dev\\"")'`,
      `php -r 'passthru("rm -rf \\"/home/dev\\"");'`,
    ],
    allowed: [`python3 -c 'import os; os.system("echo \\"done\\"")'`],
  },
};

describe.each(Object.entries(KINDS))('inline kind %s', (_kind, { blocked, allowed }) => {
  it.each(blocked)('blocks %j', async (command) => {
    expect(await bashVerdict(command, REQUEST)).not.toBe('allow');
  });
  it.each(allowed)('allows %j', async (command) => {
    expect(await bashVerdict(command, REQUEST)).toBe('allow');
  });
});

describe('inlineCommandsOf', () => {
  it('quotes each word of an argument list', () => {
    const code = 'import subprocess; subprocess.run(["rm", "-rf", "a b"])';
    expect(inlineCommandsOf('python', code)).toEqual(["'rm' '-rf' 'a b'"]);
  });
  it('drops the repeated program name of execvp', () => {
    const code = 'os.execvp("bash", ["bash", "-c", "ls"])';
    expect(inlineCommandsOf('python', code)).toEqual(["'bash' '-c' 'ls'"]);
  });
  it('skips a list with a value not known before run time', () => {
    expect(inlineCommandsOf('python', 'subprocess.run(["rm", "-rf", d])')).toEqual([]);
  });
  it('skips a call whose command is a variable', () => {
    expect(inlineCommandsOf('ruby', 'system(cmd)')).toEqual([]);
  });
  it('reads no command literals in JavaScript', () => {
    expect(inlineCommandsOf('node', 'console.log(`rm -rf x`)')).toEqual([]);
  });
});

describe('decodeEscapes', () => {
  it('decodes quotes, backslashes and control escapes', () => {
    expect(decodeEscapes('a \\"b\\" \\\\ \\n', '"')).toBe('a "b" \\ \n');
  });
  it('keeps the backslash of other escapes', () => {
    expect(decodeEscapes('\\d+', '"')).toBe('\\d+');
  });
});
