/**
 * IP address helpers: parsing, reduction to a network prefix and matching against a list of
 * trusted proxies. Raw addresses never leave these functions except as prefixes that are hashed
 * right away by the caller.
 */
import { isIPv6 } from 'node:net';

export interface ParsedIp {
  version: 4 | 6;
  bytes: Uint8Array;
}

/** Dotted-quad IPv4 read by hand (every request has one or two; node:net's check is slower), or
 *  null when `s` is not exactly four decimal parts of 0..255 without leading zeros. */
function ipv4Bytes(s: string): Uint8Array | null {
  const bytes = new Uint8Array(4);
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= s.length; i++) {
    const code = i < s.length ? s.charCodeAt(i) : 46;
    if (code === 46) {
      if (digits === 0 || part > 3) return null;
      bytes[part++] = value;
      value = 0;
      digits = 0;
    } else if (code >= 48 && code <= 57) {
      if (digits > 0 && value === 0) return null;
      value = value * 10 + (code - 48);
      if (++digits > 3 || value > 255) return null;
    } else return null;
  }
  return part === 4 ? bytes : null;
}

/** Parses an IPv4 or IPv6 address; IPv4-mapped IPv6 (::ffff:a.b.c.d) is read as IPv4. */
export function parseIp(raw: string): ParsedIp | null {
  let s = raw.trim();
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  const v4 = ipv4Bytes(s);
  if (v4) return { version: 4, bytes: v4 };
  if (!isIPv6(s)) return null;
  const bytes = ipv6Bytes(s);
  const mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  return mapped ? { version: 4, bytes: bytes.slice(12) } : { version: 6, bytes };
}

function ipv6Bytes(s: string): Uint8Array {
  let text = s;
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (last.includes('.')) {
    // Embedded IPv4 (::ffff:192.0.2.1): rewrite it as two hex words so one parser handles all.
    const [a = 0, b = 0, c = 0, d = 0] = last.split('.').map(Number);
    text = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [headText = '', restText] = text.split('::');
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((h) => parseInt(h, 16)));
  const head = parse(headText);
  const rest = restText === undefined ? [] : parse(restText);
  const fill = 8 - head.length - rest.length;
  const words = restText === undefined ? head : [...head, ...new Array<number>(fill).fill(0), ...rest];
  const bytes = new Uint8Array(16);
  words.forEach((w, i) => {
    bytes[i * 2] = (w >> 8) & 0xff;
    bytes[i * 2 + 1] = w & 0xff;
  });
  return bytes;
}

/**
 * The network an address belongs to, as a short text: the first `bits` bits, the rest zeroed.
 * "4:192.0.2.0/24" and "6:2001:0db8:0001:0000::/48" style, only ever used as hash input.
 */
export function networkPrefix(ip: ParsedIp, bits: number): string {
  const keep = Math.min(bits, ip.bytes.length * 8);
  const b = ip.bytes;
  // The two prefixes every request asks for (/24 and /32 of IPv4), without the general loop.
  if (ip.version === 4 && keep === 24) return `4:${b[0]}.${b[1]}.${b[2]}.0/24`;
  if (ip.version === 4 && keep === 32) return `4:${b[0]}.${b[1]}.${b[2]}.${b[3]}/32`;
  const out = Uint8Array.from(ip.bytes);
  for (let i = 0; i < out.length; i++) {
    const bitStart = i * 8;
    if (bitStart >= keep) out[i] = 0;
    else if (bitStart + 8 > keep) out[i] = (out[i] ?? 0) & (0xff << (8 - (keep - bitStart)));
  }
  const text = ip.version === 4 ? Array.from(out).join('.') : Array.from(out, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${ip.version}:${text}/${keep}`;
}

/** Prefix lengths: "network" for the detector, and the finer unit the rate limiter counts. */
export const NETWORK_BITS = { v4: 24, v6: 48 } as const;
export const RATE_LIMIT_BITS = { v4: 32, v6: 64 } as const;

export function networkOf(ip: ParsedIp): string {
  return networkPrefix(ip, ip.version === 4 ? NETWORK_BITS.v4 : NETWORK_BITS.v6);
}

export function rateLimitUnitOf(ip: ParsedIp): string {
  return networkPrefix(ip, ip.version === 4 ? RATE_LIMIT_BITS.v4 : RATE_LIMIT_BITS.v6);
}

/** Whether the first `bits` bits of two addresses of the same length agree. */
function samePrefix(a: Uint8Array, b: Uint8Array, bits: number): boolean {
  const whole = bits >> 3;
  for (let i = 0; i < whole; i++) if (a[i] !== b[i]) return false;
  const rest = bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((a[whole] ?? 0) & mask) === ((b[whole] ?? 0) & mask);
}

export class TrustedProxies {
  /** Prefixes matched by hand: node:net's BlockList makes a SocketAddress per check, which was a
   *  visible share of a report's cost behind a proxy (two checks per request). */
  private readonly subnets: { version: 4 | 6; bytes: Uint8Array; bits: number }[] = [];
  readonly size: number;

  /** Throws an Error naming the bad entry when one is neither an address nor a CIDR. */
  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      const [addr = '', bitsText, extra] = entry.split('/');
      const ip = parseIp(addr);
      if (!ip || extra !== undefined) throw new Error(`"${entry}" is not an IP address or CIDR`);
      const max = ip.version === 4 ? 32 : 128;
      const bits = bitsText === undefined ? max : Number(bitsText);
      if (!Number.isInteger(bits) || bits < 0 || bits > max || (bitsText !== undefined && !/^\d+$/.test(bitsText))) {
        throw new Error(`"${entry}" has a bad prefix length`);
      }
      this.subnets.push({ version: ip.version, bytes: ip.bytes, bits });
    }
    this.size = entries.length;
  }

  has(ip: ParsedIp): boolean {
    return this.subnets.some((n) => n.version === ip.version && samePrefix(n.bytes, ip.bytes, n.bits));
  }
}

/**
 * The client's address: the socket peer, unless that peer is a trusted proxy, in which case
 * X-Forwarded-For is walked from right to left past every trusted proxy. Entries left of the
 * first untrusted hop are ignored: a client can write anything there.
 */
export function clientAddress(socketAddress: string | undefined, forwardedFor: string | undefined, trusted: TrustedProxies): ParsedIp | null {
  let current = socketAddress === undefined ? null : parseIp(socketAddress);
  if (!current || trusted.size === 0 || !forwardedFor) return current;
  const hops = forwardedFor
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  while (current && trusted.has(current)) {
    const next = hops.pop();
    if (next === undefined) return current;
    const parsed = parseIp(next);
    // A garbled hop: keep the last proxy's address rather than believing anything further left.
    if (!parsed) return current;
    current = parsed;
  }
  return current;
}
