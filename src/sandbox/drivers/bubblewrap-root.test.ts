import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rootBindArgs } from './bubblewrap-root.js';

const isRoot = process.getuid?.() === 0;

/** Returns the option groups of `args` that start with `option`, with their operands. */
function groups(args: readonly string[], option: string, operands: number): string[][] {
  const found: string[][] = [];
  args.forEach((arg, index) => {
    if (arg === option) {
      found.push(args.slice(index + 1, index + 1 + operands));
    }
  });
  return found;
}

describe.runIf(isRoot)('rootBindArgs', () => {
  let root = '';
  let args: string[] = [];

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'sandstack-bwroot-unit-'));
    for (const dir of ['usr/bin', 'etc/ssh', 'var/cache', 'var/lib/state/sbx', 'tmp', 'opt']) {
      mkdirSync(join(root, dir), { recursive: true });
    }
    chmodSync(join(root, 'var/lib'), 0o750);
    writeFileSync(join(root, 'etc/hosts'), '127.0.0.1 localhost\n');
    symlinkSync('usr/bin', join(root, 'bin'));
    // A mount under the state folder, as a sandbox's writable layer is.
    execFileSync('mount', [
      '-t',
      'tmpfs',
      '-o',
      'size=1m',
      'unit-layer',
      join(root, 'var/lib/state/sbx'),
    ]);
    args = rootBindArgs(root, {
      hiddenDirs: ['/etc/ssh', '/var/lib/state'],
      hiddenFiles: [],
      replaced: ['/dev', '/proc', '/tmp', '/workspace'],
    });
  });

  afterAll(() => {
    execFileSync('umount', [join(root, 'var/lib/state/sbx')]);
    rmSync(root, { recursive: true, force: true });
  });

  it('recreates top-level symlinks', () => {
    expect(groups(args, '--symlink', 2)).toContainEqual(['usr/bin', '/bin']);
  });

  it('descends to a folder with mounts', () => {
    expect(groups(args, '--dir', 1)).toEqual([['/var'], ['/var/lib']]);
    expect(groups(args, '--perms', 1)).toEqual([['755'], ['750']]);
    expect(groups(args, '--ro-bind-try', 2)).toContainEqual([
      join(root, 'var/cache'),
      '/var/cache',
    ]);
    expect(args.filter((arg) => arg.includes('state'))).toEqual([]);
  });

  it('binds a parent without mounts whole', () => {
    // /etc/ssh contains no mount, so the caller's cover inside the bind of /etc hides it.
    expect(groups(args, '--ro-bind-try', 2)).toContainEqual([join(root, 'etc'), '/etc']);
    expect(args).not.toContain(join(root, 'etc/hosts'));
  });

  it('leaves out replaced top-level folders', () => {
    expect(args).not.toContain(join(root, 'tmp'));
    expect(groups(args, '--ro-bind-try', 2)).toContainEqual([join(root, 'opt'), '/opt']);
    expect(groups(args, '--ro-bind-try', 2)).toContainEqual([join(root, 'usr'), '/usr']);
  });
});
