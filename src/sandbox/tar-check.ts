/**
 * Checks every member of a tar archive on the host before any byte of it reaches a sandbox,
 * so a hostile archive is rejected whole, naming the member and why, rather than unpacked in
 * part. It reads POSIX ustar headers, GNU long names and links, and the `path`, `linkpath` and
 * `size` records of pax headers, which covers the gnu, pax and ustar formats of GNU tar.
 */
import { posix } from 'node:path';
import { SandstackError } from '../core/errors.js';

const BLOCK = 512;

/** A member's normalized path, its type and its link target. */
interface Member {
  path: string;
  type: 'file' | 'directory' | 'symlink' | 'hardlink';
  linkPath: string;
}

/** Headers that describe the next member rather than being one. */
interface PendingNames {
  path?: string;
  linkPath?: string;
  size?: number;
}

/**
 * Checks a tar archive that is to be unpacked into a sandbox folder. Each member must have
 * a relative path without `..`, must be a file, folder, symlink or hard link, must not lie
 * under a symlink of the archive, and a hard link must name an earlier file of the archive.
 * @throws SandstackError `INVALID_ARGUMENT` naming the first offending member and why
 */
export function checkArchive(archive: Uint8Array): void {
  const members = readMembers(Buffer.from(archive.buffer, archive.byteOffset, archive.byteLength));
  const symlinks = new Set(members.filter((m) => m.type === 'symlink').map((m) => m.path));
  const files = new Set<string>();
  for (const member of members) {
    const underLink = parentsOf(member.path).find((parent) => symlinks.has(parent));
    if (underLink !== undefined) {
      reject(
        member.path,
        `it lies under "${underLink}", a symlink of the same archive, so it would be written wherever that link points`,
      );
    }
    if (member.type === 'hardlink') {
      checkHardLink(member, files, symlinks);
    }
    if (member.type === 'file') {
      files.add(member.path);
    }
  }
}

function checkHardLink(member: Member, files: Set<string>, symlinks: Set<string>): void {
  const target = normalize(member.path, member.linkPath, 'hard link target');
  const underLink = parentsOf(target).find((parent) => symlinks.has(parent));
  if (underLink !== undefined || !files.has(target)) {
    reject(
      member.path,
      `it is a hard link to "${member.linkPath}", which is not an earlier file of the archive`,
    );
  }
}

/** Reads every member header, following GNU long-name and pax records. */
function readMembers(data: Buffer): Member[] {
  const members: Member[] = [];
  let pending: PendingNames = {};
  let offset = 0;
  while (offset + BLOCK <= data.length) {
    const header = data.subarray(offset, offset + BLOCK);
    if (header.every((byte) => byte === 0)) {
      return members;
    }
    checkChecksum(header, offset);
    const type = String.fromCharCode(header[156] ?? 0);
    const size = pending.size ?? sizeOf(header, offset);
    const body = data.subarray(offset + BLOCK, offset + BLOCK + size);
    const rawName = pending.path ?? nameOf(header);
    if (body.length < size) {
      reject(
        rawName,
        `the archive ends inside it (${size} bytes declared, ${body.length} present); send the whole archive`,
      );
    }
    offset += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'L' || type === 'K' || type === 'x') {
      pending = { ...pending, ...metadataOf(type, body) };
      continue;
    }
    const linkPath = pending.linkPath ?? text(header, 157, 100);
    pending = {};
    if (type === 'g' || type === 'V') {
      // A pax global header or a volume label describes the archive, not a member.
      continue;
    }
    members.push(memberOf(rawName, type, linkPath));
  }
  // An archive without end-of-archive blocks ends here, and every header was checked.
  return members;
}

function memberOf(rawName: string, type: string, linkPath: string): Member {
  const path = normalize(rawName, rawName, 'path');
  switch (type) {
    case '0':
    case '\0':
    case '7':
      return { path, type: 'file', linkPath };
    case '5':
      return { path, type: 'directory', linkPath };
    case '2':
      return { path, type: 'symlink', linkPath };
    case '1':
      return { path, type: 'hardlink', linkPath };
    case '3':
    case '4':
      return reject(
        rawName,
        `it is a ${type === '3' ? 'character' : 'block'} device, and a sandbox takes no device files`,
      );
    case '6':
      return reject(
        rawName,
        'it is a FIFO, and a sandbox takes only files, folders and links from an archive',
      );
    default:
      return reject(
        rawName,
        `its tar type "${type}" is not supported; archive plain files, folders and links`,
      );
  }
}

