import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createFileReader,
  fixedFileReader,
  isCompiled,
  isUnread,
  openBeneath,
  READ_OPEN_FLAGS,
} from './file-reader.js';

/** The start of a 64-bit little-endian ELF header. */
const ELF_HEADER = [0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00];

describe('bounded file reader', () => {
  let base: string;
  let project: string;
  let outside: string;

  beforeAll(() => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'file-reader-'));
    project = path.join(base, 'project');
    outside = path.join(base, 'outside');
    fs.mkdirSync(path.join(project, 'scripts'), { recursive: true });
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(project, 'scripts/deploy.sh'), '#!/bin/sh\nmake\n');
    fs.writeFileSync(path.join(outside, 'secret'), 'token=1\n');
    fs.symlinkSync(path.join(outside, 'secret'), path.join(project, 'link.sh'));
    fs.symlinkSync(path.join(project, 'scripts/deploy.sh'), path.join(project, 'inner.sh'));
    fs.symlinkSync('/proc/self/environ', path.join(project, 'environ.sh'));
    fs.symlinkSync('/dev/tty', path.join(project, 'tty.sh'));
    fs.writeFileSync(path.join(project, 'big.sql'), 'x'.repeat(2048));
    fs.writeFileSync(path.join(project, 'binary'), Buffer.from([0x23, 0x21, 0x00, 0x01]));
    fs.writeFileSync(path.join(project, 'app'), Buffer.from([...ELF_HEADER, 0, 0, 0]));
    // A sparse file of 1 TiB: reading it whole would take hours.
    fs.writeFileSync(path.join(project, 'sparse.sh'), '#!/bin/sh\n');
    fs.truncateSync(path.join(project, 'sparse.sh'), 2 ** 40);
    execFileSync('mkfifo', [path.join(project, 'fifo')]);
    fs.writeFileSync(path.join(project, 'locked.sh'), 'make\n', { mode: 0o000 });
  });

  afterAll(() => {
    fs.rmSync(base, { recursive: true, force: true });
  });

  it('reads a small file inside the root', () => {
    const readFile = createFileReader([project]);
    expect(readFile(path.join(project, 'scripts/deploy.sh'))).toBe('#!/bin/sh\nmake\n');
  });

  it('follows a link that stays inside the root', () => {
    const readFile = createFileReader([project]);
    expect(readFile(path.join(project, 'inner.sh'))).toBe('#!/bin/sh\nmake\n');
  });

  it.each([
    ['a file outside the root', () => path.join(outside, 'secret')],
    ['/proc/kcore', () => '/proc/kcore'],
    ['a missing file', () => path.join(project, 'missing.sh')],
    ['a file under a missing folder', () => path.join(project, 'missing/x.sh')],
    ['a relative path', () => 'scripts/deploy.sh'],
  ])('returns undefined for %s', (_name, file) => {
    const readFile = createFileReader([project]);
    expect(readFile(file())).toBeUndefined();
  });

  it.each([
    ['a link out of the root', 'link.sh', 'links outside the project'],
    ['a link into /proc', 'environ.sh', 'links outside the project'],
    ['a link to a terminal', 'tty.sh', 'links outside the project'],
    ['a folder', 'scripts', 'is a folder'],
    ['a FIFO', 'fifo', 'is a FIFO'],
    ['a file with NUL bytes', 'binary', 'contains NUL bytes'],
    ['a sparse file of 1 TiB', 'sparse.sh', 'is larger than 65536 bytes'],
  ])('reports %s as unread', (_name, file, reason) => {
    const result = createFileReader([project])(path.join(project, file));
    expect(result).toEqual({ unread: reason, compiled: false });
  });

  it('reports a file it may not open as unread', () => {
    const result = createFileReader([project])(path.join(project, 'locked.sh'));
    // Root opens a file of mode 000 anyway.
    expect(result).toEqual(
      process.getuid?.() === 0
        ? 'make\n'
        : { unread: 'cannot be opened (EACCES)', compiled: false },
    );
  });

  it('reports a device node inside the root as unread', () => {
    const node = path.join(project, 'tty-node');
    try {
      execFileSync('mknod', [node, 'c', '5', '0'], { stdio: 'ignore' });
    } catch {
      return; // Making a device node needs root.
    }
    expect(createFileReader([project])(node)).toEqual({ unread: 'is a device', compiled: false });
  });

  it('marks a compiled program as compiled', () => {
    const result = createFileReader([project])(path.join(project, 'app'));
    expect(result).toEqual({ unread: 'contains NUL bytes', compiled: true });
  });

  it('reports a file over the size limit as unread', () => {
    const readFile = createFileReader([project], 1024);
    expect(readFile(path.join(project, 'big.sql'))).toEqual({
      unread: 'is larger than 1024 bytes',
      compiled: false,
    });
    expect(createFileReader([project], 4096)(path.join(project, 'big.sql'))).toHaveLength(2048);
  });

  it('reads nothing when no root exists', () => {
    const readFile = createFileReader([path.join(base, 'gone')]);
    expect(readFile(path.join(project, 'scripts/deploy.sh'))).toBeUndefined();
  });

  it('opens a FIFO without waiting for a writer', () => {
    // The reader rejects a FIFO before opening it; one swapped in after that check is opened
    // with these flags, which must return at once.
    const descriptor = fs.openSync(path.join(project, 'fifo'), READ_OPEN_FLAGS);
    try {
      expect(fs.fstatSync(descriptor).isFIFO()).toBe(true);
    } finally {
      fs.closeSync(descriptor);
    }
  });

  it('opens a file below the root through its folders', () => {
    const descriptor = openBeneath(project, path.join(project, 'scripts/deploy.sh'));
    try {
      expect(fs.readFileSync(descriptor, 'utf8')).toBe('#!/bin/sh\nmake\n');
    } finally {
      fs.closeSync(descriptor);
    }
  });

  it.skipIf(!fs.existsSync('/proc/self/fd'))(
    'opens no file through a folder that is a link',
    () => {
      fs.symlinkSync(outside, path.join(project, 'out'));
      expect(() => openBeneath(project, path.join(project, 'out/secret'))).toThrow(/ENOTDIR|ELOOP/);
    },
  );

  it('never reads outside the root while a folder is swapped for a link', async () => {
    const race = path.join(base, 'race');
    const inside = path.join(race, 'project');
    const elsewhere = path.join(race, 'elsewhere');
    fs.mkdirSync(path.join(inside, 'sub'), { recursive: true });
    fs.mkdirSync(elsewhere);
    fs.writeFileSync(path.join(inside, 'sub/run.sh'), 'make\n');
    fs.writeFileSync(path.join(elsewhere, 'run.sh'), 'outside\n');
    fs.symlinkSync(elsewhere, path.join(inside, 'link'));
    // The child swaps `sub` between the folder and a link out, a bounded number of times.
    const swapper = spawn(
      process.execPath,
      [
        '-e',
        `const fs = require('fs');
         const [dir, link, sub] = process.argv.slice(1);
         for (let i = 0; i < 2000000; i += 1) {
           try { fs.renameSync(sub, dir); fs.renameSync(link, sub); fs.renameSync(sub, link); fs.renameSync(dir, sub); } catch {}
         }`,
        path.join(inside, 'dir'),
        path.join(inside, 'link'),
        path.join(inside, 'sub'),
      ],
      { stdio: 'ignore' },
    );
    const exited = new Promise((resolve) => swapper.once('exit', resolve));
    try {
      const readFile = createFileReader([inside]);
      const results = new Map<string, number>();
      for (let index = 0; index < 40_000 && swapper.exitCode === null; index += 1) {
        const result = readFile(path.join(inside, 'sub/run.sh'));
        const key = isUnread(result) ? result.unread : String(result);
        results.set(key, (results.get(key) ?? 0) + 1);
      }
      expect(results.get('outside\n')).toBeUndefined();
      expect(results.get('make\n')).toBeGreaterThan(0);
    } finally {
      swapper.kill();
      await exited;
    }
  });
});

