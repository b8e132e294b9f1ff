/**
 * A seeded generator of what a browser on x.com can throw at the background: webRequest events
 * for random x.com URLs (handles in paths, secrets in queries and fragments, handles where a
 * GraphQL operation name goes), and page/DOM observations whose fields hold hostile values
 * (URLs, handles, post text, cookies, emoji, huge strings, odd unicode, wrong types, extra keys).
 * Every secret planted is recorded, so the checker knows exactly what must never leave.
 */
import { makeRng } from '../../../bench/simulate/random.ts';

/** The simulator's seeded generator: the same sequence for the same seed on every machine. */
export const rng = makeRng;

export class Gen {
  constructor(readonly random: () => number) {}
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.random() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.random() * xs.length)]!;
  }
  chance(p: number): boolean {
    return this.random() < p;
  }
  word(len = this.int(3, 12), alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789_'): string {
    let s = '';
    for (let i = 0; i < len; i++) s += alphabet[Math.floor(this.random() * alphabet.length)];
    return s;
  }
}

/** What one generated case planted: strings that must appear in no payload. */
export interface Secrets {
  handles: string[];
  texts: string[];
  cookies: string[];
  urls: string[];
  queries: string[];
  userIds: string[];
}

export function emptySecrets(): Secrets {
  return { handles: [], texts: [], cookies: [], urls: [], queries: [], userIds: [] };
}

const EMOJI = ['😀', '🔥', '👩🏽‍💻', '🏳️‍🌈', '❤️'];
const UNICODE = ['\u202Eevil\u202C', 'zero\u200Bwidth', 'ａｂｃ', 'مرحبا بالعالم', 'नमस्ते दुनिया', 'こんにちは世界', 'Ω≈ç√∫', '\u0000nul', 'e\u0301'];
const OPS = ['HomeTimeline', 'HomeLatestTimeline', 'TweetDetail', 'CreateTweet', 'UserByScreenName', 'SearchTimeline', 'DMInboxTimeline', 'NotificationsTimeline', 'AudioSpaceById', 'Followers'];
const HOSTS = ['x.com', 'api.x.com', 'twitter.com', 'mobile.x.com', 'pbs.twimg.com', 'video.twimg.com', 'abs.twimg.com'];
const TYPES = ['main_frame', 'xmlhttprequest', 'image', 'media', 'script', 'sub_frame', 'other', 'websocket'];
/** Real error names both browsers give, plus hostile strings a buggy glue could pass in. */
const NET_ERRORS = [
  'net::ERR_CONNECTION_RESET',
  'net::ERR_TIMED_OUT',
  'net::ERR_CONNECTION_CLOSED',
  'net::ERR_EMPTY_RESPONSE',
  'net::ERR_HTTP2_PROTOCOL_ERROR',
  'net::ERR_QUIC_PROTOCOL_ERROR',
  'net::ERR_CONNECTION_REFUSED',
  'net::ERR_NAME_NOT_RESOLVED',
  'net::ERR_INTERNET_DISCONNECTED',
  'net::ERR_BLOCKED_BY_CLIENT',
  'net::ERR_CERT_AUTHORITY_INVALID',
  'net::ERR_ABORTED',
  'net::ERR_FAILED',
  'NS_ERROR_NET_RESET',
  'NS_ERROR_NET_TIMEOUT',
  'NS_ERROR_CONNECTION_REFUSED',
  'NS_ERROR_UNKNOWN_HOST',
  'NS_BINDING_ABORTED',
  'SEC_ERROR_UNKNOWN_ISSUER',
];

/** A handle as a page shows it, and the bare form URLs use. */
export function handle(g: Gen, s: Secrets): string {
  const h = g.chance(0.3) ? 'fixture_handle' : `u${g.word(g.int(5, 14))}`;
  s.handles.push(h);
  return h;
}

function postText(g: Gen, s: Secrets): string {
  const parts = [`secret post ${g.word(8)}`, g.pick(EMOJI), g.pick(UNICODE), `#tag${g.word(5)}`];
  if (g.chance(0.1)) parts.push('A'.repeat(g.int(1_000, 70_000)));
  const text = parts.join(' ');
  s.texts.push(`secret post`);
  return text;
}

function cookie(g: Gen, s: Secrets): string {
  const value = `ck${g.word(24, 'abcdef0123456789')}`;
  s.cookies.push(value);
  return `auth_token=${value}; ct0=${value}; twid=u%3D${g.int(1e9, 9e9)}`;
}

function userId(g: Gen, s: Secrets): string {
  const id = String(g.int(1e12, 9e15));
  s.userIds.push(id);
  return id;
}

