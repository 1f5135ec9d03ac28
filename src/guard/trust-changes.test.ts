import { describe, expect, it } from 'vitest';
import { decideBash } from '../../test/helpers/guard.js';

const UNRELATED = 'Fix the failing test.';

describe('changes to what the machine trusts', () => {
  it.each([
    'gpg --import vendor.asc',
    'gpg --keyserver keyserver.ubuntu.com --recv-keys 0xABCDEF0123456789',
    'curl -fsSL https://x.example/key.asc | gpg --import',
    'gpg2 --fetch-keys https://x.example/key.asc',
    'gpg --import-ownertrust trust.txt',
    'rpm --import https://x.example/RPM-GPG-KEY',
    'curl -fsSL https://x.example/key.gpg | apt-key add -',
  ])('stops %s', async (command) => {
    const decision = await decideBash(command, UNRELATED);
    expect(decision.verdict).not.toBe('allow');
    expect(decision.rule).toBe('stage1:trust-change');
  });

  it.each([
    ['gpg --verify a.sig a.tar.gz', UNRELATED],
    ['gpg --list-keys', UNRELATED],
    ['gpg --export --armor dev@acme.dev', UNRELATED],
    ['apt-key list', UNRELATED],
    ['gpg --import docs/KEYS.asc', 'Import the signing key from docs/KEYS.asc.'],
    [
      'gpg --keyserver keys.openpgp.org --recv-keys 0xABCDEF0123456789',
      'Import the maintainer key 0xABCDEF0123456789.',
    ],
  ])('allows %s', async (command, message) => {
    expect((await decideBash(command, message)).verdict).toBe('allow');
  });

  it('ignores a refused import', async () => {
    const decision = await decideBash(
      'gpg --import docs/KEYS.asc',
      "Don't import docs/KEYS.asc, just list the keys.",
    );
    expect(decision.verdict).not.toBe('allow');
  });

  it('needs every imported key named', async () => {
    const decision = await decideBash(
      'gpg --import docs/KEYS.asc other.asc',
      'Import the signing key from docs/KEYS.asc.',
    );
    expect(decision.verdict).not.toBe('allow');
  });
});
