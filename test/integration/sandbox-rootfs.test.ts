/**
 * Directory root filesystems that cannot run commands: rejected when a template is applied,
 * and again when a sandbox starts, so a pool of such a template backs off and never
 * reports ready.
 */
import { mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isSandstackError } from '../../src/core/errors.js';
import { noopLogger } from '../../src/core/logger.js';
import { openDatabase, type SqliteDatabase } from '../../src/core/store.js';
import { SandboxController } from '../../src/sandbox/controller.js';
import { readElfInterpreter } from '../../src/sandbox/elf.js';
import { applyManifests } from '../../src/sandbox/manifests/apply.js';
import { runCli } from '../helpers/cli.js';
import { buildSmallRootfs, localDrivers } from '../helpers/sandbox.js';

const checks = await localDrivers();

let dir = '';
let db: SqliteDatabase | undefined;
let controller: SandboxController | undefined;
let failures: unknown[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sandstack-rootfs-'));
  db = openDatabase(join(dir, 'state.db'));
  failures = [];
  const logger = {
    ...noopLogger,
    error: (_message: string, meta?: unknown) => failures.push(meta),
  };
  controller = new SandboxController({ db, stateDir: join(dir, 'sandboxes'), logger });
});

afterEach(async () => {
  await controller?.close();
  db?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `action` and returns what it threw (or undefined). */
async function caught(action: () => unknown): Promise<Error | undefined> {
  try {
    await action();
    return undefined;
  } catch (error) {
    return error as Error;
  }
}

/** Builds a working rootfs, applies a template over it, then empties the folder. */
function templateOverEmptiedRootfs(runtime: 'gvisor' | 'bubblewrap'): string {
  const rootfs = join(dir, 'rootfs');
  buildSmallRootfs(rootfs);
  controller!.createTemplate({
    name: 'emptied',
    runtime,
    rootfs: { kind: 'directory', path: rootfs },
  });
  for (const name of readdirSync(rootfs)) {
    rmSync(join(rootfs, name), { recursive: true, force: true });
  }
  return rootfs;
}

describe('directory rootfs checks', () => {
  for (const { driver, check } of checks) {
    const run = check.available ? it : it.skip;
    const runtime = driver.name as 'gvisor' | 'bubblewrap';

    run(`${runtime}: template over empty folder`, async () => {
      const rootfs = join(dir, 'empty');
      mkdirSync(rootfs, { mode: 0o755 });
      const error = await caught(() =>
        controller!.createTemplate({
          name: 'e',
          runtime,
          rootfs: { kind: 'directory', path: rootfs },
        }),
      );
      expect(isSandstackError(error, 'INVALID_CONFIG')).toBe(true);
      expect(error?.message).toContain(
        `Template "e" has rootfs "${rootfs}" that contains no program`,
      );
      expect(controller!.listTemplates().map((template) => template.name)).not.toContain('e');

      const manifest = `apiVersion: extensions.agents.x-k8s.io/v1beta1
kind: SandboxTemplate
metadata:
  name: m
  annotations: {sandstack.dev/rootfs: ${rootfs}}
spec:
  podTemplate:
    spec:
      runtimeClassName: ${runtime}
      containers:
        - name: runtime
`;
      const applied = await caught(() =>
        applyManifests(controller!, manifest, { source: 'm.yaml' }),
      );
      expect(applied?.message).toContain(`has rootfs "${rootfs}" that contains no program`);
      expect(controller!.listTemplates().map((template) => template.name)).not.toContain('m');
    });

    run(`${runtime}: claim over emptied rootfs`, async () => {
      const rootfs = templateOverEmptiedRootfs(runtime);
      const error = await caught(() => controller!.claim({ template: 'emptied', tenant: 'acme' }));
      expect(isSandstackError(error, 'INVALID_CONFIG')).toBe(true);
      expect(error?.message).toContain(`has rootfs "${rootfs}" that contains no program`);
      expect(controller!.list()).toEqual([]);
    });

    run(`${runtime}: rootfs without the loader`, async () => {
      const rootfs = join(dir, 'rootfs');
      buildSmallRootfs(rootfs);
      const loader = readElfInterpreter(realpathSync('/bin/sh'));
      expect(loader).toBeDefined();
      // The same rootfs with its loader starts sandboxes.
      controller!.createTemplate({
        name: 'whole',
        runtime,
        rootfs: { kind: 'directory', path: rootfs },
      });
      const whole = await controller!.claim({ template: 'whole', tenant: 'acme' });
      expect((await whole.sandbox.exec({ command: 'echo ok' })).stdout).toBe('ok\n');
      await controller!.release(whole.record.id);

      rmSync(join(rootfs, loader!));
      const error = await caught(() =>
        controller!.createTemplate({
          name: 'no-loader',
          runtime,
          rootfs: { kind: 'directory', path: rootfs },
        }),
      );
      expect(isSandstackError(error, 'INVALID_CONFIG')).toBe(true);
      expect(error?.message).toContain(
        `has rootfs "${rootfs}" that lacks ${loader}, the dynamic loader that its /bin/sh names`,
      );
      // A template made before the loader went fails at the claim, before any start.
      const claimed = await caught(() => controller!.claim({ template: 'whole', tenant: 'acme' }));
      expect(isSandstackError(claimed, 'INVALID_CONFIG')).toBe(true);
      expect(claimed?.message).toContain(`lacks ${loader}`);
    });

    run(`${runtime}: pool over emptied rootfs`, async () => {
      const rootfs = templateOverEmptiedRootfs(runtime);
      controller!.createPool({ name: 'p', template: 'emptied', replicas: 2 });
      const error = await caught(() => controller!.waitUntilReady('p'));
      expect(error?.message).toContain('Pool "p" could not reach 2 ready sandboxes');
      expect(error?.message).toContain(`has rootfs "${rootfs}" that contains no program`);

      const [pool] = controller!.listPools();
      expect(pool?.ready).toBe(0);
      const condition = pool?.conditions[0];
      expect(condition?.type).toBe('Ready');
      expect(condition?.status).toBe('False');
      expect(condition?.reason).toBe('StartFailed');
      expect(condition?.message).toContain('0 of 2 sandboxes ready');
      expect(condition?.message).toContain(`has rootfs "${rootfs}" that contains no program`);
      expect(condition?.message).toMatch(/start\(s\) failed in a row, the last at \d{4}-/);
      // The pool backs off after the failure instead of retrying in each of the rounds.
      expect(failures.length).toBe(1);

      // Another process reads the failure from the store.
      const got = await runCli(['--state-dir', dir, 'pool', 'get', 'p', '--json']);
      expect(got.stderr).toBe('');
      const shown = JSON.parse(got.stdout) as { conditions: { reason: string; message: string }[] };
      expect(shown.conditions[0]?.reason).toBe('StartFailed');
      expect(shown.conditions[0]?.message).toContain(
        `has rootfs "${rootfs}" that contains no program`,
      );
      expect(shown.conditions[0]?.message).toMatch(/failed in a row, the last at \d{4}-\d\d-\d\dT/);
      expect(readdirSync(join(dir, 'sandboxes')).filter((name) => name.startsWith('sbx_'))).toEqual(
        [],
      );
    });
  }

  it('reports a full pool as ready', async () => {
    const available = checks.find((item) => item.check.available);
    if (available === undefined) {
      return;
    }
    controller!.createTemplate({ name: 'host', runtime: available.driver.name as 'gvisor' });
    controller!.createPool({ name: 'full', template: 'host', replicas: 1 });
    await controller!.waitUntilReady('full');
    const condition = controller!.listPools()[0]?.conditions[0];
    expect(condition?.status).toBe('True');
    expect(condition?.reason).toBe('ReplicasReady');
    expect(condition?.message).toBe('1 of 1 sandboxes ready');
    await controller!.deletePool('full');
  });
});
