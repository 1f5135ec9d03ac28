/**
 * Listing, checking, deleting and tar copies of folders in real gVisor and bubblewrap
 * sandboxes, including hostile archives and paths that lead out of the sandbox.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deleteFile,
  downloadArchive,
  fileExists,
  listFiles,
  MAX_ARCHIVE_BYTES,
  uploadArchive,
} from '../../src/sandbox/files.js';
import { resolveTemplate } from '../../src/sandbox/templates.js';
import type { SandboxInstance } from '../../src/sandbox/types.js';
import { localDrivers } from '../helpers/sandbox.js';

const checks = await localDrivers();

/** Makes a tar archive of `folder` with the host's GNU tar, with extra tar arguments. */
function tarOf(folder: string, ...extra: string[]): Buffer {
  return execFileSync('tar', ['-C', folder, '-cf', '-', ...extra, '.'], {
    maxBuffer: 64 * 1024 * 1024,
  });
}

/** Lists the member names of a tar archive with the host's tar. */
function membersOf(archive: Buffer): string[] {
  return execFileSync('tar', ['-tf', '-'], { input: archive, encoding: 'utf8' })
    .trim()
    .split('\n')
    .sort();
}

async function errorOf(work: Promise<unknown>): Promise<{ code?: string; message: string }> {
  try {
    await work;
  } catch (error) {
    return error as { code?: string; message: string };
  }
  throw new Error('expected the call to fail');
}

