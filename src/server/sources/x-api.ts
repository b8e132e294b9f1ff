/**
 * Posts of official X accounts through the X API v2, polled by the server (never by the
 * extension: the token stays here). User ids are looked up once, each account is read with
 * since_id so a post is fetched once, and the x-rate-limit-* headers pause polling until reset.
 */
import type { StoredMessage } from '../storage/types.ts';
import { DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_MS, SourceError, describeFetchError, readCapped } from './http-get.ts';

export interface XApiOptions {
  baseUrl: string;
  bearerToken: string;
  accounts: readonly string[];
  site: string;
  fetchImpl?: typeof fetch;
  now?: () => number;
}

interface Tweet {
  id: string;
  text: string;
  created_at?: string;
  lang?: string;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export class XApiPoller {
  private readonly userIds = new Map<string, string>();
  private readonly sinceIds = new Map<string, string>();
  /** Epoch ms before which no request is made, from x-rate-limit-reset. */
  private pausedUntil = 0;
  private readonly fetchImpl: typeof fetch;
  private readonly now: () => number;

  constructor(private readonly o: XApiOptions) {
    this.fetchImpl = o.fetchImpl ?? fetch;
    this.now = o.now ?? Date.now;
  }

  get pausedUntilMs(): number {
    return this.pausedUntil;
  }

  private async get(path: string): Promise<unknown> {
    const where = `X API ${path.split('?')[0]}`;
    let res: Response;
    try {
      res = await this.fetchImpl(new URL(path, this.o.baseUrl), {
        headers: { authorization: `Bearer ${this.o.bearerToken}`, accept: 'application/json' },
        signal: AbortSignal.timeout(DEFAULT_TIMEOUT_MS),
      });
    } catch (err) {
      throw new SourceError(`${where}: ${describeFetchError(err)}`);
    }
    const remaining = res.headers.get('x-rate-limit-remaining');
    const reset = Number(res.headers.get('x-rate-limit-reset'));
    if ((res.status === 429 || remaining === '0') && Number.isFinite(reset) && reset > 0) {
      this.pausedUntil = Math.max(this.pausedUntil, reset * 1000);
    } else if (res.status === 429) {
      this.pausedUntil = Math.max(this.pausedUntil, this.now() + 15 * 60_000);
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      throw new SourceError(`${where} answered HTTP ${res.status}`);
    }
    // Capped like every source: a broken proxy in front of the API must not exhaust memory.
    const text = new TextDecoder().decode(await readCapped(res, DEFAULT_MAX_BYTES));
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new SourceError(`${where}: body is not JSON`);
    }
  }

  private async userId(username: string): Promise<string> {
    const known = this.userIds.get(username);
    if (known) return known;
    const body = await this.get(`/2/users/by/username/${encodeURIComponent(username)}`);
    const id = isObject(body) && isObject(body.data) && typeof body.data.id === 'string' ? body.data.id : null;
    if (!id || !/^\d+$/.test(id)) throw new Error(`X API gave no user id for @${username}`);
    this.userIds.set(username, id);
    return id;
  }

  /** One round over every account; accounts that fail are skipped and retried next round. */
  async poll(): Promise<StoredMessage[]> {
    const out: StoredMessage[] = [];
    const errors: string[] = [];
    for (const username of this.o.accounts) {
      if (this.now() < this.pausedUntil) break;
      try {
        out.push(...(await this.pollAccount(username)));
      } catch (err) {
        errors.push(err instanceof Error ? err.message : String(err));
      }
    }
    if (errors.length && out.length === 0) throw new Error(errors.join('; '));
    return out;
  }

  private async pollAccount(username: string): Promise<StoredMessage[]> {
    const id = await this.userId(username);
    const params = new URLSearchParams({ max_results: '10', exclude: 'retweets,replies', 'tweet.fields': 'created_at,lang' });
    const since = this.sinceIds.get(username);
    if (since) params.set('since_id', since);
    const body = await this.get(`/2/users/${id}/tweets?${params}`);
    if (!isObject(body)) throw new Error(`X API timeline of @${username} is not an object`);
    const data = Array.isArray(body.data) ? body.data : [];
    const newest = isObject(body.meta) && typeof body.meta.newest_id === 'string' ? body.meta.newest_id : null;
    if (newest) this.sinceIds.set(username, newest);
    const out: StoredMessage[] = [];
    for (const t of data as unknown[]) {
      if (!isObject(t) || typeof t.id !== 'string' || !/^\d+$/.test(t.id) || typeof t.text !== 'string') continue;
      const tweet = t as unknown as Tweet;
      const when = Date.parse(tweet.created_at ?? '');
      out.push({
        id: `x-api:${tweet.id}`,
        site: this.o.site,
        source: 'x-api',
        author: `@${username}`,
        text: tweet.text.slice(0, 2000),
        url: `https://x.com/${username}/status/${tweet.id}`,
        publishedAt: Number.isFinite(when) ? when : this.now(),
        lang: typeof tweet.lang === 'string' && /^[a-z]{2,3}$/.test(tweet.lang) ? tweet.lang : 'und',
      });
    }
    return out;
  }
}
