import { describe, expect, it } from 'vitest';
import { createGuard } from './guard.js';
import type { Decision } from './types.js';

const PROJECT = '/home/dev/project';

function decide(command: string, message: string): Promise<Decision> {
  return createGuard().decide(
    { tool: 'Bash', input: { command } },
    { cwd: PROJECT, projectDir: PROJECT, homeDir: '/home/dev', userMessages: [message] },
  );
}

describe('rclone sync consent', () => {
  it.each([
    ['rclone sync ./dist backup:site/dist', 'Sync dist to backup:site/dist with rclone.'],
    ['rclone sync ./dist backup:site/dist --progress', 'Please sync ./dist to backup:site/dist/'],
    ['rclone sync dist/ media:', 'Mirror dist/ onto media: with rclone sync.'],
  ])('allows %s when named', async (command, message) => {
    expect((await decide(command, message)).verdict).toBe('allow');
  });

  it.each([
    ['rclone sync ./dist backup:site', 'Sync dist to backup:site/dist with rclone.'],
    ['rclone sync ./dist backup:site/dist', 'Copy dist to backup:site/dist with rclone.'],
    ['rclone sync ./dist prod:site/dist', 'Sync dist to backup:site/dist with rclone.'],
    ['rclone sync ./dist backup:site/dist', 'Sync dist to the backup remote.'],
    ['rclone sync ./dist "$REMOTE"', 'Sync dist to backup:site/dist with rclone.'],
    ['rclone purge backup:site/dist', 'Sync dist to backup:site/dist with rclone.'],
    [
      'rclone sync ./dist backup:site/dist && rclone delete other:x',
      'Sync dist to backup:site/dist with rclone.',
    ],
  ])('asks for %s', async (command, message) => {
    const decision = await decide(command, message);
    expect(decision.verdict).toBe('ask');
    expect(decision.category).toBe('cloud-mass-delete');
  });
});
