import { describe, expect, it } from 'vitest';
import { createGuard } from './guard.js';
import type { GuardContext } from './types.js';

const context: GuardContext = {
  cwd: '/root/proj',
  projectDir: '/root/proj',
  homeDir: '/root',
  userMessages: [],
};

async function decide(command: string) {
  return createGuard().decide({ tool: 'Bash', input: { command } }, context);
}

describe('indirect credential reads', () => {
  it.each([
    ['loop over a key folder', 'for f in ~/.ssh/*; do cat $f; done'],
    ['quoted loop variable', 'for f in /root/.aws/*; do cat "$f"; done'],
    ['loop copy into the project', 'for f in ~/.ssh/*; do cp "$f" ./leak/; done'],
    ['substitution listing keys', 'cat $(ls ~/.ssh/id_r*)'],
    ['substitution before a key suffix', 'cat $(echo /root)/.ssh/id_rsa'],
    ['substring before a key suffix', 'cat ${HOME:0:5}/.ssh/id_rsa'],
    ['find by name with exec', "find ~ -name 'id_*' -exec cat {} +"],
    ['find by path with exec', 'find ~ -path "*ssh*" -type f -exec head {} +'],
    ['xargs fed a here-string', 'xargs cat <<< ~/.ssh/id_rsa'],
    ['read fed a here-string', 'while read f; do cat "$f"; done <<< ~/.ssh/id_rsa'],
  ])('denies %s', async (_name, command) => {
    const decision = await decide(command);
    expect(decision.verdict).toBe('deny');
    expect(decision.category).toBe('credential-exploration');
  });

  it.each([
    ['unknown variable path', 'cat "$1"'],
    ['xargs fed a file', 'xargs cat < files.txt'],
    ['unknown path under home', 'cat ~/$(cat name.txt)'],
    ['grep of an unknown file', 'grep -n \'$(rm\' "$1"'],
    ['grep -e with an unknown file', 'grep -e TODO "$1"'],
  ])('asks about %s', async (_name, command) => {
    const decision = await decide(command);
    expect(decision.verdict).toBe('ask');
    expect(decision.category).toBe('unresolved-read');
  });

  it.each([
    ['loop over project files', 'for f in src/*.ts; do cat "$f"; done'],
    ['find in the project', "find . -name '*.ts' -exec cat {} +"],
    ['find of logs under home', "find ~ -name '*.log' -exec cat {} +"],
    ['temp folder variable', 'out=$(mktemp -d) && tar -xzf a.tgz -C "$out" && cat "$out/a"'],
    ['project variable path', 'cat ./$(cat name.txt)'],
    ['quoted grep pattern', "grep -n '$(rm' deploy.sh"],
    ['quoted rg pattern', "rg -F '`cat ' ci/"],
    ['grep pattern variable', 'grep -rn "$PATTERN" src/'],
  ])('allows %s', async (_name, command) => {
    const decision = await decide(command);
    expect(decision.verdict).toBe('allow');
  });
});
