import { afterEach, describe, expect, it } from 'vitest';
import { ALARMS, messagesUrl, statusUrl } from '../../../src/background/background.ts';
import { KEYS } from '../../../src/background/storage-keys.ts';
import { validateReportBatch } from '../../../src/shared/protocol.ts';
import type { Report } from '../../../src/shared/protocol.ts';
import type { PopupState } from '../../../src/shared/runtime-messages.ts';
import { FROM_PAGE, FROM_POPUP, json, makeBackground, startServer } from './fixtures-bg.ts';
import { status } from './fixtures.ts';

type Server = Awaited<ReturnType<typeof startServer>>;

/** An aggregation server on loopback: accepts reports, answers status and messages. */
function aggregation(opts: { status?: unknown; reportStatus?: number; headers?: Record<string, string> } = {}) {
  return startServer((req, body, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'POST' && url.pathname === '/v1/reports') {
      const n = (JSON.parse(body) as { reports: unknown[] }).reports.length;
      return json(res, opts.reportStatus ?? 202, { accepted: n, duplicates: 0 }, opts.headers);
    }
    if (url.pathname === '/v1/status') return json(res, 200, opts.status ?? status('operational', { regions: [['FR', 'operational']] }));
    if (url.pathname === '/v1/messages') {
      return json(res, 200, { messages: [{ id: 'm1', source: 'operator', author: '@Support', text: 'We are looking into it', url: 'https://x.com/Support', publishedAt: 1, lang: 'en' }] });
    }
    json(res, 404, { error: 'not_found' });
  });
}

function postedReports(server: Server): Report[] {
  return server.received.filter((r) => r.method === 'POST').flatMap((r) => (JSON.parse(r.body) as { reports: Report[] }).reports);
}

