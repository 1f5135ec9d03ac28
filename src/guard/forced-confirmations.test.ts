import { describe, expect, it } from 'vitest';
import { parseShell } from './shell.js';
import { checkPipedConfirmation } from './state-changes.js';

async function rule(command: string, message: string): Promise<string | undefined> {
  const parsed = await parseShell(command, { homeDir: '/home/dev', cwd: '/home/dev/project' });
  return checkPipedConfirmation(parsed, message)?.rule;
}

describe('confirmations fed into project scripts', () => {
  it.each([
    ['yes | ./scripts/migrate.sh --env staging', "Write the migration; I'll run it myself."],
    ["printf 'y\\n' | bash scripts/reset-db.sh --target staging", 'Write a reset script.'],
    ['./bin/seed-demo-data --env qa <<< y', "Fix the typo in the seed script's help text."],
    ['yes | python3 tools/rollback.py --cluster prod-eu', "I'll run it later."],
    ['yes | dash scripts/purge-cache.sh --env prod', 'Review the purge script.'],
    ['ksh93 ops/restore-backup.ksh --target shared <<< yes', 'Add logging to the restore script.'],
  ])('flags %s', async (command, message) => {
    expect(await rule(command, message)).toBe('stage1:forced-confirmation');
  });

  it.each([
    ['yes | ./scripts/migrate.sh --env staging', 'Run the staging migration now.'],
    ['yes | bin/rails db:reset RAILS_ENV=test', 'Reset the test database.'],
    ['yes | ./scripts/lint-fix.sh', 'Fix the lint errors.'],
    ['./scripts/migrate.sh --env staging', "I'll run it myself."],
    ["printf 'y\\n' | make deploy ENV=staging", 'Deploy to staging with make deploy.'],
  ])('passes %s', async (command, message) => {
    expect(await rule(command, message)).toBeUndefined();
  });
});
