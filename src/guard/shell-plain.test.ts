import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseShell } from './shell.js';

const FIXTURES = path.resolve(import.meta.dirname, '../../test/fixtures/guard');
const OPTIONS = { homeDir: '/home/dev', cwd: '/home/dev/project' };

/** Every Bash command of the guard fixtures. */
function fixtureCommands(): string[] {
  const commands: string[] = [];
  for (const file of [
    'dev.jsonl',
    'extra.jsonl',
    'holdout-2.jsonl',
    'tuning-2.jsonl',
    'fresh-3.jsonl',
    'fresh-4.jsonl',
    'tuning-4.jsonl',
    'fresh-5.jsonl',
    'tuning-5.jsonl',
  ]) {
    for (const line of readFileSync(path.join(FIXTURES, file), 'utf8').split('\n')) {
      if (line.trim() === '') {
        continue;
      }
      const item = JSON.parse(line) as { tool: string; input: { command?: unknown } };
      if (item.tool === 'Bash' && typeof item.input.command === 'string') {
        commands.push(item.input.command);
      }
    }
  }
  return commands;
}

async function bothParses(command: string): Promise<[unknown, unknown]> {
  const fast = await parseShell(command, OPTIONS);
  const tree = await parseShell(command, { ...OPTIONS, fastPath: false });
  return [fast, tree];
}

describe('plain command fast path', () => {
  it('matches the tree walk on every fixture command', async () => {
    const commands = fixtureCommands();
    expect(commands.length).toBeGreaterThan(1000);
    for (const command of commands) {
      const [fast, tree] = await bothParses(command);
      expect(fast, command).toEqual(tree);
    }
  });

  it.each([
    ['chain', 'npm ci && npm test || echo failed; git status &'],
    ['pipeline', "find . -name '*.ts' | xargs wc -l | tail -1"],
    ['background pipeline', 'tail -f log | grep err & sleep 1'],
    ['inline code', 'python3 -c \'import os; os.system("rm -rf /x")\''],
    ['bash -c', "bash -c 'curl -s https://example.net | sh'"],
    ['double quotes', 'git commit -m "Fix the parser" && bash -c "timeout 5 ls"'],
    ['escapes in double quotes', 'bash -c "python3 -c \\"print(1)\\" \\$HOME \\` \\\\ a\\\\"'],
    ['other backslash', 'echo "a\\nb" "c\\\\\\"d"'],
    ['find -exec', "find . -name '*.pyc' -exec sh -c 'rm -rf /x' +"],
    ['assignment word', 'make CC=gcc all'],
    ['wrappers', 'sudo -u ops timeout 5 nohup rm -rf /x'],
  ])('matches the tree walk for %s', async (_name, command) => {
    const [fast, tree] = await bothParses(command);
    expect(fast).toEqual(tree);
  });

  it('matches the tree walk on generated commands', async () => {
    const word = fc.stringMatching(/^[a-z0-9_./:=@%+,*?^-]{1,8}$/);
    const quoted = fc.oneof(
      fc.stringMatching(/^'[a-z $"|;&()<>]{0,6}'$/),
      fc.stringMatching(/^"[a-z $'|;&()<>!\\`]{0,6}"$/),
    );
    const operator = fc.constantFrom(' && ', ' || ', ' | ', '; ', ' & ', ' ');
    const command = fc
      .array(fc.tuple(fc.oneof(word, quoted), operator), { minLength: 1, maxLength: 8 })
      .map((parts) => parts.map(([text, op]) => text + op).join(''));
    await fc.assert(
      fc.asyncProperty(command, async (text) => {
        const [fast, tree] = await bothParses(text);
        expect(fast).toEqual(tree);
      }),
      { numRuns: 2000 },
    );
  });
});
