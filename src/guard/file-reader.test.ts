import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileReader, fixedFileReader } from './file-reader.js';

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
    fs.writeFileSync(path.join(project, 'big.sql'), 'x'.repeat(2048));
    fs.writeFileSync(path.join(project, 'binary'), Buffer.from([0x7f, 0x45, 0x00, 0x01]));
    execFileSync('mkfifo', [path.join(project, 'fifo')]);
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
    ['a link out of the root', () => path.join(project, 'link.sh')],
    ['a missing file', () => path.join(project, 'missing.sh')],
    ['a folder', () => path.join(project, 'scripts')],
    ['a FIFO', () => path.join(project, 'fifo')],
    ['a device', () => '/dev/zero'],
    ['a file with NUL bytes', () => path.join(project, 'binary')],
    ['a relative path', () => 'scripts/deploy.sh'],
  ])('returns undefined for %s', (_name, file) => {
    const readFile = createFileReader([project, '/dev']);
    expect(readFile(file())).toBeUndefined();
  });

  it('returns undefined for a file over the size limit', () => {
    const readFile = createFileReader([project], 1024);
    expect(readFile(path.join(project, 'big.sql'))).toBeUndefined();
    expect(createFileReader([project], 4096)(path.join(project, 'big.sql'))).toHaveLength(2048);
  });

  it('reads nothing when no root exists', () => {
    const readFile = createFileReader([path.join(base, 'gone')]);
    expect(readFile(path.join(project, 'scripts/deploy.sh'))).toBeUndefined();
  });

  it('serves stated texts by path', () => {
    const readFile = fixedFileReader({ '/p/a.sh': 'ls\n' });
    expect(readFile('/p/a.sh')).toBe('ls\n');
    expect(readFile('/p/b.sh')).toBeUndefined();
    expect(readFile('constructor')).toBeUndefined();
  });
});