describe('background message handler', () => {
  let server: Server;
  afterEach(async () => {
    await server?.close();
  });

  async function setup(opts: Parameters<typeof aggregation>[0] = {}) {
    server = await aggregation(opts);
    const t = makeBackground({ defaultEndpoint: server.url });
    return t;
  }

  it('reports nothing before consent, but still polls the status', async () => {
    const { bg } = await setup();
    const state = (await bg.handleMessage({ type: 'refresh' }, FROM_POPUP)) as PopupState;
    expect(state.consent).toBe('unasked');
    expect(state.status?.overall.state).toBe('operational');
    await bg.handleMessage({ type: 'observe', observation: { feature: 'timeline', signal: 'banner', source: 'dom', code: 'banner:timeline_error' } }, FROM_PAGE);
    const manual = await bg.handleMessage({ type: 'reportProblem', feature: 'dm' }, FROM_POPUP);
    expect(manual).toEqual({ ok: true, queued: false, reason: 'consent' });
    await bg.flush();
    expect(postedReports(server)).toEqual([]);
    expect(server.received.some((r) => r.url.startsWith('/v1/status'))).toBe(true);
  });

  it('with consent, queues before sending and delivers valid reports', async () => {
    const { bg, storage, scheduled } = await setup();
    await bg.handleMessage({ type: 'setConsent', granted: true }, FROM_POPUP);
    await bg.handleMessage({ type: 'observe', observation: { feature: 'timeline', signal: 'http_5xx', source: 'page', status: 200, code: 'x:DeadlineExceeded', op: 'HomeTimeline' } }, FROM_PAGE);
    // Durable first: the report is in storage before any send.
    const queued = storage.data.get(KEYS.queue) as { items: { report: Report }[] };
    expect(queued.items).toHaveLength(1);
    expect(postedReports(server)).toHaveLength(0);
    // A flush is scheduled within seconds.
    expect(scheduled.at(-1)!.ms).toBeLessThanOrEqual(5_000);
    scheduled.at(-1)!.fn();
    await bg.flush();
    const sent = postedReports(server);
    expect(sent).toHaveLength(1);
    expect(validateReportBatch({ reports: sent }).ok).toBe(true);
    expect(sent[0]).toMatchObject({ site: 'x.com', feature: 'timeline', signal: 'http_5xx', region: 'FR', client: { version: '0.1.0', browser: 'chrome' }, detail: { status: 200, code: 'x:DeadlineExceeded', op: 'HomeTimeline' } });
    const state = (await bg.handleMessage({ type: 'getState' }, FROM_POPUP)) as PopupState;
    expect(state.queue).toMatchObject({ pending: 0, sent: 1 });
  });

  it('coalesces a flood into one report per feature+signal per minute', async () => {
    const { bg, clock } = await setup();
    await bg.handleMessage({ type: 'setConsent', granted: true }, FROM_POPUP);
    const obs = { type: 'observe', observation: { feature: 'timeline', signal: 'http_5xx', source: 'page', status: 503 } };
    await Promise.all(Array.from({ length: 300 }, () => bg.handleMessage(obs, FROM_PAGE)));
    clock.now += 60_000;
    await bg.handleMessage(obs, FROM_PAGE);
    await bg.flush();
    expect(postedReports(server)).toHaveLength(2);
  });

  it('keeps the reporter for a UTC day and rotates it the next day', async () => {
    const { bg, clock } = await setup();
    await bg.handleMessage({ type: 'setConsent', granted: true }, FROM_POPUP);
    const send = async (feature: string) => {
      await bg.handleMessage({ type: 'reportProblem', feature }, FROM_POPUP);
      await bg.flush();
    };
    await send('dm');
    await send('post');
    clock.now += 24 * 60 * 60_000;
    await send('dm');
    const [a, b, c] = postedReports(server);
    expect(a!.reporter).toBe(b!.reporter);
    expect(c!.reporter).not.toBe(a!.reporter);
  });

  it('refuses junk from a page, and privileged messages from anything but extension pages', async () => {
    const { bg } = await setup();
    await expect(bg.handleMessage({ type: 'observe', observation: { feature: 'timeline', signal: 'banner', source: 'dom', url: 'https://x.com/me' } }, FROM_PAGE)).rejects.toThrow(/unknown field "url"/);
    await expect(bg.handleMessage({ type: 'observe', observation: { feature: 'nope', signal: 'banner', source: 'dom' } }, FROM_PAGE)).rejects.toThrow(/feature/);
    await expect(bg.handleMessage({ type: 'setConsent', granted: true }, FROM_PAGE)).rejects.toThrow(/extension's own pages/);
    await expect(bg.handleMessage({ type: 'bogus' }, FROM_POPUP)).rejects.toThrow(/unknown message type/);
    await expect(bg.handleMessage('hi', FROM_POPUP)).rejects.toThrow(/object/);
    const state = (await bg.handleMessage({ type: 'getState' }, FROM_POPUP)) as PopupState;
    expect(state.consent).toBe('unasked');
  });

  it('validates settings: http(s) endpoint, two-letter region or null', async () => {
    const { bg } = await setup();
    await expect(bg.handleMessage({ type: 'setSettings', patch: { endpoint: 'ftp://example.org' } }, FROM_POPUP)).rejects.toThrow(/http\(s\) URL/);
    await expect(bg.handleMessage({ type: 'setSettings', patch: { endpoint: 'javascript:alert(1)' } }, FROM_POPUP)).rejects.toThrow(/http\(s\) URL/);
    await expect(bg.handleMessage({ type: 'setSettings', patch: { regionOverride: 'fr' } }, FROM_POPUP)).rejects.toThrow(/two upper-case/);
    await expect(bg.handleMessage({ type: 'setSettings', patch: { regionOverride: 'FRA' } }, FROM_POPUP)).rejects.toThrow(/two upper-case/);
    await expect(bg.handleMessage({ type: 'setSettings', patch: { colour: 'red' } }, FROM_POPUP)).rejects.toThrow(/unknown setting/);
    let state = (await bg.handleMessage({ type: 'setSettings', patch: { regionOverride: 'DE' } }, FROM_POPUP)) as PopupState;
    expect(state.region).toBe('DE');
    expect(server.received.some((r) => r.url.includes('region=DE'))).toBe(true);
    state = (await bg.handleMessage({ type: 'setSettings', patch: { regionOverride: 'ZZ' } }, FROM_POPUP)) as PopupState;
    expect(state.region).toBe('ZZ');
    state = (await bg.handleMessage({ type: 'setSettings', patch: { regionOverride: null } }, FROM_POPUP)) as PopupState;
    expect(state.region).toBe('FR');
  });

  it('hides the country as ZZ in reports when asked', async () => {
    const { bg } = await setup();
    await bg.handleMessage({ type: 'setConsent', granted: true }, FROM_POPUP);
    await bg.handleMessage({ type: 'setSettings', patch: { regionOverride: 'ZZ' } }, FROM_POPUP);
    await bg.handleMessage({ type: 'reportProblem', feature: 'login' }, FROM_POPUP);
    await bg.flush();
    expect(postedReports(server)[0]!.region).toBe('ZZ');
  });

  it('drops pending reports when consent is withdrawn, and counts them', async () => {
    server = await startServer((_req, _body, res) => json(res, 503, { error: 'busy' }, { 'retry-after': '600' }));
    const { bg } = makeBackground({ defaultEndpoint: server.url });
    await bg.handleMessage({ type: 'setConsent', granted: true }, FROM_POPUP);
    await bg.handleMessage({ type: 'reportProblem', feature: 'dm' }, FROM_POPUP);
    await bg.flush();
    const state = (await bg.handleMessage({ type: 'setConsent', granted: false }, FROM_POPUP)) as PopupState;
    expect(state.queue.pending).toBe(0);
    expect(state.queue.dropped.consent_withdrawn).toBe(1);
  });

  it('opens the first-run page on install only and sets the minute poll', async () => {
    const { bg, opened, alarms } = await setup();
    await bg.onInstalled('update');
    expect(opened).toEqual([]);
    await bg.onInstalled('install');
    expect(opened).toEqual(['welcome']);
    expect(alarms.alarms.get(ALARMS.poll)?.periodInMinutes).toBe(1);
  });
});

describe('sending under failure', () => {
  let server: Server;
  afterEach(async () => {
    await server?.close();
  });

  it('honours Retry-After on 429, then delivers once the wait is over', async () => {
    let answer: 429 | 202 = 429;
    server = await startServer((_req, body, res) =>
      answer === 429 ? json(res, 429, { error: 'slow down' }) : json(res, 202, { accepted: (JSON.parse(body) as { reports: unknown[] }).reports.length, duplicates: 0 }),
    );
    const { bg, clock, alarms } = makeBackground({ defaultEndpoint: server.url });
    await bg.handleMessage({ type: 'setConsent', granted: true }, FROM_POPUP);
    await bg.handleMessage({ type: 'reportProblem', feature: 'timeline' }, FROM_POPUP);
    await bg.flush();
    let state = (await bg.handleMessage({ type: 'getState' }, FROM_POPUP)) as PopupState;
    expect(state.queue).toMatchObject({ pending: 1, lastError: 'HTTP 429', nextAttemptAt: clock.now + 60_000 });
    expect(alarms.alarms.get(ALARMS.flush)?.scheduledTime).toBe(clock.now + 60_000);
    // Too early: nothing goes out.
    answer = 202;
    clock.now += 30_000;
    await bg.onAlarm(ALARMS.flush);
    expect(server.received.filter((r) => r.method === 'POST')).toHaveLength(1);
    clock.now += 30_000;
    await bg.onAlarm(ALARMS.flush);
    state = (await bg.handleMessage({ type: 'getState' }, FROM_POPUP)) as PopupState;
    expect(state.queue).toMatchObject({ pending: 0, sent: 1, lastError: null, nextAttemptAt: null });
    // The retry carried the same id, so the server can de-duplicate.
    const ids = server.received.filter((r) => r.method === 'POST').map((r) => (JSON.parse(r.body) as { reports: Report[] }).reports[0]!.id);
    expect(ids[0]).toBe(ids[1]);
  });

  it('backs off on network errors and keeps the reports', async () => {
    server = await startServer((_req, _body, res) => json(res, 202, {}));
    await server.close();
    const { bg, clock } = makeBackground({ defaultEndpoint: server.url });
    await bg.handleMessage({ type: 'setConsent', granted: true }, FROM_POPUP);
    await bg.handleMessage({ type: 'reportProblem', feature: 'timeline' }, FROM_POPUP);
    await bg.flush();
    const state = (await bg.handleMessage({ type: 'getState' }, FROM_POPUP)) as PopupState;
    expect(state.queue.pending).toBe(1);
    expect(state.queue.lastError).toBeTruthy();
    expect(state.queue.nextAttemptAt! - clock.now).toBeGreaterThanOrEqual(30_000);
  });

  it('drops a batch the server refuses (400) and counts it', async () => {
    server = await startServer((_req, _body, res) => json(res, 400, { error: 'invalid_report', problems: [] }));
    const { bg } = makeBackground({ defaultEndpoint: server.url });
    await bg.handleMessage({ type: 'setConsent', granted: true }, FROM_POPUP);
    await bg.handleMessage({ type: 'reportProblem', feature: 'timeline' }, FROM_POPUP);
    await bg.flush();
    const state = (await bg.handleMessage({ type: 'getState' }, FROM_POPUP)) as PopupState;
    expect(state.queue).toMatchObject({ pending: 0, dropped: { rejected: 1 } });
  });

  it('survives a background restart between enqueue and send', async () => {
    server = await aggregation();
    const first = makeBackground({ defaultEndpoint: server.url });
    await first.bg.handleMessage({ type: 'setConsent', granted: true }, FROM_POPUP);
    await first.bg.handleMessage({ type: 'reportProblem', feature: 'search' }, FROM_POPUP);
    // The worker dies here; a new one starts on the same storage and is woken by the alarm.
    const second = makeBackground({ defaultEndpoint: server.url, storage: first.storage, clock: first.clock });
    first.clock.now += 30_000;
    await second.bg.onAlarm(ALARMS.flush);
    expect(postedReports(server).map((r) => r.feature)).toEqual(['search']);
  });
});

describe('status polling', () => {
  let server: Server;
  afterEach(async () => {
    await server?.close();
  });

  it('builds the status and messages URLs', () => {
    expect(statusUrl('http://h:1/', 'FR')).toBe('http://h:1/v1/status?site=x.com&region=FR');
    expect(statusUrl('http://h:1', 'ZZ')).toBe('http://h:1/v1/status?site=x.com');
    expect(messagesUrl('https://h/base/')).toBe('https://h/base/v1/messages?site=x.com');
  });

  it('sets the badge to DOWN for an outage in the user region, calm otherwise', async () => {
    let answer = status('operational', { region: 'FR', regions: [['FR', 'operational']] });
    server = await startServer((req, _b, res) => (req.url?.startsWith('/v1/status') ? json(res, 200, answer) : json(res, 200, { messages: [] })));
    const { bg, badges, clock } = makeBackground({ defaultEndpoint: server.url });
    await bg.onAlarm(ALARMS.poll);
    expect(badges.at(-1)!.badge.text).toBe('');
    answer = status('outage', { region: 'FR', regions: [['FR', 'outage']] });
    clock.now += 60_000;
    await bg.onAlarm(ALARMS.poll);
    expect(badges.at(-1)!.badge.text).toBe('DOWN');
    expect(badges.at(-1)!.region).toBe('FR');
  });

  it('notifies a change of verdict for the user region only when opted in', async () => {
    let answer = status('operational', { region: 'FR' });
    server = await startServer((req, _b, res) => (req.url?.startsWith('/v1/status') ? json(res, 200, answer) : json(res, 200, { messages: [] })));
    const notes: string[] = [];
    const { bg } = makeBackground({ defaultEndpoint: server.url, notify: async (state, region) => void notes.push(`${region}:${state}`) });
    await bg.poll();
    answer = status('outage', { region: 'FR' });
    await bg.poll();
    expect(notes).toEqual([]);
    await bg.handleMessage({ type: 'setSettings', patch: { notifyOnChange: true } }, FROM_POPUP);
    answer = status('operational', { region: 'FR' });
    await bg.poll();
    await bg.poll();
    answer = status('degraded', { region: 'FR' });
    await bg.poll();
    // The outage began before the user opted in and was never notified, so its end
    // gets no all-clear (notify-policy); the next change of verdict is notified.
    expect(notes).toEqual(['FR:degraded']);
  });

  it('keeps the last good status and marks it stale when the server is unreachable or talks nonsense', async () => {
    let mode: 'good' | 'down' | 'junk' = 'good';
    server = await startServer((req, _b, res) => {
      if (mode === 'down') return json(res, 500, { error: 'boom' });
      if (req.url?.startsWith('/v1/status')) return json(res, 200, mode === 'junk' ? { overall: 'fine' } : status('degraded', { region: 'FR' }));
      return json(res, 200, { messages: [] });
    });
    const { bg, clock, badges } = makeBackground({ defaultEndpoint: server.url });
    await bg.poll();
    const fetchedAt = clock.now;
    clock.now += 5 * 60_000;
    mode = 'down';
    await bg.poll();
    let state = (await bg.handleMessage({ type: 'getState' }, FROM_POPUP)) as PopupState;
    expect(state).toMatchObject({ stale: true, statusError: 'HTTP 500', statusFetchedAt: fetchedAt });
    expect(state.status?.overall.state).toBe('degraded');
    expect(badges.at(-1)!.badge.text).toBe('!');
    mode = 'junk';
    await bg.poll();
    state = (await bg.handleMessage({ type: 'getState' }, FROM_POPUP)) as PopupState;
    expect(state.stale).toBe(true);
    expect(state.statusError).toMatch(/invalid status answer/);
    expect(state.status?.overall.state).toBe('degraded');
    mode = 'good';
    await bg.poll();
    state = (await bg.handleMessage({ type: 'getState' }, FROM_POPUP)) as PopupState;
    expect(state).toMatchObject({ stale: false, statusError: null, statusFetchedAt: clock.now });
  });

  it('diagnoses offline from webRequest and never reports it', async () => {
    server = await aggregation();
    const { bg } = makeBackground({ defaultEndpoint: server.url });
    await bg.handleMessage({ type: 'setConsent', granted: true }, FROM_POPUP);
    await bg.poll();
    await bg.onErrorOccurred({ url: 'https://x.com/i/api/graphql/q/HomeTimeline', error: 'net::ERR_INTERNET_DISCONNECTED', type: 'xmlhttprequest' });
    await bg.onErrorOccurred({ url: 'https://x.com/i/api/graphql/q/HomeTimeline', error: 'net::ERR_BLOCKED_BY_CLIENT', type: 'xmlhttprequest' });
    await bg.onCompleted({ url: 'https://x.com/i/api/graphql/q/HomeTimeline', statusCode: 404, type: 'xmlhttprequest' });
    await bg.flush();
    const state = (await bg.handleMessage({ type: 'getState' }, FROM_POPUP)) as PopupState;
    expect(state.local).toBe('offline');
    expect(postedReports(server)).toEqual([]);
  });

  it('samples ok from the page hook once per feature per 10 minutes, never from webRequest', async () => {
    server = await aggregation();
    const { bg, clock } = makeBackground({ defaultEndpoint: server.url });
    await bg.handleMessage({ type: 'setConsent', granted: true }, FROM_POPUP);
    const ok = { type: 'observe', observation: { feature: 'search', signal: 'ok', source: 'page', op: 'SearchTimeline' } };
    for (let i = 0; i < 12; i++) {
      await bg.handleMessage(ok, FROM_PAGE);
      await bg.onCompleted({ url: 'https://x.com/i/api/graphql/q/HomeTimeline', statusCode: 200, type: 'xmlhttprequest' });
      clock.now += 60_000;
    }
    await bg.flush();
    expect(postedReports(server).map((r) => `${r.feature}:${r.signal}`)).toEqual(['search:ok', 'search:ok']);
  });

  it('reports nothing from the page while the browser is offline', async () => {
    server = await aggregation();
    let online = true;
    const { bg } = makeBackground({ defaultEndpoint: server.url, online: () => online });
    await bg.handleMessage({ type: 'setConsent', granted: true }, FROM_POPUP);
    online = false;
    await bg.handleMessage({ type: 'observe', observation: { feature: 'timeline', signal: 'banner', source: 'dom', code: 'banner:timeline_error' } }, FROM_PAGE);
    await bg.flush();
    expect(postedReports(server)).toEqual([]);
    expect(((await bg.handleMessage({ type: 'getState' }, FROM_POPUP)) as PopupState).local).toBe('offline');
  });

  it('clears the offline diagnosis once x.com answers again', async () => {
    server = await aggregation();
    const { bg, clock } = makeBackground({ defaultEndpoint: server.url });
    await bg.onErrorOccurred({ url: 'https://x.com/home', error: 'net::ERR_NAME_NOT_RESOLVED', type: 'main_frame' });
    expect(((await bg.handleMessage({ type: 'getState' }, FROM_POPUP)) as PopupState).local).toBe('offline');
    clock.now += 5_000;
    await bg.onCompleted({ url: 'https://x.com/i/api/graphql/q/HomeTimeline', statusCode: 200, type: 'xmlhttprequest' });
    expect(((await bg.handleMessage({ type: 'getState' }, FROM_POPUP)) as PopupState).local).toBe('ok');
  });

  it('turns a webRequest 5xx into a report and a just-you diagnosis when others are fine', async () => {
    server = await aggregation();
    const { bg } = makeBackground({ defaultEndpoint: server.url });
    await bg.handleMessage({ type: 'setConsent', granted: true }, FROM_POPUP);
    await bg.poll();
    await bg.onCompleted({ url: 'https://x.com/i/api/graphql/q/CreateTweet?variables=secret', statusCode: 502, type: 'xmlhttprequest' });
    await bg.flush();
    const [r] = postedReports(server);
    expect(r).toMatchObject({ feature: 'post', signal: 'http_5xx', detail: { status: 502, op: 'CreateTweet' } });
    expect(JSON.stringify(r)).not.toContain('secret');
    const state = (await bg.handleMessage({ type: 'getState' }, FROM_POPUP)) as PopupState;
    expect(state.local).toBe('just-you');
  });
});

