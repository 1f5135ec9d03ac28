/**
 * Address ranges that sandboxes and workflow fetches must not reach by default. Node's
 * BlockList matches an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) against the IPv4 rules,
 * so a name that resolves to one cannot slip past them (the tests check this).
 */
import { BlockList, isIP } from 'node:net';

/** Cloud metadata services (AWS, GCP and Azure use 169.254.169.254; ECS 169.254.170.2). */
const METADATA = new BlockList();
METADATA.addAddress('169.254.169.254');
METADATA.addAddress('169.254.170.2');
METADATA.addAddress('fd00:ec2::254', 'ipv6');

/**
 * Loopback, private, link-local, carrier-grade NAT, IETF protocol assignments, benchmarking,
 * multicast, reserved and unspecified ranges.
 */
const PRIVATE = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  PRIVATE.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  PRIVATE.addSubnet(network, prefix, 'ipv6');
}

function check(list: BlockList, address: string): boolean {
  return list.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
}

/** Returns whether `address` (an IP literal) is in a private, loopback or other local range. */
export function isPrivateAddress(address: string): boolean {
  return check(PRIVATE, address);
}

/** Returns whether `address` (an IP literal) is a cloud metadata service. */
export function isMetadataAddress(address: string): boolean {
  return check(METADATA, address);
}
