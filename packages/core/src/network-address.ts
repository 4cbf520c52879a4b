import { BlockList, isIP } from 'node:net';

/**
 * What an IP address reaches. Only `public` addresses are fetched from by default; every other kind is a
 * host inside the machine, its network or its cloud (`169.254.169.254` is the metadata service), or not a
 * unicast destination at all.
 */
export type AddressKind =
  | 'public'
  | 'loopback'
  | 'unspecified'
  | 'private'
  | 'link-local'
  | 'carrier-grade-nat'
  | 'unique-local'
  | 'multicast'
  | 'reserved';

/** An {@link AddressKind} other than `public`: refused unless allowed explicitly. */
export type BlockedAddressKind = Exclude<AddressKind, 'public'>;

type Range = readonly [network: string, prefix: number, kind: BlockedAddressKind];

// The IANA special-purpose registries, minus the entries marked globally reachable (AS112, AMT, ...).
const IPV4_RANGES: readonly Range[] = [
  ['0.0.0.0', 8, 'unspecified'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'carrier-grade-nat'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'reserved'],
  ['192.0.2.0', 24, 'reserved'],
  ['192.88.99.0', 24, 'reserved'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'reserved'],
  ['198.51.100.0', 24, 'reserved'],
  ['203.0.113.0', 24, 'reserved'],
  ['224.0.0.0', 4, 'multicast'],
  // Class E, with the limited broadcast address 255.255.255.255.
  ['240.0.0.0', 4, 'reserved'],
];

// Embedded-IPv4 forms (mapped, compatible, NAT64, 6to4) are decided by their IPv4 before these apply.
const IPV6_RANGES: readonly Range[] = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['64:ff9b:1::', 48, 'private'],
  ['2001::', 23, 'reserved'],
  ['2001:db8::', 32, 'reserved'],
  ['3fff::', 20, 'reserved'],
  ['fc00::', 7, 'unique-local'],
  ['fe80::', 10, 'link-local'],
  // Site-local: deprecated, but still private addressing where it is used.
  ['fec0::', 10, 'private'],
  ['ff00::', 8, 'multicast'],
];

function blockListsOf(
  ranges: readonly Range[],
  type: 'ipv4' | 'ipv6',
): Array<[BlockedAddressKind, BlockList]> {
  const lists = new Map<BlockedAddressKind, BlockList>();
  for (const [network, prefix, kind] of ranges) {
    let list = lists.get(kind);
    if (list === undefined) {
      list = new BlockList();
      lists.set(kind, list);
    }
    list.addSubnet(network, prefix, type);
  }
  return [...lists];
}

const IPV4_LISTS = blockListsOf(IPV4_RANGES, 'ipv4');
const IPV6_LISTS = blockListsOf(IPV6_RANGES, 'ipv6');

/**
 * Classifies an IP address: `public`, or the special-purpose range it is in (loopback, private,
 * link-local, ...). IPv4-mapped (`::ffff:127.0.0.1`, `::ffff:7f00:1`), IPv4-compatible, NAT64
 * (`64:ff9b::/96`) and 6to4 (`2002::/16`) IPv6 addresses are classified by the IPv4 address they embed;
 * compatible and 6to4 forms of a public IPv4 are `reserved` (deprecated ways to reach it). IPv6 outside
 * global unicast (`2000::/3`) is `reserved`. A zone (`fe80::1%eth0`) and URL brackets (`[::1]`) are
 * accepted.
 *
 * Only canonical dotted IPv4 is recognised (as `dns.lookup` returns and the WHATWG URL parser produces:
 * `new URL('http://2130706433/').hostname` is `127.0.0.1`); `127.1` or `0x7f.0.0.1` are not IP addresses here.
 *
 * @returns the kind, or `undefined` when `address` is not an IP address (a host name).
 */
export function classifyAddress(address: string): AddressKind | undefined {
  const text = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const family = isIP(text);
  if (family === 4) return classifyIpv4(text);
  if (family === 6) return classifyIpv6(text);
  return undefined;
}

function classifyIpv4(address: string): AddressKind {
  for (const [kind, list] of IPV4_LISTS) if (list.check(address, 'ipv4')) return kind;
  return 'public';
}

function classifyIpv6(address: string): AddressKind {
  const groups = ipv6Groups(address);
  const group = (index: number): number => groups[index] ?? 0;
  const zeroUpTo = (end: number): boolean => groups.slice(0, end).every((value) => value === 0);
  if (zeroUpTo(5) && group(5) === 0xffff) return classifyIpv4(ipv4Of(group(6), group(7)));
  if (zeroUpTo(6) && !(group(6) === 0 && group(7) <= 1)) {
    const kind = classifyIpv4(ipv4Of(group(6), group(7)));
    return kind === 'public' ? 'reserved' : kind;
  }
  if (group(0) === 0x64 && group(1) === 0xff9b && groups.slice(2, 6).every((value) => value === 0)) {
    return classifyIpv4(ipv4Of(group(6), group(7)));
  }
  if (group(0) === 0x2002) {
    const kind = classifyIpv4(ipv4Of(group(1), group(2)));
    return kind === 'public' ? 'reserved' : kind;
  }
  for (const [kind, list] of IPV6_LISTS) if (list.check(address, 'ipv6')) return kind;
  if ((group(0) & 0xe000) !== 0x2000) return 'reserved';
  return 'public';
}

/** The eight 16-bit groups of a valid IPv6 address (`isIP` has checked the syntax). */
function ipv6Groups(address: string): number[] {
  let text = address.split('%', 1)[0] ?? '';
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    const [a = 0, b = 0, c = 0, d = 0] = tail.split('.').map(Number);
    text = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', rest] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = rest === undefined || rest === '' ? [] : rest.split(':');
  const zeros = rest === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((value) => Number.parseInt(value, 16));
}

function ipv4Of(high: number, low: number): string {
  return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
}
