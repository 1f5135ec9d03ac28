import { describe, expect, it } from 'vitest';
import { checkHost } from './doctor.js';
import type { SandboxDriver } from './types.js';

const brokenDriver: SandboxDriver = {
  name: 'gvisor',
  check: async () => ({
    runtime: 'gvisor',
    available: false,
    reason: 'missing',
    fix: 'install it',
  }),
  create: async () => {
    throw new Error('unused');
  },
  attach: async () => undefined,
};

describe('checkHost', () => {
  it('reports a broken runtime with reason and fix', async () => {
    const checks = await checkHost({ drivers: [brokenDriver] });
    const runtime = checks.find((check) => check.name === 'runtime gvisor');
    expect(runtime?.ok).toBe(false);
    expect(runtime?.reason).toBe('missing');
    expect(runtime?.fix).toBe('install it');
  });

  it('includes cgroup and user namespace checks', async () => {
    const names = (await checkHost({ drivers: [] })).map((check) => check.name);
    expect(names).toEqual(['cgroups v1', 'cgroups v2', 'user namespaces']);
  });

  it('gives a fix for every failed check', async () => {
    for (const check of await checkHost()) {
      if (!check.ok) {
        expect(check.fix, check.name).toBeTruthy();
      }
    }
  });
});
