/**
 * Templates, warm pools and claims over real HTTP on 127.0.0.1: `POST /v1/apply` with YAML
 * and JSON, the same field-pointing errors as the local `sandstack apply -f`, tenant scoping
 * with 404s for another tenant's objects, deletes, the OpenAPI document, and the remote CLI.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandstackClient } from '../../src/client/index.js';
import { startServer, type RunningServer } from '../../src/server/http/server.js';
import { runCli } from '../helpers/cli.js';
import { closeTestServer } from '../helpers/server.js';

const ADMIN_TOKEN = `admin-${'y'.repeat(40)}`;

const templateYaml = (
  name: string,
  extra = '',
): string => `apiVersion: extensions.agents.x-k8s.io/v1beta1
kind: SandboxTemplate
metadata:
  name: ${name}
${extra}spec:
  podTemplate:
    spec:
      containers:
        - name: runtime
          image: debian:12
          resources:
            limits:
              cpu: 500m
              memory: 128Mi
`;

const poolYaml = (
  name: string,
  template: string,
): string => `apiVersion: extensions.agents.x-k8s.io/v1beta1
kind: SandboxWarmPool
metadata:
  name: ${name}
spec:
  replicas: 1
  sandboxTemplateRef:
    name: ${template}
`;

const BAD_YAML = `${templateYaml('broken').replace('memory: 128Mi', 'memory: lots')}---
${poolYaml('broken-pool', 'broken').replace('replicas: 1', 'replicas: many')}`;

const EGRESS = 'sandstack.dev/egress-allow';

const withRuntime = (yaml: string, runtime: string): string =>
  yaml
    .replace(/^ {6}runtimeClassName: .*\n/m, '')
    .replace('      containers:', `      runtimeClassName: ${runtime}\n      containers:`);

interface Reply {
  status: number;
  body: Record<string, unknown> & {
    error?: { code: string; message: string; issues?: { field: string; message: string }[] };
  };
}

describe('sandbox objects over HTTP', () => {
  let dir: string;
  let server: RunningServer;
  let acme: string;
  let globex: string;

  const call = async (
    token: string,
    method: string,
    path: string,
    body?: string,
    contentType = 'application/yaml',
  ): Promise<Reply> => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': contentType }),
      },
      ...(body === undefined ? {} : { body }),
    });
    return { status: response.status, body: (await response.json()) as Reply['body'] };
  };

  const createTenant = async (id: string): Promise<string> => {
    expect(
      (await call(ADMIN_TOKEN, 'POST', '/v1/tenants', JSON.stringify({ id }), 'application/json'))
        .status,
    ).toBe(201);
    const token = await call(
      ADMIN_TOKEN,
      'POST',
      `/v1/tenants/${id}/tokens`,
      '{}',
      'application/json',
    );
    return token.body.secret as string;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sandstack-objects-'));
    server = await startServer({ stateDir: join(dir, 'state'), port: 0, adminToken: ADMIN_TOKEN });
    acme = await createTenant('acme');
    globex = await createTenant('globex');
  }, 60_000);

  afterAll(async () => {
    await closeTestServer(server);
    await rm(dir, { recursive: true, force: true });
  });

  it('applies a template and a pool from YAML', async () => {
    const reply = await call(
      acme,
      'POST',
      '/v1/apply?filename=acme.yaml',
      `${templateYaml('acme-small')}---\n${poolYaml('acme-pool', 'acme-small')}`,
    );
    expect(reply.status).toBe(200);
    expect(reply.body.applied).toMatchObject([
      { kind: 'SandboxTemplate', name: 'acme-small', action: 'created' },
      { kind: 'SandboxWarmPool', name: 'acme-pool', action: 'created', notes: [] },
    ]);
    const pool = await call(acme, 'GET', '/v1/pools/acme-pool');
    expect(pool.body).toMatchObject({ tenant: 'acme', template: 'acme-small', ready: 1 });
  }, 120_000);

  it('applies a JSON body and reports an unchanged object', async () => {
    const object = {
      apiVersion: 'extensions.agents.x-k8s.io/v1beta1',
      kind: 'SandboxTemplate',
      metadata: { name: 'acme-small' },
      spec: {
        podTemplate: {
          spec: {
            containers: [
              {
                name: 'runtime',
                image: 'debian:12',
                resources: { limits: { cpu: '500m', memory: '128Mi' } },
              },
            ],
          },
        },
      },
    };
    const reply = await call(acme, 'POST', '/v1/apply', JSON.stringify(object), 'application/json');
    expect(reply.status).toBe(200);
    expect(reply.body.applied).toMatchObject([
      { kind: 'SandboxTemplate', name: 'acme-small', action: 'unchanged' },
    ]);
  });

  it('names the line and field of each problem', async () => {
    const reply = await call(acme, 'POST', '/v1/apply?filename=/tmp/x/bad.yaml', BAD_YAML);
    expect(reply.status).toBe(400);
    expect(reply.body.error?.code).toBe('INVALID_CONFIG');
    expect(reply.body.error?.message).toContain('nothing was applied');
    expect(reply.body.error?.message).toContain(
      'bad.yaml:14 (document 1, SandboxTemplate "broken") spec.podTemplate.spec.containers[0].resources.limits.memory: invalid quantity "lots"',
    );
    expect(reply.body.error?.message).not.toContain('/tmp/x');
    expect(reply.body.error?.issues?.map((issue) => issue.field)).toEqual([
      'body[0].spec.podTemplate.spec.containers[0].resources.limits.memory',
      'body[1].spec.replicas',
    ]);
    const templates = await call(ADMIN_TOKEN, 'GET', '/v1/templates');
    const names = (templates.body.templates as { name: string }[]).map((item) => item.name);
    expect(names).not.toContain('broken');
  });

  it('names the range of a huge quantity', async () => {
    const yaml = templateYaml('huge').replace('memory: 128Mi', 'memory: 100Ei');
    const reply = await call(acme, 'POST', '/v1/apply?filename=huge.yaml', yaml);
    expect(reply.status).toBe(400);
    expect(reply.body.error?.message).toContain(
      'huge.yaml:14 (document 1, SandboxTemplate "huge") spec.podTemplate.spec.containers[0].resources.limits.memory: invalid quantity "100Ei": it is over the maximum; use 1Mi to 1Pi bytes',
    );
    expect(reply.body.error?.message).not.toContain('null');
  });

  it("answers 404 for another tenant's template and pool", async () => {
    for (const path of ['/v1/templates/acme-small', '/v1/pools/acme-pool']) {
      expect((await call(globex, 'GET', path)).status).toBe(404);
      expect((await call(globex, 'DELETE', path)).status).toBe(404);
    }
    const templates = await call(globex, 'GET', '/v1/templates');
    const names = (templates.body.templates as { name: string }[]).map((item) => item.name);
    expect(names).toEqual(['default']);
    const pools = await call(globex, 'GET', '/v1/pools');
    expect(pools.body.pools).toEqual([]);
  });

  it("rejects a claim from another tenant's pool", async () => {
    const reply = await call(
      globex,
      'POST',
      '/v1/sandboxes',
      JSON.stringify({ pool: 'acme-pool' }),
      'application/json',
    );
    expect(reply.status).toBe(400);
    expect(reply.body.error?.code).toBe('POOL_NOT_FOUND');
  });

  it("rejects applying over another tenant's object", async () => {
    const reply = await call(globex, 'POST', '/v1/apply', templateYaml('acme-small'));
    expect(reply.status).toBe(400);
    expect(reply.body.error?.message).toContain(
      'metadata.name: SandboxTemplate "acme-small" belongs to another tenant; choose another name',
    );
    const pool = await call(globex, 'POST', '/v1/apply', poolYaml('globex-pool', 'acme-small'));
    expect(pool.body.error?.issues?.[0]?.field).toBe('body[0].spec.sandboxTemplateRef.name');
  });

  it('rejects a namespace of another tenant', async () => {
    const reply = await call(
      globex,
      'POST',
      '/v1/apply',
      templateYaml('globex-small', '  namespace: acme\n'),
    );
    expect(reply.status).toBe(400);
    expect(reply.body.error?.issues?.[0]).toEqual({
      field: 'body[0].metadata.namespace',
      message:
        'line 5: "acme" is another tenant; use your tenant "globex" or leave the namespace out',
    });
  });

  it('shows the admin every object with its tenant', async () => {
    const reply = await call(ADMIN_TOKEN, 'GET', '/v1/templates');
    expect(reply.body.templates).toContainEqual(
      expect.objectContaining({ name: 'acme-small', tenant: 'acme' }),
    );
    expect(reply.body.templates).toContainEqual(
      expect.objectContaining({ name: 'default', tenant: null }),
    );
  });

  it('keeps a template in use and deletes it after its pool', async () => {
    const inUse = await call(acme, 'DELETE', '/v1/templates/acme-small');
    expect(inUse.status).toBe(409);
    expect(inUse.body.error?.message).toContain('in use by 1 pool');
    expect((await call(acme, 'DELETE', '/v1/pools/acme-pool')).status).toBe(200);
    expect((await call(acme, 'DELETE', '/v1/templates/acme-small')).status).toBe(200);
    expect((await call(acme, 'GET', '/v1/templates/acme-small')).status).toBe(404);
  }, 60_000);

  it('lets only the admin delete a shared template', async () => {
    expect((await call(ADMIN_TOKEN, 'POST', '/v1/apply', templateYaml('shared'))).status).toBe(200);
    const tenant = await call(acme, 'DELETE', '/v1/templates/shared');
    expect(tenant.status).toBe(403);
    expect((await call(acme, 'GET', '/v1/templates/shared')).body.tenant).toBeNull();
    expect((await call(ADMIN_TOKEN, 'DELETE', '/v1/templates/shared')).status).toBe(200);
  });

  it('lists the routes in the OpenAPI document', async () => {
    const document = (await (await fetch(`${server.url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    expect(Object.keys(document.paths['/v1/apply'] ?? {})).toEqual(['post']);
    expect(Object.keys(document.paths['/v1/templates/{name}'] ?? {})).toEqual(['get', 'delete']);
    expect(Object.keys(document.paths['/v1/pools/{name}'] ?? {})).toEqual(['get', 'delete']);
    expect(Object.keys(document.paths['/v1/claims'] ?? {})).toEqual(['get']);
  });

  describe('tenant boundaries', () => {
    const claimYaml = (name: string, pool: string, extra = ''): string =>
      `apiVersion: extensions.agents.x-k8s.io/v1beta1
kind: SandboxClaim
metadata:
  name: ${name}
spec:
  warmPoolRef:
    name: ${pool}
${extra}`;

    it('rejects a claim name another tenant holds', async () => {
      expect(
        (
          await call(
            ADMIN_TOKEN,
            'POST',
            '/v1/apply',
            `${templateYaml('claim-base')}---\n${poolYaml('claim-pool', 'claim-base')}`,
          )
        ).status,
      ).toBe(200);
      const mine = await call(acme, 'POST', '/v1/apply', claimYaml('job-1', 'claim-pool'));
      expect(mine.status).toBe(200);
      const sandboxId = (mine.body.applied as { sandbox: { id: string } }[])[0]?.sandbox.id;

      const theirs = await call(
        globex,
        'POST',
        '/v1/apply',
        claimYaml('job-1', 'claim-pool', '  lifecycle:\n    shutdownPolicy: Delete\n'),
      );
      expect(theirs.status).toBe(400);
      expect(theirs.body.error?.message).toContain(
        'SandboxClaim "job-1" belongs to another tenant; choose another name',
      );
      expect(JSON.stringify(theirs.body)).not.toContain(sandboxId ?? 'no sandbox');
      const kept = await call(acme, 'GET', '/v1/claims/job-1');
      expect(kept.status).toBe(200);
      expect(kept.body.sandboxId).toBe(sandboxId);
    }, 120_000);

    it('keeps shared applies off tenant objects', async () => {
      expect((await call(acme, 'POST', '/v1/apply', templateYaml('python'))).status).toBe(200);
      const shared = await call(
        ADMIN_TOKEN,
        'POST',
        '/v1/apply',
        templateYaml('python', '  annotations:\n    note: x\n'),
      );
      expect(shared.status).toBe(400);
      expect(shared.body.error?.message).toContain(
        'SandboxTemplate "python" belongs to tenant "acme"; set metadata.namespace: acme',
      );
      const pool = await call(ADMIN_TOKEN, 'POST', '/v1/apply', poolYaml('py-shared', 'python'));
      expect(pool.status).toBe(400);
      expect(pool.body.error?.message).toContain('a shared pool may use shared templates only');
      const owner = await call(ADMIN_TOKEN, 'GET', '/v1/templates/python');
      expect(owner.body.tenant).toBe('acme');
    });

    it('bounds what a tenant template asks for', async () => {
      const big = await call(
        globex,
        'POST',
        '/v1/apply',
        templateYaml('big').replace('memory: 128Mi', 'memory: 256Gi'),
      );
      expect(big.status).toBe(400);
      expect(big.body.error?.message).toContain(
        "memory bytes is over the 536870912 that the server's default template allows",
      );
      const hostRoot = await call(
        globex,
        'POST',
        '/v1/apply',
        templateYaml('host-root').replace('image: debian:12', 'image: /'),
      );
      expect(hostRoot.status).toBe(400);
      const output = await call(
        globex,
        'POST',
        '/v1/apply',
        templateYaml('loud', '  annotations:\n    sandstack.dev/max-output-bytes: "1073741824"\n'),
      );
      expect(output.status).toBe(400);
      expect(output.body.error?.message).toContain('1073741824 output bytes is over the 1048576');
      expect(hostRoot.body.error?.message).toContain(
        'cannot use host folder "/" as root filesystem',
      );
      expect(hostRoot.body.error?.message).toContain('spec.podTemplate.spec.containers[0].image:');
      // A tenant learns nothing about which host folders exist.
      const missing = await call(
        globex,
        'POST',
        '/v1/apply',
        templateYaml('missing-root').replace('image: debian:12', 'image: /no/such/folder'),
      );
      expect(missing.status).toBe(400);
      expect(missing.body.error?.message).toContain('cannot use host folder "/no/such/folder"');
      expect(missing.body.error?.message).not.toContain('not found on this host');
      const admin = await call(
        ADMIN_TOKEN,
        'POST',
        '/v1/apply',
        templateYaml('admin-big', '  namespace: globex\n').replace('memory: 128Mi', 'memory: 2Gi'),
      );
      expect(admin.status).toBe(200);
    });

    it('rejects runtimes outside the policy', async () => {
      const yaml = withRuntime(templateYaml('bwrap-t'), 'bubblewrap');
      const tenant = await call(globex, 'POST', '/v1/apply', yaml);
      expect(tenant.status).toBe(400);
      const issue = tenant.body.error?.issues?.[0];
      expect(issue?.field).toBe('body[0].spec.podTemplate.spec.runtimeClassName');
      expect(issue?.message).toContain(
        'Runtime "bubblewrap" is not allowed for a tenant\'s template',
      );
      expect(issue?.message).toContain('tenantTemplates.allowedRuntimes is [gvisor]');
      expect(issue?.message).toContain('--tenant-runtimes');
      const gvisor = await call(globex, 'POST', '/v1/apply', withRuntime(yaml, 'gvisor'));
      expect(gvisor.status).toBe(200);
      const shared = await call(
        ADMIN_TOKEN,
        'POST',
        '/v1/apply',
        withRuntime(templateYaml('bwrap-shared'), 'bubblewrap'),
      );
      expect(shared.status).toBe(200);
    });

    it('rejects egress outside the policy', async () => {
      const yaml = templateYaml('online', `  annotations:\n    ${EGRESS}: pypi.org\n`);
      const tenant = await call(globex, 'POST', '/v1/apply', yaml);
      expect(tenant.status).toBe(400);
      const issue = tenant.body.error?.issues?.[0];
      expect(issue?.field).toBe(`body[0].metadata.annotations.${EGRESS}`);
      expect(issue?.message).toContain('Egress domain "pypi.org" is not allowed');
      expect(issue?.message).toContain('tenantTemplates.allowedEgressDomains is empty');
      expect(issue?.message).toContain('--tenant-egress-domains');
      const shared = await call(
        ADMIN_TOKEN,
        'POST',
        '/v1/apply',
        yaml.replace('online', 'online-shared'),
      );
      expect(shared.status).toBe(200);
    });

    it('bounds a tenant pool by the sandbox quota', async () => {
      const pool = await call(
        globex,
        'POST',
        '/v1/apply',
        poolYaml('globex-many', 'default').replace('replicas: 1', 'replicas: 21'),
      );
      expect(pool.status).toBe(400);
      expect(pool.body.error?.message).toContain(
        "21 replicas with the 0 of the tenant's other pools are over its sandbox quota of 20",
      );
    });

    it("deletes a deleted tenant's objects", async () => {
      const token = await createTenant('leaving');
      const manifest = `${templateYaml('leaving-t')}---\n${poolYaml('leaving-pool', 'leaving-t')}---\n${claimYaml('leaving-job', 'leaving-pool')}`;
      expect((await call(token, 'POST', '/v1/apply', manifest)).status).toBe(200);
      expect((await call(ADMIN_TOKEN, 'DELETE', '/v1/tenants/leaving')).status).toBe(200);

      const names = async (path: string, key: string): Promise<string[]> =>
        ((await call(ADMIN_TOKEN, 'GET', path)).body[key] as { name: string }[]).map(
          (item) => item.name,
        );
      expect(await names('/v1/templates', 'templates')).not.toContain('leaving-t');
      expect(await names('/v1/pools', 'pools')).not.toContain('leaving-pool');
      expect(await names('/v1/claims', 'claims')).not.toContain('leaving-job');
      const sandboxes = server.context.stack.controller.list({ tenant: 'leaving' });
      expect(sandboxes).toEqual([]);
    }, 120_000);

    it("rejects another tenant's snapshot in a template", async () => {
      const claimed = await call(
        acme,
        'POST',
        '/v1/sandboxes',
        JSON.stringify({}),
        'application/json',
      );
      const id = claimed.body.id as string;
      const snapshot = await call(
        acme,
        'POST',
        `/v1/sandboxes/${id}/snapshot`,
        JSON.stringify({ name: 'acme-snap' }),
        'application/json',
      );
      expect(snapshot.status).toBe(201);
      await call(acme, 'DELETE', `/v1/sandboxes/${id}`);

      const stolen = templateYaml(
        'stolen',
        '  annotations:\n    sandstack.dev/snapshot: acme-snap\n',
      );
      const theirs = await call(globex, 'POST', '/v1/apply', stolen);
      expect(theirs.status).toBe(400);
      expect(theirs.body.error?.message).toContain('Snapshot "acme-snap" not found');
      const mine = await call(
        acme,
        'POST',
        '/v1/apply',
        stolen.replace('name: stolen', 'name: acme-warm'),
      );
      expect(mine.status).toBe(200);
      const stored = await call(acme, 'GET', '/v1/templates/acme-warm');
      expect(stored.body.snapshot).toBe('acme/acme-snap');
      const qualified = await call(
        globex,
        'POST',
        '/v1/apply',
        stolen.replace('acme-snap', 'acme/acme-snap'),
      );
      expect(qualified.status).toBe(400);

      // Names are per tenant: the same name in another tenant is no conflict.
      const other = await call(globex, 'POST', '/v1/sandboxes', '{}', 'application/json');
      const otherId = other.body.id as string;
      const same = await call(
        globex,
        'POST',
        `/v1/sandboxes/${otherId}/snapshot`,
        JSON.stringify({ name: 'acme-snap' }),
        'application/json',
      );
      await call(globex, 'DELETE', `/v1/sandboxes/${otherId}`);
      expect(same.status).toBe(201);
      const listed = await call(globex, 'GET', '/v1/sandboxes/snapshots');
      const names = (listed.body.snapshots as { name: string }[]).map((item) => item.name);
      expect(names).toEqual(['acme-snap']);

      // A shared template names a tenant's snapshot with its tenant; a bare name is a
      // snapshot of no tenant, and there is none.
      const shared = templateYaml(
        'shared-warm',
        '  annotations:\n    sandstack.dev/snapshot: acme-snap\n',
      );
      const bare = await call(ADMIN_TOKEN, 'POST', '/v1/apply', shared);
      expect(bare.status).toBe(400);
      expect(bare.body.error?.message).toContain('Snapshot "acme-snap" not found');
      const named = await call(
        ADMIN_TOKEN,
        'POST',
        '/v1/apply',
        shared.replace('acme-snap', 'acme/acme-snap'),
      );
      expect(named.status).toBe(200);
    }, 120_000);

    it('deletes a snapshot of the tenant', async () => {
      const controller = server.context.stack.controller;
      const acmeDir = controller.getSnapshot('acme/acme-snap').dir;
      const globexDir = controller.getSnapshot('globex/acme-snap').dir;
      expect(existsSync(acmeDir)).toBe(true);

      // The tenant's own template acme-warm names it, so the delete is rejected.
      const inUse = await call(acme, 'DELETE', '/v1/sandboxes/snapshots/acme-snap');
      expect(inUse.status).toBe(409);
      expect(inUse.body.error?.code).toBe('SNAPSHOT_IN_USE');
      expect(inUse.body.error?.message).toContain('is named by your template "acme-warm"');
      expect(existsSync(acmeDir)).toBe(true);

      // Each tenant deletes only its own snapshot of that name.
      const client = new SandstackClient({ baseUrl: server.url, token: globex });
      const deleted = await client.sandboxes.deleteSnapshot('acme-snap');
      expect(deleted.name).toBe('acme-snap');
      expect(existsSync(globexDir)).toBe(false);
      expect((await call(acme, 'GET', '/v1/sandboxes/snapshots/acme-snap')).status).toBe(200);
      const again = await call(globex, 'DELETE', '/v1/sandboxes/snapshots/acme-snap');
      expect(again.status).toBe(404);
      expect(again.body.error?.code).toBe('SNAPSHOT_NOT_FOUND');

      // The shared template shared-warm names it too, but does not keep the tenant's data.
      expect((await call(acme, 'DELETE', '/v1/templates/acme-warm')).status).toBe(200);
      const mine = await call(acme, 'DELETE', '/v1/sandboxes/snapshots/acme-snap');
      expect(mine.status).toBe(200);
      expect(existsSync(acmeDir)).toBe(false);
      expect((await call(acme, 'GET', '/v1/sandboxes/snapshots/acme-snap')).status).toBe(404);
      expect(controller.listSnapshots({ tenant: 'acme' })).toEqual([]);
      expect((await call(ADMIN_TOKEN, 'DELETE', '/v1/templates/shared-warm')).status).toBe(200);
    }, 120_000);

    it("deletes a deleted tenant's snapshots", async () => {
      const token = await createTenant('departing');
      const claimed = await call(token, 'POST', '/v1/sandboxes', '{}', 'application/json');
      const id = claimed.body.id as string;
      const stored = await call(
        token,
        'POST',
        `/v1/sandboxes/${id}/snapshot`,
        JSON.stringify({ name: 'kept' }),
        'application/json',
      );
      expect(stored.status).toBe(201);
      const controller = server.context.stack.controller;
      const snapshotDir = controller.getSnapshot('departing/kept').dir;
      expect(existsSync(snapshotDir)).toBe(true);

      expect((await call(ADMIN_TOKEN, 'DELETE', '/v1/tenants/departing')).status).toBe(200);
      expect(controller.listSnapshots({ tenant: 'departing' })).toEqual([]);
      expect(existsSync(snapshotDir)).toBe(false);
    }, 120_000);
  });

  describe('tenant template policy set by the admin', () => {
    let open: RunningServer;
    let token: string;

    beforeAll(async () => {
      open = await startServer({
        stateDir: join(dir, 'open-state'),
        port: 0,
        adminToken: ADMIN_TOKEN,
        tenantTemplates: {
          allowedRuntimes: ['gvisor', 'bubblewrap'],
          allowedEgressDomains: ['pypi.org', '*.pythonhosted.org'],
        },
      });
      const headers = {
        authorization: `Bearer ${ADMIN_TOKEN}`,
        'content-type': 'application/json',
      };
      await fetch(`${open.url}/v1/tenants`, { method: 'POST', headers, body: '{"id":"acme"}' });
      const created = await fetch(`${open.url}/v1/tenants/acme/tokens`, {
        method: 'POST',
        headers,
        body: '{}',
      });
      token = ((await created.json()) as { secret: string }).secret;
    }, 60_000);

    afterAll(async () => {
      await closeTestServer(open);
    });

    const applyTo = async (yaml: string): Promise<Reply> => {
      const response = await fetch(`${open.url}/v1/apply`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/yaml' },
        body: yaml,
      });
      return { status: response.status, body: (await response.json()) as Reply['body'] };
    };

    it('accepts what the policy allows', async () => {
      const allowed = `  annotations:\n    ${EGRESS}: "pypi.org, files.pythonhosted.org"\n`;
      const reply = await applyTo(withRuntime(templateYaml('pip', allowed), 'bubblewrap'));
      expect(reply.status).toBe(200);
    });

    it('rejects a domain outside the list', async () => {
      const listed = `  annotations:\n    ${EGRESS}: "pypi.org,example.com"\n`;
      const reply = await applyTo(templateYaml('leaky', listed));
      expect(reply.status).toBe(400);
      const messages = (reply.body.error?.issues ?? []).map((issue) => issue.message);
      expect(messages).toHaveLength(1);
      expect(messages[0]).toContain('Egress domain "example.com" is not allowed');
      expect(messages[0]).toContain('is [pypi.org, *.pythonhosted.org]');
    });
  });

  describe('remote CLI', () => {
    const remoteEnv = (): Record<string, string> => ({ SANDSTACK_TOKEN: acme });

    it('applies a file and lists templates through the server', async () => {
      const file = join(dir, 'cli.yaml');
      await writeFile(file, templateYaml('cli-small'));
      const applied = await runCli(['apply', '-f', file, '--server', server.url], {
        env: remoteEnv(),
      });
      expect(applied.code).toBe(0);
      expect(applied.stdout).toContain('sandboxtemplate/cli-small created');
      const listed = await runCli(['get', 'templates', '--server', server.url], {
        env: remoteEnv(),
      });
      expect(listed.code).toBe(0);
      expect(listed.stdout).toMatch(/^NAME\s+TENANT\s+RUNTIME/m);
      expect(listed.stdout).toMatch(/^cli-small\s+acme\s+/m);
      const other = await runCli(['get', 'templates', '--server', server.url], {
        env: { SANDSTACK_TOKEN: globex },
      });
      expect(other.stdout).not.toContain('cli-small');
    }, 60_000);

    it('lists and deletes snapshots through the server', async () => {
      const claimed = await call(acme, 'POST', '/v1/sandboxes', '{}', 'application/json');
      const id = claimed.body.id as string;
      const stored = await call(
        acme,
        'POST',
        `/v1/sandboxes/${id}/snapshot`,
        JSON.stringify({ name: 'cli-snap' }),
        'application/json',
      );
      expect(stored.status).toBe(201);
      await call(acme, 'DELETE', `/v1/sandboxes/${id}`);

      const remote = ['sandbox', 'snapshots', '--server', server.url];
      const listed = await runCli(remote, { env: remoteEnv() });
      expect(listed.code).toBe(0);
      expect(listed.stdout).toMatch(/^cli-snap {2}from /m);
      const deleted = await runCli([...remote, '--delete', 'cli-snap'], { env: remoteEnv() });
      expect(deleted.code).toBe(0);
      expect(deleted.stdout).toContain('Snapshot "cli-snap" deleted');
      const missing = await runCli([...remote, '--delete', 'cli-snap'], { env: remoteEnv() });
      expect(missing.code).not.toBe(0);
      expect(missing.stderr).toContain('Snapshot "cli-snap" not found');
    }, 120_000);

    it("hides whether another tenant's sandbox exists", async () => {
      const claimed = await call(acme, 'POST', '/v1/sandboxes', '{}', 'application/json');
      const id = claimed.body.id as string;
      const sandboxYaml = (namespace: string): string =>
        `apiVersion: agents.x-k8s.io/v1beta1\nkind: Sandbox\nmetadata:\n  name: ${id}\n  namespace: ${namespace}\nspec:\n  operatingMode: Suspended\n`;
      try {
        const owner = await call(globex, 'POST', '/v1/apply', sandboxYaml('acme'));
        const nobody = await call(globex, 'POST', '/v1/apply', sandboxYaml('zzz'));
        expect(owner.status).toBe(400);
        expect(nobody.status).toBe(400);
        const messages = (reply: typeof owner): string[] =>
          (reply.body.error?.issues ?? []).map((issue) =>
            issue.message.replace(/"(?:acme|zzz)"/, '"NS"'),
          );
        expect(messages(owner)).toHaveLength(1);
        expect(messages(owner)).toEqual(messages(nobody));
      } finally {
        await call(acme, 'DELETE', `/v1/sandboxes/${id}`);
      }
    }, 60_000);

    it('prints the same problems as a local apply', async () => {
      const file = join(dir, 'bad.yaml');
      await writeFile(file, BAD_YAML);
      const remote = await runCli(['apply', '-f', file, '--server', server.url], {
        env: remoteEnv(),
      });
      const local = await runCli(['--state-dir', join(dir, 'local'), 'apply', '-f', file]);
      expect(remote.code).toBe(1);
      expect(local.code).toBe(1);
      const problems = (text: string): string[] =>
        text.split('\n').filter((line) => line.includes('(document '));
      expect(problems(remote.stderr).length).toBe(2);
      expect(problems(remote.stderr)).toEqual(
        problems(local.stderr).map((line) => line.replace(file, 'bad.yaml')),
      );
    }, 60_000);
  });
});
