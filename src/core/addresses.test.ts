import { describe, expect, it } from 'vitest';
import { isMetadataAddress, isPrivateAddress } from './addresses.js';

describe('isPrivateAddress', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.31.255.255',
    '192.168.0.10',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    '::',
    'fd12::1',
    'fe80::1',
    '::ffff:127.0.0.1',
    '::FFFF:10.0.0.1',
  ])('flags %s', (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  it.each(['93.184.216.34', '8.8.8.8', '2606:4700::1111', '::ffff:93.184.216.34'])(
    'passes %s',
    (address) => {
      expect(isPrivateAddress(address)).toBe(false);
    },
  );
});

describe('isMetadataAddress', () => {
  it.each(['169.254.169.254', '169.254.170.2', 'fd00:ec2::254', '::ffff:169.254.169.254'])(
    'flags %s',
    (address) => {
      expect(isMetadataAddress(address)).toBe(true);
    },
  );

  it('passes another link-local address', () => {
    expect(isMetadataAddress('169.254.1.1')).toBe(false);
  });
});
