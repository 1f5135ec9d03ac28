/**
 * The admin's runtime list for tenants' templates applies at each sandbox start, not only
 * at apply: a tenant's template without a runtime gets whichever runtime works on the host,
 * which can change after it was applied. Real sandboxes, over HTTP on 127.0.0.1.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/http/server.js';
import { closeTestServer } from '../helpers/server.js';

const ADMIN_TOKEN = `admin-${'r'.repeat(40)}`;

const templateYaml = (
  name: string,
  runtime: string | undefined,
): string => `apiVersion: extensions.agents.x-k8s.io/v1beta1
kind: SandboxTemplate
metadata:
  name: ${name}
  namespace: acme
spec:
  podTemplate:
    spec:
${runtime === undefined ? '' : `      runtimeClassName: ${runtime}\n`}      containers:
        - name: runtime
          image: debian:12
`;

describe('tenant runtimes at sandbox start', () => {
  let dir: string;
  let server: RunningServer;
  let acme: string;

  const call = async (
    token: string,
    method: string,
    path: string,
    body: string,
    contentType = 'application/json',
  ): Promise<{
    status: number;
    body: { id?: string; error?: { code: string; message: string } };
  }> => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
      body,
    });
    return { status: response.status, body: (await response.json()) as never };
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sandstack-tenant-runtimes-'));
    // No local runtime is allowed, as on a host where the only allowed one stopped working.
    server = await startServer({
      stateDir: join(dir, 'state'),
      port: 0,
      adminToken: ADMIN_TOKEN,
      tenantTemplates: { allowedRuntimes: ['kubernetes'] },
    });
    expect((await call(ADMIN_TOKEN, 'POST', '/v1/tenants', '{"id":"acme"}')).status).toBe(201);
    const token = await call(ADMIN_TOKEN, 'POST', '/v1/tenants/acme/tokens', '{}');
    acme = (token.body as { secret: string }).secret;
  }, 60_000);

  afterAll(async () => {
    await closeTestServer(server);
    await rm(dir, { recursive: true, force: true });
  });

  it('rejects a start under a runtime left off the list', async () => {
    const yaml = templateYaml('acme-auto', undefined);
    expect((await call(ADMIN_TOKEN, 'POST', '/v1/apply', yaml, 'application/yaml')).status).toBe(
      200,
    );
    const claim = await call(acme, 'POST', '/v1/sandboxes', '{"template":"acme-auto"}');
    expect(claim.status).toBe(503);
    expect(claim.body.error?.code).toBe('RUNTIME_UNAVAILABLE');
    expect(claim.body.error?.message).toContain('Template "acme-auto" would start');
    expect(claim.body.error?.message).toContain('allowedRuntimes (kubernetes)');
  }, 60_000);

  it('starts a runtime the admin named', async () => {
    const yaml = templateYaml('acme-gvisor', 'gvisor');
    expect((await call(ADMIN_TOKEN, 'POST', '/v1/apply', yaml, 'application/yaml')).status).toBe(
      200,
    );
    const claim = await call(acme, 'POST', '/v1/sandboxes', '{"template":"acme-gvisor"}');
    expect(claim.status).toBe(201);
    await call(acme, 'DELETE', `/v1/sandboxes/${claim.body.id ?? ''}`, '{}');
  }, 60_000);

  it('names the runtimeClassName a tenant asked for', async () => {
    const yaml = templateYaml('acme-kube', 'kubernetes');
    const applied = await call(acme, 'POST', '/v1/apply', yaml, 'application/yaml');
    expect(applied.status).toBe(400);
    const message = applied.body.error?.message ?? '';
    expect(message).toContain(
      'Runtime "gvisor", which a template with runtimeClassName "kubernetes" gets on this server because that class has no local runtime, is not allowed',
    );
    expect(message).toContain('allowedRuntimes is [kubernetes]');
    expect(message).toContain('gvisor (or runsc) or bubblewrap (or bwrap)');
    expect(message).not.toContain('without runtimeClassName');
  }, 60_000);

  it('leaves shared templates alone', async () => {
    const claim = await call(acme, 'POST', '/v1/sandboxes', '{"template":"default"}');
    expect(claim.status).toBe(201);
    await call(acme, 'DELETE', `/v1/sandboxes/${claim.body.id ?? ''}`, '{}');
  }, 60_000);
});
