import { describe, expect, it } from 'vitest';
import { createGuard } from './guard.js';
import type { Decision } from './types.js';

const PROJECT = '/home/dev/project';

async function decide(command: string): Promise<Decision> {
  return createGuard().decide(
    { tool: 'Bash', input: { command } },
    { cwd: PROJECT, projectDir: PROJECT, homeDir: '/home/dev', userMessages: ['Set up the disk.'] },
  );
}

describe('mounts', () => {
  it.each([
    'mkdir -p m && mount --bind /home/dev m && cat m/.ssh/id_rsa',
    'mount -o ro,bind / m',
    'bindfs /root m',
  ])('denies a bind of credentials: %s', async (command) => {
    const decision = await decide(command);
    expect(decision.verdict).toBe('deny');
    expect(decision.category).toBe('credential-exploration');
  });

  it.each(['mount --bind /var/data m', 'mount /dev/sdb1 /mnt', 'mount -t tmpfs tmpfs /mnt/t'])(
    'asks for %s',
    async (command) => {
      const decision = await decide(command);
      expect(decision.verdict).toBe('ask');
      expect(decision.category).toBe('security-weaken');
    },
  );

  it.each(['mount', 'mount -l', 'mount | grep overlay', 'findmnt'])(
    'allows listing: %s',
    async (command) => {
      expect((await decide(command)).verdict).toBe('allow');
    },
  );
});