describe('compiled program header', () => {
  it.each([
    ['ELF', ELF_HEADER, true],
    ['Mach-O', [0xcf, 0xfa, 0xed, 0xfe], true],
    ['PE', [0x4d, 0x5a, 0x90, 0x00], true],
    ['a script', [...Buffer.from('#!/bin/sh')], false],
    ['an empty file', [], false],
  ])('tells %s', (_name, bytes, compiled) => {
    expect(isCompiled(Uint8Array.from(bytes))).toBe(compiled);
  });
});

describe('stated file reader', () => {
  it('serves stated texts by path', () => {
    const readFile = fixedFileReader({ '/p/a.sh': 'ls\n' });
    expect(readFile('/p/a.sh')).toBe('ls\n');
    expect(readFile('/p/b.sh')).toBeUndefined();
    expect(readFile('constructor')).toBeUndefined();
  });

  it('reports stated texts a file reader would not read', () => {
    const readFile = fixedFileReader(
      { '/p/nul.sh': 'ls\0\n', '/p/big.sh': `${'#'.repeat(100)}\n`, '/p/app': '\x7fELF\x02\0' },
      64,
    );
    expect(readFile('/p/nul.sh')).toEqual({ unread: 'contains NUL bytes', compiled: false });
    expect(readFile('/p/big.sh')).toEqual({ unread: 'is larger than 64 bytes', compiled: false });
    expect(readFile('/p/app')).toEqual({ unread: 'contains NUL bytes', compiled: true });
  });
});
