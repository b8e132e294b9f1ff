/**
 * The one way sources read the network: a timeout that covers the body too, a cap on the body
 * (a hostile or broken source must not exhaust memory), and conditional GET (If-None-Match /
 * If-Modified-Since from the last 200 whose contents were stored, so a 304 means nothing new).
 */
import { readStreamCapped } from '../http/body.ts';

export const DEFAULT_TIMEOUT_MS = 15_000;
/** 2 MiB: a busy Statuspage incidents.json or a long feed is a few hundred KiB. */
export const DEFAULT_MAX_BYTES = 2 * 1024 * 1024;

/** A failed fetch; `retryAfterMs` carries a server's Retry-After so the poller waits at least that. */
export class SourceError extends Error {
  override name = 'SourceError';
  constructor(
    message: string,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }
}

export interface GetOptions {
  fetchImpl?: typeof fetch;
  timeoutMs?: number;
  maxBytes?: number;
  headers?: Record<string, string>;
  now?: () => number;
}

/** Retry-After as milliseconds from now: delta-seconds or an HTTP date; null when absent or unreadable. */
export function retryAfterMs(value: string | null, now: number): number | null {
  if (value === null || value.trim() === '') return null;
  const s = value.trim();
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  const at = Date.parse(s);
  return Number.isFinite(at) ? Math.max(0, at - now) : null;
}

/**
 * Reads at most `maxBytes` of the body; more than that rejects and cancels the rest. Error
 * messages say what went wrong, not which source: the poller's log line names the source.
 */
export async function readCapped(res: Response, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw new SourceError(`body of ${declared} bytes is over the ${maxBytes}-byte limit`);
  }
  if (!res.body) return new Uint8Array(0);
  const bytes = await readStreamCapped(res.body, maxBytes);
  if (bytes === null) throw new SourceError(`body is over the ${maxBytes}-byte limit`);
  return bytes;
}

/** The charset from Content-Type or, for XML, from the declaration; UTF-8 otherwise. */
export function decodeText(bytes: Uint8Array, contentType: string | null): string {
  const fromHeader = /charset\s*=\s*"?([A-Za-z0-9._:-]+)/i.exec(contentType ?? '')?.[1];
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 200));
  const fromXml = /^\s*<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/i.exec(head)?.[1];
  for (const label of [fromHeader, fromXml]) {
    if (!label) continue;
    try {
      return new TextDecoder(label).decode(bytes);
    } catch {
      // An unknown label: fall through to UTF-8.
    }
  }
  return new TextDecoder('utf-8').decode(bytes);
}

export type GetResult =
  | { notModified: true }
  | {
      notModified: false;
      status: number;
      text: string;
      /** Call once what was read has been stored: later requests then ask "anything newer than this?". */
      commit(): void;
    };

/**
 * A URL polled again and again with conditional GET. Validators are remembered only when the
 * caller commits, so a body that could not be stored is fetched in full again next time.
 */
export class ConditionalGetter {
  private etag: string | null = null;
  private lastModified: string | null = null;

  constructor(
    readonly url: string,
    private readonly o: GetOptions,
  ) {}

  get validators(): { etag: string | null; lastModified: string | null } {
    return { etag: this.etag, lastModified: this.lastModified };
  }

  async get(): Promise<GetResult> {
    const o = this.o;
    const headers: Record<string, string> = { ...o.headers };
    if (this.etag) headers['if-none-match'] = this.etag;
    if (this.lastModified) headers['if-modified-since'] = this.lastModified;
    let res: Response;
    try {
      res = await (o.fetchImpl ?? fetch)(this.url, { headers, redirect: 'follow', signal: AbortSignal.timeout(o.timeoutMs ?? DEFAULT_TIMEOUT_MS) });
    } catch (err) {
      throw new SourceError(describeFetchError(err));
    }
    if (res.status === 304) {
      await res.body?.cancel().catch(() => undefined);
      return { notModified: true };
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      const wait = res.status === 429 || res.status === 503 ? retryAfterMs(res.headers.get('retry-after'), (o.now ?? Date.now)()) : null;
      throw new SourceError(`answered HTTP ${res.status}`, wait);
    }
    let bytes: Uint8Array;
    try {
      bytes = await readCapped(res, o.maxBytes ?? DEFAULT_MAX_BYTES);
    } catch (err) {
      if (err instanceof SourceError) throw err;
      throw new SourceError(describeFetchError(err));
    }
    const etag = res.headers.get('etag');
    const lastModified = res.headers.get('last-modified');
    return {
      notModified: false,
      status: res.status,
      text: decodeText(bytes, res.headers.get('content-type')),
      commit: () => {
        this.etag = etag;
        this.lastModified = lastModified;
      },
    };
  }
}

/** "timed out after 15 s", "ECONNREFUSED", ...: the cause, not undici's generic "fetch failed". */
export function describeFetchError(err: unknown): string {
  if (err instanceof Error) {
    if (err.name === 'TimeoutError') return 'timed out';
    const cause = (err as { cause?: unknown }).cause;
    if (cause instanceof Error) {
      const code = (cause as { code?: unknown }).code;
      return typeof code === 'string' ? `${err.message} (${code})` : `${err.message} (${cause.message})`;
    }
    return err.message;
  }
  return String(err);
}
