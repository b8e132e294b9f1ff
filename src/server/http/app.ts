/**
 * The HTTP routes of PROTOCOL.md v1, as a Hono app. Everything it needs comes in through
 * `AppDeps`, so route tests call `app.request()` without a listening server.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Hono, type Context } from 'hono';
import {
  LIMITS,
  SITE_RE,
  validateOperatorMessage,
  validateReportBatch,
  type Problem,
} from '../../shared/protocol.ts';
import type { StatusBuilder } from '../aggregation/status.ts';
import { OverloadedError, type GroupCommitter } from '../ingest/group-commit.ts';
import { ingestBatch } from '../ingest/ingest.ts';
import { emptySightingStats, ingestSightings, type SightingStats } from '../ingest/sightings.ts';
import { validateSightingBatch } from '../../shared/sightings.ts';
import type { RateLimiter } from '../ingest/rate-limit.ts';
import type { SaltKeeper } from '../ingest/salts.ts';
import type { Storage, StoredMessage } from '../storage/types.ts';
import { defaultLogger, throttledErrorLog, type Logger } from '../log.ts';
import { ServerMetrics } from '../metrics.ts';
import { isIncomingBody, isJsonContentType, readBodyLimited, readIncomingLimited } from './body.ts';
import { extensionCors } from './cors.ts';
import { statusQueryProblems, statusReadHandler } from './status-read.ts';
import { registerPublicPages } from './public-pages.ts';
import { publicMessage, publishedMessages } from './published-messages.ts';
import { SHED_RETRY_AFTER_S } from './load-shedding.ts';
import { clientAddress, networkOf, rateLimitUnitOf, type TrustedProxies } from './ip.ts';

export interface AppDeps {
  storage: Storage;
  committer: GroupCommitter;
  status: StatusBuilder;
  salts: SaltKeeper;
  limiter: RateLimiter;
  trusted: TrustedProxies;
  operatorToken: string | null;
  /** Sites whose reports are taken; null takes any. */
  sites: readonly string[] | null;
  now: () => number;
  /** True once shutdown has begun: health turns 503 and no new reports are taken. */
  draining: () => boolean;
  /** Counters an operator watches, shown by /healthz (e.g. the newcomer rule's memory). */
  detectionStats?: () => Record<string, number>;
  /** Sightings publish at this many distinct reporters and networks (never fewer than 2); default 3. */
  sightingK?: number;
  /** Sighting counters (accepted, duplicates, rejected, contested, published), shown by /healthz. */
  sightingStats?: SightingStats;
  /** Structured log (src/server/log.ts); default stderr at info level. */
  log?: Logger;
  /** What GET /metrics shows; default a fresh set. */
  metrics?: ServerMetrics;
  /** Bearer token GET /metrics asks for; absent or null leaves it open. */
  metricsToken?: string | null;
}

/** @hono/node-server puts the Node request in `env.incoming`; tests may pass a stand-in. */
type Env = { Bindings: { incoming?: Pick<IncomingMessage, 'socket'> | { socket?: { remoteAddress?: string } } } };

const MESSAGES_LIMIT = 50;
const UNAVAILABLE_RETRY_S = 30;

function errorJson(c: Context, status: 400 | 401 | 403 | 404 | 405 | 413 | 415 | 429 | 500 | 503, error: string, extra: Record<string, unknown> = {}) {
  return c.json({ error, ...extra }, status);
}

