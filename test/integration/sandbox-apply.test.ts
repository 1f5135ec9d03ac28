import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isSandstackError } from '../../src/core/errors.js';
import { applyManifests } from '../../src/sandbox/manifests/apply.js';
import { createTestController, localDrivers, type TestController } from '../helpers/sandbox.js';

const checks = await localDrivers();
const available = checks.filter((item) => item.check.available);
/** The runtime the apply tests start sandboxes with: bubblewrap when it works (fastest). */
const runtime = available.some((item) => item.driver.name === 'bubblewrap')
  ? 'bubblewrap'
  : available[0]?.driver.name;
const runWithSandboxes = runtime === undefined ? it.skip : it;
const MIB = 1024 * 1024;
const FIXTURE = readFileSync('test/fixtures/sandbox/manifests/python.yaml', 'utf8');

let harness: TestController | undefined;
afterEach(async () => {
  await harness?.cleanup();
  harness = undefined;
});

function setup(): TestController {
  harness = createTestController();
  return harness;
}

/** The fixture with the runtime under test in place of gVisor. */
function fixture(replace: Record<string, string> = {}): string {
  let text = FIXTURE.replace(
    'runtimeClassName: gvisor',
    `runtimeClassName: ${runtime ?? 'gvisor'}`,
  );
  for (const [from, to] of Object.entries(replace)) {
    text = text.replace(from, to);
  }
  return text;
}

