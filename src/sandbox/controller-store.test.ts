import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, type SqliteDatabase } from '../core/store.js';
import { SANDBOX_MIGRATIONS, SandboxStore } from './controller-store.js';

const INSERT_SNAPSHOT =
  'INSERT INTO sandbox_snapshots (name, tenant, sandbox_id, template, runtime, dir, image_bytes, files_bytes, created_at) VALUES (?, ?, ?, ?, ?, ?, 1, 1, 1)';

describe('snapshot name migration', () => {
  let db: SqliteDatabase;

  afterEach(() => {
    db.close();
  });

  it('scopes existing snapshots per tenant', () => {
    db = new Database(':memory:') as SqliteDatabase;
    // The schema as it was when snapshot names were unique per store.
    const scoped = SANDBOX_MIGRATIONS.findIndex((sql) =>
      sql.includes('sandbox_snapshots_by_tenant'),
    );
    migrate(db, 'sandbox', SANDBOX_MIGRATIONS.slice(0, scoped));
    db.prepare(INSERT_SNAPSHOT).run('base', 'acme', 'sbx_1', 'gv', 'gvisor', '/state/base');
    db.prepare(INSERT_SNAPSHOT).run('local', null, 'sbx_2', 'gv', 'gvisor', '/state/local');
    const insertTemplate = db.prepare(
      'INSERT INTO sandbox_templates (name, spec, created_at) VALUES (?, ?, 1)',
    );
    insertTemplate.run('warm', JSON.stringify({ name: 'warm', snapshot: 'base' }));
    insertTemplate.run('plain', JSON.stringify({ name: 'plain', snapshot: 'local' }));
    insertTemplate.run('cold', JSON.stringify({ name: 'cold' }));

    const store = new SandboxStore(db);

    expect(store.getSnapshot('acme', 'base')?.dir).toBe('/state/base');
    expect(store.getSnapshot(null, 'local')?.dir).toBe('/state/local');
    expect(store.getTemplate('warm')?.snapshot).toBe('acme/base');
    expect(store.getTemplate('plain')?.snapshot).toBe('local');
    expect(store.getTemplate('cold')?.snapshot).toBeUndefined();
    db.prepare(INSERT_SNAPSHOT).run('base', 'beta', 'sbx_3', 'gv', 'gvisor', '/state/b');
    expect(store.findSnapshots('base').map((item) => item.tenant)).toEqual(['acme', 'beta']);
    expect(() =>
      db.prepare(INSERT_SNAPSHOT).run('base', 'beta', 'sbx_4', 'gv', 'gvisor', '/state/c'),
    ).toThrow(/UNIQUE/);
  });
});
