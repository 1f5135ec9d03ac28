/**
 * `sandstack serve` with the Kubernetes driver configured the way `deploy/sandstack.yaml`
 * does it (SANDSTACK_* variables), against the fake cluster: the default template's
 * sandboxes become SandboxClaims, and the HTTP API claims, runs, suspends, resumes and
 * releases them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandstackClient } from '../../src/client/index.js';
import { checkHost } from '../../src/sandbox/doctor.js';
import { KubernetesDriver } from '../../src/sandbox/kubernetes/driver.js';
import { sandboxDrivers } from '../../src/server/stack.js';
import { startServer, type RunningServer } from '../../src/server/http/server.js';
import { startFakeCluster, type FakeCluster } from '../fakes/kubernetes/index.js';

const ADMIN_TOKEN = `admin-${'k'.repeat(40)}`;
const VARIABLES = [
  'SANDSTACK_SANDBOX_ROUTER_URL',
  'SANDSTACK_KUBECONFIG',
  'SANDSTACK_KUBERNETES_NAMESPACE',
  'SANDSTACK_SANDBOX_READY_TIMEOUT_MS',
] as const;

describe('serve with the Kubernetes driver', () => {
  let dir: string;
  let cluster: FakeCluster;
  let server: RunningServer;
  let acme: SandstackClient;
  const saved = new Map<string, string | undefined>();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sandstack-k8s-serve-'));
    cluster = await startFakeCluster();
    const setup = new KubernetesDriver({
      kubeConfig: cluster.kubeconfigPath,
      routerUrl: cluster.routerUrl,
    });
    // The claim's warm pool is the sandstack template's name: "default".
    await setup.applyTemplate({ name: 'default', image: 'python-runtime-sandbox:latest' });
    await setup.applyPool({ name: 'default', templateName: 'default', replicas: 1 });

    for (const name of VARIABLES) {
      saved.set(name, process.env[name]);
    }
    process.env.SANDSTACK_SANDBOX_ROUTER_URL = cluster.routerUrl;
    process.env.SANDSTACK_KUBECONFIG = cluster.kubeconfigPath;
    process.env.SANDSTACK_KUBERNETES_NAMESPACE = cluster.namespace;
    process.env.SANDSTACK_SANDBOX_READY_TIMEOUT_MS = '15000';

    server = await startServer({ stateDir: dir, port: 0, adminToken: ADMIN_TOKEN });
    const admin = new SandstackClient({ baseUrl: server.url, token: ADMIN_TOKEN });
    await admin.tenants.create({ id: 'acme' });
    const { secret } = await admin.tenants.createToken('acme');
    acme = new SandstackClient({ baseUrl: server.url, token: secret });
  });

  afterAll(async () => {
    const controller = server?.context.stack.controller;
    for (const record of controller?.list() ?? []) {
      await controller?.release(record.id);
    }
    await server?.close();
    await cluster?.close();
    for (const [name, value] of saved) {
      if (value === undefined) {
        delete process.env[name];
      } else {
        process.env[name] = value;
      }
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('claims, runs, suspends, resumes and releases on the cluster', async () => {
    const sandbox = await acme.sandboxes.claim({ template: 'default' });

    expect(sandbox.runtime).toBe('kubernetes');
    const claims = cluster.store.list('sandboxclaims', cluster.namespace);
    expect(claims).toHaveLength(1);
    expect(claims[0]?.metadata.labels?.['sandstack.dev/sandbox-id']).toBe(sandbox.id);

    const result = await acme.sandboxes.exec(sandbox.id, 'echo from-the-pod');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('from-the-pod\n');

    const suspended = await acme.sandboxes.suspend(sandbox.id);
    expect(suspended.operatingMode).toBe('Suspended');
    const refused = await acme.sandboxes.exec(sandbox.id, 'true').catch((error: unknown) => error);
    expect(String(refused)).toContain('suspended');

    const resumed = await acme.sandboxes.resume(sandbox.id);
    expect(resumed.operatingMode).toBe('Running');
    expect((await acme.sandboxes.exec(sandbox.id, 'echo back')).stdout).toBe('back\n');

    await acme.sandboxes.release(sandbox.id);
    expect(cluster.store.list('sandboxclaims', cluster.namespace)).toEqual([]);
  });

  it('names the variable when the Kubernetes settings are wrong', async () => {
    await expect(
      sandboxDrivers(dir, {
        env: { SANDSTACK_SANDBOX_ROUTER_URL: 'sandbox-router:8080' },
      }),
    ).rejects.toThrow(/SANDSTACK_SANDBOX_ROUTER_URL "sandbox-router:8080" is not an http\(s\) URL/);
    await expect(
      sandboxDrivers(dir, {
        env: {
          SANDSTACK_SANDBOX_ROUTER_URL: cluster.routerUrl,
          SANDSTACK_SANDBOX_READY_TIMEOUT_MS: 'soon',
        },
      }),
    ).rejects.toThrow(/SANDSTACK_SANDBOX_READY_TIMEOUT_MS "soon"/);
  });

  it('lets doctor check the cluster', async () => {
    const checks = await checkHost({ drivers: await sandboxDrivers(dir) });
    const cluster = checks.find((check) => check.name === 'runtime kubernetes');
    expect(cluster?.ok).toBe(true);
    expect(cluster?.detail).toBe('version v1beta1');
  });

  it('adds no Kubernetes driver without a router URL', async () => {
    const names = (await sandboxDrivers(dir, { env: {} })).map((driver) => driver.name);
    expect(names).toEqual(['gvisor', 'bubblewrap']);
  });
});
