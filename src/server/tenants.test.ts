/**
 * The tenant store's contract on a SQLite file and on PostgreSQL: tenants, tokens, the
 * audit log and CPU quotas, and what a second node sharing the database reads.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useSqlDatabases, type OpenedSqlDatabase } from '../../test/helpers/sql-databases.js';
import { TenantStore } from './tenants.js';

const databases = useSqlDatabases();

describe.each(databases.cases)('TenantStore on $name', ({ name, open }) => {
  let opened: OpenedSqlDatabase;
  let tenants: TenantStore;

  beforeEach(async () => {
    opened = await open();
    tenants = await TenantStore.open(opened.sql);
  });

  afterEach(async () => {
    await opened.close();
  });

  it('authenticates a token made through another connection', async () => {
    const other = await TenantStore.open(await opened.connectAgain());
    await tenants.create({ id: 'acme' }, 'system');
    const { record, token } = await tenants.createToken('acme', { label: 'ci' }, 'system');

    expect(await other.authenticate(token)).toEqual({
      role: 'tenant',
      tokenId: record.id,
      tenant: 'acme',
    });
    expect(await other.authenticate('sst_unknown')).toBeUndefined();
  });

  it('stops a revoked or rotated token at once', async () => {
    await tenants.create({ id: 'acme' }, 'system');
    const first = await tenants.createToken('acme', {}, 'system');
    const rotated = await tenants.rotateToken('acme', first.record.id, 'system');
    expect(await tenants.authenticate(first.token)).toBeUndefined();
    expect((await tenants.authenticate(rotated.token))?.tokenId).toBe(rotated.record.id);

    await tenants.revokeToken('acme', rotated.record.id, 'system');
    expect(await tenants.authenticate(rotated.token)).toBeUndefined();
    await expect(tenants.rotateToken('acme', rotated.record.id, 'system')).rejects.toThrow(
      /is revoked/,
    );
  });

  it('never reuses a deleted tenant id', async () => {
    await tenants.create({ id: 'acme', displayName: 'Acme' }, 'system');
    const { token } = await tenants.createToken('acme', {}, 'system');
    await tenants.delete('acme', 'system');

    expect(await tenants.get('acme')).toBeUndefined();
    expect(await tenants.authenticate(token)).toBeUndefined();
    await expect(tenants.create({ id: 'acme' }, 'system')).rejects.toThrow(
      /belonged to a deleted tenant/,
    );
  });

  // Two SQLite connections in one process would wait on each other's write lock, so the
  // race is run where it happens in production: nodes sharing PostgreSQL.
  it.runIf(name === 'postgres')(
    'rejects a second create of the same id from two nodes',
    async () => {
      const other = await TenantStore.open(await opened.connectAgain());
      const results = await Promise.allSettled([
        tenants.create({ id: 'race' }, 'node-a'),
        other.create({ id: 'race' }, 'node-b'),
      ]);
      expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
      expect((await tenants.list()).map((tenant) => tenant.id)).toEqual(['race']);
    },
  );

  it('rejects an invalid tenant id', async () => {
    await expect(tenants.create({ id: 'has spaces' }, 'system')).rejects.toThrow(
      /Tenant id "has spaces" is invalid/,
    );
  });

  it('replaces the admin token', async () => {
    expect(await tenants.hasAdminToken()).toBe(false);
    const first = await tenants.replaceAdminToken('system');
    const second = await tenants.replaceAdminToken('system');
    expect(await tenants.hasAdminToken()).toBe(true);
    expect(await tenants.authenticate(first)).toBeUndefined();
    expect((await tenants.authenticate(second))?.role).toBe('admin');
  });

  it('lists audit entries newest first, by tenant and page', async () => {
    await tenants.create({ id: 'acme' }, 'system');
    await tenants.create({ id: 'globex' }, 'system');
    tenants.audit({ actor: 'tok_1', tenant: 'acme', action: 'sandbox.release', target: 'sbx_1' });

    const acme = await tenants.listAudit({ tenant: 'acme', limit: 10 });
    expect(acme.map((entry) => entry.action)).toEqual(['sandbox.release', 'tenant.create']);
    const older = await tenants.listAudit({ beforeSeq: acme[0]?.seq ?? 0, limit: 1 });
    expect(older.map((entry) => entry.target)).toEqual(['globex']);
  });

  it('sets and resets a CPU quota', async () => {
    await tenants.create({ id: 'acme' }, 'system');
    await tenants.setCpuQuota('acme', { cpuSeconds: 1.5, windowSeconds: 60 }, 'system');
    expect(await tenants.getCpuQuota('acme')).toEqual({ cpuSeconds: 1.5, windowSeconds: 60 });
    await tenants.setCpuQuota('acme', undefined, 'system');
    expect(await tenants.getCpuQuota('acme')).toBeUndefined();
    await expect(tenants.setCpuQuota('nobody', undefined, 'system')).rejects.toThrow(
      /Tenant "nobody" not found/,
    );
  });
});
