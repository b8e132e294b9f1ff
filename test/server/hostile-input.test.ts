/**
 * Hostile input, by machine: fast-check throws generated methods, paths, query strings, headers
 * (content types, content-length lies, X-Forwarded-For garbage, odd bytes) and bodies (random
 * bytes, unicode, NUL, deep nesting, oversize, prototype-pollution keys, reports and sightings
 * with one field turned hostile) at the real app on a real SQLite file. Whatever comes in: no 5xx
 * (a 503 only with Retry-After), no throw, a JSON error for every refusal by the API (the
 * human-facing pages may answer an error page), nothing added to Object.prototype, and no row
 * anywhere in the database changed by a request that was refused. HOSTILE_SEED=<n> replays a run.
 */
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/server/config.ts';
import { createApp } from '../../src/server/http/app.ts';
import { createServices } from '../../src/server/http/server.ts';
import { createLogger } from '../../src/server/log.ts';
import { SqliteStorage } from '../../src/server/storage/sqlite.ts';
import { FEATURES, LIMITS, SIGNALS } from '../../src/shared/protocol.ts';
import { randomUUID } from 'node:crypto';
import { floorToMinute } from '../../src/shared/protocol.ts';
import { makeReport, reporterId } from './lib/reports.ts';
import { tempDir } from './lib/temp.ts';

const NOW = Date.UTC(2026, 11, 5, 12, 30, 17);
const OPERATOR_TOKEN = 'operator-token-hostile-0123';
const METRICS_TOKEN = 'metrics-token-hostile-0123';

let app: ReturnType<typeof createApp>;
let storage: SqliteStorage;
let reader: Database.Database;
let remove: () => void;

beforeAll(async () => {
  const tmp = tempDir();
  remove = tmp.remove;
  const file = join(tmp.dir, 'hostile.db');
  storage = new SqliteStorage(file);
  await storage.migrate();
  // Generous limits: the rate limiter would otherwise answer most of the run with 429s.
  const config = loadConfig({ DATABASE_URL: `sqlite:${file}`, GROUP_COMMIT_MS: '0', RATE_LIMIT_BURST: '1000000', OPERATOR_TOKEN, METRICS_TOKEN, TRUST_PROXY: '10.0.0.0/8' });
  const services = await createServices(config, storage, () => NOW);
  app = createApp({ ...services.deps, log: createLogger({ level: 'silent' }) });
  reader = new Database(file, { readonly: true });
});

afterAll(async () => {
  reader.close();
  await storage.close();
  remove();
});

/** Rows per table: what "nothing stored" is checked against. */
function rowCounts(): Record<string, number> {
  const tables = reader.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[];
  return Object.fromEntries(tables.map(({ name }) => [name, (reader.prepare(`SELECT COUNT(*) AS n FROM "${name}"`).get() as { n: number }).n]));
}

// --- what a hostile client can put in a request -----------------------------------------------

const ROUTES = ['/v1/reports', '/v1/sightings', '/v1/status', '/v1/messages', '/healthz', '/metrics'];
/** The human-facing pages (status page, feed, badge) answer HTML or XML errors, not JSON. */
const PAGES = ['/', '/v1/feed.atom', '/badge.svg', '/privacy'];
const ODD_PATHS = ['/v1', '/v1/', '/v1/reports/', '/V1/REPORTS', '/v1//reports', '/v1/reports/..', '/%2e%2e/healthz', '/%00', '/%E0%A4%A', '/v1/status%3Fsite=x.com', '/__proto__', '/constructor/prototype'];

const latin1 = fc.integer({ min: 0x20, max: 0xff }).filter((c) => c !== 0x7f).map((c) => String.fromCharCode(c));
const headerValue = fc.oneof(fc.string({ unit: latin1, maxLength: 60 }), fc.string({ unit: latin1, minLength: 1000, maxLength: 9000 }));

const method = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('GET', 'POST') },
  { weight: 2, arbitrary: fc.constantFrom('PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD') },
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z!#$%&'*+.^_`|~-]{1,12}$/).filter((m) => !/^(connect|trace|track)$/i.test(m)) },
);

const segment = fc.oneof(fc.webSegment(), fc.string({ maxLength: 20 }).map((s) => encodeURIComponent(s)), fc.constantFrom('%', '%%', '%zz', '%C0%AF', '..', '.', '__proto__'));
const path = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...ROUTES) },
  { weight: 2, arbitrary: fc.constantFrom(...ODD_PATHS, ...PAGES) },
  { weight: 2, arbitrary: fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => `/${parts.join('/')}`) },
);

