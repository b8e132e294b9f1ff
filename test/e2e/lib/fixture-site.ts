/**
 * The fixture x.com: an HTTPS server on loopback that answers for x.com, api.x.com and
 * twitter.com with the pages in test/fixtures/site and an API whose answers each test sets.
 * Chromium reaches it through --host-resolver-rules; Firefox through the HTTP CONNECT proxy
 * started alongside (network.proxy.* prefs), which tunnels only the fixture hosts.
 */
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer as createHttpServer, type Server as HttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DOM_CORPUS_DIR, FIXTURE_SITE_DIR, sharedDataFile } from './paths.ts';
import { FIXTURE_HOSTS, type Cert } from './tls.ts';

/** Distinctive values the fixture pages show and the API query carries: none may ever leave. */
export const FIXTURE_HANDLE = 'fixture_handle_9f3';
export const FIXTURE_POST_TEXT = 'Zebra quokka tangerine 7741 fixture post text';
export const FIXTURE_USER_ID = '1859123456789012345';
/** Set as a cookie on every page, as x.com sets auth_token: it must never reach the server. */
export const FIXTURE_COOKIE_VALUE = 'cookie_secret_e2e_5e1a9c';

export type ApiBehaviour =
  | { kind: 'ok' }
  | { kind: 'status'; status: number }
  | { kind: 'errors200'; errors: unknown[] }
  | { kind: 'rateLimited' }
  /** 200 with this JSON body (an answer carrying posts, for the sightings scenario). */
  | { kind: 'body'; body: unknown };

export const DEADLINE_EXCEEDED_ERROR = { message: 'Timeout: Unspecified', name: 'DeadlineExceeded', kind: 'ServiceLevel', source: 'Server', code: 29 };

export interface ApiCall {
  via: 'xhr' | 'fetch';
  op: string;
  queryId: string;
}

export interface Banner {
  kind: 'error-detail' | 'toast';
  /** Key into x-ui-error-strings.json; the page shows that message in its own language. */
  stringKey: string;
}

export interface FixturePage {
  path: string;
  lang: string;
  title: string;
  calls: ApiCall[];
  banner: Banner | null;
  /** What the detector should conclude: the banner code it should report, or none. */
  expect: { feature: string; code: string } | null;
}

/** Failing API calls made by the timeline page: one per way the web app fails. */
export const TIMELINE_CALLS: ApiCall[] = [
  { via: 'xhr', op: 'HomeTimeline', queryId: 'Fx1HomeTimeline9' },
  { via: 'fetch', op: 'UserTweets', queryId: 'Fx2UserTweets77' },
  { via: 'fetch', op: 'SearchTimeline', queryId: 'Fx3SearchTl555' },
];

/**
 * Banner pages in four languages. Each shows a different X message on a page of the matching
 * feature, so each page must yield its own report however the extension deduplicates.
 */
export const BANNER_PAGES: FixturePage[] = [
  {
    path: '/home',
    lang: 'en',
    title: 'Home',
    calls: TIMELINE_CALLS,
    banner: { kind: 'error-detail', stringKey: 'gd769996' },
    expect: { feature: 'timeline', code: 'banner:timeline_error' },
  },
  {
    path: '/messages',
    lang: 'fr',
    title: 'Messages',
    calls: [],
    banner: { kind: 'toast', stringKey: 'c3752568' },
    expect: { feature: 'dm', code: 'banner:dm_failed' },
  },
  {
    path: '/compose/post',
    lang: 'ja',
    title: 'ポスト',
    calls: [],
    banner: { kind: 'toast', stringKey: 'c0554ca0' },
    expect: { feature: 'post', code: 'banner:post_failed' },
  },
  {
    path: `/${FIXTURE_HANDLE}/following`,
    lang: 'ar',
    title: 'متابَعون',
    calls: [],
    banner: { kind: 'toast', stringKey: 'a5202b82' },
    expect: { feature: 'follow', code: 'banner:follow_failed' },
  },
];

