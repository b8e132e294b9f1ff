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

/** The server's settings in every benchmark: the loopback generator is a trusted proxy, so each
 *  sender's X-Forwarded-For is its address; rate limits out of the way; no newcomer wait. */
export const BENCH_ENV = {
  TRUST_PROXY: '127.0.0.1',
  RATE_LIMIT_BURST: '1000000',
  RATE_LIMIT_PER_MINUTE: '1000000',
  DETECT_NEWCOMER_MINUTES: '0',
  LOG_LEVEL: 'warn',
};
