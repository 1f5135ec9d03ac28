/**
 * Per-tenant CPU-seconds quotas and the cost route (`/v1/cost`), over real HTTP on 127.0.0.1: metered
 * sandbox CPU time past the quota turns claims and execs into 429s that name the quota,
 * and the admin raises it with PUT /v1/tenants/{id}/quota.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandstackApiError, SandstackClient } from '../../src/client/index.js';
import { startServer, type RunningServer } from '../../src/server/http/server.js';
import { closeTestServer } from '../helpers/server.js';
import { makeTempDir } from '../helpers/cli.js';

const ADMIN_TOKEN = `admin-${'q'.repeat(40)}`;
/** Burns well over 0.05 CPU-seconds in any runtime. */
const BURN = 'i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; echo burnt';

let dir: { path: string; remove: () => Promise<void> };
let server: RunningServer;
let admin: SandstackClient;
let acme: SandstackClient;
let beta: SandstackClient;

async function rejection(promise: Promise<unknown>): Promise<SandstackApiError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(SandstackApiError);
  return error as SandstackApiError;
}

beforeAll(async () => {
  dir = await makeTempDir('cpu-quota');
  // The server's default is on but high, so only the tenant's own quota is ever reached.
  server = await startServer({
    stateDir: join(dir.path, 'state'),
    port: 0,
    adminToken: ADMIN_TOKEN,
    limits: { maxCpuSeconds: 100_000, cpuWindowSeconds: 3600 },
  });
  admin = new SandstackClient({ baseUrl: server.url, token: ADMIN_TOKEN });
  const clients: SandstackClient[] = [];
  for (const id of ['acme', 'beta']) {
    await admin.tenants.create({ id });
    const { secret } = await admin.tenants.createToken(id);
    clients.push(new SandstackClient({ baseUrl: server.url, token: secret }));
  }
  [acme, beta] = clients as [SandstackClient, SandstackClient];
}, 60_000);

afterAll(async () => {
  await closeTestServer(server);
  await dir?.remove();
});

describe('CPU-seconds quota', () => {
  it('rejects execs and claims past the quota until the admin raises it', async () => {
    const box = await acme.sandboxes.claim();
    const burnt = await acme.sandboxes.exec(box.id, BURN);
    expect(burnt.stdout.trim()).toBe('burnt');

    const set = await admin.tenants.setQuota('acme', { cpuSeconds: 0.05, windowSeconds: 600 });
    expect(set.source).toBe('tenant');
    expect(set.usedCpuSeconds).toBeGreaterThanOrEqual(0.05);

    const exec = await rejection(acme.sandboxes.exec(box.id, 'echo again'));
    expect(exec.status).toBe(429);
    expect(exec.code).toBe('QUOTA_EXCEEDED');
    expect(exec.quota?.name).toBe('cpuSeconds');
    expect(exec.quota?.limit).toBe(0.05);
    expect(exec.quota?.windowSeconds).toBe(600);
    expect(exec.quota?.used).toBeGreaterThanOrEqual(0.05);
    expect(exec.message).toContain('in the last 600 s');
    expect(exec.message).toContain('PUT /v1/tenants/acme/quota');

    const claim = await rejection(acme.sandboxes.claim());
    expect(claim.status).toBe(429);
    expect(claim.quota?.name).toBe('cpuSeconds');

    // Another tenant has its own usage and the server's default quota.
    const other = await beta.sandboxes.claim();
    expect((await admin.tenants.quota('beta')).source).toBe('server');
    await beta.sandboxes.release(other.id);

    await admin.tenants.setQuota('acme', { cpuSeconds: 10_000 });
    expect((await acme.sandboxes.exec(box.id, 'echo again')).stdout.trim()).toBe('again');
    const reset = await admin.tenants.resetQuota('acme');
    expect(reset.source).toBe('server');
    expect(reset.cpuSeconds).toBe(100_000);
    expect(reset.windowSeconds).toBe(3600);
    await acme.sandboxes.release(box.id);
  }, 120_000);

  it('counts all usage ever with a window of 0', async () => {
    await admin.tenants.setQuota('beta', { cpuSeconds: 0.000001, windowSeconds: 0 });
    const claim = await rejection(beta.sandboxes.claim());
    expect(claim.quota?.windowSeconds).toBeNull();
    expect(claim.message).toContain('in total');
    await admin.tenants.resetQuota('beta');
  }, 60_000);

  it('validates the quota and keeps it for the admin', async () => {
    const negative = await rejection(admin.tenants.setQuota('acme', { cpuSeconds: -1 }));
    expect(negative.status).toBe(400);
    expect(negative.issues.map((issue) => issue.field)).toEqual(['body.cpuSeconds']);
    const fractional = await rejection(
      admin.tenants.setQuota('acme', { cpuSeconds: 1, windowSeconds: 1.5 }),
    );
    expect(fractional.issues.map((issue) => issue.field)).toEqual(['body.windowSeconds']);
    expect((await rejection(acme.tenants.quota('acme'))).status).toBe(403);
    expect((await rejection(admin.tenants.quota('nobody'))).status).toBe(404);
  }, 60_000);
});

describe('cost route', () => {
  it('shows a tenant only itself and the admin every tenant', async () => {
    const own = await acme.cost({ by: 'tenant' });
    expect(own.lines.map((line) => line.key)).toEqual(['acme', 'total']);
    expect(own.models.length).toBeGreaterThan(0);
    const total = own.lines.at(-1);
    expect(total?.cpuSeconds).toBeGreaterThan(0);
    expect(Object.keys(total?.cost ?? {})).toEqual(own.models.map((model) => model.name));

    // Another tenant's id gets the same 404 as an unknown one.
    const peek = await rejection(acme.cost({ tenant: 'beta' }));
    expect(peek.status).toBe(404);

    const all = await admin.cost();
    expect(all.lines.map((line) => line.key)).toEqual(['acme', 'beta', 'total']);
    const one = await admin.cost({ tenant: 'beta', by: 'sandbox' });
    expect(one.groupBy).toBe('sandbox');
    expect(one.lines).toHaveLength(2);

    const bad = await rejection(admin.cost({ by: 'week' as 'tenant' }));
    expect(bad.status).toBe(400);
    expect(bad.issues.map((issue) => issue.field)).toEqual(['query.by']);
  }, 60_000);

  it('documents the routes and the quota body in the OpenAPI document', async () => {
    const document = (await (await fetch(`${server.url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, unknown> };
    };
    expect(Object.keys(document.paths['/v1/cost'] ?? {})).toEqual(['get']);
    expect(Object.keys(document.paths['/v1/tenants/{tenant}/quota'] ?? {}).sort()).toEqual([
      'delete',
      'get',
      'put',
    ]);
    expect(document.components.schemas).toHaveProperty('QuotaDetail');
    expect(document.components.schemas).toHaveProperty('CostReport');
  }, 60_000);
});
