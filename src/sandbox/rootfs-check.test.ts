import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isSandstackError } from '../core/errors.js';
import { checkRootfs } from './rootfs-check.js';
import { resolveTemplate } from './templates.js';
import type { RuntimeName } from './types.js';

let dir = '';
let root = '';

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sandstack-rootfs-check-'));
  root = join(dir, 'rootfs');
  mkdirSync(root, { mode: 0o755 });
  chmodSync(root, 0o755);
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Writes an executable file at `path` inside the rootfs. */
function addProgram(path: string): void {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), '#!/bin/sh\n', { mode: 0o755 });
}

/** Returns the message checkRootfs throws for the rootfs, or undefined when it passes. */
function problemOf(
  runtime: RuntimeName | 'auto' = 'gvisor',
  path = root,
  workdir = '/workspace',
): string | undefined {
  const template = resolveTemplate({
    name: 'custom',
    runtime,
    workdir,
    rootfs: { kind: 'directory', path },
  });
  try {
    checkRootfs(template, runtime);
    return undefined;
  } catch (error) {
    expect(isSandstackError(error, 'INVALID_CONFIG')).toBe(true);
    return (error as Error).message;
  }
}

describe('checkRootfs', () => {
  it('accepts a rootfs with a program', () => {
    addProgram('bin/sh');
    expect(problemOf('gvisor')).toBeUndefined();
    expect(problemOf('bubblewrap')).toBeUndefined();
  });

  it('accepts a program linked from a PATH folder', () => {
    addProgram('usr/bin/dash');
    symlinkSync('usr/bin', join(root, 'bin'));
    mkdirSync(join(root, 'sbin'));
    symlinkSync('/usr/bin/dash', join(root, 'sbin', 'sh'));
    expect(problemOf()).toBeUndefined();
  });

  it('rejects an empty folder', () => {
    const message = problemOf('bubblewrap');
    expect(message).toContain(`Template "custom" has rootfs "${root}" that contains no program`);
    expect(message).toContain('/usr/bin, /sbin, /bin');
  });

  it('rejects files without the executable bit', () => {
    mkdirSync(join(root, 'bin'));
    writeFileSync(join(root, 'bin', 'sh'), '', { mode: 0o644 });
    expect(problemOf('bubblewrap')).toContain('contains no program');
  });

  it('rejects a missing folder', () => {
    const missing = join(dir, 'nope');
    expect(problemOf('bubblewrap', missing)).toBe(
      `Template "custom" has rootfs "${missing}" that does not exist on this host; create it (for example with debootstrap) or use the host rootfs`,
    );
  });

  it('rejects a file as the rootfs', () => {
    const file = join(dir, 'file');
    writeFileSync(file, '');
    expect(problemOf('bubblewrap', file)).toContain('that is not a folder');
  });

  it('rejects a private folder under gVisor', () => {
    addProgram('bin/sh');
    chmodSync(root, 0o700);
    expect(problemOf('gvisor')).toContain(`run "chmod o+rx ${root}"`);
    // bubblewrap builds / on its own tmpfs, so the folder's mode does not reach commands.
    expect(problemOf('bubblewrap')).toBeUndefined();
    // Which runtime "auto" picks is known only when a sandbox starts.
    expect(problemOf('auto')).toBeUndefined();
  });

  it('rejects files at gVisor mount points', () => {
    addProgram('bin/sh');
    for (const path of ['tmp', 'dev', 'proc', 'srv']) {
      writeFileSync(join(root, path), '');
      const workdir = path === 'srv' ? '/srv/work' : '/workspace';
      expect(problemOf('gvisor', root, workdir)).toContain(
        `has a file at /${path}, where gVisor mounts a folder`,
      );
      expect(problemOf('bubblewrap', root, workdir)).toBeUndefined();
      rmSync(join(root, path));
    }
  });

  it('skips the host rootfs and Kubernetes', () => {
    const host = resolveTemplate({ name: 'host' });
    expect(() => checkRootfs(host, 'gvisor')).not.toThrow();
    expect(problemOf('kubernetes')).toBeUndefined();
  });
});
