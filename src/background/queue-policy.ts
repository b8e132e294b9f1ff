/**
 * The outgoing queue's rules, as pure functions over a plain state object that the background
 * persists in storage.local before any send. Bounded by count, bytes and age, oldest dropped
 * first, every drop counted by reason; 2xx deletes, 4xx (but 429) drops as "rejected", 429/503
 * wait for Retry-After, 5xx and network errors back off exponentially with full jitter.
 */
import { LIMITS } from '../shared/protocol.ts';
import type { Report } from '../shared/protocol.ts';
import type { QueueStats } from '../shared/runtime-messages.ts';

export const QUEUE_LIMITS = {
  maxCount: 500,
  /** Serialized report bytes; far below storage.local's 10 MB quota. */
  maxBytes: 512 * 1024,
  maxAgeMs: 24 * 60 * 60_000,
  batchSize: LIMITS.maxReports,
  /** Request body budget, leaving room under the server's 64 KiB for the envelope. */
  batchBytes: LIMITS.maxBodyBytes - 1024,
} as const;

export const BACKOFF = { baseMs: 30_000, capMs: 60 * 60_000 } as const;
/** What a 429 without Retry-After waits. */
export const DEFAULT_RETRY_AFTER_MS = 60_000;

export interface QueuedReport {
  report: Report;
  bytes: number;
  enqueuedAt: number;
}

export interface QueueState {
  items: QueuedReport[];
  sent: number;
  dropped: Record<string, number>;
  lastError: string | null;
  nextAttemptAt: number | null;
  /** Consecutive failed attempts, for the backoff exponent. */
  failures: number;
}

export function emptyQueue(): QueueState {
  return { items: [], sent: 0, dropped: {}, lastError: null, nextAttemptAt: null, failures: 0 };
}

function countDrops(dropped: Record<string, number>, reason: string, n: number): Record<string, number> {
  return n > 0 ? { ...dropped, [reason]: (dropped[reason] ?? 0) + n } : dropped;
}

export function reportBytes(report: Report): number {
  return new TextEncoder().encode(JSON.stringify(report)).length;
}

/** Removes reports older than the age bound (counted as "expired"). */
export function pruneExpired(state: QueueState, now: number): QueueState {
  const keep = state.items.filter((i) => now - i.enqueuedAt < QUEUE_LIMITS.maxAgeMs);
  const expired = state.items.length - keep.length;
  if (expired === 0) return state;
  return { ...state, items: keep, dropped: countDrops(state.dropped, 'expired', expired) };
}

/** Adds a report, then enforces the bounds by dropping the oldest ("overflow"). Same id twice is kept once. */
export function enqueue(state: QueueState, report: Report, now: number): QueueState {
  let s = pruneExpired(state, now);
  if (s.items.some((i) => i.report.id === report.id)) return s;
  const items = [...s.items, { report, bytes: reportBytes(report), enqueuedAt: now }];
  let bytes = items.reduce((sum, i) => sum + i.bytes, 0);
  let drop = 0;
  while (items.length - drop > QUEUE_LIMITS.maxCount || bytes > QUEUE_LIMITS.maxBytes) {
    bytes -= items[drop]!.bytes;
    drop++;
  }
  s = { ...s, items: items.slice(drop), dropped: countDrops(s.dropped, 'overflow', drop) };
  return s;
}

/** Whether a send may start now (backoff and Retry-After respected). */
export function canSend(state: QueueState, now: number): boolean {
  return state.items.length > 0 && (state.nextAttemptAt === null || now >= state.nextAttemptAt);
}

/** The next batch, oldest first: at most 100 reports and under the body budget. */
export function nextBatch(state: QueueState): Report[] {
  const batch: Report[] = [];
  let bytes = 16;
  for (const item of state.items) {
    if (batch.length >= QUEUE_LIMITS.batchSize || bytes + item.bytes + 1 > QUEUE_LIMITS.batchBytes) break;
    batch.push(item.report);
    bytes += item.bytes + 1;
  }
  return batch;
}

/**
 * Parses Retry-After: delta-seconds or an HTTP-date. Returns the wait in ms (never negative),
 * or null when the header is missing or unreadable.
 */