/**
 * Returns a member path without a leading `./` or trailing `/` ('' for the folder itself).
 * @throws SandstackError for an absolute path or a `..` component
 */
function normalize(member: string, path: string, what: string): string {
  if (path.includes('\0')) {
    reject(member, `its ${what} contains a NUL byte`);
  }
  if (path.startsWith('/')) {
    reject(member, `its ${what} "${path}" is absolute; archive paths relative to the folder`);
  }
  const parts = path.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) {
    reject(member, `its ${what} "${path}" contains "..", which would climb out of the folder`);
  }
  return parts.join('/');
}

/** Returns the folders above a normalized path, nearest last: `a/b/c` gives `a`, `a/b`. */
function parentsOf(path: string): string[] {
  const parents: string[] = [];
  for (
    let parent = posix.dirname(path);
    parent !== '.' && parent !== '';
    parent = posix.dirname(parent)
  ) {
    parents.unshift(parent);
  }
  return parents;
}

function metadataOf(type: string, body: Buffer): PendingNames {
  if (type === 'L') {
    return { path: cString(body) };
  }
  if (type === 'K') {
    return { linkPath: cString(body) };
  }
  // A pax record is "<length> <key>=<value>\n", with the length counting the whole record.
  const names: PendingNames = {};
  let offset = 0;
  while (offset < body.length && body[offset] !== 0) {
    const space = body.indexOf(0x20, offset);
    const length = Number(body.subarray(offset, space).toString('ascii'));
    if (space < 0 || !Number.isSafeInteger(length) || length <= 0) {
      throw invalid('a pax header has a malformed record');
    }
    const record = body.subarray(space + 1, offset + length - 1).toString('utf8');
    const equals = record.indexOf('=');
    const key = record.slice(0, equals);
    const value = record.slice(equals + 1);
    if (key === 'path') {
      names.path = value;
    } else if (key === 'linkpath') {
      names.linkPath = value;
    } else if (key === 'size') {
      names.size = Number(value);
    }
    offset += length;
  }
  return names;
}

function nameOf(header: Buffer): string {
  const name = text(header, 0, 100);
  // Only POSIX ustar ("ustar\0") has a prefix field; GNU tar keeps other data there.
  const magic = header.subarray(257, 263).toString('latin1');
  const prefix = magic === 'ustar\0' ? text(header, 345, 155) : '';
  return prefix === '' ? name : `${prefix}/${name}`;
}

/** Reads a size field: octal digits, or base-256 when the first byte has its top bit set. */
function sizeOf(header: Buffer, offset: number): number {
  const field = header.subarray(124, 136);
  let size: number;
  if (((field[0] ?? 0) & 0x80) !== 0) {
    size = 0;
    for (const [index, byte] of field.entries()) {
      size = size * 256 + (index === 0 ? byte & 0x7f : byte);
    }
  } else {
    size = parseInt(text(header, 124, 12).trim() || '0', 8);
  }
  if (!Number.isSafeInteger(size) || size < 0) {
    throw invalid(`the header at byte ${offset} has an invalid size`);
  }
  return size;
}

function checkChecksum(header: Buffer, offset: number): void {
  const stored = parseInt(text(header, 148, 8).trim(), 8);
  let sum = 0;
  for (const [index, byte] of header.entries()) {
    sum += index >= 148 && index < 156 ? 0x20 : byte;
  }
  if (stored !== sum) {
    throw invalid(`the header at byte ${offset} has a wrong checksum`);
  }
}

function text(header: Buffer, start: number, length: number): string {
  return cString(header.subarray(start, start + length));
}

function cString(bytes: Buffer): string {
  const end = bytes.indexOf(0);
  return bytes.subarray(0, end < 0 ? bytes.length : end).toString('utf8');
}

function invalid(why: string): SandstackError {
  return new SandstackError(
    'INVALID_ARGUMENT',
    `The upload is not a valid tar archive: ${why}; nothing was unpacked. Send an uncompressed tar archive`,
  );
}

function reject(member: string, why: string): never {
  throw new SandstackError(
    'INVALID_ARGUMENT',
    `Archive member ${JSON.stringify(member)} was rejected because ${why}; nothing was unpacked`,
    { details: { member } },
  );
}
