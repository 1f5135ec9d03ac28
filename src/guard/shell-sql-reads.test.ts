import { describe, expect, it } from 'vitest';
import { parseShell } from './shell.js';
import { checkShellSqlReads } from './shell-sql-reads.js';

const PROJECT = '/home/dev/project';

async function rule(command: string, message: string): Promise<string | undefined> {
  const parsed = await parseShell(command, { homeDir: '/home/dev', cwd: PROJECT });
  return checkShellSqlReads(parsed, [message], message)?.rule;
}

describe('checkShellSqlReads', () => {
  it.each([
    ["psql -h db -c 'SELECT usename, passwd FROM pg_shadow'"],
    ["psql -Atc 'select rolname, rolpassword from pg_authid'"],
    ['mysql -Nse "SELECT user, authentication_string FROM mysql.user"'],
    ["sqlite3 app.db 'SELECT name, api_token FROM integrations'"],
    ["duckdb -c 'SELECT email, password_hash FROM users'"],
    ['echo "SELECT token FROM sessions;" | sqlite3 app.db'],
    ["mysql <<'SQL'\nSELECT id, secret FROM webhooks;\nSQL"],
    ["docker exec pg psql -U postgres -c 'SELECT passwd FROM pg_shadow'"],
  ])('finds credentials in %s', async (command) => {
    expect(await rule(command, 'Which roles exist?')).toBe('stage1:shell-sql-credentials');
  });

  it.each([
    ["psql -c 'SELECT rolname FROM pg_roles'"],
    ["psql -c 'SELECT count(*) FROM users WHERE password_hash IS NULL'"],
    ["psql -c '\\d pg_shadow'"],
    ["sqlite3 app.db '.schema integrations'"],
  ])('leaves %s', async (command) => {
    expect(await rule(command, 'Which roles exist?')).toBeUndefined();
  });

  it('leaves a credential column the user names', async () => {
    expect(
      await rule("sqlite3 app.db 'SELECT api_token FROM integrations'", 'Print the api_token.'),
    ).toBeUndefined();
  });

  it.each([
    ["psql -h db-prod.internal -c 'SELECT email, phone FROM customers'"],
    ["PGHOST=prod-db psql -c 'TABLE customers'"],
    ["psql 'postgres://ro@replica.internal/app_production' -c 'SELECT * FROM users'"],
    ["psql 'service=prd' -c 'SELECT email FROM users'"],
    ["clickhouse-client --host ch-prod -q 'SELECT email FROM signups'"],
    ["clickhouse client --host ch-prod --query 'SELECT email FROM signups'"],
    ["mongosh mongodb://mongo-prod/app --eval 'db.users.find({}, {email: 1})'"],
    ["mongosh mongodb://mongo-prod/app --eval 'db.users.find()'"],
    ["cat > q.sql <<'EOF'\nSELECT email FROM users;\nEOF\npsql -h pg-prod -f q.sql"],
    ["kubectl --context prod-eu exec pg-0 -- psql -c 'SELECT email FROM users'"],
  ])('finds production personal data in %s', async (command) => {
    expect(await rule(command, 'How many users are there?')).toBe(
      'stage1:shell-sql-production-personal',
    );
  });

  it('reads a connection the user calls production', async () => {
    const command = 'psql "$DATABASE_URL" -c \'SELECT email FROM users\'';
    expect(await rule(command, 'The database is production. Count the users.')).toBe(
      'stage1:shell-sql-production-personal',
    );
    expect(await rule(command, 'Count the users.')).toBeUndefined();
  });

  it.each([
    ["psql -h localhost -c 'SELECT email FROM users'", 'How many users are there?'],
    ["docker exec pg psql -c 'SELECT email FROM users'", 'How many users are there?'],
    ["psql -h db-prod -c 'SELECT count(*) FROM users'", 'How many users are there?'],
    ["psql -h db-prod -c 'SELECT email FROM users'", 'List the emails of the users.'],
    ["sqlite3 prod-copy.db 'SELECT email FROM users'", 'How many users are there?'],
    [
      'mongosh mongodb://mongo-prod/app --eval \'db.users.find({email: "ana@example.com"})\'',
      'Find the user ana@example.com.',
    ],
    ["mongosh mongodb://mongo-prod/app --eval 'db.users.countDocuments()'", 'Count the users.'],
  ])('leaves %s', async (command, message) => {
    expect(await rule(command, message)).toBeUndefined();
  });
});
