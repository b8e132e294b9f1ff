/**
 * The x.com of the Chromium burst benchmark: an HTTP/2 server on loopback (Chromium reaches it
 * through --host-resolver-rules) with one page that fires a burst of X API calls, and an API
 * that fails every one of them: 500, 502, 503, 504, 429, or a reset stream.
 *
 * HTTP/2 because a reset must reach the page as an error: one stream is reset without touching
 * the others, whereas an HTTP/1.1 reset kills a kept-alive socket, which Chromium retries
 * silently (one burst request, two server hits, no error), and six sockets per host would
 * stretch 1,000 requests well past a second.
 *
 * The calls are made from a dedicated worker of the x.com page, so the extension's page hook
 * (which wraps the window's fetch and XMLHttpRequest) does not see them: webRequest is then the
 * only way they reach the background, and what it must do with them can be computed exactly.
 */
import { constants, createSecureServer, type Http2SecureServer, type Http2ServerRequest, type Http2ServerResponse, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import type { Cert } from '../../test/e2e/lib/tls.ts';

/** Operations across features, as a page failing hard would call them. */
export const BURST_OPS = ['HomeTimeline', 'TweetDetail', 'UserTweets', 'SearchTimeline', 'NotificationsTimeline', 'DMInboxTimeline', 'Following'];
/** How the API answers call i (see answerFor). 0 means: reset the stream. */
export const BURST_ANSWERS = [503, 500, 0, 502, 429, 504, 0];

/** Shifted by one every full cycle of operations, so each operation meets every answer. */
export function answerFor(i: number): number {
  return BURST_ANSWERS[(i + Math.floor(i / BURST_OPS.length)) % BURST_ANSWERS.length]!;
}

export const BURST_PAGE_PATH = '/bench/sw-burst';

export interface BurstResult {
  /** Calls the worker started. */
  started: number;
  /** Calls answered with an HTTP status, by status. */
  statuses: Record<string, number>;
  /** Calls that failed at the network level (the reset streams). */
  networkErrors: number;
  /** From the first call to the last one started, in ms. */
  spreadMs: number;
  /** From the first call to the last one settled, in ms. */
  totalMs: number;
}

const PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>burst</title></head>
<body><p>Outage Radar service-worker burst benchmark</p>
<script src="/bench/sw-burst-page.js"></script></body></html>`;

// The page hands the burst to a dedicated worker and returns what the worker saw.
const PAGE_JS = `window.runBurst = (n, spreadMs, round) => new Promise((resolve, reject) => {
  const w = new Worker('/bench/sw-burst-worker.js');
  w.onmessage = (e) => { w.terminate(); resolve(e.data); };
  w.onerror = (e) => reject(new Error(e.message || 'worker failed'));
  w.postMessage({ n, spreadMs, round, ops: ${JSON.stringify(BURST_OPS)} });
});`;

// Fires n calls in equal slices every 10 ms over spreadMs; each call counted by how it ended.
const WORKER_JS = `onmessage = async (e) => {
  const { n, spreadMs, round, ops } = e.data;
  const ticks = Math.max(1, Math.round(spreadMs / 10));
  const statuses = {};
  let networkErrors = 0, started = 0;
  const t0 = performance.now();
  let lastStart = t0;
  const calls = [];
  for (let t = 0; t < ticks; t++) {
    const until = Math.round(((t + 1) * n) / ticks);
    while (started < until) {
      const i = started++;
      const op = ops[i % ops.length];
      calls.push(fetch('/i/api/graphql/BenchQ' + (i % 7) + '/' + op + '?i=' + i + '&r=' + round, { cache: 'no-store', credentials: 'include' })
        .then((r) => { statuses[r.status] = (statuses[r.status] || 0) + 1; return r.arrayBuffer(); }, () => { networkErrors++; })
        .catch(() => undefined));
    }
    lastStart = performance.now();
    const next = t0 + (t + 1) * 10;
    await new Promise((r) => setTimeout(r, Math.max(0, next - performance.now())));
  }
  await Promise.all(calls);
  postMessage({ started, statuses, networkErrors, spreadMs: lastStart - t0, totalMs: performance.now() - t0 });
};`;

export class BurstSite {
  private readonly server: Http2SecureServer;
  private readonly sockets = new Set<Socket>();
  /** API calls answered, by answer ("reset" or the status). */
  readonly answered = new Map<string, number>();
  port = 0;

  constructor(cert: Cert) {
    this.server = createSecureServer({ key: cert.key, cert: cert.cert, allowHTTP1: true, settings: { maxConcurrentStreams: 2000 } }, (req, res) => this.handle(req, res));
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  answeredTotal(): number {
    return [...this.answered.values()].reduce((a, b) => a + b, 0);
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private count(answer: string): void {
    this.answered.set(answer, (this.answered.get(answer) ?? 0) + 1);
  }

  private handle(req: Http2ServerRequest, res: Http2ServerResponse): void {
    const url = new URL(req.url, 'https://x.com');
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
    };
    if (url.pathname === BURST_PAGE_PATH) return send(200, 'text/html; charset=utf-8', PAGE);
    if (url.pathname === '/bench/sw-burst-page.js') return send(200, 'text/javascript; charset=utf-8', PAGE_JS);
    if (url.pathname === '/bench/sw-burst-worker.js') return send(200, 'text/javascript; charset=utf-8', WORKER_JS);
    if (url.pathname === '/favicon.ico') return send(204, 'text/plain', '');
    if (!url.pathname.startsWith('/i/api/graphql/')) return send(404, 'text/plain', 'not a benchmark path');
    const i = Number(url.searchParams.get('i') ?? 0);
    const answer = answerFor(i);
    if (answer === 0) {
      this.count('reset');
      // RST_STREAM INTERNAL_ERROR: Chromium fails the request with net::ERR_HTTP2_PROTOCOL_ERROR.
      const stream = (req as unknown as { stream?: ServerHttp2Stream }).stream;
      if (stream) stream.close(constants.NGHTTP2_INTERNAL_ERROR);
      else req.socket.destroy();
      return;
    }
    this.count(String(answer));
    const headers = answer === 429 ? { 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(Math.floor(Date.now() / 1000) + 900) } : {};
    res.writeHead(answer, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers }).end(JSON.stringify({ errors: [{ code: 130, message: 'Over capacity' }] }));
  }
}
