/**
 * "Is it just me?": what the user's own browser saw, run through the real background (classify,
 * evidence, coalescer, queue) against a real status server on loopback, one table row per
 * situation. Each row says what the popup must tell the user and which reports may be queued:
 * the user's own connection, a captive portal, a blocker or a logout must never become an outage
 * report.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { KEYS } from '../../../src/background/storage-keys.ts';
import { loadQueue } from '../../../src/background/queue-policy.ts';
import type { StatusResponse } from '../../../src/shared/protocol.ts';
import type { LocalDiagnosis, Observation, PopupState } from '../../../src/shared/runtime-messages.ts';
import { FROM_PAGE, FROM_POPUP, json, makeBackground, startServer } from './fixtures-bg.ts';
import { status } from './fixtures.ts';

const HOME = 'https://x.com/i/api/graphql/q1/HomeTimeline?variables=%7B%7D';
const DM = 'https://x.com/i/api/graphql/q2/DMInboxTimeline';
const PAGE = 'https://x.com/home';
const JOT = 'https://x.com/i/api/1.1/jot/client_event.json';

type Event =
  | { error: string; url?: string; type?: string }
  | { completed: number; url?: string; type?: string }
  | { redirect: string; url?: string; type?: string }
  | { observe: Omit<Observation, 'source'> & { source?: 'page' | 'dom' } }
  /** Minutes pass before the next event. */
  | { wait: number };

interface Row {
  name: string;
  events: Event[];
  /** The crowd's answer; null: the status server cannot be reached. */
  crowd: StatusResponse | null;
  online?: boolean;
  timeZone?: string;
  local: LocalDiagnosis;
  /** Signals (with codes) of the reports queued, in order; [] means nothing leaves. */
  queued: string[];
}

const fineEverywhere = status('operational', { region: 'FR', regions: [['FR', 'operational'], ['DE', 'operational'], ['US', 'operational']], features: [['timeline', 'operational']] });
const downForMany = status('outage', { region: 'FR', regions: [['FR', 'outage'], ['DE', 'outage']], features: [['timeline', 'outage', 60]] });
const troubleInIranOnly = status('degraded', { region: 'IR', regions: [['IR', 'outage'], ['DE', 'operational'], ['US', 'operational']], features: [['timeline', 'degraded', 20]] });
const troubleEverywhere = status('outage', { region: 'IR', regions: [['IR', 'outage'], ['DE', 'outage'], ['US', 'outage']], features: [['timeline', 'outage', 90]] });