/** A random x.com (or media host) URL with secrets in its path, query and fragment. */
export function xUrl(g: Gen, s: Secrets): string {
  const host = g.pick(HOSTS);
  const h = handle(g, s);
  const q = `q${g.word(10)}`;
  s.queries.push(q);
  const paths = [
    () => `/i/api/graphql/${g.word(22)}/${g.pick(OPS)}`,
    // A handle where the operation name goes: what a hostile page can fetch.
    () => `/i/api/graphql/${g.word(22)}/${h}`,
    () => `/${h}`,
    () => `/${h}/status/${userId(g, s)}`,
    () => `/${h}/following`,
    () => `/messages/${userId(g, s)}-${userId(g, s)}`,
    () => `/i/api/1.1/dm/conversation/${userId(g, s)}.json`,
    () => `/search`,
    () => `/home`,
    () => `/i/api/2/notifications/all.json`,
    () => `/media/${g.word(15)}.jpg`,
    () => `/${encodeURIComponent(g.pick(UNICODE))}/${g.pick(EMOJI)}`,
  ];
  const path = g.pick(paths)();
  const query = g.chance(0.8) ? `?variables=${encodeURIComponent(JSON.stringify({ screen_name: h, q, cursor: g.word(20) }))}&token=${q}` : '';
  const hash = g.chance(0.2) ? `#${q}` : '';
  const url = `https://${host}${path}${query}${hash}`;
  s.urls.push(url);
  return url;
}

/** A hostile value for any observation field. */
export function hostileValue(g: Gen, s: Secrets): unknown {
  const makers: (() => unknown)[] = [
    () => `@${handle(g, s)}`,
    () => handle(g, s),
    () => xUrl(g, s),
    () => postText(g, s),
    () => cookie(g, s),
    () => userId(g, s),
    () => Number(userId(g, s)),
    () => g.pick(EMOJI),
    () => g.pick(UNICODE),
    () => 'x'.repeat(g.int(65, 200_000)),
    () => g.int(-10, 100_000),
    () => g.random(),
    () => null,
    () => ({ url: xUrl(g, s) }),
    () => [handle(g, s)],
    () => `banner:${handle(g, s)} ${postText(g, s)}`,
    () => `x:${g.int(0, 500)}`,
    () => `limit:${g.pick(['88', '161', '326', 'rate_limited', '429'])}`,
    () => `banner:${g.pick(['timeline_error', 'toast_error', 'dm_send_failed', 'unrecognised'])}`,
    () => g.pick(NET_ERRORS),
    () => g.pick(OPS),
  ];
  return g.pick(makers)();
}

const FEATURES = ['timeline', 'post', 'dm', 'login', 'media', 'notifications', 'search', 'profile', 'follow', 'spaces', 'other'];
const SIGNALS = ['banner', 'http_5xx', 'http_429', 'network', 'ok'];

/** An observation a content script might send: mostly well-formed, with hostile values in its fields. */
export function observation(g: Gen, s: Secrets): Record<string, unknown> {
  const o: Record<string, unknown> = {
    feature: g.chance(0.95) ? g.pick(FEATURES) : hostileValue(g, s),
    signal: g.chance(0.95) ? g.pick(SIGNALS) : hostileValue(g, s),
    source: g.chance(0.95) ? g.pick(['page', 'dom']) : g.pick(['webrequest', 'manual', hostileValue(g, s)]),
  };
  if (g.chance(0.6)) o.status = g.chance(0.6) ? g.pick([200, 500, 502, 503, 429, 0]) : hostileValue(g, s);
  if (g.chance(0.6)) o.op = g.chance(0.4) ? g.pick(OPS) : hostileValue(g, s);
  if (g.chance(0.7)) o.code = g.chance(0.3) ? g.pick(['x:131', 'x:DeadlineExceeded', 'edge:html', 'banner:timeline_error', 'limit:88']) : hostileValue(g, s);
  // Extra keys a careless detector might add.
  if (g.chance(0.1)) o[g.pick(['url', 'text', 'handle', 'cookie', 'userId'])] = hostileValue(g, s);
  return o;
}

export type BrowserEvent =
  | { kind: 'completed'; url: string; statusCode: number; type: string }
  | { kind: 'error'; url: string; error: string; type: string }
  | { kind: 'redirect'; url: string; redirectUrl: string; type: string }
  | { kind: 'observe'; observation: Record<string, unknown> }
  | { kind: 'report'; feature: unknown };

export function browserEvent(g: Gen, s: Secrets): BrowserEvent {
  const r = g.random();
  if (r < 0.3) return { kind: 'completed', url: xUrl(g, s), statusCode: g.pick([200, 204, 301, 401, 403, 404, 429, 500, 502, 503, 504]), type: g.pick(TYPES) };
  if (r < 0.55) {
    const error = g.chance(0.85) ? g.pick(NET_ERRORS) : String(hostileValue(g, s));
    return { kind: 'error', url: xUrl(g, s), error, type: g.pick(TYPES) };
  }
  if (r < 0.6) return { kind: 'redirect', url: xUrl(g, s), redirectUrl: g.chance(0.5) ? xUrl(g, s) : `http://portal.example/?from=${encodeURIComponent(xUrl(g, s))}`, type: g.pick(TYPES) };
  if (r < 0.97) return { kind: 'observe', observation: observation(g, s) };
  return { kind: 'report', feature: g.chance(0.8) ? g.pick(FEATURES) : hostileValue(g, s) };
}