function sameSecret(given: string, expected: string): boolean {
  // Hashing first gives equal lengths, so the comparison time says nothing about the token.
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function methodNotAllowed(allow: string) {
  return (c: Context) => {
    c.header('Allow', allow);
    return errorJson(c, 405, 'method_not_allowed');
  };
}

type JsonRead = { ok: true; value: unknown } | { ok: false; response: Response };

async function readJson(c: Context): Promise<JsonRead> {
  if (!isJsonContentType(c.req.header('content-type'))) {
    return { ok: false, response: errorJson(c, 415, 'unsupported_media_type', { message: 'send Content-Type: application/json' }) };
  }
  const incoming: unknown = c.env?.incoming;
  const fromSocket = isIncomingBody(incoming);
  const body = fromSocket ? await readIncomingLimited(incoming, LIMITS.maxBodyBytes) : await readBodyLimited(c.req.raw, LIMITS.maxBodyBytes);
  if (!body.ok) {
    // The rest of an oversized body is left unread: the connection ends with the answer.
    if (body.reason === 'too_large' && fromSocket) c.header('Connection', 'close');
    if (body.reason === 'too_large') return { ok: false, response: errorJson(c, 413, 'payload_too_large', { message: `the body must be at most ${LIMITS.maxBodyBytes} bytes` }) };
    return { ok: false, response: errorJson(c, 400, 'invalid_json', { message: body.reason === 'cut_off' ? 'the body ended early' : 'the body is not valid UTF-8' }) };
  }
  try {
    return { ok: true, value: JSON.parse(body.text) as unknown };
  } catch {
    return { ok: false, response: errorJson(c, 400, 'invalid_json', { message: 'the body is not valid JSON' }) };
  }
}

/** Counts every refusal on a submission route by the `error` code its answer carries. */
function countRejections(metrics: ServerMetrics, route: string) {
  return async (c: Context, next: () => Promise<void>) => {
    await next();
    if (c.res.status < 400) return;
    let reason = 'unknown';
    try {
      const body = (await c.res.clone().json()) as { error?: unknown };
      if (typeof body.error === 'string') reason = body.error;
    } catch {
      // Not a JSON answer: counted as unknown rather than not at all.
    }
    metrics.rejected.inc({ route, reason });
  };
}

export function createApp(deps: AppDeps): Hono<Env> {
  const app = new Hono<Env>();
  const log = deps.log ?? defaultLogger();
  // Errors that repeat per request while storage is away: once per 10 s, with a count.
  const logStorageError = throttledErrorLog(log, 10_000, deps.now);
  const metrics = deps.metrics ?? new ServerMetrics();
  // First, ahead of the middleware below: the read every installed extension polls, answered with
  // the same headers and log line the middleware would give it, at a fraction of the cost.
  app.get('/v1/status', statusReadHandler(deps.status, deps.now, log));
  // Method, path and status only: never the query, headers, address or body.
  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    if (log.isLevelEnabled('debug')) {
      log.debug({ method: c.req.method, path: c.req.path.slice(0, 200), status: c.res.status, ms: Math.round(performance.now() - started) }, 'request');
    }
  });
  app.use('*', extensionCors());
  app.use('/v1/reports', countRejections(metrics, '/v1/reports'));
  app.use('/v1/sightings', countRejections(metrics, '/v1/sightings'));

  /**
   * What every route that takes reporters' submissions does before reading its own kind: refuse
   * while shutting down, hash the sender's network with the day's salt (never keeping the
   * address), apply the network's rate limit, and read a JSON body within the size limit.
   */
  async function admit(c: Context<Env>): Promise<{ ok: false; response: Response } | { ok: true; now: number; networkHash: string; body: unknown }> {
    const refuse = (response: Response) => ({ ok: false as const, response });
    if (deps.draining()) {
      c.header('Retry-After', String(UNAVAILABLE_RETRY_S));
      return refuse(errorJson(c, 503, 'unavailable', { message: 'the server is shutting down' }));
    }
    const now = deps.now();
    const ip = clientAddress(c.env?.incoming?.socket?.remoteAddress, c.req.header('x-forwarded-for'), deps.trusted);
    let networkHash: string;
    let limitKey: string;
    try {
      networkHash = await deps.salts.hash(ip ? networkOf(ip) : 'unknown', now);
      limitKey = await deps.salts.hash(ip ? rateLimitUnitOf(ip) : 'unknown', now);
    } catch (err) {
      logStorageError(err, 'salt lookup failed');
      c.header('Retry-After', String(UNAVAILABLE_RETRY_S));
      return refuse(errorJson(c, 503, 'unavailable', { message: 'storage is not answering' }));
    }
    const take = deps.limiter.take(limitKey, now);
    if (!take.ok) {
      c.header('Retry-After', String(take.retryAfterS));
      return refuse(errorJson(c, 429, 'rate_limited', { message: `too many requests from your network; retry in ${take.retryAfterS} s` }));
    }
    const json = await readJson(c);
    if (!json.ok) return refuse(json.response);
    return { ok: true, now, networkHash, body: json.value };
  }

  /** Problems for items about a site this server does not take (none when it takes any). */
  function offSite(items: readonly { site: string }[], what: string): Problem[] {
    const sites = deps.sites;
    if (!sites) return [];
    return items.flatMap((item, index) => (sites.includes(item.site) ? [] : [{ index, path: 'site', message: `this server only takes ${what} for ${sites.join(', ')}` }]));
  }

  app.post('/v1/reports', async (c) => {
    const admitted = await admit(c);
    if (!admitted.ok) return admitted.response;
    const { now, networkHash } = admitted;
    const batch = validateReportBatch(admitted.body);
    if (!batch.ok) return c.json({ error: 'invalid_report', problems: batch.problems }, 400);
    const problems = offSite(batch.value.reports, 'reports');
    if (problems.length) return c.json({ error: 'invalid_report', problems }, 400);
    metrics.batchSize.observe({ route: '/v1/reports' }, batch.value.reports.length);
    let outcome;
    try {
      outcome = await ingestBatch(deps.committer, batch.value.reports, networkHash, now);
    } catch (err) {
      if (err instanceof OverloadedError) {
        // The committer's queue is full: a busy spell, answered like load shed at the door (no
        // log line per request: the rejection metrics count it).
        c.header('Retry-After', String(SHED_RETRY_AFTER_S));
        return errorJson(c, 503, 'unavailable', { message: 'the server is busy; retry later' });
      }
      logStorageError(err, 'storing reports failed');
      c.header('Retry-After', String(UNAVAILABLE_RETRY_S));
      return errorJson(c, 503, 'unavailable', { message: 'the reports could not be stored; retry later' });
    }
    if (!outcome.ok) return c.json({ error: 'invalid_report', problems: outcome.problems }, 400);
    metrics.reportsAccepted.inc(outcome.result.accepted);
    metrics.reportsDuplicate.inc(outcome.result.duplicates);
    return c.json(outcome.result, 202);
  });
  app.all('/v1/reports', methodNotAllowed('POST, OPTIONS'));

  // Official posts seen by reporters (src/server/ingest/sightings.ts): the limits and errors of reports.
  const sightingStats = deps.sightingStats ?? emptySightingStats();
  app.post('/v1/sightings', async (c) => {
    const admitted = await admit(c);
    if (!admitted.ok) return admitted.response;
    const { now, networkHash } = admitted;
    const batch = validateSightingBatch(admitted.body);
    if (!batch.ok) return c.json({ error: 'invalid_sighting', problems: batch.problems }, 400);
    const problems = offSite(batch.value.sightings, 'sightings');
    if (problems.length) return c.json({ error: 'invalid_sighting', problems }, 400);
    metrics.batchSize.observe({ route: '/v1/sightings' }, batch.value.sightings.length);
    let outcome;
    try {
      outcome = await ingestSightings(deps.storage, batch.value.sightings, networkHash, now, deps.sightingK ?? 3, sightingStats);
    } catch (err) {
      logStorageError(err, 'storing sightings failed');
      c.header('Retry-After', String(UNAVAILABLE_RETRY_S));
      return errorJson(c, 503, 'unavailable', { message: 'the sightings could not be stored; retry later' });
    }
    if (!outcome.ok) return c.json({ error: 'invalid_sighting', problems: outcome.problems }, 400);
    metrics.sightingsAccepted.inc(outcome.result.accepted);
    return c.json(outcome.result, 202);
  });
  app.all('/v1/sightings', methodNotAllowed('POST, OPTIONS'));

  // Valid status queries were answered ahead of the middleware (statusReadHandler); what reaches
  // this route is a query it could not answer.
  app.get('/v1/status', (c) => errorJson(c, 400, 'invalid_query', { problems: statusQueryProblems(c.req.query('site'), c.req.query('region')) }));
  app.all('/v1/status', methodNotAllowed('GET, OPTIONS'));

  app.get('/v1/messages', async (c) => {
    const site = c.req.query('site');
    if (!site || !SITE_RE.test(site)) {
      return errorJson(c, 400, 'invalid_query', { problems: [{ index: -1, path: 'site', message: 'must be a lower-case host name such as "x.com"' }] });
    }
    // Published sightings say how many reporters sent them (an added field, seenBy).
    const messages = await publishedMessages(deps.storage, site, MESSAGES_LIMIT);
    c.header('Cache-Control', 'public, max-age=30');
    return c.json({ messages });
  });

  app.post('/v1/messages', async (c) => {
    if (deps.operatorToken === null) return errorJson(c, 404, 'not_found', { message: 'operator messages are not enabled on this server' });
    const auth = c.req.header('authorization');
    if (!auth || !/^Bearer /i.test(auth)) {
      c.header('WWW-Authenticate', 'Bearer');
      return errorJson(c, 401, 'unauthorized', { message: 'send Authorization: Bearer <operator token>' });
    }
    if (!sameSecret(auth.slice('Bearer '.length).trim(), deps.operatorToken)) return errorJson(c, 403, 'forbidden', { message: 'wrong operator token' });
    const json = await readJson(c);
    if (!json.ok) return json.response;
    const input = validateOperatorMessage(json.value);
    if (!input.ok) return errorJson(c, 400, 'invalid_message', { problems: input.problems });
    const m = input.value;
    const message: StoredMessage = {
      id: `operator:${randomUUID()}`,
      site: m.site,
      source: 'operator',
      author: m.author.trim(),
      text: m.text.trim(),
      url: m.url,
      publishedAt: deps.now(),
      lang: m.lang,
    };
    await deps.storage.insertMessages([message]);
    return c.json(publicMessage(message), 201);
  });
  app.all('/v1/messages', methodNotAllowed('GET, POST, OPTIONS'));

  app.get('/healthz', async (c) => {
    if (deps.draining()) return c.json({ ok: false, reason: 'shutting_down' }, 503);
    try {
      await deps.storage.ping();
      return c.json({ ok: true, ...(deps.detectionStats ? { detection: deps.detectionStats() } : {}), sightings: { ...sightingStats } });
    } catch {
      return c.json({ ok: false, reason: 'database' }, 503);
    }
  });
  app.all('/healthz', methodNotAllowed('GET'));

  app.get('/metrics', async (c) => {
    const token = deps.metricsToken ?? null;
    if (token !== null) {
      const auth = c.req.header('authorization');
      if (!auth || !/^Bearer /i.test(auth)) {
        c.header('WWW-Authenticate', 'Bearer');
        return errorJson(c, 401, 'unauthorized', { message: 'send Authorization: Bearer <metrics token>' });
      }
      if (!sameSecret(auth.slice('Bearer '.length).trim(), token)) return errorJson(c, 403, 'forbidden', { message: 'wrong metrics token' });
    }
    const text = await metrics.scrape();
    c.header('Cache-Control', 'no-store');
    return c.body(text, 200, { 'Content-Type': metrics.contentType() });
  });
  app.all('/metrics', methodNotAllowed('GET'));
  registerPublicPages(app, deps);

  app.notFound((c) => errorJson(c, 404, 'not_found'));
  app.onError((err, c) => {
    log.error({ err, method: c.req.method, path: c.req.path.slice(0, 200) }, 'unhandled error');
    return errorJson(c, 500, 'internal_error');
  });
  return app;
}
