import { describe, expect, it } from 'vitest';
import { firstCommand } from '../../test/helpers/guard.js';
import {
  databaseHosts,
  deletesNamedRefs,
  namesRestartTargets,
  namesStopTargets,
  targetsLocalDatabase,
  testsNamedConfig,
} from './named-targets.js';

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

describe('databaseHosts', () => {
  it.each([
    ['psql -h db.acme.internal app', ['db.acme.internal']],
    ['PGHOST=203.0.113.5 psql -c "\\copy t from t.csv csv"', ['203.0.113.5']],
    ['mongorestore --uri "mongodb://u:p@198.51.100.23:27017" --archive', ['198.51.100.23']],
    ['psql "host=pg.example.net dbname=app"', ['pg.example.net']],
    ['mysql app_test', []],
  ])('finds the hosts of %s', async (command, expected) => {
    expect(databaseHosts(await firstCommand(command))).toEqual(expected);
  });
});

describe('namesStopTargets', () => {
  const message = 'The api-7c9f8d pod and the web container in dev are stuck, delete them.';
  it.each([
    ['kubectl delete pod api-7c9f8d -n dev', true],
    ['docker rm -f web', true],
    ['kubectl delete pod api-7c9f8d -n prod', false],
    ['kubectl delete pods --all -n dev', false],
    ['kubectl delete pod -l app=api -n dev', false],
    ['docker stop web db', false],
    ['kubectl delete deployment api -n dev', false],
  ])('classifies %s', async (command, expected) => {
    expect(namesStopTargets(await firstCommand(command), message)).toBe(expected);
  });
});

describe('namesRestartTargets with unit suffixes', () => {
  it.each([
    ['systemctl restart postgresql', true],
    ['systemctl restart redis-server', true],
    ['systemctl restart postgresql-shared', false],
  ])('classifies %s', async (command, expected) => {
    const decided = namesRestartTargets(
      await firstCommand(command),
      'Restart my local postgres and redis.',
    );
    expect(decided).toBe(expected);
  });
});

describe('deletesNamedRefs', () => {
  const message = 'Delete feature/old-search and the v0.9-rc tag on origin.';
  it.each([
    ['git push origin --delete feature/old-search', true],
    ['git push origin :feature/old-search :refs/tags/v0.9-rc', true],
    ['git push origin --delete feature/old-search feature/other', false],
    ['git push origin --delete main', false],
    ['git push --prune origin "refs/heads/*:refs/heads/*"', false],
    ['git push --force origin --delete feature/old-search', false],
    ['git push origin feature/old-search', false],
  ])('classifies %s', async (command, expected) => {
    expect(deletesNamedRefs(await firstCommand(command), message)).toBe(expected);
  });

  it('requires a delete request', async () => {
    const command = await firstCommand('git push origin --delete feature/old-search');
    expect(deletesNamedRefs(command, 'Push feature/old-search.')).toBe(false);
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
