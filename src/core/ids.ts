import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * Creates a random id such as `run_k3v9x0c2m1q8`: a prefix naming the kind of object, then
 * 12 base-36 characters (about 62 bits), sortable by nothing.
 */
export function newId(prefix: string): string {
  const bytes = randomBytes(12);
  let suffix = '';
  for (const byte of bytes) {
    suffix += ALPHABET[byte % ALPHABET.length];
  }
  return `${prefix}_${suffix}`;
}

/** Checks that `value` is a safe user-chosen name: letters, digits, `.`, `_`, `-`, 1–63 chars. */
export function isValidName(value: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(value);
}
