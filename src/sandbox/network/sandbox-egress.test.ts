import { dirname, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TEMPLATE } from '../templates.js';
import type { SandboxTemplate } from '../types.js';
import { writableLayerDir } from '../writable-layer.js';
import { egressLogLimit, egressLogPath } from './sandbox-egress.js';

const MIB = 1024 * 1024;

function templateWith(diskBytes: number, egress: boolean): SandboxTemplate {
  return {
    ...DEFAULT_TEMPLATE,
    resources: { ...DEFAULT_TEMPLATE.resources, diskBytes },
    network: egress ? { egress: 'proxy', allow: ['pypi.org'] } : { egress: 'none' },
  };
}

describe('egressLogLimit', () => {
  it('is zero without egress', () => {
    expect(egressLogLimit(templateWith(1024 * MIB, false), {})).toBe(0);
  });

  it('defaults to 1 MiB', () => {
    expect(egressLogLimit(templateWith(1024 * MIB, true), {})).toBe(MIB);
  });

  it('takes the configured limit', () => {
    expect(egressLogLimit(templateWith(1024 * MIB, true), { maxLogBytes: 4096 })).toBe(4096);
  });

  it('keeps most of a small disk', () => {
    expect(egressLogLimit(templateWith(2 * MIB, true), {})).toBe(MIB / 2);
  });
});

describe('egressLogPath', () => {
  it('stays outside the writable layer', () => {
    const stateDir = '/state/sandboxes/sbx_1';
    const log = egressLogPath(stateDir);
    // A path under the writable layer would be writable from inside the sandbox.
    expect(relative(writableLayerDir(stateDir), log).startsWith('..')).toBe(true);
    expect(dirname(log)).toBe(stateDir);
  });
});
