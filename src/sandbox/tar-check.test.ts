import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isSandstackError } from '../core/errors.js';
import { checkArchive } from './tar-check.js';

interface TestMember {
  name: string;
  /** Tar type flag: '0' file, '1' hard link, '2' symlink, '3' char device, '5' folder. */
  type?: string;
  data?: string;
  link?: string;
}

/** Builds a ustar header block with a valid checksum. */
function header(name: string, type: string, size: number, link = ''): Buffer {
  const block = Buffer.alloc(512);
  block.write(name, 0, 100, 'utf8');
  block.write('0000644\0', 100, 'ascii');
  block.write('0000000\0', 108, 'ascii');
  block.write('0000000\0', 116, 'ascii');
  block.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'ascii');
  block.write('00000000000\0', 136, 'ascii');
  block.write(type, 156, 'ascii');
  block.write(link, 157, 100, 'utf8');
  block.write('ustar\0', 257, 'latin1');
  block.write('00', 263, 'ascii');
  block.fill(0x20, 148, 156);
  const sum = block.reduce((total, byte) => total + byte, 0);
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return block;
}

/** Builds an archive from members, as a hostile client could, without any tar tool. */
function archiveOf(members: TestMember[]): Buffer {
  const parts: Buffer[] = [];
  for (const member of members) {
    const data = Buffer.from(member.data ?? '');
    parts.push(header(member.name, member.type ?? '0', data.length, member.link));
    parts.push(data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/** Builds a pax extended header that sets the next member's path. */
function paxPath(path: string): TestMember {
  const record = (length: number): string => `${length} path=${path}\n`;
  let length = record(0).length;
  while (record(length).length !== length) {
    length = record(length).length;
  }
  return { name: 'PaxHeader', type: 'x', data: record(length) };
}

function rejectionOf(archive: Buffer): string | undefined {
  try {
    checkArchive(archive);
    return undefined;
  } catch (error) {
    expect(isSandstackError(error, 'INVALID_ARGUMENT')).toBe(true);
    return (error as Error).message;
  }
}

describe('checkArchive', () => {
  it('accepts a folder packed by GNU tar', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandstack-tar-check-'));
    try {
      mkdirSync(join(dir, 'nested'));
      writeFileSync(join(dir, 'nested', 'a.txt'), 'a');
      // Longer than ustar's 100-byte name field, so each format stores it its own way.
      mkdirSync(join(dir, 'd'.repeat(80)));
      writeFileSync(join(dir, 'd'.repeat(80), `${'f'.repeat(60)}.txt`), 'long');
      symlinkSync('nested/a.txt', join(dir, 'link'));
      symlinkSync('/etc/passwd', join(dir, 'absolute-link'));
      execFileSync('ln', [join(dir, 'nested', 'a.txt'), join(dir, 'hard')]);
      for (const format of ['gnu', 'pax', 'ustar']) {
        const archive = execFileSync('tar', ['-C', dir, `--format=${format}`, '-cf', '-', '.']);
        expect(rejectionOf(archive)).toBeUndefined();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('accepts an empty archive', () => {
    expect(rejectionOf(Buffer.alloc(1024))).toBeUndefined();
  });

  it('rejects hostile members by name', () => {
    const cases: [TestMember[], string][] = [
      [
        [{ name: '/etc/cron.d/evil', data: 'x' }],
        '"/etc/cron.d/evil" was rejected because its path "/etc/cron.d/evil" is absolute',
      ],
      [
        [{ name: 'a/../../evil', data: 'x' }],
        '"a/../../evil" was rejected because its path "a/../../evil" contains ".."',
      ],
      [[{ name: '..', type: '5' }], '".." was rejected because its path ".." contains ".."'],
      [
        [
          { name: 'up', type: '2', link: '/etc' },
          { name: 'up/passwd', data: 'x' },
        ],
        '"up/passwd" was rejected because it lies under "up", a symlink of the same archive',
      ],
      [
        [
          { name: 'deep/dir/file', data: 'x' },
          { name: 'deep', type: '2', link: '/' },
        ],
        '"deep/dir/file" was rejected because it lies under "deep"',
      ],
      [
        [{ name: 'out', type: '1', link: '/etc/shadow' }],
        '"out" was rejected because its hard link target "/etc/shadow" is absolute',
      ],
      [
        [{ name: 'out', type: '1', link: '../../etc/shadow' }],
        '"out" was rejected because its hard link target "../../etc/shadow" contains ".."',
      ],
      [
        [
          { name: 'out', type: '1', link: 'later' },
          { name: 'later', data: 'x' },
        ],
        '"out" was rejected because it is a hard link to "later", which is not an earlier file',
      ],
      [
        [
          { name: 'up', type: '2', link: '/etc' },
          { name: 'out', type: '1', link: 'up/shadow' },
        ],
        '"out" was rejected because it is a hard link to "up/shadow", which is not an earlier file',
      ],
      [[{ name: 'null', type: '3' }], '"null" was rejected because it is a character device'],
      [[{ name: 'disk', type: '4' }], '"disk" was rejected because it is a block device'],
      [[{ name: 'pipe', type: '6' }], '"pipe" was rejected because it is a FIFO'],
      [[paxPath('../pax-escape'), { name: 'harmless', data: 'x' }], '"../pax-escape" was rejected'],
      [
        [
          { name: '././@LongLink', type: 'L', data: '/long/absolute\0' },
          { name: 'x', data: 'x' },
        ],
        '"/long/absolute" was rejected',
      ],
    ];
    for (const [members, expected] of cases) {
      const message = rejectionOf(archiveOf(members));
      expect(message, JSON.stringify(members)).toContain(`Archive member ${expected}`);
      expect(message).toContain('nothing was unpacked');
    }
  });

  it('rejects a truncated archive', () => {
    const archive = archiveOf([{ name: 'big', data: 'x'.repeat(2000) }]).subarray(0, 1024);
    expect(rejectionOf(archive)).toContain('"big" was rejected because the archive ends inside it');
  });

  it('rejects bytes that are not tar', () => {
    expect(rejectionOf(Buffer.alloc(512, 'a'))).toContain('not a valid tar archive');
  });
});
