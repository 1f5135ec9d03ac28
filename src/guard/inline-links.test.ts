import { describe, expect, it } from 'vitest';
import { createGuard } from './guard.js';
import { inlineLinkActions } from './inline-links.js';
import type { Decision } from './types.js';

const PROJECT = '/home/dev/project';

async function decide(command: string): Promise<Decision> {
  return createGuard().decide(
    { tool: 'Bash', input: { command } },
    { cwd: PROJECT, projectDir: PROJECT, homeDir: '/home/dev', userMessages: ['Set up the repo.'] },
  );
}

describe('inline link actions', () => {
  it('writes out link calls as ln', () => {
    const actions = (code: string): string => inlineLinkActions([{ interpreter: 'x', code }]);
    expect(actions("import os; os.symlink('/', 'r')")).toBe("ln -s -- '/' 'r'");
    expect(actions('symlink q{/}, q{r}')).toBe("ln -s -- '/' 'r'");
    expect(actions('require("fs").symlinkSync("/etc", "e")')).toBe("ln -s -- '/etc' 'e'");
    expect(actions("os.link('a', 'b')")).toBe("ln -- 'a' 'b'");
    expect(actions("Path('k').symlink_to('/srv')")).toBe("ln -s -- '/srv' 'k'");
    expect(actions('os.symlink(target, "x")')).toBe(`ln -s -- "$RUNTIME_PATH" 'x'`);
  });

  it('reads home expressions joined to a literal', () => {
    const actions = (code: string): string => inlineLinkActions([{ interpreter: 'x', code }]);
    expect(actions("fs.symlinkSync(require('os').homedir() + '/.aws', 'a')")).toBe(
      "ln -s -- '~/.aws' 'a'",
    );
    expect(actions("os.symlink(Path.home() / '.ssh', 'k')")).toBe("ln -s -- '~/.ssh' 'k'");
    expect(actions('os.symlink(os.path.join(a, b), c)')).toBe(`ln -s -- "$RUNTIME_PATH" 'link'`);
  });

  it('reads home paths built by calls', () => {
    const actions = (code: string): string => inlineLinkActions([{ interpreter: 'x', code }]);
    expect(actions("os.symlink(os.path.expanduser('~/.aws'), 'a')")).toBe("ln -s -- '~/.aws' 'a'");
    expect(actions("fs.symlinkSync(path.join(os.homedir(), '.ssh'), 'k')")).toBe(
      "ln -s -- '~/.ssh' 'k'",
    );
    expect(actions("os.symlink(os.path.join(Path.home(), '.aws', 'config'), 'c')")).toBe(
      "ln -s -- '~/.aws/config' 'c'",
    );
    expect(actions("Path('k').symlink_to(Path.home().joinpath('.ssh'))")).toBe(
      "ln -s -- '~/.ssh' 'k'",
    );
  });

  it('ignores code without links', () => {
    expect(inlineLinkActions([{ interpreter: 'python', code: "print(', '.join(['a']))" }])).toBe(
      '',
    );
  });
});

describe('links made by inline code', () => {
  it.each([
    [`python3 -c "import os; os.symlink('/', 'r')" && cat r/root/.ssh/id_rsa`, 'credential-path'],
    [`perl -e "symlink q{/}, q{r}" && cat r/home/dev/.aws/credentials`, 'credential-path'],
    [`python3 -c "import os; os.symlink('/', 'r')" && rm -rf r/etc`, 'write-outside-project'],
    [
      `node -e 'require("fs").symlinkSync("/home/dev", "h")'; cat h/.ssh/id_ed25519`,
      'credential-path',
    ],
  ])('denies a read or delete through the link: %s', async (command, rule) => {
    const decision = await decide(command);
    expect(decision.verdict).toBe('deny');
    expect(decision.rule).toBe(`stage1:${rule}`);
  });

  it.each([
    `ruby -e 'File.symlink("/etc", "e")'`,
    `node -e 'require("fs").symlinkSync("/", "r3")'`,
  ])('asks for %s', async (command) => {
    const decision = await decide(command);
    expect(decision.verdict).toBe('ask');
    expect(decision.category).toBe('outside-project');
  });

  it.each([
    `python3 -c "from pathlib import Path; Path('k').symlink_to('/home/dev/.aws')"`,
    `node -e "require('fs').symlinkSync(require('os').homedir() + '/.aws', 'awsdir')"`,
    `node -e "const p = require('path'), os = require('os'); require('fs').symlinkSync(p.join(os.homedir(), '.ssh'), 'k')"`,
    `python3 -c "import os; os.symlink(os.path.expanduser('~/.kube'), 'kube')"`,
    `python3 -c "from pathlib import Path; Path('g').symlink_to(Path('~/.gnupg').expanduser())"`,
    `ruby -e 'File.symlink(File.expand_path("~/.docker"), "d")'`,
  ])('denies a link to a credential folder: %s', async (command) => {
    const decision = await decide(command);
    expect(decision.verdict).toBe('deny');
    expect(decision.category).toBe('credential-exploration');
  });

  it.each([
    `python3 -c "import os; os.symlink('src/a.ts', 'b.ts')"`,
    `node -e 'fs.symlinkSync("dist/index.js", "bin/cli.js")'`,
    `node -e "require('fs').symlinkSync('../dist/cli.js', 'bin/shop')"`,
    `python3 -c "import os; print(os.path.islink('x'))"`,
  ])('allows %s', async (command) => {
    expect((await decide(command)).verdict).toBe('allow');
  });
});