async function caught(action: () => Promise<unknown>): Promise<Error> {
  try {
    await action();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the action to throw');
}

const pool = (
  name: string,
  replicas: number,
  template: string,
  strategy = 'OnReplenish',
): string => `
apiVersion: extensions.agents.x-k8s.io/v1beta1
kind: SandboxWarmPool
metadata: {name: ${name}}
spec:
  replicas: ${replicas}
  sandboxTemplateRef: {name: ${template}}
  updateStrategy: {type: ${strategy}}
`;

const claim = (name: string, poolName: string, extra = ''): string => `
apiVersion: extensions.agents.x-k8s.io/v1beta1
kind: SandboxClaim
metadata: {name: ${name}, namespace: acme}
spec:
  warmPoolRef: {name: ${poolName}}
${extra}`;

describe('sandstack apply', () => {
  runWithSandboxes('maps a template, pool and claim', async () => {
    const { controller } = setup();
    const applied = await applyManifests(controller, fixture(), { source: 'python.yaml' });

    expect(applied.map((item) => `${item.kind}/${item.name} ${item.action}`)).toEqual([
      'SandboxTemplate/python created',
      'SandboxWarmPool/python-pool created',
      'SandboxClaim/job-1 created',
    ]);
    const template = controller.getTemplate('python');
    expect(template.runtime).toBe(runtime);
    expect(template.rootfs).toEqual({ kind: 'host' });
    expect(template.resources).toEqual({
      cpu: 0.5,
      memoryBytes: 256 * MIB,
      diskBytes: 64 * MIB,
      pids: 512,
    });
    expect(template.lifetimeSeconds).toBe(1800);
    expect(template.workdir).toBe('/work');
    expect(template.env).toEqual({ LANG: 'C.UTF-8' });
    expect(template.envVarsInjectionPolicy).toBe('Allowed');

    const notes = applied[0]?.notes.join('\n') ?? '';
    expect(notes).toContain('image "python:3.12-slim" is not pulled locally');
    expect(notes).toContain('spec.podTemplate.spec.containers[0].ports');
    expect(notes).toContain('command and args are not run');

    expect(applied[2]?.sandbox?.warm).toBe(true);
    const view = controller.claimObjects.view('job-1');
    expect(view.tenant).toBe('acme');
    expect(view.conditions[0]?.status).toBe('True');
    expect(view.conditions[0]?.reason).toBe('DependenciesReady');
    const found = await controller.get(view.sandboxId ?? '');
    const result = await found!.sandbox.exec({ command: 'pwd; echo $LANG' });
    expect(result.stdout).toBe('/work\nC.UTF-8\n');
    expect(controller.listPools()[0]?.ready).toBe(1);
  });

  runWithSandboxes('re-applies as unchanged, then scales', async () => {
    const { controller } = setup();
    await applyManifests(controller, fixture(), { source: 'python.yaml' });
    const again = await applyManifests(controller, fixture(), { source: 'python.yaml' });
    expect(again.map((item) => item.action)).toEqual(['unchanged', 'unchanged', 'unchanged']);

    const scaled = await applyManifests(controller, fixture({ 'replicas: 1': 'replicas: 3' }), {
      source: 'python.yaml',
    });
    expect(scaled.map((item) => item.action)).toEqual(['unchanged', 'configured', 'unchanged']);
    expect(controller.listPools()[0]?.ready).toBe(3);

    await applyManifests(controller, fixture({ 'replicas: 1': 'replicas: 0' }), {
      source: 'python.yaml',
    });
    expect(controller.listPools()[0]?.ready).toBe(0);
    expect(controller.list().filter((record) => record.state === 'warm')).toEqual([]);
  });

  runWithSandboxes('deletes a pool but keeps its claims', async () => {
    const { controller } = setup();
    await applyManifests(controller, fixture({ 'replicas: 1': 'replicas: 2' }), {
      source: 'python.yaml',
    });
    const claimed = controller.claimObjects.view('job-1').sandboxId;
    await controller.deletePool('python-pool');
    expect(controller.listPools()).toEqual([]);
    expect(controller.list().filter((record) => record.state === 'warm')).toEqual([]);
    expect(controller.record(claimed ?? '')?.state).toBe('claimed');
    const error = await caught(() => controller.deletePool('python-pool'));
    expect(isSandstackError(error, 'POOL_NOT_FOUND')).toBe(true);
  });

  runWithSandboxes('recreates stale pool sandboxes on template change', async () => {
    const { controller } = setup();
    const text = fixture() + '---' + pool('fresh', 2, 'python', 'Recreate');
    await applyManifests(controller, text, { source: 'python.yaml' });
    const before = controller
      .list()
      .filter((record) => record.pool === 'fresh')
      .map((record) => record.id);
    expect(before.length).toBe(2);
    const onReplenishBefore = controller
      .list()
      .filter((record) => record.pool === 'python-pool' && record.state === 'warm');

    await applyManifests(controller, text.replace('memory: 256Mi', 'memory: 300Mi'), {
      source: 'python.yaml',
    });
    await controller.waitUntilReady('fresh');
    const after = controller
      .list()
      .filter((record) => record.pool === 'fresh' && record.state === 'warm');
    expect(after.length).toBe(2);
    expect(after.some((record) => before.includes(record.id))).toBe(false);
    // OnReplenish keeps the ready sandbox of the old template until a claim takes it.
    const kept = controller
      .list()
      .filter((record) => record.pool === 'python-pool' && record.state === 'warm');
    expect(kept.map((record) => record.id)).toEqual(onReplenishBefore.map((record) => record.id));
  });

  it('rejects out-of-range resource quantities', async () => {
    const { controller } = setup();
    const cases: [string, string, string][] = [
      [
        'memory: 256Mi',
        'memory: 100Ei',
        'limits.memory: invalid quantity "100Ei": it is over the maximum; use 1Mi to 1Pi bytes',
      ],
      [
        'memory: 256Mi',
        'memory: 1e400',
        'limits.memory: invalid quantity Infinity: it is over the maximum; use 1Mi to 1Pi bytes',
      ],
      [
        'memory: 256Mi',
        'memory: "-1Gi"',
        'limits.memory: invalid quantity "-1Gi": it is below the minimum; use 1Mi to 1Pi bytes',
      ],
      [
        'memory: 256Mi',
        'memory: "0.1Gi"',
        'limits.memory: invalid quantity "0.1Gi": it is not a whole number of bytes',
      ],
      [
        'memory: 256Mi',
        'memory: 1.5',
        'limits.memory: invalid quantity 1.5; use a whole number or a quoted quantity',
      ],
      [
        'memory: 256Mi',
        'memory: 12Qi',
        'limits.memory: invalid quantity "12Qi"; use a number with an optional suffix',
      ],
      [
        'cpu: 500m',
        'cpu: 2Ki',
        'limits.cpu: invalid quantity "2Ki": it is over the maximum; use 1m to 1024 cores',
      ],
      [
        'cpu: 500m',
        'cpu: "0"',
        'limits.cpu: invalid quantity "0": it is below the minimum; use 1m to 1024 cores',
      ],
      [
        'ephemeral-storage: 64Mi',
        'ephemeral-storage: 2Pi',
        'limits.ephemeral-storage: invalid quantity "2Pi": it is over the maximum; use 1Mi to 1Pi bytes',
      ],
      [
        "sandstack.dev/pids: '512'",
        "sandstack.dev/pids: '1e30'",
        'sandstack.dev/pids: invalid value "1e30": it is over the maximum; use 1 to 4194304 tasks',
      ],
      [
        "sandstack.dev/pids: '512'",
        "sandstack.dev/pids: '2.5'",
        'sandstack.dev/pids: invalid value "2.5": it is not a whole number of tasks',
      ],
    ];
    for (const [from, to, expected] of cases) {
      const error = await caught(() =>
        applyManifests(controller, fixture({ [from]: to }), { source: 'python.yaml' }),
      );
      expect(isSandstackError(error, 'INVALID_CONFIG'), to).toBe(true);
      expect(error.message, to).toContain(expected);
      expect(error.message, to).not.toContain('null');
    }
    expect(controller.listTemplates().map((template) => template.name)).not.toContain('python');
  });

  it('rejects out-of-range template limits', () => {
    const { controller } = setup();
    const cases: [Record<string, number>, string][] = [
      [
        { memoryBytes: Number.POSITIVE_INFINITY },
        'invalid resources.memoryBytes Infinity: it is over the maximum; use 1Mi to 1Pi bytes',
      ],
      [{ cpu: Number.NaN }, 'invalid resources.cpu NaN: it is not a number; use 1m to 1024 cores'],
      [
        { diskBytes: 1.5 * MIB + 0.5 },
        'invalid resources.diskBytes 1572864.5: it is not a whole number of bytes',
      ],
      [{ pids: -1 }, 'invalid resources.pids -1: it is below the minimum; use 1 to 4194304 tasks'],
    ];
    for (const [resources, expected] of cases) {
      expect(() => controller.createTemplate({ name: 'huge', resources }), expected).toThrow(
        expected,
      );
    }
    expect(() => controller.createTemplate({ name: 'slow', commandTimeoutMs: 3e9 })).toThrow(
      'invalid commandTimeoutMs 3000000000; use at most 2073600000 ms (24 days)',
    );
  });

  it('reports every problem with its line and field', async () => {
    const { controller } = setup();
    const text = `apiVersion: extensions.agents.x-k8s.io/v1beta1
kind: SandboxTemplate
metadata: {name: bad}
spec:
  podTemplate:
    spec:
      containers:
        - name: runtime
          imagee: foo
          resources:
            limits: {memory: lots}
---
apiVersion: extensions.agents.x-k8s.io/v1beta1
kind: SandboxWarmPool
metadata: {name: p}
spec:
  replicas: -1
  sandboxTemplateRef: {name: bad}
---
kind: Pod
`;
    const error = await caught(() => applyManifests(controller, text, { source: 'bad.yaml' }));
    expect(isSandstackError(error, 'INVALID_CONFIG')).toBe(true);
    expect(error.message).toContain('nothing was applied');
    expect(error.message).toContain(
      'bad.yaml:9 (document 1, SandboxTemplate "bad") spec.podTemplate.spec.containers[0].imagee: unknown field',
    );
    expect(error.message).toContain(
      'containers[0].resources.limits.memory: invalid quantity "lots"',
    );
    expect(error.message).toContain(
      'bad.yaml:17 (document 2, SandboxWarmPool "p") spec.replicas: must be at least 0',
    );
    expect(error.message).toContain('(document 3) kind: unsupported kind "Pod"');
    expect(controller.listTemplates().map((template) => template.name)).toEqual([
      'default',
      'bw',
      'gv',
    ]);
  });

  it('rejects references and values that cannot work here', async () => {
    const { controller } = setup();
    const text = `apiVersion: extensions.agents.x-k8s.io/v1beta1
kind: SandboxTemplate
metadata:
  name: t
  annotations: {sandstack.dev/rootfs: /nonexistent/rootfs}
spec:
  podTemplate:
    spec:
      containers:
        - name: runtime
          env:
            - name: TOKEN
              valueFrom: {secretKeyRef: {name: s, key: k}}
---${pool('p', 5000, 'missing')}---${claim('c', 'nowhere')}`;
    const error = await caught(() => applyManifests(controller, text, { source: 'refs.yaml' }));
    expect(error.message).toContain(
      'metadata.annotations.sandstack.dev/rootfs: rootfs directory "/nonexistent/rootfs" not found',
    );
    expect(error.message).toContain('env[0].valueFrom: valueFrom of "TOKEN" needs a cluster');
    expect(error.message).toContain(
      'spec.sandboxTemplateRef.name: SandboxTemplate "missing" not found',
    );
    expect(error.message).toContain('spec.replicas: 5000 is over the local limit of 1000');
    expect(error.message).toContain('spec.warmPoolRef.name: SandboxWarmPool "nowhere" not found');
  });

  it('rejects a template without containers', async () => {
    const { controller } = setup();
    const text = `apiVersion: extensions.agents.x-k8s.io/v1beta1
kind: SandboxTemplate
metadata: {name: empty}
spec:
  podTemplate:
    spec:
      containers: []
`;
    const error = await caught(() => applyManifests(controller, text, { source: 'empty.yaml' }));
    expect(error.message).toContain(
      'spec.podTemplate.spec.containers: must list at least one container',
    );
    expect(controller.listTemplates().map((template) => template.name)).not.toContain('empty');
  });

  it('maps the egress annotation', async () => {
    const { controller } = setup();
    const text = (runtimeClass: string): string => `apiVersion: extensions.agents.x-k8s.io/v1beta1
kind: SandboxTemplate
metadata:
  name: web
  annotations: {sandstack.dev/egress-allow: "pypi.org, *.pythonhosted.org"}
spec:
  podTemplate:
    spec:
      runtimeClassName: ${runtimeClass}
      containers: [{name: runtime}]
`;
    for (const runtimeClass of ['gvisor', 'bubblewrap']) {
      await applyManifests(controller, text(runtimeClass), { source: 'web.yaml' });
      expect(controller.getTemplate('web').runtime).toBe(runtimeClass);
      expect(controller.getTemplate('web').network).toEqual({
        egress: 'proxy',
        allow: ['pypi.org', '*.pythonhosted.org'],
      });
    }
  });

  it('reports invalid YAML with its line', async () => {
    const { controller } = setup();
    const error = await caught(() =>
      applyManifests(controller, 'kind: SandboxTemplate\nmetadata: {name: x\n', {
        source: 'broken.yaml',
      }),
    );
    expect(error.message).toMatch(/broken\.yaml:\d+ \(document 1\) invalid YAML/);
  });

  runWithSandboxes('follows the env injection policy', async () => {
    const { controller } = setup();
    await applyManifests(controller, fixture(), { source: 'python.yaml' });
    const env = (name: string, value: string): string =>
      `  env:\n    - {name: ${name}, value: ${value}}\n`;

    const override = await caught(() =>
      applyManifests(controller, claim('c1', 'python-pool', env('LANG', 'C')), {
        source: 'c1.yaml',
      }),
    );
    expect(override.message).toContain('spec.env: Template "python" rejects');
    expect(override.message).toContain('"LANG"');
    expect(override.message).toContain('EnvVarsInjectionRejected');

    const added = await applyManifests(
      controller,
      claim('c2', 'python-pool', env('MODE', 'test')),
      {
        source: 'c2.yaml',
      },
    );
    // A claim with env never takes a ready sandbox.
    expect(added[0]?.sandbox?.warm).toBe(false);
    const found = await controller.get(added[0]?.sandbox?.id ?? '');
    expect((await found!.sandbox.exec({ command: 'echo $MODE $LANG' })).stdout).toBe(
      'test C.UTF-8\n',
    );
  });

  runWithSandboxes('expires a claim at its shutdownTime', async () => {
    const { controller } = setup();
    await applyManifests(controller, fixture(), { source: 'python.yaml' });
    const soon = (ms: number): string => new Date(Date.now() + ms).toISOString();
    await applyManifests(
      controller,
      claim('kept', 'python-pool', `  lifecycle: {shutdownTime: "${soon(1000)}"}\n`) +
        '---' +
        claim(
          'gone',
          'python-pool',
          `  lifecycle: {shutdownTime: "${soon(1000)}", shutdownPolicy: Delete}\n`,
        ),
      { source: 'claims.yaml' },
    );
    const kept = controller.claimObjects.view('kept');
    for (
      let round = 0;
      round < 100 && controller.record(kept.sandboxId ?? '')?.state !== 'released';
      round += 1
    ) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    for (let round = 0; round < 100 && controller.claimObjects.exists('gone'); round += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const ready = controller.claimObjects.view('kept').conditions[0];
    expect(ready?.status).toBe('False');
    expect(ready?.reason).toBe('ClaimExpired');
    expect(controller.claimObjects.exists('gone')).toBe(false);
    expect(controller.endError(kept.sandboxId ?? '')?.message).toContain('SandboxClaim "kept"');

    const past = await caught(() =>
      applyManifests(
        controller,
        claim('late', 'python-pool', `  lifecycle: {shutdownTime: "${soon(-60_000)}"}\n`),
        {
          source: 'late.yaml',
        },
      ),
    );
    expect(past.message).toContain('which has passed');
  });

  runWithSandboxes('reads stdin through the CLI', () => {
    const { dir } = setup();
    const cli = (args: string[], input?: string): ReturnType<typeof spawnSync> =>
      spawnSync(
        process.execPath,
        ['--import', 'tsx', 'src/cli/main.ts', '--state-dir', join(dir, 'cli'), ...args],
        {
          input,
          encoding: 'utf8',
          timeout: 120_000,
        },
      );
    const applied = cli(['apply', '-f', '-'], fixture());
    expect(applied.status).toBe(0);
    expect(applied.stdout).toContain('sandboxtemplate/python created');
    expect(applied.stdout).toContain('sandboxclaim/job-1 created');
    expect(applied.stderr).toContain('is not pulled locally');

    const claims = cli(['get', 'claims', '--json']);
    const parsed = JSON.parse(String(claims.stdout)) as {
      name: string;
      conditions: { reason: string }[];
    }[];
    expect(parsed.map((item) => item.name)).toEqual(['job-1']);
    expect(parsed[0]?.conditions[0]?.reason).toBe('DependenciesReady');

    const bad = cli(['apply', '-f', '-'], 'kind: Pod\n');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('unsupported kind "Pod"');

    // Leave nothing running: release the CLI's sandboxes.
    for (const record of JSON.parse(String(cli(['get', 'sandboxes', '--json']).stdout)) as {
      id: string;
    }[]) {
      expect(cli(['sandbox', 'release', record.id]).status).toBe(0);
    }
  });
});
