import { describe, expect, it } from 'vitest';

import { requestsStoreDelete } from './store-deletes.js';

function check(tool: string, input: Record<string, unknown>, message: string) {
  return requestsStoreDelete({ tool, input }, message, message);
}

describe('requestsStoreDelete', () => {
  it('allows a named version delete', () => {
    expect(
      check(
        'mcp__mlflow__delete_model_version',
        { name: 'm', version: '3' },
        'Delete version 3 of m.',
      ),
    ).toBe(true);
  });

  it('allows a filtered delete in a dev store', () => {
    const filter = { email: { $regex: '@qa\\.x\\.io$' } };
    const message = 'Delete the users in dev with emails ending in @qa.x.io.';
    expect(
      check(
        'mcp__mongodb__delete-many',
        { database: 'app_dev', collection: 'users', filter },
        message,
      ),
    ).toBe(true);
    expect(
      check(
        'mcp__mongodb__delete-many',
        { database: 'app_prod', collection: 'users', filter },
        message,
      ),
    ).toBe(false);
    expect(
      check(
        'mcp__mongodb__delete-many',
        { database: 'app_dev', collection: 'users', filter: {} },
        message,
      ),
    ).toBe(false);
  });

  it('allows a drop of a named collection in a dev store', () => {
    expect(
      check(
        'mcp__mongodb__drop-collection',
        { database: 'app_dev', collection: 'logs_old' },
        'In dev, drop logs_old.',
      ),
    ).toBe(true);
    expect(
      check(
        'mcp__mongodb__drop-collection',
        { database: 'app_dev', collection: 'orders' },
        'In dev, drop logs_old.',
      ),
    ).toBe(false);
  });

  it('reads a single conditional SQL delete', () => {
    const message = 'Clear the test rows (emails @qa.x.io) on project devref1.';
    expect(
      check(
        'mcp__supabase__execute_sql',
        { project_id: 'devref1', query: "DELETE FROM t WHERE email LIKE '%@qa.x.io'" },
        message,
      ),
    ).toBe(true);
    expect(
      check(
        'mcp__supabase__execute_sql',
        { project_id: 'devref1', query: 'DELETE FROM t' },
        message,
      ),
    ).toBe(false);
    expect(
      check(
        'mcp__supabase__execute_sql',
        { project_id: 'devref1', query: 'DROP TABLE t' },
        message,
      ),
    ).toBe(false);
  });
});
