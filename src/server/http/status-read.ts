/**
 * GET /v1/status answered ahead of the app's middleware chain. Every installed extension polls it
 * (every 5 s while X fails for its user), so it is the route an outage multiplies; its answer is
 * already cached (status.ts), and what a read cost beyond that was the work around it: the request
 * logger's and CORS's turns in the middleware chain, a `Headers` object built from the raw request
 * to read two of them, another built for the answer and turned back into Node's form, and
 * Accept-Encoding parsed again on every read (docs/benchmarks.md, the CPU profile of 2026-12-07).
 *
 * Here the answer's headers are made once per gzipped body (at most once a second), requests'
 * headers are read from Node's own parsed object, and the answer goes out as a plain header object,
 * which @hono/node-server writes without converting. What the middleware would add is added here
 * the same way: CORS for extension origins (cors.ts) and the debug request log line. Anything but
 * a valid query falls through to the full route, which answers its 400 with the whole chain.
 */
import type { Context, Next } from 'hono';
import { REGION_RE, SITE_RE, type Problem } from '../../shared/protocol.ts';
import type { StatusBuilder } from '../aggregation/status.ts';
import type { Logger } from '../log.ts';
import { isExtensionOrigin } from './cors.ts';

/** Whether an Accept-Encoding header takes gzip (listed, or `*`, without q=0). */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  let named: boolean | null = null;
  let star = false;
  for (const part of header.toLowerCase().split(',')) {
    const [coding = '', ...params] = part.split(';').map((p) => p.trim());
    const q = params.find((p) => p.startsWith('q='));
    const takes = q === undefined || Number(q.slice(2)) > 0;
    if (coding === 'gzip' || coding === 'x-gzip') named = (named ?? false) || takes;
    else if (coding === '*') star = takes;
  }
  // gzip named (even refused, q=0) decides; otherwise a wildcard does.
  return named ?? star;
}

/** Browsers send one of a handful of Accept-Encoding values, so each is parsed once. */
const ACCEPT_MEMO_LIMIT = 64;

/**
 * The headers of every status answer. A CDN or the browser may answer for 5 s; the extension never
 * asks again sooner (src/shared/poll-policy.ts). Short, because every second a cached copy may be
 * stale is a second on the delay to the badge; 5 s still folds a crowd's polls into one origin
 * request per CDN node. No stale-while-revalidate: the browser would hand the extension the stale
 * copy on its next poll and delay the badge by a poll. Vary: Origin, because extension origins get
 * CORS headers and web pages do not.
 */
export const STATUS_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'cache-control': 'public, max-age=5',
  'content-type': 'application/json',
  vary: 'Accept-Encoding, Origin',
});

/** What is wrong with a status query (none: it can be answered; the read tests the same). */
export function statusQueryProblems(site: string | undefined, region: string | undefined): Problem[] {
  const problems: Problem[] = [];
  if (!site || !SITE_RE.test(site)) problems.push({ index: -1, path: 'site', message: 'must be a lower-case host name such as "x.com"' });
  if (region !== undefined && !REGION_RE.test(region)) problems.push({ index: -1, path: 'region', message: 'must be an ISO 3166-1 alpha-2 code in upper case' });
  return problems;
}

type NodeHeaders = Record<string, string | string[] | undefined>;

function firstValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

export function statusReadHandler(status: StatusBuilder, now: () => number, log: Logger) {
  const acceptMemo = new Map<string, boolean>();
  const takesGzip = (header: string | undefined): boolean => {
    if (!header) return false;
    let takes = acceptMemo.get(header);
    if (takes === undefined) {
      takes = acceptsGzip(header);
      if (acceptMemo.size >= ACCEPT_MEMO_LIMIT) acceptMemo.clear();
      acceptMemo.set(header, takes);
    }
    return takes;
  };
  // Keyed on the gzipped bytes, which status.ts replaces whenever the answer changes: a body's
  // headers (its length with them) live exactly as long as the body.
  const gzipHeaders = new WeakMap<Uint8Array, Readonly<Record<string, string>>>();

  // Not async: a read that needs no await makes no promise of its own.
  return (c: Context, next: Next): Response | Promise<void> => {
    const started = log.isLevelEnabled('debug') ? performance.now() : 0;
    const site = c.req.query('site');
    const region = c.req.query('region');
    if (!site || !SITE_RE.test(site) || (region !== undefined && !REGION_RE.test(region))) return next();
    // Node has parsed the request's headers already; the Fetch Headers that c.req.header() builds
    // from them is made only where there is no Node request (app.request() in tests).
    const nodeHeaders = (c.env as { incoming?: { headers?: NodeHeaders } } | undefined)?.incoming?.headers;
    const origin = nodeHeaders ? firstValue(nodeHeaders.origin) : c.req.header('origin');
    const acceptEncoding = nodeHeaders ? firstValue(nodeHeaders['accept-encoding']) : c.req.header('accept-encoding');
    let body: string | Uint8Array<ArrayBuffer>;
    let headers: Readonly<Record<string, string>>;
    if (takesGzip(acceptEncoding)) {
      const bytes = status.buildGzip(site, region ?? null, now());
      let prepared = gzipHeaders.get(bytes);
      if (!prepared) {
        prepared = Object.freeze({ ...STATUS_HEADERS, 'content-encoding': 'gzip', 'content-length': String(bytes.byteLength) });
        gzipHeaders.set(bytes, prepared);
      }
      body = bytes;
      headers = prepared;
    } else {
      const text = status.buildJson(site, region ?? null, now());
      body = text;
      headers = { ...STATUS_HEADERS, 'content-length': String(Buffer.byteLength(text)) };
    }
    if (isExtensionOrigin(origin)) {
      // As cors.ts adds to every other answer: the extension must read Retry-After to back off.
      headers = { ...headers, 'access-control-allow-origin': origin, 'access-control-expose-headers': 'Retry-After' };
    }
    if (started) log.debug({ method: c.req.method, path: c.req.path.slice(0, 200), status: 200, ms: Math.round(performance.now() - started) }, 'request');
    // A plain object, not Headers: @hono/node-server hands it to writeHead as it is. It is never
    // changed (the length is in it), so the prepared one is shared by every read of its body.
    return new Response(body, { status: 200, headers: headers as Record<string, string> });
  };
}
