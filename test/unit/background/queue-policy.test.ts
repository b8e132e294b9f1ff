import { describe, expect, it } from 'vitest';
import {
  applyOutcome,
  backoffDelay,
  canSend,
  DEFAULT_RETRY_AFTER_MS,
  emptyQueue,
  enqueue,
  loadQueue,
  nextBatch,
  parseRetryAfter,
  pruneExpired,
  QUEUE_LIMITS,
  queueStats,
} from '../../../src/background/queue-policy.ts';
import type { QueueState } from '../../../src/background/queue-policy.ts';
import type { Report } from '../../../src/shared/protocol.ts';

const T0 = Date.UTC(2026, 10, 22, 12, 0, 0);
let n = 0;
function report(over: Partial<Report> = {}): Report {
  n++;
  const hex = n.toString(16).padStart(12, '0');
  return {
    id: `00000000-0000-4000-8000-${hex}`,
    site: 'x.com',
    feature: 'timeline',
    signal: 'http_5xx',
    at: T0,
    region: 'FR',
    reporter: 'abcdefghijklmnopqrstuvwx',
    client: { version: '0.1.0', browser: 'chrome' },
    detail: { status: 503 },
    ...over,
  };
}

describe('enqueue bounds', () => {
  it('keeps at most maxCount, dropping the oldest and counting overflow', () => {
    let q = emptyQueue();
    const ids: string[] = [];
    for (let i = 0; i < QUEUE_LIMITS.maxCount + 7; i++) {
      const r = report();
      ids.push(r.id);
      q = enqueue(q, r, T0 + i);
    }
    expect(q.items).toHaveLength(QUEUE_LIMITS.maxCount);
    expect(q.dropped.overflow).toBe(7);
    expect(q.items[0]!.report.id).toBe(ids[7]);
    expect(q.items.at(-1)!.report.id).toBe(ids.at(-1));
  });

  it('keeps the byte total under maxBytes', () => {
    let q = emptyQueue();
    // Long op names make each report big enough that the byte bound bites before the count bound.
    for (let i = 0; i < QUEUE_LIMITS.maxCount; i++) q = enqueue(q, report({ detail: { op: 'A'.repeat(64), code: 'c'.repeat(64), status: 500 } }), T0);
    const bytes = q.items.reduce((s, i) => s + i.bytes, 0);
    expect(bytes).toBeLessThanOrEqual(QUEUE_LIMITS.maxBytes);
    if (q.items.length < QUEUE_LIMITS.maxCount) expect(q.dropped.overflow).toBe(QUEUE_LIMITS.maxCount - q.items.length);
  });

  it('expires reports older than 24 h and counts them', () => {
    let q = enqueue(emptyQueue(), report(), T0);
    q = enqueue(q, report(), T0 + 60_000);
    q = pruneExpired(q, T0 + QUEUE_LIMITS.maxAgeMs + 1);
    expect(q.items).toHaveLength(1);
    expect(q.dropped.expired).toBe(1);
  });

  it('does not queue the same id twice', () => {
    const r = report();
    const q = enqueue(enqueue(emptyQueue(), r, T0), r, T0 + 1);
    expect(q.items).toHaveLength(1);
  });
});

describe('batches', () => {
  it('sends at most 100 reports per batch, oldest first', () => {
    let q = emptyQueue();
    for (let i = 0; i < 250; i++) q = enqueue(q, report(), T0 + i);
    const batch = nextBatch(q);
    expect(batch).toHaveLength(100);
    expect(batch[0]!.id).toBe(q.items[0]!.report.id);
    expect(new TextEncoder().encode(JSON.stringify({ reports: batch })).length).toBeLessThan(64 * 1024);
  });
});

