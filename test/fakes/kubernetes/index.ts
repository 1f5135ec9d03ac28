/**
 * Fakes of the cluster parts that the Kubernetes sandbox driver talks to. The API server
 * serves the agent-sandbox CRDs and validates against the vendored schemas. The controller
 * plays the agent-sandbox status transitions. The router forwards to a runtime that runs
 * commands in a temp folder per pod.
 *
 * @example
 * const cluster = await startFakeCluster();
 * const driver = new KubernetesDriver({ kubeConfig: cluster.kubeconfigPath, routerUrl: cluster.routerUrl });
 * await cluster.close();
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { startFakeApiServer, type FakeApiServer } from './api-server.js';
import { FakeSandboxController, type PodBehaviour } from './controller.js';
import { ObjectStore } from './object-store.js';
import { startFakeRouter, type FakeRouter } from './router.js';
import { loadCrdSchemas, type KindSchema } from './schema-validator.js';
import { createTestCertificate } from './tls.js';

export { shlexSplit } from './router.js';
export type { PodBehaviour } from './controller.js';

/** Options for {@link startFakeCluster}. */
export interface FakeClusterOptions {
  /** @default 'sandstack-test' */
  namespace?: string;
  /** @default 8888 */
  serverPort?: number;
  /** @default 20 */
  podStartMs?: number;
  podBehaviour?: (templateName: string) => PodBehaviour;
}

/** A running fake cluster and the kubeconfig file that points at it. */
export interface FakeCluster {
  namespace: string;
  store: ObjectStore;
  api: FakeApiServer;
  router: FakeRouter;
  controller: FakeSandboxController;
  kubeconfigPath: string;
  token: string;
  /** PEM certificate of the fake API server, also its CA. */
  caPem: string;
  routerUrl: string;
  close(): Promise<void>;
}

const SCHEMA_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../../schemas/agent-sandbox');

/** Compiling the four CRDs takes about a second, so one test file compiles them once. */
let cachedSchemas: Map<string, KindSchema> | undefined;

/** Starts the fake API server, controller and router, and writes a kubeconfig for them. */
export async function startFakeCluster(options: FakeClusterOptions = {}): Promise<FakeCluster> {
  const namespace = options.namespace ?? 'sandstack-test';
  const serverPort = options.serverPort ?? 8888;
  cachedSchemas ??= loadCrdSchemas(SCHEMA_DIR);
  const store = new ObjectStore(cachedSchemas);
  const token = `fake-token-${Math.random().toString(36).slice(2)}`;
  const tls = createTestCertificate();
  const api = await startFakeApiServer({ store, token, tls });
  const controller = new FakeSandboxController({
    store,
    namespace,
    ...(options.podStartMs === undefined ? {} : { podStartMs: options.podStartMs }),
    ...(options.podBehaviour === undefined ? {} : { podBehaviour: options.podBehaviour }),
  });
  const router = await startFakeRouter({ store, controller, serverPort });

  const configDir = mkdtempSync(join(tmpdir(), 'sandstack-kubeconfig-'));
  const kubeconfigPath = join(configDir, 'config');
  writeFileSync(
    kubeconfigPath,
    kubeconfigYaml({ server: api.url, token, namespace, caPem: tls.cert }),
  );

  return {
    namespace,
    store,
    api,
    router,
    controller,
    kubeconfigPath,
    token,
    caPem: tls.cert,
    routerUrl: router.url,
    close: async () => {
      controller.stop();
      await Promise.all([api.close(), router.close()]);
      rmSync(configDir, { recursive: true, force: true });
    },
  };
}

/** Returns a kubeconfig with one cluster (trusting `caPem`), one token user and one context. */
export function kubeconfigYaml(options: {
  server: string;
  token: string;
  namespace: string;
  caPem: string;
}): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '  - name: fake',
    '    cluster:',
    `      server: ${options.server}`,
    `      certificate-authority-data: ${Buffer.from(options.caPem).toString('base64')}`,
    'users:',
    '  - name: fake-user',
    '    user:',
    `      token: ${options.token}`,
    'contexts:',
    '  - name: fake',
    '    context:',
    '      cluster: fake',
    '      user: fake-user',
    `      namespace: ${options.namespace}`,
    'current-context: fake',
    '',
  ].join('\n');
}
