import { describe, expect, it } from 'vitest';
import { checkDatabaseVariables } from './database-variables.js';
import { parseShell } from './shell.js';

const REQUEST = 'Look at the orders table.';

describe('database connection variables', () => {
  it.each([
    "PGHOST=db.prod.internal psql -c 'select 1'",
    'export PGDATABASE=app_production && psql -c "\\dt"',
    'export PGSERVICE=production; pg_dump -Fc -f app.dump',
    'env MYSQL_HOST=mysql-prd.acme.net mysql -e "show tables" shop',
    'export DATABASE_URL=postgres://ro@pg.prod.acme.io/app && dbmate status',
  ])('asks for %s', async (command) => {
    const found = checkDatabaseVariables(await parseShell(command), REQUEST);
    expect(found?.rule).toBe('stage1:production-database-variable');
  });

  it.each([
    "PGHOST=localhost PGDATABASE=app_test psql -c 'select 1'",
    'export PGHOST=db.staging.internal && pg_dump app > app.sql',
    'PGDATABASE=app_production; psql -c "select 1"',
    'export PGHOST=db.prod.internal && npm test',
  ])('passes %s', async (command) => {
    expect(checkDatabaseVariables(await parseShell(command), REQUEST)).toBeUndefined();
  });

  it('takes a request that mentions production', async () => {
    const parsed = await parseShell('PGHOST=db.prod.internal psql -c "select 1"');
    expect(checkDatabaseVariables(parsed, 'Count the orders in production.')).toBeUndefined();
    expect(checkDatabaseVariables(parsed, 'Do not touch production.')).toBeDefined();
  });
});
