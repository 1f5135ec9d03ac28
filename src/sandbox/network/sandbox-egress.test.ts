import { dirname, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writableLayerDir } from '../writable-layer.js';
import { egressLogPath } from './sandbox-egress.js';

describe('egressLogPath', () => {
  it('stays outside the writable layer', () => {
    const stateDir = '/state/sandboxes/sbx_1';
    const log = egressLogPath(stateDir);
    // The writable layer is the mounted image that the disk limit sizes; a path under it
    // would count against that limit and be writable from inside the sandbox.
    expect(relative(writableLayerDir(stateDir), log).startsWith('..')).toBe(true);
    expect(dirname(log)).toBe(stateDir);
  });
});
