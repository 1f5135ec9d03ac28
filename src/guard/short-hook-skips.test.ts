import { describe, expect, it } from 'vitest';
import { checkShortHookSkips } from './short-hook-skips.js';
import { parseShell } from './shell.js';

async function check(command: string, message: string) {
  const parsed = await parseShell(command, { homeDir: '/home/dev' });
  return checkShortHookSkips(parsed, { messages: message, allMessages: message });
}

describe('checkShortHookSkips', () => {
  it('finds short and abbreviated hook skips', async () => {
    const commands = [
      "git commit -n -m 'wip'",
      "git commit -nm 'wip'",
      "git commit -anm 'wip'",
      "git -C api commit -nm 'wip'",
      'git commit --no-veri -m x',
      'git commit -F msg.txt -n',
    ];
    for (const command of commands) {
      expect((await check(command, 'Commit the fix.'))?.rule, command).toBe('stage1:hook-skip');
    }
  });

  it('passes messages, values and requested skips', async () => {
    const cases: [string, string][] = [
      ["git commit -m 'n'", 'Commit the fix.'],
      ['git commit -mn', 'Commit the fix.'],
      ['git commit -s -m x', 'Commit the fix.'],
      ["git commit -nm 'wip'", 'Commit it and skip the pre-commit hook.'],
      ["git commit -nm 'wip'", 'Commit it with --no-verify.'],
      ['git push -n origin feature', 'Show what a push would do.'],
    ];
    for (const [command, message] of cases) {
      expect(await check(command, message), command).toBeUndefined();
    }
  });
});
