import { describe, expect, it } from 'vitest';
import { clientAddress, networkOf, networkPrefix, parseIp, rateLimitUnitOf, TrustedProxies } from '../../src/server/http/ip.ts';

function ip(s: string) {
  const p = parseIp(s);
  if (!p) throw new Error(`test address ${s} did not parse`);
  return p;
}

describe('parseIp', () => {
  it('reads IPv4, IPv6 (compressed, full, bracketed, with zone) and IPv4-mapped IPv6 as IPv4', () => {
    expect(Array.from(ip('192.0.2.7').bytes)).toEqual([192, 0, 2, 7]);
    expect(ip('::ffff:192.0.2.7')).toEqual(ip('192.0.2.7'));
    expect(networkPrefix(ip('2001:db8::1'), 128)).toBe(networkPrefix(ip('2001:0db8:0000:0000:0000:0000:0000:0001'), 128));
    expect(networkPrefix(ip('[2001:db8::1]'), 128)).toBe(networkPrefix(ip('2001:db8::1'), 128));
    expect(networkPrefix(ip('fe80::1%eth0'), 128)).toBe(networkPrefix(ip('fe80::1'), 128));
    expect(Array.from(ip('::1').bytes).at(-1)).toBe(1);
    expect(Array.from(ip('64:ff9b::192.0.2.1').bytes.slice(12))).toEqual([192, 0, 2, 1]);
  });

  it('refuses what is not an address', () => {
    for (const s of ['', 'unknown', '192.0.2', '192.0.2.256', '2001:db8:::1', 'x.com', '1.2.3.4:80']) expect(parseIp(s), s).toBeNull();
  });

  it('reads IPv4 by hand exactly as node:net does (no leading zeros, four parts of 0..255)', () => {
    for (const s of ['1.2.3.4.5', '1..2.3', '.1.2.3', '1.2.3.', '01.2.3.4', '1.2.3.04', '1.2.3.1000', '1.2.3.-1', '1.2.3.4 5', '१.२.३.४']) expect(parseIp(s), s).toBeNull();
    for (const s of ['0.0.0.0', '255.255.255.255', '10.0.0.1', ' 198.51.100.9 ']) expect(parseIp(s)?.version, s).toBe(4);
    expect(Array.from(ip('255.0.10.100').bytes)).toEqual([255, 0, 10, 100]);
  });
});

describe('network prefixes', () => {
  it('groups IPv4 by /24 and IPv6 by /48 for the detector', () => {
    expect(networkOf(ip('192.0.2.1'))).toBe(networkOf(ip('192.0.2.250')));
    expect(networkOf(ip('192.0.2.1'))).not.toBe(networkOf(ip('192.0.3.1')));
    expect(networkOf(ip('2001:db8:1::1'))).toBe(networkOf(ip('2001:db8:1:ffff::9')));
    expect(networkOf(ip('2001:db8:1::1'))).not.toBe(networkOf(ip('2001:db8:2::1')));
  });

  it('limits rates per IPv4 address and per IPv6 /64', () => {
    expect(rateLimitUnitOf(ip('192.0.2.1'))).not.toBe(rateLimitUnitOf(ip('192.0.2.2')));
    expect(rateLimitUnitOf(ip('2001:db8:1:2::1'))).toBe(rateLimitUnitOf(ip('2001:db8:1:2:ffff::1')));
    expect(rateLimitUnitOf(ip('2001:db8:1:2::1'))).not.toBe(rateLimitUnitOf(ip('2001:db8:1:3::1')));
  });

  it('masks partial bytes', () => {
    expect(networkPrefix(ip('192.0.2.255'), 26)).toBe('4:192.0.2.192/26');
  });
});

describe('clientAddress', () => {
  const trusted = new TrustedProxies(['127.0.0.1', '10.0.0.0/8', '2001:db8:ffff::/48']);
  const addr = (socket: string, xff?: string) => {
    const r = clientAddress(socket, xff, trusted);
    return r ? networkPrefix(r, r.version === 4 ? 32 : 128) : null;
  };

  it('uses the socket peer when it is not a trusted proxy, whatever X-Forwarded-For says', () => {
    expect(addr('203.0.113.5', '198.51.100.1')).toBe('4:203.0.113.5/32');
  });

  it('walks X-Forwarded-For right to left past trusted proxies', () => {
    expect(addr('127.0.0.1', '198.51.100.1')).toBe('4:198.51.100.1/32');
    expect(addr('127.0.0.1', '6.6.6.6, 198.51.100.1, 10.1.2.3')).toBe('4:198.51.100.1/32');
    expect(addr('::ffff:127.0.0.1', '2001:db8:1::5')).toBe(networkPrefix(ip('2001:db8:1::5'), 128));
    expect(addr('2001:db8:ffff::1', '192.0.2.9')).toBe('4:192.0.2.9/32');
  });

  it('stops at a garbled hop, and uses the last proxy when every hop is trusted', () => {
    expect(addr('127.0.0.1', '198.51.100.1, garbage')).toBe('4:127.0.0.1/32');
    expect(addr('127.0.0.1', '10.0.0.1, 10.0.0.2')).toBe('4:10.0.0.1/32');
    expect(addr('127.0.0.1')).toBe('4:127.0.0.1/32');
  });

  it('believes nobody without a trust list', () => {
    expect(clientAddress('127.0.0.1', '198.51.100.1', new TrustedProxies([]))).toEqual(ip('127.0.0.1'));
  });

  it('matches trusted prefixes that end inside a byte, and never across address families', () => {
    const t = new TrustedProxies(['192.0.2.128/25', '2001:db8:8000::/33', '0.0.0.0/0']);
    expect(t.has(ip('192.0.2.200'))).toBe(true);
    expect(t.has(ip('8.8.8.8'))).toBe(true);
    expect(t.has(ip('2001:db8:8000::1'))).toBe(true);
    expect(t.has(ip('2001:db8:ffff::1'))).toBe(true);
    expect(t.has(ip('2001:db8:7fff::1'))).toBe(false);
    const narrow = new TrustedProxies(['192.0.2.128/25', '2001:db8::/32']);
    expect(narrow.has(ip('192.0.2.127'))).toBe(false);
    expect(narrow.has(ip('192.0.2.128'))).toBe(true);
    expect(narrow.has(ip('2001:db9::1'))).toBe(false);
    expect(narrow.has(ip('::ffff:192.0.2.130'))).toBe(true);
  });

  it('refuses bad trust entries', () => {
    expect(() => new TrustedProxies(['10.0.0.0/33'])).toThrow(/prefix/);
    expect(() => new TrustedProxies(['proxy.local'])).toThrow(/not an IP/);
    expect(() => new TrustedProxies(['10.0.0.0/8/1'])).toThrow();
  });
});