export function parseRetryAfter(header: string | null | undefined, now: number): number | null {
  if (header == null) return null;
  const value = header.trim();
  if (value === '') return null;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // HTTP-dates (IMF-fixdate, RFC 850, asctime) all start with a day name; anything else is garbage.
  if (!/^[A-Za-z]{3}/.test(value)) return null;
  const date = Date.parse(value);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - now);
}

/** Exponential backoff with full jitter, kept between 30 s (the alarm floor) and 1 h. */
export function backoffDelay(failures: number, random: () => number): number {
  const ceiling = Math.min(BACKOFF.capMs, BACKOFF.baseMs * 2 ** Math.max(0, Math.min(failures, 20)));
  return Math.max(BACKOFF.baseMs, Math.floor(random() * ceiling));
}

export type SendOutcome =
  | { kind: 'http'; status: number; retryAfter: string | null }
  | { kind: 'network'; error: string };

/**
 * Applies a send's outcome to the reports that were sent (by id, so reports enqueued while the
 * send was in flight are untouched).
 */
export function applyOutcome(state: QueueState, ids: readonly string[], outcome: SendOutcome, now: number, random: () => number): QueueState {
  const sent = new Set(ids);
  const remove = (s: QueueState) => {
    const items = s.items.filter((i) => !sent.has(i.report.id));
    return { items, removed: s.items.length - items.length };
  };
  if (outcome.kind === 'http' && outcome.status >= 200 && outcome.status < 300) {
    const { items, removed } = remove(state);
    return { ...state, items, sent: state.sent + removed, lastError: null, nextAttemptAt: null, failures: 0 };
  }
  if (outcome.kind === 'http' && (outcome.status === 429 || outcome.status === 503)) {
    const parsed = parseRetryAfter(outcome.retryAfter, now);
    const wait =
      parsed !== null
        ? Math.max(parsed, 1000)
        : outcome.status === 429
          ? DEFAULT_RETRY_AFTER_MS
          : backoffDelay(state.failures, random);
    return {
      ...state,
      lastError: `HTTP ${outcome.status}`,
      nextAttemptAt: now + Math.min(wait, QUEUE_LIMITS.maxAgeMs),
      failures: state.failures + 1,
    };
  }
  if (outcome.kind === 'http' && outcome.status >= 400 && outcome.status < 500) {
    const { items, removed } = remove(state);
    // The server refused these reports for good; the queue itself is healthy, so no backoff.
    return { ...state, items, dropped: countDrops(state.dropped, 'rejected', removed), lastError: `HTTP ${outcome.status}`, nextAttemptAt: null };
  }
  const error = outcome.kind === 'network' ? outcome.error : `HTTP ${outcome.status}`;
  return { ...state, lastError: error, nextAttemptAt: now + backoffDelay(state.failures, random), failures: state.failures + 1 };
}

export function queueStats(state: QueueState): QueueStats {
  return {
    pending: state.items.length,
    sent: state.sent,
    dropped: { ...state.dropped },
    lastError: state.lastError,
    nextAttemptAt: state.items.length > 0 ? state.nextAttemptAt : null,
  };
}

/** Reads a stored queue defensively: a corrupt entry is dropped, not allowed to wedge the queue. */
export function loadQueue(v: unknown): QueueState {
  if (typeof v !== 'object' || v === null) return emptyQueue();
  const o = v as Partial<QueueState>;
  const items = Array.isArray(o.items)
    ? o.items.filter(
        (i): i is QueuedReport =>
          typeof i === 'object' && i !== null && typeof i.report === 'object' && i.report !== null && typeof i.bytes === 'number' && typeof i.enqueuedAt === 'number',
      )
    : [];
  const dropped: Record<string, number> = {};
  if (o.dropped && typeof o.dropped === 'object') {
    for (const [k, n] of Object.entries(o.dropped)) if (typeof n === 'number') dropped[k] = n;
  }
  return {
    items,
    sent: typeof o.sent === 'number' ? o.sent : 0,
    dropped,
    lastError: typeof o.lastError === 'string' ? o.lastError : null,
    nextAttemptAt: typeof o.nextAttemptAt === 'number' ? o.nextAttemptAt : null,
    failures: typeof o.failures === 'number' ? o.failures : 0,
  };
}
