/**
 * Report batches for the server benchmark, cheap to make so the generator's own cost stays low:
 * ids come from a counter (a valid UUID whose last 12 hex digits are the counter), so a run can
 * later check exactly which acknowledged reports were stored without keeping a million strings.
 */
import { floorToMinute } from '../../src/shared/protocol.ts';

const REGIONS = ['FR', 'DE', 'US', 'GB', 'BR', 'JP', 'IN', 'ES', 'IT', 'CA'];
const FEATURES = ['timeline', 'post', 'media', 'dm', 'search'];

export function reportId(n: number, prefix = '0be4c4a5'): string {
  return `${prefix}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

/** The counter back from an id made by reportId. */
export function counterOf(id: string): number {
  return parseInt(id.slice(-12), 16);
}

/** A batch of `size` reports numbered from `first`, from a reporter pool of `reporters`. */
export function reportBatch(first: number, size: number, nowMs: number, options: { prefix?: string; region?: string; reporters?: number } = {}): string {
  const at = floorToMinute(nowMs);
  const reports = [];
  for (let n = first; n < first + size; n++) {
    reports.push({
      id: reportId(n, options.prefix),
      site: 'x.com',
      feature: FEATURES[n % FEATURES.length],
      signal: 'http_5xx',
      at,
      region: options.region ?? REGIONS[n % REGIONS.length],
      reporter: `bench_reporter_${(n % (options.reporters ?? 50_000)).toString().padStart(8, '0')}`,
      client: { version: '0.1.0', browser: 'chrome' },
    });
  }
  return JSON.stringify({ reports });
}

/**
 * A sender address for X-Forwarded-For (the servers trust 127.0.0.1 as a proxy): one of many /48
 * networks in the IPv6 documentation range. Only a header value: nothing is sent there.
 */
export function senderAddress(i: number): string {
  return `2001:db8:${(i % 4096).toString(16)}::${((i >> 12) % 65535 + 1).toString(16)}`;
}
