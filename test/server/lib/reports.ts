/** Builders for wire reports in tests: valid by default, each field overridable. */
import { randomUUID } from 'node:crypto';
import { floorToMinute, type Report } from '../../../src/shared/protocol.ts';

let counter = 0;

/** A reporter pseudonym of the protocol's shape, distinct per call unless a seed is given. */
export function reporterId(seed?: string | number): string {
  return `rep_${String(seed ?? `${process.pid}_${counter++}`).padStart(12, '0')}`.slice(0, 64);
}

export function makeReport(overrides: Partial<Report> = {}, now = Date.now()): Report {
  return {
    id: randomUUID(),
    site: 'x.com',
    feature: 'timeline',
    signal: 'http_5xx',
    at: floorToMinute(now),
    region: 'FR',
    reporter: reporterId(),
    client: { version: '0.1.0', browser: 'chrome' },
    ...overrides,
  };
}

/** The e2e contract's senders: 5 reporters from each of 3 IPv4 /24s and 9 IPv6 /48s. */
export function contractSenders(): { address: string; network: string }[] {
  const out: { address: string; network: string }[] = [];
  for (const prefix of ['192.0.2', '198.51.100', '203.0.113']) {
    for (let i = 1; i <= 5; i++) out.push({ address: `${prefix}.${i * 10}`, network: prefix });
  }
  for (let n = 1; n <= 9; n++) {
    for (let i = 1; i <= 5; i++) out.push({ address: `2001:db8:${n}::${i.toString(16)}`, network: `2001:db8:${n}` });
  }
  return out;
}