const ROWS: Row[] = [
  { name: 'browser offline: resets are the connection', online: false, events: [{ error: 'net::ERR_CONNECTION_RESET' }, { error: 'net::ERR_TIMED_OUT', url: DM }], crowd: fineEverywhere, local: 'offline', queued: [] },
  {
    name: 'DNS failing for every host (Chrome)',
    events: [{ error: 'net::ERR_NAME_NOT_RESOLVED', url: PAGE, type: 'main_frame' }, { error: 'net::ERR_NAME_NOT_RESOLVED', url: 'https://pbs.twimg.com/media/a.jpg', type: 'image' }, { error: 'net::ERR_NAME_NOT_RESOLVED' }],
    crowd: fineEverywhere,
    local: 'offline',
    queued: [],
  },
  { name: 'DNS failing for every host (Firefox)', events: [{ error: 'NS_ERROR_UNKNOWN_HOST', url: PAGE, type: 'main_frame' }, { error: 'NS_ERROR_UNKNOWN_HOST', url: 'https://abs.twimg.com/x.js', type: 'script' }], crowd: fineEverywhere, local: 'offline', queued: [] },
  { name: 'captive portal redirects x.com to its login page', events: [{ redirect: 'http://portal.hotel.example/login?orig=x.com', url: PAGE, type: 'main_frame' }], crowd: fineEverywhere, local: 'captive-portal', queued: [] },
  { name: 'captive portal redirects API calls to another https host', events: [{ redirect: 'https://wifi.example.net/', url: HOME, type: 'xmlhttprequest' }], crowd: fineEverywhere, local: 'captive-portal', queued: [] },
  {
    name: 'certificate errors on every host (interception)',
    events: [{ error: 'net::ERR_CERT_AUTHORITY_INVALID', url: PAGE, type: 'main_frame' }, { error: 'net::ERR_CERT_COMMON_NAME_INVALID' }, { error: 'net::ERR_CERT_DATE_INVALID', url: 'https://pbs.twimg.com/a.jpg', type: 'image' }],
    crowd: fineEverywhere,
    local: 'captive-portal',
    queued: [],
  },
  { name: 'certificate errors in Firefox', events: [{ error: 'SEC_ERROR_UNKNOWN_ISSUER', url: PAGE, type: 'main_frame' }, { error: 'MOZILLA_PKIX_ERROR_SELF_SIGNED_CERT' }], crowd: null, local: 'captive-portal', queued: [] },
  { name: 'portal signed in: x.com answers again', events: [{ redirect: 'http://10.0.0.1/login', url: PAGE, type: 'main_frame' }, { wait: 1 }, { completed: 200 }], crowd: fineEverywhere, local: 'ok', queued: [] },
  {
    name: 'x.com and its API blocked by another extension',
    events: [{ error: 'net::ERR_BLOCKED_BY_CLIENT', url: PAGE, type: 'main_frame' }, { error: 'net::ERR_BLOCKED_BY_CLIENT' }],
    crowd: fineEverywhere,
    local: 'blocked-here',
    queued: [],
  },
  { name: 'x.com blocked by an administrator policy', events: [{ error: 'net::ERR_BLOCKED_BY_ADMINISTRATOR', url: PAGE, type: 'main_frame' }], crowd: null, local: 'blocked-here', queued: [] },
  { name: 'a content blocker drops only telemetry', events: [{ error: 'net::ERR_BLOCKED_BY_CLIENT', url: JOT }, { completed: 200 }], crowd: fineEverywhere, local: 'ok', queued: [] },
  // Firefox names another extension's cancel NS_ERROR_ABORT; the page's own aborts are NS_BINDING_ABORTED.
  { name: 'x.com and its API blocked by another extension (Firefox)', events: [{ error: 'NS_ERROR_ABORT', url: PAGE, type: 'main_frame' }, { error: 'NS_ERROR_ABORT' }], crowd: fineEverywhere, local: 'blocked-here', queued: [] },
  { name: 'the page and navigation abort requests (Firefox)', events: [{ error: 'NS_BINDING_ABORTED' }, { error: 'NS_BINDING_ABORTED', url: PAGE, type: 'main_frame' }], crowd: fineEverywhere, local: 'ok', queued: [] },
  {
    name: '4xx after logout (API 401/403, redirect to the login flow)',
    events: [{ completed: 401 }, { completed: 403, url: DM }, { redirect: 'https://x.com/i/flow/login', url: PAGE, type: 'main_frame' }],
    crowd: fineEverywhere,
    local: 'ok',
    queued: [],
  },
  { name: 'server errors here while the crowd is fine', events: [{ completed: 503 }], crowd: fineEverywhere, local: 'just-you', queued: ['http_5xx'] },
  { name: 'server errors here and for the crowd', events: [{ completed: 503 }, { error: 'net::ERR_CONNECTION_RESET', url: DM }], crowd: downForMany, local: 'down-for-many', queued: ['http_5xx', 'network net::ERR_CONNECTION_RESET'] },
  { name: 'HTTP-200 errors from the page hook, crowd sees it', events: [{ observe: { feature: 'timeline', signal: 'http_5xx', status: 200, op: 'HomeTimeline', code: 'x:DeadlineExceeded' } }], crowd: downForMany, local: 'down-for-many', queued: ['http_5xx x:DeadlineExceeded'] },
  {
    name: 'resets and timeouts in one country while others are fine',
    timeZone: 'Asia/Tehran',
    events: [{ error: 'net::ERR_CONNECTION_RESET' }, { error: 'net::ERR_TIMED_OUT', url: DM }],
    crowd: troubleInIranOnly,
    local: 'maybe-blocked',
    queued: ['network net::ERR_CONNECTION_RESET', 'network net::ERR_TIMED_OUT'],
  },
  { name: 'resets everywhere: an outage, not a block', timeZone: 'Asia/Tehran', events: [{ error: 'net::ERR_CONNECTION_RESET' }], crowd: troubleEverywhere, local: 'down-for-many', queued: ['network net::ERR_CONNECTION_RESET'] },
  { name: 'failing with no crowd status yet', events: [{ completed: 502 }], crowd: null, local: 'unknown', queued: ['http_5xx'] },
  { name: 'a per-account limit alone', events: [{ completed: 429 }], crowd: fineEverywhere, local: 'account-limited', queued: ['http_429 limit:429'] },
  { name: 'failures older than five minutes are forgotten', events: [{ completed: 503 }, { wait: 6 }], crowd: fineEverywhere, local: 'ok', queued: ['http_5xx'] },
];

describe('"it\'s just me": local diagnosis and what is reported', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it.each(ROWS)('$name', async (row) => {
    let endpoint = 'http://127.0.0.1:9';
    if (row.crowd) {
      const crowd = row.crowd;
      const server = await startServer((req, _body, res) => {
        const path = new URL(req.url ?? '/', 'http://x').pathname;
        if (path === '/v1/status') return json(res, 200, crowd);
        if (path === '/v1/messages') return json(res, 200, { messages: [] });
        return json(res, 202, { accepted: 0, duplicates: 0 });
      });
      close = server.close;
      endpoint = server.url;
    }
    const online = row.online ?? true;
    const { bg, storage, clock } = makeBackground({ defaultEndpoint: endpoint, online: () => online, timeZone: () => row.timeZone ?? 'Europe/Paris' });
    await bg.handleMessage({ type: 'setConsent', granted: true }, FROM_POPUP);
    await bg.poll();
    for (const e of row.events) {
      const type = 'type' in e && e.type ? e.type : 'xmlhttprequest';
      const url = 'url' in e && e.url ? e.url : HOME;
      if ('error' in e) await bg.onErrorOccurred({ url, error: e.error, type });
      else if ('completed' in e) await bg.onCompleted({ url, statusCode: e.completed, type });
      else if ('redirect' in e) await bg.onBeforeRedirect({ url, redirectUrl: e.redirect, type });
      else if ('observe' in e) await bg.handleMessage({ type: 'observe', observation: { source: 'page', ...e.observe } }, FROM_PAGE);
      else clock.now += e.wait * 60_000;
    }
    const state = (await bg.handleMessage({ type: 'getState' }, FROM_POPUP)) as PopupState;
    expect(state.local).toBe(row.local);
    const queued = loadQueue(storage.data.get(KEYS.queue)).items.map((i) => [i.report.signal, i.report.detail?.code].filter(Boolean).join(' '));
    expect(queued).toEqual(row.queued);
  });
});
