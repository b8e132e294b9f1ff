/**
 * What one answer of x.com's API says about the site, reduced to an observation. Pure: the page
 * hook feeds it what it saw (status, two headers, the parsed `errors[]` body), tests feed it
 * fixtures. Nothing of the request (URL, variables, ids) goes in, so nothing of it can come out.
 */
import { PER_ACCOUNT_CODE_PREFIX, type Feature } from '../shared/protocol.ts';
import type { Observation } from '../shared/runtime-messages.ts';
import { X_SERVER_ERROR_NAMES } from '../shared/x-codes.ts';
import { isJson } from './read-body.ts';

export type PageObservation = Omit<Observation, 'source'>;

export interface ApiAnswer {
  feature: Feature;
  op?: string;
  /** HTTP status; 0 when no response arrived. */
  status: number;
  /** The page cancelled the request (or left the page): says nothing about x.com. */
  aborted?: boolean;
  /** The request's own timeout fired. */
  timedOut?: boolean;
  contentType?: string | null;
  /** The `x-rate-limit-remaining` header. */
  rateLimitRemaining?: string | null;
  /** A CDN or WAF answered (a `cf-ray` header, or `server` naming an edge network): see edgeSeen. */
  edge?: boolean;
  /** The parsed JSON body, when it was read (API calls only, bounded in size). */
  body?: unknown;
}

/** Error codes that limit one account, not the site: reported with the `limit:` prefix. */
const LIMIT_CODES = new Set([88, 161, 185, 326, 344]);
/** Authentication failures after logout or with a stale token: not reported at all. */
const LOGGED_OUT_CODES = new Set([32, 239, 353]);
/** 130 over capacity, 131 internal error. */
const SERVER_CODES = new Set([130, 131]);
const SERVER_NAMES = X_SERVER_ERROR_NAMES;
/** Names and messages such as "(-1) LoadShed" or "DeadlineExceeded: ..." name a server-side failure. */
const SERVER_MESSAGE_RE = /\b(LoadShed|DeadlineExceeded|ServiceUnavailable|OverCapacity)\b/;
const SAFE_NAME_RE = /^[A-Za-z][A-Za-z0-9_]{0,48}$/;

interface ApiError {
  code?: unknown;
  name?: unknown;
  kind?: unknown;
  source?: unknown;
  message?: unknown;
}

type Verdict = { type: 'limit'; code: string } | { type: 'server'; code: string } | { type: 'logged_out' } | null;

function errorsOf(body: unknown): ApiError[] {
  if (typeof body !== 'object' || body === null) return [];
  const errors = (body as { errors?: unknown }).errors;
  if (!Array.isArray(errors)) return [];
  // A handful is enough to classify; a hostile or huge list costs nothing more.
  return errors.slice(0, 20).filter((e): e is ApiError => typeof e === 'object' && e !== null);
}

function judgeError(e: ApiError): Verdict {
  const code = typeof e.code === 'number' ? e.code : typeof e.code === 'string' && /^\d{1,6}$/.test(e.code) ? Number(e.code) : null;
  if (code !== null && LIMIT_CODES.has(code)) return { type: 'limit', code: `${PER_ACCOUNT_CODE_PREFIX}${code}` };
  if (code !== null && LOGGED_OUT_CODES.has(code)) return { type: 'logged_out' };
  const name = typeof e.name === 'string' && SAFE_NAME_RE.test(e.name) ? e.name : null;
  const message = typeof e.message === 'string' ? e.message : '';
  const fromMessage = SERVER_MESSAGE_RE.exec(message)?.[1] ?? null;
  const server =
    (name !== null && SERVER_NAMES.has(name)) ||
    fromMessage !== null ||
    (code !== null && SERVER_CODES.has(code)) ||
    e.kind === 'ServiceLevel' ||
    (e.source === 'Server' && e.kind !== 'NonFatal');
  if (!server) return null;
  // The most telling token: a known name, then one found in the message, the number. Other names
  // stay in the page: only names the background lets through (shared/x-codes.ts) may leave.
  const token = (name && SERVER_NAMES.has(name) ? name : null) ?? fromMessage ?? (code !== null ? String(code) : null) ?? 'server';
  return { type: 'server', code: `x:${token}` };
}

