import { describe, expect, it } from 'vitest';
import { type AddressKind, classifyAddress } from './network-address.js';

// Pure classification: nothing here opens a socket, so any address may appear.
function expectKinds(cases: ReadonlyArray<readonly [string, AddressKind | undefined]>): void {
  for (const [address, kind] of cases) expect([address, classifyAddress(address)]).toEqual([address, kind]);
}

describe('classifyAddress', () => {
  it('finds loopback and unspecified addresses, IPv4 and IPv6', () => {
    expectKinds([
      ['127.0.0.1', 'loopback'],
      ['127.255.255.254', 'loopback'],
      ['::1', 'loopback'],
      ['0.0.0.0', 'unspecified'],
      ['0.1.2.3', 'unspecified'],
      ['::', 'unspecified'],
    ]);
  });

  it('finds private, carrier-grade NAT and link-local IPv4 ranges, the metadata address included', () => {
    expectKinds([
      ['10.0.0.1', 'private'],
      ['10.255.255.255', 'private'],
      ['172.16.0.1', 'private'],
      ['172.31.255.255', 'private'],
      ['172.15.255.255', 'public'],
      ['172.32.0.0', 'public'],
      ['192.168.0.1', 'private'],
      ['100.64.0.1', 'carrier-grade-nat'],
      ['100.127.255.255', 'carrier-grade-nat'],
      ['100.128.0.0', 'public'],
      ['169.254.169.254', 'link-local'],
      ['169.254.0.1', 'link-local'],
    ]);
  });

  it('finds multicast, broadcast and reserved IPv4 ranges', () => {
    expectKinds([
      ['224.0.0.1', 'multicast'],
      ['239.255.255.255', 'multicast'],
      ['240.0.0.1', 'reserved'],
      ['255.255.255.255', 'reserved'],
      ['192.0.0.8', 'reserved'],
      ['192.0.2.1', 'reserved'],
      ['198.18.0.1', 'reserved'],
      ['198.51.100.1', 'reserved'],
      ['203.0.113.1', 'reserved'],
    ]);
  });

  it('finds unique-local, link-local, multicast and non-global IPv6 ranges', () => {
    expectKinds([
      ['fc00::1', 'unique-local'],
      ['fd12:3456:789a::1', 'unique-local'],
      ['fe80::1', 'link-local'],
      ['fe80::1%eth0', 'link-local'],
      ['febf::1', 'link-local'],
      ['fec0::1', 'private'],
      ['ff02::1', 'multicast'],
      ['2001:db8::1', 'reserved'],
      ['2001::1', 'reserved'],
      ['100::1', 'reserved'],
      ['64:ff9b:1::1', 'private'],
      ['4000::1', 'reserved'],
    ]);
  });

  it('classifies IPv4-mapped, compatible, NAT64 and 6to4 IPv6 by the IPv4 address they embed', () => {
    expectKinds([
      ['::ffff:127.0.0.1', 'loopback'],
      ['::ffff:7f00:1', 'loopback'],
      ['0:0:0:0:0:ffff:7f00:0001', 'loopback'],
      ['::ffff:169.254.169.254', 'link-local'],
      ['::ffff:a9fe:a9fe', 'link-local'],
      ['::ffff:10.0.0.1', 'private'],
      ['::ffff:0.0.0.0', 'unspecified'],
      ['::ffff:8.8.8.8', 'public'],
      ['::127.0.0.1', 'loopback'],
      ['::7f00:1', 'loopback'],
      ['::a00:1', 'private'],
      ['::8.8.8.8', 'reserved'],
      ['64:ff9b::127.0.0.1', 'loopback'],
      ['64:ff9b::a9fe:a9fe', 'link-local'],
      ['64:ff9b::808:808', 'public'],
      ['2002:7f00:1::', 'loopback'],
      ['2002:c0a8:101::1', 'private'],
      ['2002:808:808::', 'reserved'],
    ]);
  });

  it('classifies the host names the WHATWG URL parser makes of other IPv4 spellings', () => {
    const hostOf = (url: string) => new URL(url).hostname;
    expect(hostOf('http://2130706433/')).toBe('127.0.0.1');
    expectKinds([
      [hostOf('http://2130706433/'), 'loopback'],
      [hostOf('http://0x7f000001/'), 'loopback'],
      [hostOf('http://0177.0.0.1/'), 'loopback'],
      [hostOf('http://127.1/'), 'loopback'],
      [hostOf('http://2852039166/'), 'link-local'],
      [hostOf('http://0/'), 'unspecified'],
      [hostOf('http://[::ffff:127.0.0.1]/'), 'loopback'],
      [hostOf('http://[::ffff:7f00:1]/'), 'loopback'],
      [hostOf('http://[0:0:0:0:0:0:0:1]/'), 'loopback'],
    ]);
  });

  it('lets public addresses through', () => {
    expectKinds([
      ['8.8.8.8', 'public'],
      ['1.1.1.1', 'public'],
      ['93.184.216.34', 'public'],
      ['2606:4700::1111', 'public'],
      ['2001:4860:4860::8888', 'public'],
      ['[2606:4700::1111]', 'public'],
    ]);
  });

  it('returns undefined for host names and spellings that are not IP addresses', () => {
    expectKinds([
      ['localhost', undefined],
      ['example.com', undefined],
      ['127.1', undefined],
      ['0x7f000001', undefined],
      ['2130706433', undefined],
      ['', undefined],
      ['[example.com]', undefined],
    ]);
  });
});
