/**
 * Token buckets keyed by a hashed client network. Only hashes are keys, so the limiter's memory
 * holds no address either.
 */
export type Take = { ok: true } | { ok: false; retryAfterS: number };

interface Bucket {
  tokens: number;
  updated: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;

  constructor(
    private readonly burst: number,
    perMinute: number,
    private readonly maxKeys = 200_000,
  ) {
    this.perMs = perMinute / 60_000;
  }

  take(key: string, nowMs: number): Take {
    const b = this.buckets.get(key) ?? { tokens: this.burst, updated: nowMs };
    b.tokens = Math.min(this.burst, b.tokens + Math.max(0, nowMs - b.updated) * this.perMs);
    b.updated = nowMs;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      this.buckets.set(key, b);
      if (this.buckets.size > this.maxKeys) this.prune(nowMs);
      return { ok: true };
    }
    this.buckets.set(key, b);
    return { ok: false, retryAfterS: Math.max(1, Math.ceil((1 - b.tokens) / this.perMs / 1000)) };
  }

  /** Forgets buckets that have refilled: they behave exactly like a new one. */
  prune(nowMs: number): void {
    for (const [key, b] of this.buckets) {
      if (b.tokens + (nowMs - b.updated) * this.perMs >= this.burst) this.buckets.delete(key);
    }
  }

  get size(): number {
    return this.buckets.size;
  }
}
