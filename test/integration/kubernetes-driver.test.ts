import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { isSandstackError } from '../../src/core/errors.js';
import { KubernetesDriver } from '../../src/sandbox/kubernetes/driver.js';
import type { KubernetesSandbox } from '../../src/sandbox/kubernetes/instance.js';
import type { SandboxTemplate } from '../../src/sandbox/types.js';
import { startFakeCluster, type FakeCluster } from '../fakes/kubernetes/index.js';

const TEMPLATE: SandboxTemplate = {
  name: 'python',
  runtime: 'auto',
  rootfs: { kind: 'host' },
  resources: { cpu: 1, memoryBytes: 512 * 1024 * 1024, pids: 256, diskBytes: 1024 ** 3 },
  network: { egress: 'none' },
  env: { GREETING: 'hello' },
  workdir: '/app',
  commandTimeoutMs: 20_000,
  maxOutputBytes: 64 * 1024,
  lifetimeSeconds: 600,
};

let cluster: FakeCluster;
let driver: KubernetesDriver;
let stateDir: string;
let counter = 0;

function nextId(): string {
  counter += 1;
  return `sbx_test${counter}`;
}

async function catchError(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('Expected the promise to reject');
}

async function waitFor(check: () => boolean, what: string): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt += 1) {
    if (check()) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`Gave up waiting for ${what}`);
}

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'sandstack-k8s-state-'));
  cluster = await startFakeCluster({
    podBehaviour: (templateName) =>
      templateName === 'broken'
        ? {
            ready: false,
            reason: 'DependenciesNotReady',
            message: 'Back-off pulling image "nope:latest"',
          }
        : { ready: true },
  });
  driver = new KubernetesDriver({
    kubeConfig: cluster.kubeconfigPath,
    routerUrl: cluster.routerUrl,
    readyTimeoutMs: 15_000,
  });
  await driver.applyTemplate({
    name: 'python',
    image: 'python:3.13-slim',
    runtimeClassName: 'gvisor',
  });
});

afterAll(async () => {
  await cluster.close();
  rmSync(stateDir, { recursive: true, force: true });
});

afterEach(() => {
  cluster.api.forbidden.clear();
});

