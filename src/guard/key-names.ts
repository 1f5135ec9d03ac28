/**
 * Default names of private key files, for checks that judge a search pattern such as
 * `find ~ -name 'id_*'`.
 */
import { compileWildcard } from './wildcards.js';

/** File names that `ssh-keygen` gives private keys by default. */
const KEY_FILE_NAMES = [
  'id_rsa',
  'id_dsa',
  'id_ecdsa',
  'id_ecdsa_sk',
  'id_ed25519',
  'id_ed25519_sk',
  'id_xmss',
];

/**
 * Checks whether a search pattern with a wildcard, such as `id_*` or `*_ed25519`, matches a
 * default private key name, ignoring case. A pattern needs two literal characters, so a bare
 * `*` or `*a` over a folder is not taken as a search for keys.
 */
export function matchesKeyName(pattern: string): boolean {
  // Lower case, so that `-iname 'ID_*'` counts too.
  const name = pattern.replace(/^.*\//, '').toLowerCase();
  if (!/[*?[]/.test(name) || name.replace(/\[[^\]]*\]|[*?]/g, '').length < 2) {
    return false;
  }
  const matches = compileWildcard(name);
  return KEY_FILE_NAMES.some((key) => matches(key));
}
