import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isSandstackError } from '../core/errors.js';
import { readElfInterpreter } from './elf.js';
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

  it('rejects a shell without its loader', () => {
    // This needs a dynamically linked host /bin/sh, such as Debian's dash.
    const loader = readElfInterpreter(realpathSync('/bin/sh'));
    expect(loader).toMatch(/^\/.+/);
    mkdirSync(join(root, 'bin'));
    copyFileSync(realpathSync('/bin/sh'), join(root, 'bin', 'sh'));
    chmodSync(join(root, 'bin', 'sh'), 0o755);
    for (const runtime of ['gvisor', 'bubblewrap'] as const) {
      expect(problemOf(runtime)).toBe(
        `Template "custom" has rootfs "${root}" that lacks ${loader}, the dynamic loader that its /bin/sh names, so no command could start; copy the loader and the program's shared libraries (see "ldd /bin/sh" on the host it came from) into the rootfs, or use statically linked programs`,
      );
    }

    // A loader reached through links, as in a merged-/usr layout, counts.
    const real = join('usr/lib/loaders', loader!.split('/').pop()!);
    mkdirSync(join(root, real, '..'), { recursive: true });
    writeFileSync(join(root, real), '');
    mkdirSync(join(root, loader!, '..', '..'), { recursive: true });
    symlinkSync('/usr/lib/loaders', join(root, loader!, '..'));
    expect(problemOf('gvisor')).toBeUndefined();
  });

  it('rejects timeout without its loader', () => {
    addProgram('bin/sh');
    mkdirSync(join(root, 'usr/bin'), { recursive: true });
    copyFileSync(realpathSync('/bin/sh'), join(root, 'usr/bin/timeout'));
    expect(problemOf('gvisor')).toContain('the dynamic loader that its /usr/bin/timeout names');
  });

  it('accepts scripts and static programs', () => {
    // A shell script, a truncated ELF header and an ELF file without program headers.
    addProgram('bin/sh');
    mkdirSync(join(root, 'usr/bin'), { recursive: true });
    writeFileSync(join(root, 'usr/bin/timeout'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1]));
    expect(problemOf('gvisor')).toBeUndefined();
    const header = Buffer.alloc(64);
    header.writeUInt32BE(0x7f454c46, 0);
    header[4] = 2;
    header[5] = 1;
    writeFileSync(join(root, 'usr/bin/timeout'), header);
    expect(problemOf('gvisor')).toBeUndefined();
  });

  it('rejects a loader link that loops', () => {
    const loader = readElfInterpreter(realpathSync('/bin/sh'))!;
    mkdirSync(join(root, 'bin'));
    copyFileSync(realpathSync('/bin/sh'), join(root, 'bin', 'sh'));
    mkdirSync(join(root, loader, '..'), { recursive: true });
    symlinkSync(loader, join(root, loader));
    expect(problemOf('gvisor')).toContain(`lacks ${loader}`);
  });

  it('skips the host rootfs and Kubernetes', () => {
    const host = resolveTemplate({ name: 'host' });
    expect(() => checkRootfs(host, 'gvisor')).not.toThrow();
    expect(problemOf('kubernetes')).toBeUndefined();
  });
});