describe('kubernetes driver against the fake cluster', () => {
  it('loads the namespace and server from the kubeconfig file', async () => {
    expect(driver.options.namespace).toBe(cluster.namespace);
    expect(driver.options.kubeConfig.getCurrentCluster()?.server).toBe(cluster.api.url);

    const check = await driver.check();
    expect(check.available).toBe(true);
    expect(check.runtime).toBe('kubernetes');
  });

  it('works with in-cluster service account files', async () => {
    // The client reads the service account from /var/run/secrets/... below a path prefix,
    // and the API server address from the variables the kubelet sets in every pod.
    const root = mkdtempSync(join(tmpdir(), 'sandstack-in-cluster-'));
    const accountDir = join(root, 'var/run/secrets/kubernetes.io/serviceaccount');
    mkdirSync(accountDir, { recursive: true });
    writeFileSync(join(accountDir, 'ca.crt'), cluster.caPem);
    writeFileSync(join(accountDir, 'token'), cluster.token);
    writeFileSync(join(accountDir, 'namespace'), cluster.namespace);
    const saved = {
      host: process.env.KUBERNETES_SERVICE_HOST,
      port: process.env.KUBERNETES_SERVICE_PORT,
    };
    process.env.KUBERNETES_SERVICE_HOST = '127.0.0.1';
    process.env.KUBERNETES_SERVICE_PORT = new URL(cluster.api.url).port;
    try {
      const kubeConfig = new KubeConfig();
      kubeConfig.loadFromCluster(root);
      const inCluster = new KubernetesDriver({
        kubeConfig,
        routerUrl: cluster.routerUrl,
        readyTimeoutMs: 15_000,
      });

      expect(inCluster.options.namespace).toBe(cluster.namespace);
      expect((await inCluster.check()).available).toBe(true);
      await inCluster.applyPool({ name: 'in-cluster', templateName: 'python', replicas: 0 });
      const sandbox = await inCluster.create({
        id: nextId(),
        template: { ...TEMPLATE, name: 'in-cluster' },
        stateDir,
      });
      expect((await sandbox.exec({ command: 'echo in-cluster' })).stdout).toBe('in-cluster\n');
      await sandbox.destroy();
    } finally {
      process.env.KUBERNETES_SERVICE_HOST = saved.host;
      process.env.KUBERNETES_SERVICE_PORT = saved.port;
      if (saved.host === undefined) {
        delete process.env.KUBERNETES_SERVICE_HOST;
      }
      if (saved.port === undefined) {
        delete process.env.KUBERNETES_SERVICE_PORT;
      }
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('claims a warm sandbox from a ready pool', async () => {
    await driver.applyPool({ name: 'python', templateName: 'python', replicas: 1 });
    await waitFor(
      () =>
        (cluster.store.get('sandboxwarmpools', cluster.namespace, 'python')?.status
          ?.readyReplicas as number | undefined) === 1,
      'the pool to have a ready sandbox',
    );

    const sandbox = (await driver.create({
      id: nextId(),
      template: TEMPLATE,
      stateDir,
    })) as KubernetesSandbox;

    expect(sandbox.launchType).toBe('warm');
    expect(sandbox.sandboxName.startsWith('python-')).toBe(true);
    const claim = cluster.store.get('sandboxclaims', cluster.namespace, sandbox.claimName);
    expect(claim?.metadata.annotations?.['agents.x-k8s.io/sandbox-name']).toBe(sandbox.sandboxName);
    expect(claim?.metadata.labels?.['sandstack.dev/sandbox-id']).toBe(sandbox.id);
    expect(
      (claim?.spec as { lifecycle: { shutdownPolicy: string } }).lifecycle.shutdownPolicy,
    ).toBe('Delete');
    await sandbox.destroy();
  });

  it('waits for Ready by watching, not polling', async () => {
    cluster.api.requestCounts.clear();
    const sandbox = await driver.create({ id: nextId(), template: TEMPLATE, stateDir });

    expect(cluster.api.requestCounts.get('get sandboxclaims') ?? 0).toBe(0);
    expect(cluster.api.requestCounts.get('watch sandboxclaims')).toBeGreaterThanOrEqual(1);
    await sandbox.destroy();
  });

  it('cold-starts a sandbox when the pool has none ready', async () => {
    await driver.applyPool({ name: 'python-cold', templateName: 'python', replicas: 0 });

    const sandbox = (await driver.create({
      id: nextId(),
      template: { ...TEMPLATE, name: 'python-cold' },
      stateDir,
    })) as KubernetesSandbox;

    expect(sandbox.launchType).toBe('cold');
    expect(sandbox.sandboxName).toBe(sandbox.claimName);
    await sandbox.destroy();
  });

  describe('exec and files through the router', () => {
    let sandbox: KubernetesSandbox;

    beforeEach(async () => {
      sandbox = (await driver.create({
        id: nextId(),
        template: TEMPLATE,
        stateDir,
      })) as KubernetesSandbox;
    });

    afterEach(async () => {
      await sandbox.destroy();
    });

    it('runs a shell command with env, stdin and exit code', async () => {
      const result = await sandbox.exec({
        command: 'read line; echo "$GREETING $line $EXTRA"; echo oops >&2; exit 3',
        stdin: "it's me\n",
        env: { EXTRA: 'a b' },
      });

      expect(result.exitCode).toBe(3);
      expect(result.stdout).toBe("hello it's me a b\n");
      expect(result.stderr).toBe('oops\n');
      expect(result.timedOut).toBe(false);
      expect(result.outputTruncated).toBe(false);
    });

    it('sends the router headers upstream documents', async () => {
      const before = cluster.router.requests.length;
      await sandbox.exec({ command: 'true' });
      const request = cluster.router.requests[before];

      expect(request?.path).toBe('/execute');
      expect(request?.headers['X-Sandbox-ID']).toBe(sandbox.sandboxName);
      expect(request?.headers['X-Sandbox-Namespace']).toBe(cluster.namespace);
      expect(request?.headers['X-Sandbox-Port']).toBe('8888');
      expect(request?.headers['X-Sandbox-Timeout']).toBe('30');
    });

    it('stops a command past its timeout', async () => {
      const result = await sandbox.exec({ command: 'echo started; sleep 30', timeoutMs: 1000 });

      expect(result.timedOut).toBe(true);
      expect(result.exitCode).toBe(124);
      expect(result.stdout).toBe('started\n');
    });

    it('cuts output past maxOutputBytes', async () => {
      const result = await sandbox.exec({
        command: 'head -c 5000 /dev/zero | tr "\\0" x',
        maxOutputBytes: 100,
      });

      expect(result.stdout).toBe('x'.repeat(100));
      expect(result.outputTruncated).toBe(true);
    });

    it('writes and reads files, creating folders', async () => {
      await sandbox.writeFile('notes/today.txt', 'line one\n');
      await sandbox.writeFile('/app/data.bin', new Uint8Array([0, 255, 10]));

      expect((await sandbox.readFile('/app/notes/today.txt')).toString()).toBe('line one\n');
      expect([...(await sandbox.readFile('data.bin'))]).toEqual([0, 255, 10]);
      const listing = await sandbox.exec({ command: 'cat notes/today.txt', cwd: '.' });
      expect(listing.stdout).toBe('line one\n');
    });

    it('reports a missing file as FILE_NOT_FOUND', async () => {
      const error = await catchError(sandbox.readFile('missing.txt'));

      expect(isSandstackError(error, 'FILE_NOT_FOUND')).toBe(true);
      expect((error as Error).message).toContain('missing.txt');
    });

    it('rejects paths outside the runtime folder', async () => {
      const error = await catchError(sandbox.readFile('/etc/passwd'));

      expect(isSandstackError(error, 'SANDBOX_PATH_INVALID')).toBe(true);
      expect((error as Error).message).toContain('/etc/passwd');
    });

    it('reports liveness from the Sandbox Ready condition', async () => {
      expect(await sandbox.isAlive()).toBe(true);
    });
  });

  it('deletes the claim, its sandbox and the pod folder on destroy', async () => {
    const sandbox = (await driver.create({
      id: nextId(),
      template: TEMPLATE,
      stateDir,
    })) as KubernetesSandbox;
    const podDir = cluster.controller.podDirs.get(sandbox.sandboxName);
    expect(podDir).toBeDefined();

    await sandbox.destroy();

    expect(
      cluster.store.get('sandboxclaims', cluster.namespace, sandbox.claimName),
    ).toBeUndefined();
    expect(cluster.store.get('sandboxes', cluster.namespace, sandbox.sandboxName)).toBeUndefined();
    expect(cluster.controller.podDirs.has(sandbox.sandboxName)).toBe(false);
    expect(await sandbox.isAlive()).toBe(false);
    await sandbox.destroy();
  });

  it('re-attaches to an existing claim and returns undefined for a gone one', async () => {
    const id = nextId();
    const sandbox = (await driver.create({
      id,
      template: TEMPLATE,
      stateDir,
    })) as KubernetesSandbox;

    const attached = (await driver.attach({
      id,
      template: TEMPLATE,
      stateDir,
    })) as KubernetesSandbox;
    expect(attached.sandboxName).toBe(sandbox.sandboxName);
    await sandbox.destroy();

    expect(await driver.attach({ id, template: TEMPLATE, stateDir })).toBeUndefined();
  });

  describe('suspend and resume through operatingMode', () => {
    it('stops the pod on suspend and starts a new one on resume', async () => {
      const id = nextId();
      const sandbox = (await driver.create({
        id,
        template: TEMPLATE,
        stateDir,
      })) as KubernetesSandbox;
      await sandbox.writeFile('note.txt', 'before');
      cluster.api.requestCounts.clear();

      await sandbox.suspend();

      expect(sandbox.operatingMode).toBe('Suspended');
      const stored = cluster.store.get('sandboxes', cluster.namespace, sandbox.sandboxName);
      expect((stored?.spec as { operatingMode?: string }).operatingMode).toBe('Suspended');
      const conditions = stored?.status?.conditions as {
        type: string;
        status: string;
        reason: string;
      }[];
      expect(conditions.find((entry) => entry.type === 'Suspended')).toMatchObject({
        status: 'True',
        reason: 'SuspendedPodTerminated',
      });
      expect(conditions.find((entry) => entry.type === 'Ready')).toMatchObject({
        status: 'False',
        reason: 'Suspended',
      });
      expect(cluster.controller.podDirs.has(sandbox.sandboxName)).toBe(false);
      expect(cluster.api.requestCounts.get('patch sandboxes')).toBe(1);
      expect(cluster.api.requestCounts.get('watch sandboxes')).toBeGreaterThanOrEqual(1);
      expect(await sandbox.isAlive()).toBe(true);

      const execError = await catchError(sandbox.exec({ command: 'true' }));
      expect(isSandstackError(execError, 'SANDBOX_SUSPENDED')).toBe(true);
      expect(String(execError)).toContain(`sandstack sandbox resume ${id}`);
      const readError = await catchError(sandbox.readFile('note.txt'));
      expect(isSandstackError(readError, 'SANDBOX_SUSPENDED')).toBe(true);

      await sandbox.resume();

      expect(sandbox.operatingMode).toBe('Running');
      const result = await sandbox.exec({ command: 'echo "$GREETING"' });
      expect(result.stdout).toBe('hello\n');
      // The pod is new and had no volume claim, so the file written before is gone.
      const gone = await catchError(sandbox.readFile('note.txt'));
      expect(isSandstackError(gone, 'FILE_NOT_FOUND')).toBe(true);
      await sandbox.destroy();
    });

    it('re-attaches to a suspended sandbox without waiting for Ready', async () => {
      const id = nextId();
      const sandbox = (await driver.create({
        id,
        template: TEMPLATE,
        stateDir,
      })) as KubernetesSandbox;
      await sandbox.suspend();

      const attached = (await driver.attach({ id, template: TEMPLATE, stateDir })) as
        KubernetesSandbox | undefined;

      expect(attached?.sandboxName).toBe(sandbox.sandboxName);
      expect(attached?.operatingMode).toBe('Suspended');
      await attached?.resume();
      expect((await attached?.exec({ command: 'echo up' }))?.stdout).toBe('up\n');
      await sandbox.destroy();
    });

    it('treats suspend and resume in the current mode as no-ops', async () => {
      const sandbox = (await driver.create({
        id: nextId(),
        template: TEMPLATE,
        stateDir,
      })) as KubernetesSandbox;
      cluster.api.requestCounts.clear();

      await sandbox.resume();
      await sandbox.suspend();
      await sandbox.suspend();

      expect(cluster.api.requestCounts.get('patch sandboxes')).toBe(1);
      await sandbox.destroy();
    });

    it('names the RBAC verb when patching sandboxes is forbidden', async () => {
      const sandbox = (await driver.create({
        id: nextId(),
        template: TEMPLATE,
        stateDir,
      })) as KubernetesSandbox;
      cluster.api.forbidden.add('patch sandboxes');

      const error = await catchError(sandbox.suspend());

      expect(isSandstackError(error)).toBe(true);
      expect(String(error)).toContain('patch');
      expect(String(error)).toContain('sandboxes');
      expect(sandbox.operatingMode).toBe('Running');
      await sandbox.destroy();
    });

    it('still rejects snapshots naming the reason', async () => {
      const sandbox = (await driver.create({
        id: nextId(),
        template: TEMPLATE,
        stateDir,
      })) as KubernetesSandbox;

      const error = await catchError(sandbox.snapshot(join(stateDir, 'snap')));

      expect(isSandstackError(error, 'CHECKPOINT_UNSUPPORTED')).toBe(true);
      expect(String(error)).toContain('deleting its pod');
      await sandbox.destroy();
    });
  });

  it('times out naming the claim and the last reason, then deletes the claim', async () => {
    await driver.applyTemplate({ name: 'broken', image: 'nope:latest' });
    await driver.applyPool({ name: 'broken', templateName: 'broken', replicas: 0 });
    const quick = new KubernetesDriver({
      kubeConfig: cluster.kubeconfigPath,
      routerUrl: cluster.routerUrl,
      readyTimeoutMs: 1_000,
    });
    const id = nextId();

    const error = await catchError(
      quick.create({ id, template: { ...TEMPLATE, name: 'broken' }, stateDir }),
    );

    expect(isSandstackError(error, 'SANDBOX_TIMEOUT')).toBe(true);
    const message = (error as Error).message;
    expect(message).toContain(`SandboxClaim "sbx-test${counter}"`);
    expect(message).toContain('DependenciesNotReady');
    expect(message).toContain('Back-off pulling image');
    expect(
      cluster.store.get('sandboxclaims', cluster.namespace, `sbx-test${counter}`),
    ).toBeUndefined();
  });

  it('names the missing warm pool when a claim cannot be served', async () => {
    const quick = new KubernetesDriver({
      kubeConfig: cluster.kubeconfigPath,
      routerUrl: cluster.routerUrl,
      readyTimeoutMs: 500,
    });

    const error = await catchError(
      quick.create({ id: nextId(), template: { ...TEMPLATE, name: 'no-such-pool' }, stateDir }),
    );

    expect(isSandstackError(error, 'SANDBOX_TIMEOUT')).toBe(true);
    expect((error as Error).message).toContain('WarmPoolNotFound');
    expect((error as Error).message).toContain('applyPool');
  });

  it('resumes waiting after the watch ends or expires', async () => {
    const watchesBefore = cluster.api.requestCounts.get('watch sandboxclaims') ?? 0;
    const pending = driver.create({
      id: nextId(),
      template: { ...TEMPLATE, name: 'late-pool' },
      stateDir,
    });
    await waitFor(
      () => (cluster.api.requestCounts.get('watch sandboxclaims') ?? 0) > watchesBefore,
      'the driver to open a watch',
    );

    // The first restart reads the claim again; compaction makes the next watch get 410 Gone.
    cluster.store.compact();
    cluster.api.endWatches();
    await driver.applyPool({ name: 'late-pool', templateName: 'python', replicas: 0 });
    const sandbox = await pending;

    expect(await sandbox.isAlive()).toBe(true);
    expect(cluster.api.requestCounts.get('watch sandboxclaims')).toBeGreaterThanOrEqual(
      watchesBefore + 2,
    );
    expect(cluster.api.requestCounts.get('get sandboxclaims')).toBeGreaterThanOrEqual(1);
    await sandbox.destroy();
  });

  it('loses the sandbox when its claim expires', async () => {
    const sandbox = (await driver.create({
      id: nextId(),
      template: TEMPLATE,
      stateDir,
    })) as KubernetesSandbox;
    const claim = cluster.store.get('sandboxclaims', cluster.namespace, sandbox.claimName);
    if (claim === undefined) {
      throw new Error('claim missing');
    }
    const lifecycle = {
      shutdownTime: new Date(Date.now() - 1000).toISOString(),
      shutdownPolicy: 'Delete',
    };
    const schema = cluster.store.schemaFor(
      'extensions.agents.x-k8s.io',
      'v1beta1',
      'sandboxclaims',
    );

    cluster.store.replace(schema, cluster.namespace, {
      ...claim,
      spec: { ...claim.spec, lifecycle },
    });
    await waitFor(
      () => cluster.store.get('sandboxclaims', cluster.namespace, sandbox.claimName) === undefined,
      'the controller to delete the expired claim',
    );

    expect(cluster.store.get('sandboxes', cluster.namespace, sandbox.sandboxName)).toBeUndefined();
    expect(await sandbox.isAlive()).toBe(false);
    const error = await catchError(sandbox.exec({ command: 'true' }));
    expect(isSandstackError(error, 'SANDBOX_FAILED')).toBe(true);
    expect((error as Error).message).toContain('HTTP 502');
  });

  it('fails fast on a claim expired with Retain', async () => {
    const id = nextId();
    const name = `sbx-test${counter}`;
    const schema = cluster.store.schemaFor(
      'extensions.agents.x-k8s.io',
      'v1beta1',
      'sandboxclaims',
    );
    cluster.store.create(schema, cluster.namespace, {
      apiVersion: 'extensions.agents.x-k8s.io/v1beta1',
      kind: 'SandboxClaim',
      metadata: { name },
      spec: {
        warmPoolRef: { name: 'python' },
        lifecycle: {
          shutdownTime: new Date(Date.now() - 1000).toISOString(),
          shutdownPolicy: 'Retain',
        },
      },
    });
    await waitFor(() => {
      const conditions = cluster.store.get('sandboxclaims', cluster.namespace, name)?.status
        ?.conditions as { reason: string }[] | undefined;
      return conditions?.[0]?.reason === 'ClaimExpired';
    }, 'the controller to expire the claim');

    const error = await catchError(driver.attach({ id, template: TEMPLATE, stateDir }));

    expect(isSandstackError(error, 'SANDBOX_FAILED')).toBe(true);
    expect((error as Error).message).toContain(`SandboxClaim "${name}" failed`);
    expect((error as Error).message).toContain('ClaimExpired');
    expect(
      cluster.store
        .list('sandboxes', cluster.namespace)
        .some((sandbox) => sandbox.metadata.ownerReferences?.[0]?.name === name),
    ).toBe(false);
  });

  it('turns a 403 into an RBAC message naming verb and resource', async () => {
    cluster.api.forbidden.add('create sandboxclaims');

    const error = await catchError(driver.create({ id: nextId(), template: TEMPLATE, stateDir }));

    expect(isSandstackError(error, 'INVALID_CONFIG')).toBe(true);
    const message = (error as Error).message;
    expect(message).toContain(
      'RBAC does not allow "create" on sandboxclaims.extensions.agents.x-k8s.io',
    );
    expect(message).toContain('system:serviceaccount:sandstack:sandstack');
  });

  it('rejects an invalid template with the field named', async () => {
    const error = await catchError(
      driver.applyTemplate({
        name: 'bad',
        image: 'python:3.13-slim',
        podSpec: { containers: [{ image: 'x' }] },
      }),
    );

    expect(isSandstackError(error, 'INVALID_CONFIG')).toBe(true);
    expect((error as Error).message).toContain(
      'spec.podTemplate.spec.containers[0].name: Required value',
    );
    expect(cluster.store.get('sandboxtemplates', cluster.namespace, 'bad')).toBeUndefined();
  });

  it('rejects an invalid pool with the field named', async () => {
    const error = await catchError(
      driver.applyPool({ name: 'negative', templateName: 'python', replicas: -1 }),
    );

    expect(isSandstackError(error, 'INVALID_CONFIG')).toBe(true);
    expect((error as Error).message).toContain('spec.replicas');
  });
});