/** "This page doesn't exist": X's full-page error UI, but not an outage. */
export const NOT_FOUND_PAGE: FixturePage = {
  path: '/i/fixture-page-that-does-not-exist',
  lang: 'en',
  title: 'Page not found',
  calls: [],
  banner: { kind: 'error-detail', stringKey: 'e49537c2' },
  expect: null,
};

/** A French page whose timeline shows X's inline error, in French. */
export const FRENCH_TIMELINE_PAGE: FixturePage = {
  path: '/i/lists/1859000000000000001',
  lang: 'fr',
  title: 'Liste',
  calls: [],
  banner: { kind: 'error-detail', stringKey: 'gd769996' },
  expect: { feature: 'timeline', code: 'banner:timeline_error' },
};

export const ALL_PAGES: FixturePage[] = [...BANNER_PAGES, NOT_FOUND_PAGE, FRENCH_TIMELINE_PAGE];

/** A page of the DOM corpus (test/fixtures/dom), as the detector table judges it. */
export interface CorpusPage {
  file: string;
  lang: string;
  state: string;
  path: string;
  expect: Array<{ feature: string; signal: string; code: string }>;
}
export const CORPUS: CorpusPage[] = (JSON.parse(readFileSync(join(DOM_CORPUS_DIR, 'fixtures.json'), 'utf8')) as { fixtures: CorpusPage[] }).fixtures;
/** Where the fixture site serves a corpus page: at its own x.com path, picked by a query the route ignores. */
export const corpusUrl = (page: CorpusPage): string => `https://x.com${page.path}?corpus=${encodeURIComponent(page.file)}`;

export interface ApiHit {
  op: string;
  status: number;
  at: number;
}

type Strings = Record<string, Record<string, string | undefined>>;

export function loadStrings(): Strings {
  const file = sharedDataFile('x-ui-error-strings.json');
  const data = JSON.parse(readFileSync(file, 'utf8')) as { messages: Strings };
  return data.messages;
}