describe('Retry-After', () => {
  it('reads delta-seconds', () => {
    expect(parseRetryAfter('120', T0)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', T0)).toBe(0);
  });
  it('reads an HTTP-date', () => {
    const at = new Date(T0 + 90_000).toUTCString();
    expect(parseRetryAfter(at, T0)).toBe(90_000);
  });
  it('never returns a negative wait for a date in the past', () => {
    expect(parseRetryAfter(new Date(T0 - 5_000).toUTCString(), T0)).toBe(0);
  });
  it('refuses garbage', () => {
    for (const v of [null, undefined, '', 'soon', '-5', '1.5', '12abc']) expect(parseRetryAfter(v, T0)).toBeNull();
  });
});

describe('backoff', () => {
  it('grows exponentially with full jitter between 30 s and 1 h', () => {
    expect(backoffDelay(0, () => 0)).toBe(30_000);
    expect(backoffDelay(0, () => 0.999)).toBeLessThanOrEqual(30_000);
    expect(backoffDelay(3, () => 0.999)).toBe(Math.floor(0.999 * 240_000));
    expect(backoffDelay(3, () => 0.5)).toBe(120_000);
    expect(backoffDelay(50, () => 0.999)).toBe(Math.floor(0.999 * 3_600_000));
    expect(backoffDelay(50, () => 0)).toBe(30_000);
  });
});

describe('outcomes', () => {
  const rnd = () => 0.5;
  function queued(k = 3) {
    let q = emptyQueue();
    for (let i = 0; i < k; i++) q = enqueue(q, report(), T0);
    return q;
  }

  it('2xx deletes exactly the sent reports and resets the backoff', () => {
    let q: QueueState = { ...queued(3), failures: 4, lastError: 'HTTP 500' };
    const ids = q.items.slice(0, 2).map((i) => i.report.id);
    q = applyOutcome(q, ids, { kind: 'http', status: 202, retryAfter: null }, T0, rnd);
    expect(q.items).toHaveLength(1);
    expect(q.sent).toBe(2);
    expect(q.failures).toBe(0);
    expect(q.lastError).toBeNull();
    expect(q.nextAttemptAt).toBeNull();
  });

  it('4xx drops the batch as rejected without backing off', () => {
    let q = queued(2);
    q = applyOutcome(q, q.items.map((i) => i.report.id), { kind: 'http', status: 400, retryAfter: null }, T0, rnd);
    expect(q.items).toHaveLength(0);
    expect(q.dropped.rejected).toBe(2);
    expect(q.nextAttemptAt).toBeNull();
    expect(q.lastError).toBe('HTTP 400');
  });

  it('429 keeps the reports and waits Retry-After, or 60 s without one', () => {
    const q = queued(2);
    const ids = q.items.map((i) => i.report.id);
    const a = applyOutcome(q, ids, { kind: 'http', status: 429, retryAfter: '300' }, T0, rnd);
    expect(a.items).toHaveLength(2);
    expect(a.nextAttemptAt).toBe(T0 + 300_000);
    const b = applyOutcome(q, ids, { kind: 'http', status: 429, retryAfter: null }, T0, rnd);
    expect(b.nextAttemptAt).toBe(T0 + DEFAULT_RETRY_AFTER_MS);
    expect(canSend(b, T0 + DEFAULT_RETRY_AFTER_MS - 1)).toBe(false);
    expect(canSend(b, T0 + DEFAULT_RETRY_AFTER_MS)).toBe(true);
  });

  it('503 honours an HTTP-date Retry-After', () => {
    const q = queued(1);
    const when = new Date(T0 + 120_000).toUTCString();
    const a = applyOutcome(q, [q.items[0]!.report.id], { kind: 'http', status: 503, retryAfter: when }, T0, rnd);
    expect(a.nextAttemptAt).toBe(T0 + 120_000);
  });

  it('5xx and network errors back off further on each failure', () => {
    let q = queued(1);
    const ids = [q.items[0]!.report.id];
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      q = applyOutcome(q, ids, i % 2 ? { kind: 'network', error: 'Failed to fetch' } : { kind: 'http', status: 500, retryAfter: null }, T0, () => 0.999);
      waits.push(q.nextAttemptAt! - T0);
    }
    expect(q.items).toHaveLength(1);
    expect(waits[1]).toBeGreaterThan(waits[0]!);
    expect(waits[3]).toBeGreaterThan(waits[2]!);
    expect(q.lastError).toBe('Failed to fetch');
    expect(queueStats(q)).toMatchObject({ pending: 1, sent: 0, lastError: 'Failed to fetch', nextAttemptAt: q.nextAttemptAt });
  });

  it('leaves reports enqueued during the send alone', () => {
    let q = queued(1);
    const ids = [q.items[0]!.report.id];
    q = enqueue(q, report(), T0 + 1);
    q = applyOutcome(q, ids, { kind: 'http', status: 202, retryAfter: null }, T0, rnd);
    expect(q.items).toHaveLength(1);
    expect(q.items[0]!.report.id).not.toBe(ids[0]);
  });
});

describe('loadQueue', () => {
  it('recovers from corrupt storage without losing the good parts', () => {
    const good = enqueue(emptyQueue(), report(), T0);
    const q = loadQueue({ ...good, items: [...good.items, 'junk', { report: null }], sent: 'x', dropped: { rejected: 2, bad: 'y' } });
    expect(q.items).toHaveLength(1);
    expect(q.sent).toBe(0);
    expect(q.dropped).toEqual({ rejected: 2 });
    expect(loadQueue('nonsense')).toEqual(emptyQueue());
  });
});
