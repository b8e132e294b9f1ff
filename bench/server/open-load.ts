/**
 * An open-model load generator on undici: requests are sent at a fixed arrival rate whatever the
 * server's answers are doing, and each latency is taken from when the request was DUE, not when
 * it was sent, so a server that falls behind shows its queueing instead of slowing the generator
 * down (the coordinated omission of closed loops).
 */
import { Pool } from 'undici';
import { quantile } from '../lib/stats.ts';

export interface LoadRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface OpenLoadOptions {
  origin: string;
  /** Requests per second. */
  rate: number;
  durationMs: number;
  /** Builds the i-th request (called when it is due). */
  request: (i: number) => LoadRequest;
  /** Sees every answer (status and body text), e.g. to keep acknowledged ids. */
  onAnswer?: (i: number, status: number, body: string, retryAfter: string | null) => void;
  connections?: number;
  /** Due requests beyond this many in flight are not sent but counted as dropped. */
  maxInFlight?: number;
  /** How long to wait for stragglers after the last request was due. */
  drainMs?: number;
}

export interface OpenLoadResult {
  rate: number;
  durationS: number;
  due: number;
  completed: number;
  /** Due but not sent: the generator already had maxInFlight requests waiting. */
  dropped: number;
  /** Sent but unanswered by the end of the drain, or failed at the socket. */
  failed: number;
  byStatus: Record<string, number>;
  /** 503 answers that carried Retry-After. */
  shedWithRetryAfter: number;
  /** Answers per second over the run. */
  answeredPerS: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export async function openLoad(o: OpenLoadOptions): Promise<OpenLoadResult> {
  const pool = new Pool(o.origin, { connections: o.connections ?? 64, pipelining: 1, keepAliveTimeout: 30_000 });
  const maxInFlight = o.maxInFlight ?? 4000;
  const latencies: number[] = [];
  const byStatus: Record<string, number> = {};
  let inFlight = 0;
  let completed = 0;
  let dropped = 0;
  let failed = 0;
  let shed = 0;
  let sent = 0;
  const total = Math.floor((o.rate * o.durationMs) / 1000);
  const interval = 1000 / o.rate;
  const t0 = performance.now();
  let lastAnswer = t0;
  const pending = new Set<Promise<void>>();

  const fire = (i: number) => {
    const dueAt = t0 + i * interval;
    const req = o.request(i);
    inFlight++;
    const p = (async () => {
      try {
        const res = await pool.request({ method: req.method, path: req.path, headers: req.headers ?? {}, body: req.body ?? null });
        const text = await res.body.text();
        const now = performance.now();
        lastAnswer = now;
        latencies.push(now - dueAt);
        completed++;
        byStatus[res.statusCode] = (byStatus[res.statusCode] ?? 0) + 1;
        const retryAfter = res.headers['retry-after'];
        const ra = typeof retryAfter === 'string' ? retryAfter : null;
        if (res.statusCode === 503 && ra) shed++;
        o.onAnswer?.(i, res.statusCode, text, ra);
      } catch {
        failed++;
      } finally {
        inFlight--;
      }
    })();
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };

  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor((performance.now() - t0) / interval) + 1);
      while (sent < due) {
        if (inFlight >= maxInFlight) dropped++;
        else fire(sent);
        sent++;
      }
      if (sent >= total) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
  const drainDeadline = performance.now() + (o.drainMs ?? 5000);
  while (pending.size && performance.now() < drainDeadline) await Promise.race([...pending, new Promise((r) => setTimeout(r, 50))]);
  failed += pending.size;
  await pool.destroy();
  const end = Math.max(lastAnswer, t0 + o.durationMs);
  return {
    rate: o.rate,
    durationS: o.durationMs / 1000,
    due: total,
    completed,
    dropped,
    failed,
    byStatus,
    shedWithRetryAfter: shed,
    answeredPerS: completed / ((end - t0) / 1000),
    p50Ms: latencies.length ? quantile(latencies, 0.5) : NaN,
    p99Ms: latencies.length ? quantile(latencies, 0.99) : NaN,
    maxMs: latencies.length ? latencies.reduce((a, b) => Math.max(a, b)) : NaN,
  };
}
