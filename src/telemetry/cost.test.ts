import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LIST_PRICES, loadPriceModels, summarizeCost, type SandboxUsageItem } from './cost.js';

const GIB = 2 ** 30;

function item(overrides: Partial<SandboxUsageItem>): SandboxUsageItem {
  return {
    sandboxId: 'sbx_1',
    tenant: 'acme',
    runId: 'run_1',
    template: 'default',
    cpuSeconds: 0,
    wallSeconds: 0,
    vcpus: 1,
    memoryBytes: GIB,
    ...overrides,
  };
}

describe('summarizeCost', () => {
  const models = [
    {
      name: 'cpu',
      description: '',
      source: 'test',
      perCpuSecond: 2,
      perVcpuSecond: 0,
      perGibSecond: 0,
    },
    {
      name: 'alloc',
      description: '',
      source: 'test',
      perCpuSecond: 0,
      perVcpuSecond: 3,
      perGibSecond: 5,
    },
  ];

  it('prices active CPU and allocation separately', () => {
    const lines = summarizeCost(
      [item({ cpuSeconds: 1.5, wallSeconds: 10, vcpus: 2, memoryBytes: GIB / 2 })],
      models,
      'tenant',
    );
    const [acme, total] = lines;
    expect(acme?.key).toBe('acme');
    expect(acme?.vcpuSeconds).toBe(20);
    expect(acme?.gibSeconds).toBe(5);
    expect(acme?.cost.cpu).toBe(3);
    expect(acme?.cost.alloc).toBe(20 * 3 + 5 * 5);
    expect(total?.key).toBe('total');
    expect(total?.cost).toEqual(acme?.cost);
  });

  it('groups by tenant, run and sandbox', () => {
    const items = [
      item({ sandboxId: 'sbx_1', tenant: 'a', runId: 'r1', cpuSeconds: 1 }),
      item({ sandboxId: 'sbx_2', tenant: 'a', runId: 'r2', cpuSeconds: 2 }),
      item({ sandboxId: 'sbx_3', tenant: 'b', runId: 'r3', cpuSeconds: 4 }),
    ];
    expect(summarizeCost(items, models, 'tenant').map((line) => line.key)).toEqual([
      'a',
      'b',
      'total',
    ]);
    expect(summarizeCost(items, models, 'run').map((line) => line.key)).toEqual([
      'r1',
      'r2',
      'r3',
      'total',
    ]);
    const bySandbox = summarizeCost(items, models, 'sandbox');
    expect(bySandbox).toHaveLength(4);
    expect(bySandbox.at(-1)?.cpuSeconds).toBe(7);
    expect(bySandbox.at(-1)?.sandboxes).toBe(3);
  });

  it('ships the two public list price models', () => {
    expect(LIST_PRICES.map((model) => model.name)).toEqual(['active-cpu', 'session']);
    const [line] = summarizeCost(
      [item({ cpuSeconds: 3600, wallSeconds: 3600, vcpus: 1, memoryBytes: GIB })],
      LIST_PRICES,
      'tenant',
    );
    // One CPU-hour of active CPU and one GiB-hour of memory.
    expect(line?.cost['active-cpu']).toBeCloseTo(0.128 + 0.0106 * (GIB / 1e9), 6);
    // One vCPU-hour and one GiB-hour allocated.
    expect(line?.cost.session).toBeCloseTo(0.0504 + 0.0162, 6);
  });
});

describe('loadPriceModels', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sandstack-prices-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a YAML prices file', () => {
    const path = join(dir, 'prices.yaml');
    writeFileSync(path, 'models:\n  - name: in-house\n    perCpuSecond: 0.00001\n');
    const [model] = loadPriceModels(path);
    expect(model?.name).toBe('in-house');
    expect(model?.perCpuSecond).toBe(0.00001);
    expect(model?.perGibSecond).toBe(0);
  });

  it('names the bad field', () => {
    const path = join(dir, 'bad.yaml');
    writeFileSync(path, 'models:\n  - name: x\n    perCpuSecond: -1\n');
    expect(() => loadPriceModels(path)).toThrow(/models\.0\.perCpuSecond/);
  });

  it('rejects an unknown field', () => {
    const path = join(dir, 'typo.yaml');
    writeFileSync(path, 'models:\n  - name: x\n    perCpuSecnd: 1\n');
    expect(() => loadPriceModels(path)).toThrow(/perCpuSecnd/);
  });

  it('names a missing file', () => {
    expect(() => loadPriceModels(join(dir, 'nope.yaml'))).toThrow(/nope\.yaml" not found/);
  });
});
