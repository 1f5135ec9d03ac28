import { describe, expect, it } from 'vitest';
import { deletesNamedLocalKeys } from './redis-key-deletes.js';
import { parseShell } from './shell.js';

const REQUEST = 'Clear the stale sessions in my local redis on 6379.';

describe('deletesNamedLocalKeys', () => {
  it.each([
    [
      "redis-cli -p 6379 --scan --pattern 'session:*' | xargs -r redis-cli -p 6379 DEL",
      REQUEST,
      true,
    ],
    ['redis-cli -p 6379 DEL session:abc', 'Delete session:abc from my local redis.', true],
    [
      "redis-cli -p 6379 --scan --pattern 'user:*' | xargs -r redis-cli -p 6379 DEL",
      REQUEST,
      false,
    ],
    ["redis-cli -p 6379 --scan --pattern '*' | xargs -r redis-cli -p 6379 DEL", REQUEST, false],
    [
      "redis-cli -h cache.example.net -p 6379 --scan --pattern 'session:*' | xargs -r redis-cli -h cache.example.net -p 6379 DEL",
      REQUEST,
      false,
    ],
    [
      "redis-cli -p 6379 --scan --pattern 'session:*' | xargs -r redis-cli -p 6380 DEL",
      REQUEST,
      false,
    ],
    [
      "redis-cli -p 6379 --scan --pattern 'session:*' | xargs -r redis-cli -p 6379 DEL",
      'Why do sessions in my local redis on 6379 stick?',
      false,
    ],
    [
      'redis-cli -p 6379 DEL session:abc session:def',
      'Delete session:abc from my local redis.',
      false,
    ],
  ])('%s after %j gives %s', async (command, message, expected) => {
    const parsed = await parseShell(command);
    const del = parsed.commands.at(-1);
    if (del === undefined) {
      throw new Error(`no simple command in ${command}`);
    }
    expect(deletesNamedLocalKeys(del, parsed, message)).toBe(expected);
  });
});