/** The verdict of a body's errors[]: a per-account limit wins, then a server error, then logged out. */
function judgeErrors(body: unknown): Verdict {
  let server: Verdict = null;
  let loggedOut = false;
  for (const e of errorsOf(body)) {
    const v = judgeError(e);
    if (v?.type === 'limit') return v;
    if (v?.type === 'server' && !server) server = v;
    if (v?.type === 'logged_out') loggedOut = true;
  }
  return server ?? (loggedOut ? { type: 'logged_out' } : null);
}

/** `server` values of CDNs and WAFs that answer in place of an origin. */
const EDGE_SERVER_RE = /cloudflare|cloudfront|akamai|fastly|varnish|incapsula|sucuri|ddos-guard/i;

/** Whether the answer's headers show an edge network (CDN, WAF) rather than X's own API servers. */
export function edgeSeen(header: (name: string) => string | null): boolean {
  return header('cf-ray') != null || EDGE_SERVER_RE.test(header('server') ?? '');
}

function isHtml(contentType: string | null | undefined): boolean {
  return typeof contentType === 'string' && /^\s*text\/html\b/i.test(contentType);
}

/**
 * - aborted by the page: nothing;
 * - no response: nothing (webRequest sees why), except the request's own timeout: network, code `timeout`;
 * - 429: http_429, code limit:<error code> or, with x-rate-limit-remaining 0, limit:429;
 * - errors[] with 88/161/326 (any status): http_429 with limit:<code>: one account's limit;
 * - errors[] with 32/239/353 (logged out, stale token): nothing;
 * - an HTML page answering an API call: http_5xx, code edge:html, the real status;
 * - an error status (>= 400) from an edge network (cf-ray, server: cloudflare...) with no JSON of
 *   X's own: http_5xx, code edge:<status> (a WAF block, a CDN failing to reach X). X's own JSON
 *   errors stay X's, so a CDN in front of a healthy API never turns its 404s into outages;
 * - 5xx: http_5xx, code x:<name or code> when the body names one;
 * - 2xx whose errors[] carry a server error (DeadlineExceeded, LoadShed, 131, ServiceLevel): http_5xx, status 200;
 * - other 2xx: ok; other 3xx/4xx: nothing (not evidence of an outage).
 */
export function classifyApiAnswer(a: ApiAnswer): PageObservation | null {
  const base = (signal: PageObservation['signal'], extra: { status?: number; code?: string } = {}): PageObservation => {
    const o: PageObservation = { feature: a.feature, signal };
    if (extra.status !== undefined) o.status = extra.status;
    if (a.op !== undefined) o.op = a.op;
    if (extra.code !== undefined) o.code = extra.code;
    return o;
  };
  if (a.aborted) return null;
  // No answer at all: the page cannot tell a block by another extension, a reset, window.stop()
  // or being offline apart; webRequest sees the same request with the browser's exact error and
  // classifies it. A timeout the page set itself is the page's to tell (the browser calls it an abort).
  if (a.status === 0) return a.timedOut ? base('network', { code: 'timeout' }) : null;
  const verdict = judgeErrors(a.body);
  if (verdict?.type === 'limit') return base('http_429', { status: a.status, code: verdict.code });
  if (a.status === 429) {
    const perAccount = a.rateLimitRemaining != null && a.rateLimitRemaining.trim() === '0';
    return base('http_429', { status: 429, ...(perAccount ? { code: `${PER_ACCOUNT_CODE_PREFIX}429` } : {}) });
  }
  if (verdict?.type === 'logged_out') return null;
  if (isHtml(a.contentType)) return base('http_5xx', { status: a.status, code: 'edge:html' });
  if (a.edge && a.status >= 400 && !isJson(a.contentType)) return base('http_5xx', { status: a.status, code: `edge:${a.status}` });
  if (a.status >= 500) return base('http_5xx', { status: a.status, ...(verdict?.type === 'server' ? { code: verdict.code } : {}) });
  if (a.status >= 200 && a.status < 300) {
    if (verdict?.type === 'server') return base('http_5xx', { status: a.status, code: verdict.code });
    return base('ok');
  }
  return null;
}
