import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { KubernetesDriver } from '../../src/sandbox/kubernetes/driver.js';
import { kubernetesDriverOptionsFromEnv } from '../../src/sandbox/kubernetes/env.js';
import { DRIVER_PERMISSIONS } from '../../src/sandbox/kubernetes/rbac.js';
import type { SandboxTemplate } from '../../src/sandbox/types.js';
import { startFakeCluster, type FakeCluster } from '../fakes/kubernetes/index.js';
import { loadCrdSchemas } from '../fakes/kubernetes/schema-validator.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const DEPLOY_DIR = join(ROOT, 'deploy');

interface Manifest {
  file: string;
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

function loadManifests(): Manifest[] {
  const kustomization = parseAllDocuments(
    readFileSync(join(DEPLOY_DIR, 'kustomization.yaml'), 'utf8'),
  )[0]?.toJS() as {
    resources: string[];
  };
  return kustomization.resources.flatMap((file) =>
    parseAllDocuments(readFileSync(join(DEPLOY_DIR, file), 'utf8')).map((document) => {
      expect(document.errors, `${file} parses`).toEqual([]);
      return { ...(document.toJS() as Omit<Manifest, 'file'>), file } as Manifest;
    }),
  );
}

function find(manifests: Manifest[], kind: string, name: string): Manifest {
  const found = manifests.find(
    (manifest) => manifest.kind === kind && manifest.metadata.name === name,
  );
  if (found === undefined) {
    throw new Error(`deploy/ has no ${kind} "${name}"`);
  }
  return found;
}

interface PodTemplate {
  metadata: { labels: Record<string, string> };
  spec: {
    serviceAccountName?: string;
    containers: {
      env?: {
        name: string;
        value?: string;
        valueFrom?: {
          secretKeyRef?: { name: string; key: string };
          fieldRef?: { fieldPath: string };
        };
      }[];
      envFrom?: { secretRef: { name: string } }[];
      ports?: { name?: string; containerPort: number }[];
    }[];
  };
}

const manifests = loadManifests();

describe('deploy manifests', () => {
  it('put every namespaced object in the sandstack namespace', () => {
    for (const manifest of manifests.filter((entry) => entry.kind !== 'Namespace')) {
      expect(manifest.metadata.namespace, `${manifest.kind} ${manifest.metadata.name}`).toBe(
        'sandstack',
      );
    }
  });

  it('match the vendored agent-sandbox CRD schemas', () => {
    const schemas = loadCrdSchemas(join(ROOT, 'schemas/agent-sandbox'));
    const custom = manifests.filter((manifest) => manifest.apiVersion.includes('agents.x-k8s.io'));
    expect(custom.map((manifest) => manifest.kind).sort()).toEqual([
      'SandboxTemplate',
      'SandboxWarmPool',
    ]);

    for (const manifest of custom) {
      const schema = [...schemas.values()].find(
        (entry) =>
          `${entry.group}/${entry.version}` === manifest.apiVersion && entry.kind === manifest.kind,
      );
      expect(schema, `schema for ${manifest.apiVersion} ${manifest.kind}`).toBeDefined();
      const { file: _file, ...object } = manifest;
      expect(
        schema?.validate(structuredClone(object)),
        `${manifest.kind} ${manifest.metadata.name}`,
      ).toEqual([]);
    }
  });

  it('grant the service account exactly the driver permissions', () => {
    const role = find(manifests, 'Role', 'sandstack-sandboxes') as Manifest & {
      rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[];
    };
    const granted = role.rules.flatMap((rule) =>
      rule.apiGroups.flatMap((group) =>
        rule.resources.flatMap((resource) =>
          rule.verbs.map((verb) => `${verb} ${resource}.${group}`),
        ),
      ),
    );
    const needed = DRIVER_PERMISSIONS.map(
      (permission) => `${permission.verb} ${permission.resource}.${permission.group}`,
    );
    expect(new Set(granted)).toEqual(new Set(needed));

    const binding = find(manifests, 'RoleBinding', 'sandstack-sandboxes') as Manifest & {
      roleRef: { name: string };
      subjects: { kind: string; name: string }[];
    };
    expect(binding.roleRef.name).toBe('sandstack-sandboxes');
    expect(binding.subjects).toContainEqual(
      expect.objectContaining({ kind: 'ServiceAccount', name: 'sandstack' }),
    );
    find(manifests, 'ServiceAccount', 'sandstack');
  });

  it('wire the server to its secret, account and service', () => {
    const deployment = find(manifests, 'Deployment', 'sandstack') as Manifest & {
      spec: { selector: { matchLabels: Record<string, string> }; template: PodTemplate };
    };
    const secret = find(manifests, 'Secret', 'sandstack-database') as Manifest & {
      stringData: Record<string, string>;
    };
    const service = find(manifests, 'Service', 'sandstack') as Manifest & {
      spec: { selector: Record<string, string>; ports: { targetPort: string }[] };
    };
    const pod = deployment.spec.template;

    expect(pod.spec.serviceAccountName).toBe('sandstack');
    expect(pod.metadata.labels).toMatchObject(deployment.spec.selector.matchLabels);
    expect(pod.metadata.labels).toMatchObject(service.spec.selector);
    const container = pod.spec.containers[0];
    expect(container?.ports?.map((port) => port.name)).toContain(service.spec.ports[0]?.targetPort);

    const env: Record<string, string> = {};
    for (const variable of container?.env ?? []) {
      const secretRef = variable.valueFrom?.secretKeyRef;
      if (secretRef !== undefined) {
        expect(secretRef.name).toBe('sandstack-database');
        expect(Object.keys(secret.stringData)).toContain(secretRef.key);
        env[variable.name] = secret.stringData[secretRef.key] ?? '';
      } else if (variable.valueFrom?.fieldRef?.fieldPath === 'metadata.namespace') {
        env[variable.name] = deployment.metadata.namespace ?? '';
      } else {
        env[variable.name] = variable.value ?? '';
      }
    }
    expect(env.DATABASE_URL?.startsWith('postgres://')).toBe(true);
    const options = kubernetesDriverOptionsFromEnv(env);
    expect(options.routerUrl).toBe('http://sandbox-router-svc.sandstack.svc.cluster.local:8080');
    expect(options.namespace).toBe('sandstack');
  });

  it('give PostgreSQL its credentials from the same secret', () => {
    const postgres = find(manifests, 'StatefulSet', 'postgres') as Manifest & {
      spec: { template: PodTemplate };
    };
    const secret = find(manifests, 'Secret', 'sandstack-database') as Manifest & {
      stringData: Record<string, string>;
    };

    expect(postgres.spec.template.spec.containers[0]?.envFrom?.[0]?.secretRef.name).toBe(
      'sandstack-database',
    );
    const url = new URL(secret.stringData.DATABASE_URL ?? '');
    expect(url.username).toBe(secret.stringData.POSTGRES_USER);
    expect(url.password).toBe(secret.stringData.POSTGRES_PASSWORD);
    expect(url.pathname).toBe(`/${secret.stringData.POSTGRES_DB}`);
    expect(url.hostname.startsWith('postgres.sandstack.')).toBe(true);
  });
});

describe('deploy manifests against the fake cluster', () => {
  let cluster: FakeCluster;
  let cacheDir: string;

  beforeAll(async () => {
    cluster = await startFakeCluster({ namespace: 'sandstack' });
    cacheDir = mkdtempSync(join(tmpdir(), 'sandstack-kubectl-cache-'));
  });

  afterAll(async () => {
    await cluster.close();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it('runs a sandbox with only the Role permissions', async () => {
    cluster.api.allowed = new Set(
      DRIVER_PERMISSIONS.map((permission) => `${permission.verb} ${permission.resource}`),
    );
    const driver = new KubernetesDriver({
      kubeConfig: cluster.kubeconfigPath,
      routerUrl: cluster.routerUrl,
    });
    const template = find(manifests, 'SandboxTemplate', 'python') as Manifest & {
      spec: { podTemplate: { spec: Record<string, unknown> } };
    };
    await driver.applyTemplate({
      name: 'python',
      image: 'python-runtime-sandbox:latest',
      podSpec: template.spec.podTemplate.spec,
    });
    await driver.applyTemplate({
      name: 'python',
      image: 'python-runtime-sandbox:latest',
      podSpec: template.spec.podTemplate.spec,
    });
    await driver.applyPool({ name: 'python', templateName: 'python', replicas: 1 });
    const sandboxTemplate: SandboxTemplate = {
      name: 'python',
      runtime: 'auto',
      rootfs: { kind: 'host' },
      resources: { cpu: 1, memoryBytes: 512 * 1024 * 1024, pids: 256, diskBytes: 1024 ** 3 },
      network: { egress: 'none' },
      env: {},
      workdir: '/app',
      commandTimeoutMs: 10_000,
      maxOutputBytes: 4096,
      lifetimeSeconds: 300,
    };

    const sandbox = await driver.create({
      id: 'sbx_rbac',
      template: sandboxTemplate,
      stateDir: cacheDir,
    });
    const result = await sandbox.exec({ command: 'echo ok' });
    await sandbox.destroy();

    expect(result.stdout).toBe('ok\n');
    expect(cluster.store.get('sandboxclaims', 'sandstack', 'sbx-rbac')).toBeUndefined();
    cluster.api.allowed = undefined;
  });

  const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
  it.skipIf(kubectl.status !== 0)('pass a kubectl client-side dry run', async () => {
    const kustomization = parseAllDocuments(
      readFileSync(join(DEPLOY_DIR, 'kustomization.yaml'), 'utf8'),
    )[0]?.toJS() as {
      resources: string[];
    };
    for (const file of kustomization.resources) {
      // --validate=false because the fake serves discovery but no OpenAPI document; the
      // dry run still checks that every object decodes and maps to a served kind. The call
      // is asynchronous because the fake API server runs in this process.
      const { stdout: output } = await promisify(execFile)(
        'kubectl',
        [
          'create',
          '--dry-run=client',
          '--validate=false',
          '-o',
          'name',
          '--cache-dir',
          cacheDir,
          '-f',
          join(DEPLOY_DIR, file),
        ],
        {
          encoding: 'utf8',
          env: { PATH: process.env.PATH, KUBECONFIG: cluster.kubeconfigPath, HOME: cacheDir },
        },
      );
      const names = output.trim().split('\n');
      const expected = manifests
        .filter((manifest) => manifest.file === file)
        .map((manifest) => manifest.metadata.name);
      expect(names.map((name) => name.split('/')[1]).sort(), file).toEqual([...expected].sort());
    }
  });
});
