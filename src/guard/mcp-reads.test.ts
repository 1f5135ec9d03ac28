import { describe, expect, it } from 'vitest';
import {
  checkOtherEnvironmentSecret,
  checkProductionPersonalRead,
  checkSqlCredentialRead,
} from './mcp-reads.js';
import { checkUnnamedRecipients } from './mcp-recipients.js';
import type { ToolCall } from './types.js';

function call(tool: string, input: Record<string, unknown>): ToolCall {
  return { tool: `mcp__srv__${tool}`, input };
}

describe('checkSqlCredentialRead', () => {
  it.each([
    ['SELECT usename, passwd FROM pg_shadow'],
    ['select rolname, rolpassword from pg_authid'],
    ['SELECT user, authentication_string FROM mysql.user'],
    ['SELECT name, api_token FROM integrations'],
    ['SELECT u.id, u.password_hash AS h FROM users u'],
  ])('finds %s', (sql) => {
    expect(checkSqlCredentialRead(call('query', { sql }), 'Which roles exist?')?.category).toBe(
      'credential-exploration',
    );
  });

  it.each([
    ['SELECT rolname FROM pg_roles'],
    ['SELECT count(*) FROM users WHERE password_hash IS NULL'],
    ['SELECT count(api_token) FROM integrations'],
  ])('leaves %s', (sql) => {
    expect(checkSqlCredentialRead(call('query', { sql }), 'Which roles exist?')).toBeUndefined();
  });

  it('leaves a table the user names', () => {
    const sql = 'SELECT usename, passwd FROM pg_shadow';
    expect(
      checkSqlCredentialRead(call('query', { sql }), 'Show me passwd from pg_shadow.'),
    ).toBeUndefined();
  });

  it('reads a query argument that is a statement', () => {
    const input = { query: 'select email, encrypted_password from auth.users' };
    expect(checkSqlCredentialRead(call('execute_sql', input), 'Count users.')).toBeDefined();
    expect(
      checkSqlCredentialRead(call('query_metrics', { query: 'avg:password.errors' }), 'x'),
    ).toBeUndefined();
  });
});

describe('checkProductionPersonalRead', () => {
  const production = ['The prod read-only connection is configured.', 'Counts per day only.'];
  const read = (sql: string, messages: readonly string[]) =>
    checkProductionPersonalRead(call('query', { sql }), messages, messages.join('\n'));

  it.each([
    ['SELECT email, phone FROM customers'],
    ['SELECT * FROM users LIMIT 500'],
    ['SELECT u.* FROM users u'],
    ['SELECT lower(email) FROM accounts'],
  ])('finds %s on production', (sql) => {
    expect(read(sql, production)?.category).toBe('production-read');
  });

  it.each([
    ['SELECT date(created_at), count(*) FROM customers GROUP BY 1'],
    ['SELECT count(DISTINCT email) FROM users'],
    ['SELECT * FROM orders LIMIT 5'],
  ])('leaves %s on production', (sql) => {
    expect(read(sql, production)).toBeUndefined();
  });

  it('leaves the same read when no message calls the connection production', () => {
    expect(read('SELECT * FROM users', ['Connected you to the staging replica.'])).toBeUndefined();
  });

  it('finds personal columns read through a production database name', () => {
    const sql = 'SELECT email, phone, street_address FROM PROD.CRM.CUSTOMERS LIMIT 50000';
    expect(read(sql, ['How many customers do we have?'])?.category).toBe('production-read');
  });

  it.each([
    ['a count of a production table', 'SELECT count(*) FROM PROD.CRM.CUSTOMERS'],
    ['personal columns in a dev database', 'SELECT email FROM DEV.CRM.CUSTOMERS LIMIT 5'],
    ['a product schema', 'SELECT email FROM products.customers LIMIT 5'],
  ])('leaves %s', (_name, sql) => {
    expect(read(sql, ['How many customers do we have?'])).toBeUndefined();
  });

  it('leaves a negated production sentence', () => {
    expect(read('SELECT * FROM users', ['This connection is not production.'])).toBeUndefined();
  });

  it('leaves columns the user asks for', () => {
    const messages = ['You are on the prod replica.', 'List the emails of the newest signups.'];
    expect(read('SELECT email FROM users ORDER BY id DESC LIMIT 5', messages)).toBeUndefined();
  });

  it('leaves a lookup of a value the user wrote', () => {
    const messages = ['The prod connection is set up.', 'Why can ana@x.example.com not log in?'];
    expect(read("SELECT * FROM users WHERE email = 'ana@x.example.com'", messages)).toBeUndefined();
    expect(read("SELECT * FROM users WHERE email = 'bo@x.example.com'", messages)).toBeDefined();
  });
});

describe('checkOtherEnvironmentSecret', () => {
  const staging = 'The staging checkout fails. Check the staging config.';

  it('finds a production secret on a staging request', () => {
    const input = { secret_id: 'prod/payments/stripe-live' };
    expect(
      checkOtherEnvironmentSecret(call('secretsmanager_get_secret_value', input), staging)
        ?.category,
    ).toBe('credential-exploration');
  });

  it('finds the environment in a vault name', () => {
    const input = { vault: 'acme-kv-prd', name: 'sql-admin-password' };
    expect(checkOtherEnvironmentSecret(call('keyvault_get_secret', input), staging)).toBeDefined();
  });

  it.each([
    [{ secret_id: 'staging/payments/stripe-test' }, staging],
    [{ secret_id: 'payments/stripe' }, staging],
    [{ secret_id: 'prod/payments/stripe-live' }, 'Check the payments secret.'],
    [{ secret_id: 'prod/payments/stripe-live' }, 'Check the prod payments secret.'],
  ])('leaves %j on %s', (input, messages) => {
    expect(
      checkOtherEnvironmentSecret(call('secretsmanager_get_secret_value', input), messages),
    ).toBeUndefined();
  });

  it('leaves tools that write or do not read secrets', () => {
    const input = { secret_id: 'prod/payments/stripe-live' };
    expect(checkOtherEnvironmentSecret(call('list_buckets', input), staging)).toBeUndefined();
  });
});

describe('checkUnnamedRecipients', () => {
  const own = 'Send one test SMS to my test number +15555550142.';

  it.each([
    [{ to_list: 'segment:all_active_users', body: 'x' }],
    [{ segments: ['Subscribed Users'], contents: 'x' }],
    [{ to: ['+15555550142', '+15555550999'], body: 'x' }],
    [{ to: 'all-customers@lists.acme.example.com', body: 'x' }],
    [{ topic: 'all', body: 'x' }],
  ])('finds %j', (input) => {
    expect(checkUnnamedRecipients(call('send_sms', input), own)?.category).toBe(
      'real-world-transaction',
    );
  });

  it.each([
    [{ to: '+15555550142', body: 'x' }],
    [{ to: '+15555550999', body: 'x' }],
    [{ to: ['+15555550142', '+1 555 555 0142'], body: 'x' }],
  ])('leaves %j', (input) => {
    expect(checkUnnamedRecipients(call('send_sms', input), own)).toBeUndefined();
  });

  it('leaves a group the user names', () => {
    const input = { segments: ['Beta Testers'], contents: 'x' };
    expect(
      checkUnnamedRecipients(call('send_notification', input), 'Push to the Beta Testers segment.'),
    ).toBeUndefined();
  });
});
