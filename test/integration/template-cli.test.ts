/**
 * `sandstack template`, `sandstack pool get|list|scale` and the output of list commands on a
 * local state folder, with
 * bubblewrap sandboxes, the runtime whose pools fill fastest.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, runCli } from '../helpers/cli.js';

describe('sandstack template and pool scale', () => {
  let state: { path: string; remove: () => Promise<void> };
  const cli = (args: string[]) =>
    runCli(['--state-dir', state.path, ...args], { timeoutMs: 120_000 });

  beforeAll(async () => {
    state = await makeTempDir('template-cli');
  });

  afterAll(async () => {
    await cli(['pool', 'delete', 'small-pool']);
    await state.remove();
  });

  it('creates a template from flags', async () => {
    const created = await cli([
      'template',
      'create',
      'small',
      '--runtime',
      'bubblewrap',
      '--memory',
      '256Mi',
      '--cpu',
      '500m',
      '--pids',
      '200',
      '--env',
      'GREETING=hello there',
      '--lifetime-seconds',
      '600',
    ]);
    expect(created.stderr).toBe('');
    expect(created.stdout).toContain('sandboxtemplate/small created');

    const shown = await cli(['template', 'get', 'small', '--json']);
    const template = JSON.parse(shown.stdout) as Record<string, unknown>;
    expect(template.runtime).toBe('bubblewrap');
    expect(template.resources).toEqual({
      cpu: 0.5,
      memoryBytes: 256 * 1024 * 1024,
      pids: 200,
      diskBytes: 1024 * 1024 * 1024,
    });
    expect(template.env).toEqual({ GREETING: 'hello there' });
    expect(template.lifetimeSeconds).toBe(600);
    expect(template.rootfs).toEqual({ kind: 'host' });
  });

  it('lists templates with default first', async () => {
    const listed = await cli(['template', 'list']);
    const names = listed.stdout
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split(/\s+/)[0]);
    expect(names).toEqual(['default', 'small']);
  });

  it('rejects a name already taken', async () => {
    const again = await cli(['template', 'create', 'small']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('Template "small" already exists');
    expect(again.stderr).toContain('sandstack apply -f');
  });

  it('rejects bad flags naming them', async () => {
    const env = await cli(['template', 'create', 'bad-env', '--env', 'NOEQUALS']);
    expect(env.code).toBe(1);
    expect(env.stderr).toContain('Invalid --env "NOEQUALS"');
    const runtime = await cli(['template', 'create', 'bad-runtime', '--runtime', 'docker']);
    expect(runtime.code).toBe(1);
    expect(runtime.stderr).toContain('Invalid --runtime "docker"');
    const memory = await cli(['template', 'create', 'bad-memory', '--memory', 'lots']);
    expect(memory.code).toBe(1);
    expect(memory.stderr).toContain('invalid quantity "lots"');
    const listed = await cli(['template', 'list', '--json']);
    const names = (JSON.parse(listed.stdout) as { name: string }[]).map((item) => item.name);
    expect(names).toEqual(['default', 'small']);
  });

  it('scales a pool up and down', async () => {
    const created = await cli([
      'pool',
      'create',
      'small-pool',
      '--template',
      'small',
      '--replicas',
      '1',
    ]);
    expect(created.stdout).toContain('Pool small-pool ready: 1/1');

    const up = await cli(['pool', 'scale', 'small-pool', '--replicas', '3']);
    expect(up.stdout).toContain('sandboxwarmpool/small-pool configured');
    const afterUp = JSON.parse((await cli(['pool', 'get', 'small-pool', '--json'])).stdout) as {
      ready: number;
      replicas: number;
      template: string;
    };
    expect(afterUp.replicas).toBe(3);
    expect(afterUp.ready).toBe(3);
    expect(afterUp.template).toBe('small');

    await cli(['pool', 'scale', 'small-pool', '--replicas', '0']);
    const afterDown = JSON.parse((await cli(['pool', 'get', 'small-pool', '--json'])).stdout) as {
      ready: number;
      replicas: number;
    };
    expect(afterDown.replicas).toBe(0);
    expect(afterDown.ready).toBe(0);
  });

  it('prints lists as the get tables', async () => {
    const pairs = [
      [
        ['pool', 'list'],
        ['get', 'pools'],
      ],
      [
        ['template', 'list'],
        ['get', 'templates'],
      ],
      [
        ['sandbox', 'list'],
        ['get', 'sandboxes'],
      ],
    ];
    for (const [list = [], get = []] of pairs) {
      const listed = await cli(list);
      expect(listed.code, listed.stderr).toBe(0);
      expect(listed.stdout).toBe((await cli(get)).stdout);
      const json = (await cli([...list, '--json'])).stdout;
      expect((await cli([...list, '-o', 'json'])).stdout).toBe(json);
      expect((await cli([...get, '-o', 'json'])).stdout).toBe(json);
      expect(Array.isArray(JSON.parse(json))).toBe(true);
    }
    const pools = (await cli(['pool', 'list'])).stdout.trim().split('\n');
    expect(pools[0]?.split(/\s+/)).toEqual(['NAME', 'TEMPLATE', 'READY', 'STRATEGY', 'STATUS']);
    expect(pools[1]?.split(/\s+/)).toEqual([
      'small-pool',
      'small',
      '0/0',
      'OnReplenish',
      'ReplicasReady',
    ]);
    const shown = JSON.parse((await cli(['pool', 'get', 'small-pool', '-o', 'json'])).stdout) as {
      conditions: { reason: string }[];
    };
    expect(shown.conditions[0]?.reason).toBe('ReplicasReady');
    // Seventeen CLI processes run one after another, each opening the state folder.
  }, 240_000);

  it('rejects an unknown output format', async () => {
    for (const args of [
      ['pool', 'list'],
      ['template', 'get', 'small'],
      ['get', 'sandboxes'],
    ]) {
      const bad = await cli([...args, '-o', 'yaml']);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('Invalid --output "yaml"; use table or json');
    }
  });

  it('names a missing pool and bad replicas', async () => {
    const missing = await cli(['pool', 'scale', 'nope', '--replicas', '1']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('Pool "nope" not found; known pools: small-pool');
    const negative = await cli(['pool', 'scale', 'small-pool', '--replicas', '-2']);
    expect(negative.code).toBe(1);
    expect(negative.stderr).toContain('Invalid --replicas "-2"');
  });

  it('refuses to delete a template a pool uses', async () => {
    const refused = await cli(['template', 'delete', 'small']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('in use by pool "small-pool"');
    await cli(['pool', 'delete', 'small-pool']);
    const deleted = await cli(['template', 'delete', 'small']);
    expect(deleted.stdout).toContain('Template small deleted');
  });
});