const queryPart = fc.oneof(
  fc.constantFrom('site=x.com', 'site=X.COM', 'site=', 'site', 'site=x.com&site=y.com', 'site[]=x.com', 'region=FR', 'region=fr', 'region=ZZZ', 'region=', '__proto__=1', 'constructor[prototype][x]=1', 'site=%E0%A4%A', 'site=%', 'region=%00', 'site=x.com%00', 'site=' + 'a'.repeat(5000)),
  fc.tuple(fc.string({ maxLength: 12 }), fc.string({ maxLength: 40 })).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`),
  fc.string({ unit: fc.constantFrom('%', '&', '=', '+', 'a', '1', ';', '#', '?', '\u00e9', '\u0000', '\ud83d'), maxLength: 30 }),
);
const query = fc.option(fc.array(queryPart, { maxLength: 4 }).map((parts) => parts.join('&')), { nil: undefined });

const contentType = fc.oneof(
  { weight: 12, arbitrary: fc.constant('application/json') },
  { weight: 3, arbitrary: fc.constantFrom('application/json; charset=utf-8', 'APPLICATION/JSON', 'application/json;;;', ' application/json ', 'application/json; charset=latin1') },
  { weight: 2, arbitrary: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonp', 'application/', ';', '') },
  { weight: 1, arbitrary: headerValue },
);
const forwardedFor = fc.oneof(
  fc.constantFrom('10.1.1.1, 198.51.100.7', '203.0.113.9', '::ffff:192.0.2.1', '2001:db8::1, 10.0.0.1', '999.1.1.1', 'unknown', ' , , ', ','.repeat(5000), '[::1]:443', '1.2.3.4:80', 'fe80::1%eth0', '0.0.0.0', 'localhost'),
  fc.array(fc.oneof(fc.ipV4(), fc.ipV6(), fc.string({ unit: latin1, maxLength: 20 })), { maxLength: 8 }).map((a) => a.join(', ')),
);
const contentLength = fc.oneof(fc.nat().map(String), fc.constantFrom('-1', '0', '1e3', 'abc', '99999999999999999999', ' 5', '0x10', String(LIMITS.maxBodyBytes + 1)));
const authorization = fc.oneof(fc.constant(`Bearer ${OPERATOR_TOKEN}`), fc.constant(`Bearer ${OPERATOR_TOKEN}`), fc.constant(`Bearer ${METRICS_TOKEN}`), fc.constant('Bearer '), fc.constant('Basic Zm9vOmJhcg=='), headerValue.map((v) => `Bearer ${v}`));
const headerName = fc.oneof(fc.constantFrom('accept', 'origin', 'user-agent', 'cookie', 'x-forwarded-host', 'transfer-encoding', 'content-encoding', 'expect', 'host', 'x-real-ip', 'forwarded'), fc.stringMatching(/^[a-z0-9-]{1,20}$/));

/** Present `present` times in `present + absent`. */
const sometimes = <T>(arb: fc.Arbitrary<T>, present: number, absent: number) => fc.oneof({ weight: absent, arbitrary: fc.constant(undefined) }, { weight: present, arbitrary: arb });
const headers = fc.record({
  'content-type': sometimes(contentType, 4, 1),
  'content-length': sometimes(contentLength, 1, 6),
  'x-forwarded-for': sometimes(forwardedFor, 1, 1),
  authorization: sometimes(authorization, 1, 2),
  extra: fc.array(fc.tuple(headerName, headerValue), { maxLength: 3 }),
});

// Bodies: from plain garbage to valid batches with one field made hostile.
const nested = (open: string, close: string) => fc.integer({ min: 1, max: 30_000 }).map((n) => open.repeat(n) + close.repeat(n));
const pollutionKeys = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf');
const hostileValue = fc.oneof(
  fc.anything({ maxDepth: 3, withBigInt: false, withDate: false, withMap: false, withSet: false, withTypedArray: false, withSparseArray: false }),
  fc.constantFrom('', '\u0000', '\u0000'.repeat(100), '\ud800', '\u202e', 'a'.repeat(10_000), '💥'.repeat(500), -0, 1e308, -1, 2 ** 53, 0.5, null, true, [], {}),
  fc.string({ unit: 'binary', maxLength: 100 }),
);
const reportField = fc.constantFrom('id', 'site', 'feature', 'signal', 'at', 'region', 'reporter', 'client', 'detail', 'extra');
const hostileReport = fc.tuple(reportField, hostileValue, fc.option(pollutionKeys, { nil: undefined })).map(([field, v, key]) => {
  const r: Record<string, unknown> = { ...makeReport({}, NOW) };
  r[field] = v;
  // Written as JSON text so "__proto__" is a real own key of the parsed object, as on the wire.
  const text = JSON.stringify(r);
  return key ? `${text.slice(0, -1)},"${key}":{"polluted":true,"reports":[]}}` : text;
});
const validish = fc.record({
  feature: fc.constantFrom(...FEATURES),
  signal: fc.constantFrom(...SIGNALS),
  region: fc.constantFrom('FR', 'US', 'ZZ'),
});
const validReport = validish.map((o) => JSON.stringify(makeReport(o, NOW)));
const reportsBody = fc
  .tuple(fc.oneof(fc.array(validReport, { minLength: 1, maxLength: 5 }), fc.array(fc.oneof(hostileReport, validReport), { maxLength: 6 })), fc.option(pollutionKeys, { nil: undefined }))
  .map(([items, key]) => `{${key ? `"${key}":{"polluted":true},` : ''}"reports":[${items.join(',')}]}`);
const validSighting = fc.constantFrom('1866000000000000001', '1866000000000000002').map((postId) =>
  JSON.stringify({
    id: randomUUID(),
    site: 'x.com',
    postId,
    authorId: '17874544',
    handle: 'Support',
    createdAt: NOW - 600_000,
    text: 'We are aware some people are having trouble loading posts.',
    lang: 'en',
    at: floorToMinute(NOW),
    reporter: reporterId(),
    client: { version: '0.1.0', browser: 'chrome' },
  }),
);
const hostileSighting = fc.tuple(validSighting, fc.constantFrom('id', 'site', 'postId', 'authorId', 'handle', 'createdAt', 'text', 'lang', 'at', 'reporter', 'client', 'conversationId'), hostileValue).map(([text, field, v]) =>
  JSON.stringify({ ...(JSON.parse(text) as object), [field]: v }),
);
const sightingsBatch = fc.array(fc.oneof(validSighting, hostileSighting), { minLength: 1, maxLength: 4 }).map((items) => `{"sightings":[${items.join(',')}]}`);
const sightingsBody = fc.array(fc.dictionary(fc.oneof(pollutionKeys, fc.constantFrom('postId', 'site', 'handle', 'authorId', 'text', 'createdAt', 'lang', 'reporter', 'at')), hostileValue, { maxKeys: 8 }), { maxLength: 4 }).map((sightings) => JSON.stringify({ sightings }));
const validMessage = { site: 'x.com', author: 'Outage Radar operator', text: 'We are looking into reports of timelines not loading.', url: 'https://status.example/incident/1', lang: 'en' };
const operatorMessage = fc.oneof(
  fc.constant(JSON.stringify(validMessage)),
  fc.tuple(fc.constantFrom('site', 'author', 'text', 'url', 'lang', 'source', 'id', 'publishedAt'), hostileValue).map(([field, v]) => JSON.stringify({ ...validMessage, [field]: v })),
);
const messageBody = fc.dictionary(fc.oneof(pollutionKeys, fc.constantFrom('site', 'author', 'text', 'url', 'lang', 'source', 'id')), hostileValue, { maxKeys: 7 }).map((m) => JSON.stringify(m));

const body = fc.oneof(
  { weight: 4, arbitrary: reportsBody },
  { weight: 2, arbitrary: sightingsBatch },
  { weight: 1, arbitrary: sightingsBody },
  { weight: 2, arbitrary: messageBody },
  { weight: 2, arbitrary: fc.json({ maxDepth: 4 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }) },
  { weight: 1, arbitrary: fc.oneof(nested('[', ']'), nested('{"a":', '}'), nested('{"reports":', '}'), fc.constant('{"reports":' + '['.repeat(40_000))) },
  { weight: 1, arbitrary: fc.integer({ min: LIMITS.maxBodyBytes - 10, max: LIMITS.maxBodyBytes + 2000 }).map((n) => `{"reports":["${'x'.repeat(Math.max(0, n - 16))}"]}`) },
  { weight: 1, arbitrary: fc.constantFrom('', 'null', '0', '"x"', '[]', '{}', '{"reports":null}', '{"reports":{}}', '{"reports":[]}', '{"reports":[null]}', '1e999', '{"reports":[1e999]}', '\ufeff{"reports":[]}', '{"reports":[],"reports":[]}') },
);

/** Most requests go where bodies are read, so the checks behind the body limit are reached. */
const post = (route: string, own: fc.Arbitrary<string>, auth: fc.Arbitrary<string | undefined> = fc.constant(undefined)) =>
  fc.record({ method: fc.constant('POST'), path: fc.constant(route), body: fc.oneof({ weight: 3, arbitrary: own }, { weight: 1, arbitrary: body }), auth });
const target = fc.oneof(
  { weight: 4, arbitrary: post('/v1/reports', reportsBody) },
  { weight: 2, arbitrary: post('/v1/sightings', sightingsBatch) },
  // The operator route mostly with its token, so the body behind the token is reached too.
  { weight: 1, arbitrary: post('/v1/messages', fc.oneof(operatorMessage, messageBody), sometimes(fc.constant(`Bearer ${OPERATOR_TOKEN}`), 3, 1)) },
  { weight: 2, arbitrary: fc.record({ method: fc.constant('GET'), path: fc.constantFrom('/v1/status', '/v1/messages', ...PAGES), body: fc.constant(undefined) }) },
  { weight: 3, arbitrary: fc.record({ method, path, body: fc.option(body, { nil: undefined }) }) },
);
const request = fc.record({
  target,
  query,
  headers,
  peer: fc.option(fc.oneof(fc.ipV4(), fc.ipV6(), fc.constantFrom('10.9.9.9', 'garbage', '')), { nil: undefined }),
});

type Hostile = typeof request extends fc.Arbitrary<infer T> ? T : never;

function build(h: Hostile): Request | null {
  const { method, path } = h.target;
  const url = `http://outage-radar.test${path}${h.query !== undefined ? `?${h.query}` : ''}`;
  const headers = new Headers();
  try {
    for (const [name, value] of Object.entries(h.headers)) if (typeof value === 'string') headers.set(name, value);
    for (const [name, value] of h.headers.extra ?? []) headers.append(name, value);
    if ('auth' in h.target && h.target.auth !== undefined) headers.set('authorization', h.target.auth);
  } catch {
    return null; // A header value no HTTP client could send.
  }
  const content = h.target.body;
  const hasBody = content !== undefined && method !== 'GET' && method !== 'HEAD';
  try {
    return new Request(url, { method, headers, ...(hasBody ? { body: content as BodyInit } : {}) });
  } catch {
    return null; // Likewise a method or URL the client side refuses.
  }
}