for (const { driver, check } of checks) {
  const suite = check.available ? describe : describe.skip;

  suite(`${driver.name}: sandbox files`, () => {
    let dir = '';
    let sandbox: SandboxInstance;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'sandstack-files-'));
      const id = `sbx_files${driver.name}`;
      const template = resolveTemplate({ name: 'files', commandTimeoutMs: 30_000 });
      sandbox = await driver.create({ id, template, stateDir: join(dir, id) });
    });

    afterAll(async () => {
      await sandbox.destroy();
      rmSync(dir, { recursive: true, force: true });
    });

    it('lists a folder with types and sizes', async () => {
      await sandbox.exec({
        command:
          "mkdir -p list/sub && printf abc > list/a.txt && ln -s a.txt list/link && printf '' > 'list/we ird\tname'",
      });
      const entries = await listFiles(sandbox, 'list');
      expect(entries.map((entry) => [entry.name, entry.type])).toEqual([
        ['a.txt', 'file'],
        ['link', 'symlink'],
        ['sub', 'directory'],
        ['we ird\tname', 'file'],
      ]);
      expect(entries[0]?.sizeBytes).toBe(3);
      expect(entries[0]?.modifiedMs).toBeGreaterThan(Date.now() - 600_000);
    });

    it('names a missing folder and a file', async () => {
      const missing = await errorOf(listFiles(sandbox, 'no-such-folder'));
      expect(missing.code).toBe('FILE_NOT_FOUND');
      expect(missing.message).toContain('"no-such-folder"');
      const file = await errorOf(listFiles(sandbox, 'list/a.txt'));
      expect(file.code).toBe('SANDBOX_PATH_INVALID');
      expect(file.message).toContain('not a directory');
    });

    it('checks whether paths exist', async () => {
      await sandbox.exec({ command: 'ln -sf /nowhere dangling' });
      expect(await fileExists(sandbox, 'list/a.txt')).toBe(true);
      expect(await fileExists(sandbox, 'dangling')).toBe(true);
      expect(await fileExists(sandbox, 'list/none')).toBe(false);
      expect(await fileExists(sandbox, '-n')).toBe(false);
    });

    it('deletes files and folders', async () => {
      await sandbox.exec({ command: 'mkdir -p del/deep && touch del/deep/x del/y' });
      await deleteFile(sandbox, 'del/y');
      expect(await fileExists(sandbox, 'del/y')).toBe(false);
      const folder = await errorOf(deleteFile(sandbox, 'del'));
      expect(folder.code).toBe('SANDBOX_PATH_INVALID');
      expect(folder.message).toContain('recursive');
      await deleteFile(sandbox, 'del', { recursive: true });
      expect(await fileExists(sandbox, 'del')).toBe(false);
      const missing = await errorOf(deleteFile(sandbox, 'del'));
      expect(missing.code).toBe('FILE_NOT_FOUND');
    });

    it('deletes a symlink, not its target', async () => {
      await sandbox.exec({ command: 'mkdir -p keep && touch keep/file && ln -s keep keep-link' });
      await deleteFile(sandbox, 'keep-link');
      expect(await fileExists(sandbox, 'keep-link')).toBe(false);
      expect(await fileExists(sandbox, 'keep/file')).toBe(true);
    });

    it('copies a folder in and out as tar', async () => {
      const source = join(dir, 'source');
      mkdirSync(join(source, 'nested'), { recursive: true });
      writeFileSync(join(source, 'top.txt'), 'top');
      writeFileSync(join(source, 'nested', 'binary.bin'), Buffer.from([0, 255, 1, 254, 10, 13]));
      await uploadArchive(sandbox, 'copied', tarOf(source));

      const read = await sandbox.readFile('copied/nested/binary.bin');
      expect([...read]).toEqual([0, 255, 1, 254, 10, 13]);
      const archive = await downloadArchive(sandbox, 'copied');
      expect(membersOf(archive)).toEqual(['./', './nested/', './nested/binary.bin', './top.txt']);
      const back = join(dir, 'back');
      mkdirSync(back);
      execFileSync('tar', ['-C', back, '-xf', '-'], { input: archive });
      expect(execFileSync('cmp', [join(source, 'top.txt'), join(back, 'top.txt')])).toHaveLength(0);
    });

    it('rejects archive entries that climb out', async () => {
      const hostile = join(dir, 'hostile');
      mkdirSync(hostile);
      writeFileSync(join(hostile, 'escape.txt'), 'escaped');
      // --transform writes the member name with "../" in front, as a hostile archive would.
      const archive = tarOf(hostile, '--transform', 's,^\\./escape,../../escape,');
      const error = await errorOf(uploadArchive(sandbox, 'target/inner', archive));
      expect(error.code).toBe('INVALID_ARGUMENT');
      expect(error.message).toContain('Archive member "../../escape.txt" was rejected');
      expect(error.message).toContain('contains ".."');
      expect(await fileExists(sandbox, 'escape.txt')).toBe(false);
      expect(await fileExists(sandbox, 'target')).toBe(false);
      expect(existsSync(join(dir, 'escape.txt'))).toBe(false);
    });

    it('rejects hostile archives whole', async () => {
      const source = join(dir, 'hostile-parts');
      mkdirSync(join(source, 'real/up'), { recursive: true });
      writeFileSync(join(source, 'first.txt'), 'first');
      writeFileSync(join(source, 'real/up/x.txt'), 'through the link');
      symlinkSync('/etc', join(source, 'up'));
      execFileSync('ln', [join(source, 'first.txt'), join(source, 'hard')]);
      execFileSync('mknod', [join(source, 'null'), 'c', '1', '3']);
      // Each archive starts with first.txt, so a partial unpack would leave it behind.
      const tar = (...args: string[]): Buffer =>
        execFileSync('tar', ['-C', source, '-P', '-cf', '-', 'first.txt', ...args]);
      const cases: [string, Buffer, string][] = [
        [
          'absolute',
          tar(
            '--transform',
            's,^x\\.txt$,/tmp/sandstack-abs.txt,',
            '-C',
            join(source, 'real/up'),
            'x.txt',
          ),
          'its path "/tmp/sandstack-abs.txt" is absolute',
        ],
        ['dotdot', tar('--transform', 's,^null$,../null,', 'null'), 'contains ".."'],
        [
          'through symlink',
          tar('up', '-C', join(source, 'real'), 'up/x.txt'),
          '"up/x.txt" was rejected because it lies under "up", a symlink',
        ],
        [
          'hard link out',
          tar('--transform', 's,^first.txt$,/etc/passwd,R', 'hard'),
          'its hard link target "/etc/passwd" is absolute',
        ],
        ['device', tar('null'), '"null" was rejected because it is a character device'],
      ];
      for (const [label, archive, expected] of cases) {
        const error = await errorOf(uploadArchive(sandbox, `hostile-${label}`, archive));
        expect(error.code, label).toBe('INVALID_ARGUMENT');
        expect(error.message, label).toContain(expected);
        expect(error.message, label).toContain('nothing was unpacked');
        expect(await fileExists(sandbox, `hostile-${label}`), label).toBe(false);
      }
      expect(existsSync('/tmp/sandstack-abs.txt')).toBe(false);
      const after = await sandbox.exec({ command: 'ls /tmp; cat /etc/passwd | head -1' });
      expect(after.stdout).not.toContain('sandstack-abs.txt');
      expect(after.stdout).not.toContain('through the link');
    });

    it('upload filling the disk writes nothing', async () => {
      const id = `sbx_smalldisk${driver.name}`;
      const template = resolveTemplate({
        name: 'small-disk',
        commandTimeoutMs: 30_000,
        resources: { diskBytes: 8 * 1024 * 1024 },
      });
      const small = await driver.create({ id, template, stateDir: join(dir, id) });
      try {
        await small.exec({ command: 'mkdir -p dest && printf old > dest/first.txt' });
        const source = join(dir, 'too-large');
        mkdirSync(source);
        writeFileSync(join(source, 'first.txt'), 'new');
        writeFileSync(join(source, 'big.bin'), randomBytes(16 * 1024 * 1024));
        // first.txt comes first, so an unpack without staging would leave it behind.
        const archive = execFileSync('tar', ['-C', source, '-cf', '-', 'first.txt', 'big.bin'], {
          maxBuffer: 64 * 1024 * 1024,
        });

        const error = await errorOf(uploadArchive(small, 'dest', archive));
        expect(error.code).toBe('SANDBOX_PATH_INVALID');
        expect(error.message).toContain('Could not unpack the archive into "dest"');
        expect(error.message).toContain('tar: big.bin:');
        expect(error.message).toContain('Nothing was written');
        expect((await small.readFile('dest/first.txt')).toString()).toBe('old');
        expect((await listFiles(small, 'dest')).map((entry) => entry.name)).toEqual(['first.txt']);

        const fresh = await errorOf(uploadArchive(small, 'fresh/inner', archive));
        expect(fresh.message).toContain('Nothing was written');
        expect(await fileExists(small, 'fresh/inner')).toBe(false);

        // The staged members are gone, so the disk has room for a smaller upload.
        rmSync(join(source, 'big.bin'));
        await uploadArchive(small, 'dest', tarOf(source));
        expect((await small.readFile('dest/first.txt')).toString()).toBe('new');
      } finally {
        await small.destroy();
      }
    });

    it('upload merges as tar does', async () => {
      await sandbox.exec({
        command:
          'mkdir -p merge elsewhere && printf keep > merge/keep.txt && printf old > merge/same.txt && ln -s ../elsewhere merge/link',
      });
      const source = join(dir, 'merge-source');
      mkdirSync(join(source, 'link'), { recursive: true });
      mkdirSync(join(source, 'sub'));
      writeFileSync(join(source, 'same.txt'), 'new');
      writeFileSync(join(source, 'link', 'inner.txt'), 'inner');
      writeFileSync(join(source, 'sub', 'added.txt'), 'added');
      await uploadArchive(sandbox, 'merge', tarOf(source));

      expect((await listFiles(sandbox, 'merge')).map((entry) => [entry.name, entry.type])).toEqual([
        ['keep.txt', 'file'],
        ['link', 'directory'],
        ['same.txt', 'file'],
        ['sub', 'directory'],
      ]);
      expect((await sandbox.readFile('merge/keep.txt')).toString()).toBe('keep');
      expect((await sandbox.readFile('merge/same.txt')).toString()).toBe('new');
      expect((await sandbox.readFile('merge/link/inner.txt')).toString()).toBe('inner');
      expect((await sandbox.readFile('merge/sub/added.txt')).toString()).toBe('added');
      // The symlink was replaced, not written through.
      expect(await fileExists(sandbox, 'elsewhere/inner.txt')).toBe(false);
    });

    it('folder in the way writes nothing', async () => {
      await sandbox.exec({ command: 'mkdir -p way/x' });
      const source = join(dir, 'way-source');
      mkdirSync(source);
      writeFileSync(join(source, 'a.txt'), 'a');
      writeFileSync(join(source, 'x'), 'file where a folder is');
      const error = await errorOf(uploadArchive(sandbox, 'way', tarOf(source)));
      expect(error.code).toBe('SANDBOX_PATH_INVALID');
      expect(error.message).toContain('member "x" is not a folder, but "way" has a folder there');
      expect(error.message).toContain('Nothing was written');
      expect((await listFiles(sandbox, 'way')).map((entry) => entry.name)).toEqual(['x']);
    });

    it('rejects an oversized archive', async () => {
      const error = await errorOf(
        uploadArchive(sandbox, 'too-big', new Uint8Array(MAX_ARCHIVE_BYTES + 1)),
      );
      expect(error.code).toBe('SANDBOX_LIMIT');
      expect(error.message).toContain(`larger than the ${MAX_ARCHIVE_BYTES} bytes`);
      expect(await fileExists(sandbox, 'too-big')).toBe(false);
    });

    it('keeps host files out of downloads', async () => {
      const secretDir = mkdtempSync(join(tmpdir(), 'sandstack-files-secret-'));
      writeFileSync(join(secretDir, 'secret.txt'), 'host secret');
      symlinkSync(secretDir, join(dir, 'host-link'));
      try {
        await sandbox.exec({ command: `ln -sfn ${dir}/host-link linked` });
        const archive = await downloadArchive(sandbox, '.').catch(() => Buffer.alloc(0));
        expect(archive.includes(Buffer.from('host secret'))).toBe(false);
      } finally {
        rmSync(secretDir, { recursive: true, force: true });
      }
    });

    it('rejects empty and NUL paths', async () => {
      const empty = await errorOf(listFiles(sandbox, ''));
      expect(empty.code).toBe('SANDBOX_PATH_INVALID');
      const nul = await errorOf(deleteFile(sandbox, 'a\0b'));
      expect(nul.code).toBe('SANDBOX_PATH_INVALID');
    });
  });
}
