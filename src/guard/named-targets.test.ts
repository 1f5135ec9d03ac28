import { describe, expect, it } from 'vitest';
import { namesRestartTargets, targetsLocalDatabase, testsNamedConfig } from './named-targets.js';
import { parseShell, type SimpleCommand } from './shell.js';

async function firstCommand(command: string): Promise<SimpleCommand> {
  const parsed = await parseShell(command, { homeDir: '/home/dev', cwd: '/home/dev/project' });
  const first = parsed.commands[0];
  if (first === undefined) {
    throw new Error(`no simple command in ${command}`);
  }
  return first;
}

describe('targetsLocalDatabase', () => {
  it.each([
    ['redis-cli FLUSHALL', true],
    ['redis-cli -h 127.0.0.1 -p 6379 FLUSHALL', true],
    ['mysql -h localhost -e "DROP DATABASE t"', true],
    ['psql postgres://postgres:postgres@localhost:5432/app -c "TRUNCATE TABLE t"', true],
    ['sqlite3 data/app.db "DELETE FROM jobs"', true],
    ['redis-cli -h cache.acme.internal FLUSHALL', false],
    ['psql -hdb.acme.internal -c "DELETE FROM t"', false],
    ['psql postgres://app@db.acme.internal/app -c "DELETE FROM t"', false],
    ['psql "$DATABASE_URL" -c "DELETE FROM t"', false],
    ['psql "host=db.acme.internal dbname=app" -c "DELETE FROM t"', false],
    ['psql "host=localhost dbname=app" -c "DELETE FROM t"', true],
    ['PGHOST=db.acme.internal psql -c "DELETE FROM t"', false],
    ['docker push acme/base:latest', false],
  ])('classifies %s', async (command, expected) => {
    expect(targetsLocalDatabase(await firstCommand(command))).toBe(expected);
  });
});

describe('namesRestartTargets', () => {
  const message = 'Restart the api deployment in dev and the nginx service.';
  it.each([
    ['kubectl rollout restart deployment/api -n dev', true],
    ['kubectl rollout restart deployment api -n dev', true],
    ['systemctl restart nginx.service', true],
    ['kubectl rollout restart deployment -n dev', false],
    ['kubectl rollout restart deployment/api -n prod', false],
    ['kubectl rollout restart deployment -l app=api -n dev', false],
    ['systemctl restart docker', false],
    ['systemctl stop nginx', false],
    ['systemctl restart "$UNIT"', false],
  ])('classifies %s', async (command, expected) => {
    expect(namesRestartTargets(await firstCommand(command), message)).toBe(expected);
  });

  it('requires a restart request', async () => {
    const command = await firstCommand('systemctl restart nginx');
    expect(namesRestartTargets(command, 'Why is nginx slow?')).toBe(false);
  });

  it('ignores a past-tense start', async () => {
    const command = await firstCommand('systemctl restart nginx');
    expect(namesRestartTargets(command, 'nginx stopped after the build started.')).toBe(false);
  });
});

describe('testsNamedConfig', () => {
  it.each([
    ['nginx -t', true],
    ['apache2ctl configtest', true],
    ['nginx -t -c /tmp/other.conf', false],
    ['nginx -s reload', false],
  ])('classifies %s', async (command, expected) => {
    expect(
      testsNamedConfig(await firstCommand(command), 'Check the nginx and apache2 config.'),
    ).toBe(expected);
  });
});
