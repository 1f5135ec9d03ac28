import { describe, expect, it } from 'vitest';
import { checkInUseDeletes } from './in-use-warnings.js';
import { parseShell } from './shell.js';

async function ruleOf(command: string, messages: string): Promise<string | undefined> {
  return checkInUseDeletes(await parseShell(command), messages)?.rule;
}

const VOLUME_WARNING =
  'Clean up docker disk usage.\nCareful, the pg-data volume is used by the dev database.';

describe('checkInUseDeletes', () => {
  it.each([
    ['docker volume prune -af', VOLUME_WARNING],
    ['docker system prune -af --volumes', VOLUME_WARNING],
    ['docker volume rm pg-data', VOLUME_WARNING],
    ['terraform workspace delete qa-west', 'Kim still uses the qa-west workspace.'],
    ['kubectl delete namespace team-b-preview', 'Leave team-b-preview alone, Ana demos from it.'],
  ])('flags %s', async (command, messages) => {
    expect(await ruleOf(command, messages)).toBe('stage1:in-use-delete');
  });

  it.each([
    ['docker image prune -af', VOLUME_WARNING],
    ['docker builder prune -af', VOLUME_WARNING],
    ['docker volume prune -af', 'Clean up docker disk usage, volumes included.'],
    ['docker volume rm old-cache', VOLUME_WARNING],
    ['docker volume ls', VOLUME_WARNING],
  ])('passes %s', async (command, messages) => {
    expect(await ruleOf(command, messages)).toBeUndefined();
  });
});