describe('hostile input to the HTTP API', () => {
  it('never answers 5xx, never throws, answers every refusal with a JSON error, and stores nothing from a refused request', { timeout: 120_000 }, async () => {
    // A salt for the day exists before the run, so the first admitted request does not add one.
    const warm = await app.request('/v1/reports', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reports: [makeReport({}, NOW)] }) });
    expect(warm.status).toBe(202);
    let counts = rowCounts();
    expect(counts.reports).toBe(1);
    const seen = new Map<number, number>();
    let built = 0;

    await fc.assert(
      fc.asyncProperty(request, async (h) => {
        const req = build(h);
        if (req === null) return;
        const { method, path } = h.target;
        built++;
        const res = await app.request(req, undefined, { incoming: { socket: h.peer === undefined ? undefined : { remoteAddress: h.peer } } });
        seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
        const text = await res.text();
        if (res.status >= 500) {
          expect(res.status, `${method} ${path}: ${text}`).toBe(503);
          expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
        }
        // The API's refusals are JSON with an error code; a page's may be a page, but not empty.
        // Which page is the path as the URL resolves it (`/..` and `/.` are `/`), not as generated.
        const json = /^application\/json/.test(res.headers.get('content-type') ?? '');
        if (res.status >= 400 && method !== 'HEAD' && (json || !PAGES.includes(new URL(req.url).pathname))) {
          const error = (JSON.parse(text) as { error?: unknown }).error;
          expect(typeof error, text).toBe('string');
        } else if (res.status >= 400 && method !== 'HEAD') {
          expect(text.length).toBeGreaterThan(0);
        }
        const after = rowCounts();
        if (res.status >= 200 && res.status < 300) {
          counts = after;
        } else {
          expect(after, `${method} ${path} answered ${res.status} and changed the database`).toEqual(counts);
        }
      }),
      { numRuns: 600, seed: Number(process.env.HOSTILE_SEED ?? Date.now() % 2 ** 31), endOnFailure: false },
    );

    // Nothing leaked onto every object in the process.
    expect(Object.keys(Object.prototype)).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // Not vacuous: most requests were built, and they met refusals of several kinds and successes.
    expect(built).toBeGreaterThan(500);
    const statuses = [...seen.keys()];
    for (const s of [201, 202, 400, 401, 404, 405, 413, 415]) expect(statuses, JSON.stringify(Object.fromEntries(seen))).toContain(s);
    expect(counts.reports).toBeGreaterThan(1);
    // The storage API agrees with the row counts.
    expect((await storage.reportsSince(0)).length).toBe(counts.reports);
  });
});
