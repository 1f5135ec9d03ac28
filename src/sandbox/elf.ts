/**
 * Reads the program interpreter of an ELF executable, so a root filesystem can be checked
 * for the dynamic loader its programs name without running them.
 */
import { closeSync, openSync, readSync } from 'node:fs';

/** Program header type of the interpreter path (PT_INTERP in the System V ABI). */
const PT_INTERP = 3;

/** Longest interpreter path read; Linux itself rejects a PT_INTERP longer than a page. */
const MAX_INTERPRETER_BYTES = 4096;

/** Program headers read at most, so a corrupt header count cannot make the read unbounded. */
const MAX_PROGRAM_HEADERS = 256;

/**
 * Returns the interpreter path (PT_INTERP) of an ELF file, such as
 * `/lib64/ld-linux-x86-64.so.2`. Returns undefined for a statically linked program, for a
 * file that is not ELF (a shell script) and for one that cannot be read or is truncated.
 */
export function readElfInterpreter(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    return interpreterOf(fd);
  } catch {
    // A folder (EISDIR) or a read error: nothing to check.
    return undefined;
  } finally {
    closeSync(fd);
  }
}

function interpreterOf(fd: number): string | undefined {
  const header = readAt(fd, 0, 64);
  if (header === undefined || header.readUInt32BE(0) !== 0x7f454c46) {
    return undefined;
  }
  // e_ident[EI_CLASS] is 1 for 32-bit and 2 for 64-bit, e_ident[EI_DATA] 1 for
  // little-endian and 2 for big-endian.
  const is64 = header[4] === 2;
  const little = header[5] === 1;
  const word = (buffer: Buffer, offset: number): number =>
    little ? buffer.readUInt32LE(offset) : buffer.readUInt32BE(offset);
  const half = (buffer: Buffer, offset: number): number =>
    little ? buffer.readUInt16LE(offset) : buffer.readUInt16BE(offset);
  const address = (buffer: Buffer, offset: number): number => {
    if (!is64) {
      return word(buffer, offset);
    }
    const value = little ? buffer.readBigUInt64LE(offset) : buffer.readBigUInt64BE(offset);
    return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value);
  };

  const programHeaderOffset = address(header, is64 ? 32 : 28);
  const entrySize = half(header, is64 ? 54 : 42);
  const entryCount = Math.min(half(header, is64 ? 56 : 44), MAX_PROGRAM_HEADERS);
  const minEntrySize = is64 ? 56 : 32;
  if (entrySize < minEntrySize) {
    return undefined;
  }
  for (let index = 0; index < entryCount; index += 1) {
    const entry = readAt(fd, programHeaderOffset + index * entrySize, minEntrySize);
    if (entry === undefined) {
      return undefined;
    }
    if (word(entry, 0) !== PT_INTERP) {
      continue;
    }
    const offset = address(entry, is64 ? 8 : 4);
    const size = Math.min(address(entry, is64 ? 32 : 16), MAX_INTERPRETER_BYTES);
    const text = readAt(fd, offset, size);
    if (text === undefined) {
      return undefined;
    }
    // The path ends with a NUL byte that p_filesz counts.
    const end = text.indexOf(0);
    return text.toString('latin1', 0, end === -1 ? text.length : end);
  }
  return undefined;
}

/** Reads exactly `length` bytes at `position`, or returns undefined when the file is shorter. */
function readAt(fd: number, position: number, length: number): Buffer | undefined {
  const buffer = Buffer.alloc(length);
  const read = readSync(fd, buffer, 0, length, position);
  return read === length ? buffer : undefined;
}