/** The exact text X shows for `key` in `lang`: copied, never translated here. */
export function xString(strings: Strings, key: string, lang: string): string {
  const text = strings[key]?.[lang];
  if (!text) throw new Error(`x-ui-error-strings.json has no "${lang}" text for ${key}`);
  return text;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export class FixtureSite {
  private readonly https: HttpsServer;
  private readonly proxy: HttpServer;
  private readonly strings = loadStrings();
  private readonly template = readFileSync(join(FIXTURE_SITE_DIR, 'page.html'), 'utf8');
  private readonly appJs = readFileSync(join(FIXTURE_SITE_DIR, 'app.js'), 'utf8');
  private readonly api = new Map<string, ApiBehaviour>();
  private readonly sockets = new Set<Socket>();
  readonly apiHits: ApiHit[] = [];
  readonly pageHits: string[] = [];
  /** Hosts the CONNECT proxy refused: anything but the fixture hosts. */
  readonly refusedTunnels: string[] = [];
  port = 0;
  proxyPort = 0;

  constructor(cert: Cert, private readonly pages: FixturePage[] = ALL_PAGES) {
    this.https = createHttpsServer({ key: cert.key, cert: cert.cert }, (req, res) => this.handle(req, res));
    this.proxy = createHttpServer((_req, res) => {
      res.writeHead(405).end('this proxy only tunnels CONNECT to the fixture hosts');
    });
    this.proxy.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => this.tunnel(req, client, head));
    for (const server of [this.https, this.proxy]) {
      server.on('connection', (s: Socket) => {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
      });
    }
  }

  async start(): Promise<this> {
    this.port = await listen(this.https);
    this.proxyPort = await listen(this.proxy);
    return this;
  }

  /** How the API answers `op` from now on (default: ok). */
  setApi(op: string, behaviour: ApiBehaviour): void {
    this.api.set(op, behaviour);
  }

  hitsFor(op: string): ApiHit[] {
    return this.apiHits.filter((h) => h.op === op);
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await Promise.all([close(this.https), close(this.proxy)]);
  }

  private tunnel(req: IncomingMessage, client: Socket, head: Buffer): void {
    const [host = '', portText = '443'] = (req.url ?? '').split(':');
    if (!FIXTURE_HOSTS.includes(host) || portText !== '443') {
      this.refusedTunnels.push(req.url ?? '');
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const upstream = connect(this.port, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    this.sockets.add(upstream);
    upstream.on('close', () => this.sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'https://x.com');
    const gql = /^\/i\/api\/graphql\/[A-Za-z0-9_-]+\/([A-Za-z]\w*)$/.exec(url.pathname);
    if (gql?.[1]) return this.answerApi(gql[1], res);
    if (url.pathname === '/fixture/app.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' }).end(this.appJs);
      return;
    }
    const corpusFile = url.searchParams.get('corpus');
    if (corpusFile !== null) {
      const entry = CORPUS.find((c) => c.file === corpusFile && c.path === url.pathname);
      if (!entry) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('no such corpus page at this path');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(readFileSync(join(DOM_CORPUS_DIR, entry.file)));
      return;
    }
    if (url.pathname === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    const page = this.pages.find((p) => p.path === url.pathname);
    if (!page) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('no such fixture page');
      return;
    }
    this.pageHits.push(page.path);
    res
      .writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'set-cookie': `auth_token=${FIXTURE_COOKIE_VALUE}; Path=/; Secure; SameSite=Lax`,
      })
      .end(this.render(page));
  }

  private render(page: FixturePage): string {
    const config = {
      handle: FIXTURE_HANDLE,
      userId: FIXTURE_USER_ID,
      calls: page.calls,
      banner: page.banner ? { kind: page.banner.kind, text: xString(this.strings, page.banner.stringKey, page.lang) } : null,
      retryLabel: this.strings.a0493514?.[page.lang] ?? 'Retry',
    };
    // JSON inside <script>: only "<" could end the element early.
    const configJson = JSON.stringify(config).replace(/</g, '\\u003c');
    const fill: Record<string, string> = {
      LANG: page.lang,
      DIR: page.lang === 'ar' ? 'rtl' : 'ltr',
      TITLE: escapeHtml(page.title),
      HANDLE: FIXTURE_HANDLE,
      POST_TEXT: escapeHtml(FIXTURE_POST_TEXT),
      CONFIG: configJson,
    };
    return this.template.replace(/\{\{([A-Z_]+)\}\}/g, (_m, name: string) => {
      const v = fill[name];
      if (v === undefined) throw new Error(`page.html uses unknown placeholder ${name}`);
      return v;
    });
  }

  private answerApi(op: string, res: ServerResponse): void {
    const b = this.api.get(op) ?? { kind: 'ok' };
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      this.apiHits.push({ op, status, at: Date.now() });
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers }).end(JSON.stringify(body));
    };
    switch (b.kind) {
      case 'ok':
        return json(200, { data: { user: { result: { rest_id: FIXTURE_USER_ID, legacy: { screen_name: FIXTURE_HANDLE, full_text: FIXTURE_POST_TEXT } } } } });
      case 'status':
        return json(b.status, { errors: [{ code: 130, message: 'Over capacity' }] });
      case 'errors200':
        // X answers 200 with a partial body and errors[] when a backend times out.
        return json(200, { data: { user: { result: { rest_id: FIXTURE_USER_ID } } }, errors: b.errors });
      case 'body':
        return json(200, b.body);
      case 'rateLimited': {
        const reset = String(Math.floor(Date.now() / 1000) + 900);
        return json(429, { errors: [{ code: 88, message: 'Rate limit exceeded.' }] }, { 'x-rate-limit-limit': '50', 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': reset });
      }
    }
  }
}

function listen(server: HttpServer | HttpsServer): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: HttpServer | HttpsServer): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
