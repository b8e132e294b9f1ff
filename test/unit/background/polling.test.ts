/**
 * When the background asks for the status (issue 9, "the badge sooner"), on a fake clock with
 * fake timers, alarms and fetch: a failure seen here asks at once and then every 5 s for two minutes, a
 * troubled verdict every 15 s, calm at most once a minute, never before the answer's max-age, a
 * burst of failures coalesced, and all of it surviving the worker being stopped.
 */
import { describe, expect, it } from 'vitest';
import { ALARM_FLOOR_MS, ALARMS } from '../../../src/background/background.ts';
import { KEYS } from '../../../src/background/storage-keys.ts';
import type { State } from '../../../src/shared/protocol.ts';
import { FakeStorage, FROM_PAGE, FROM_POPUP, makeBackground } from './fixtures-bg.ts';
import { NOW, status } from './fixtures.ts';

const S = 1_000;
const HOME = 'https://x.com/i/api/graphql/q/HomeTimeline';

interface Request {
  at: number;
  cache: RequestCache | undefined;
}

/** Lets the promises a timer started run to the end (fake storage and fetch answer in a few ticks). */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

function world(opts: { storage?: FakeStorage; clock?: { now: number }; consent?: boolean } = {}) {
  const clock = opts.clock ?? { now: NOW };
  const net = { state: 'operational' as State, elsewhere: null as [string, State] | null, cacheControl: 'public, max-age=5' as string | null, age: null as string | null, statusRequests: [] as Request[] };
  const timers: { at: number; fn: () => void }[] = [];
  const fakeFetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input));
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (url.pathname === '/v1/status') {
      net.statusRequests.push({ at: clock.now, cache: init?.cache });
      if (net.cacheControl) headers['cache-control'] = net.cacheControl;
      if (net.age) headers.age = net.age;
      return new Response(JSON.stringify(status(net.state, { region: 'FR', regions: [['FR', net.state], ...(net.elsewhere ? [net.elsewhere] : [])] })), { status: 200, headers });
    }
    return new Response(JSON.stringify({ messages: [] }), { status: 200, headers });
  }) as typeof fetch;
  const t = makeBackground({
    clock,
    ...(opts.storage ? { storage: opts.storage } : {}),
    defaultEndpoint: 'https://status.example.org',
    fetch: fakeFetch,
    schedule: (fn, ms) => void timers.push({ at: clock.now + ms, fn }),
  });
  if (opts.storage) t.storage = opts.storage;
  // Failure-driven polls are for people who agreed to report (a test below checks the others).
  if (opts.consent !== false) t.storage.data.set(KEYS.consent, 'granted');

  /** Moves the clock forward, firing each timer at its time (the worker stays alive). */
  async function advance(ms: number): Promise<void> {
    const end = clock.now + ms;
    for (;;) {
      await settle();
      const next = timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      timers.splice(timers.indexOf(next), 1);
      clock.now = Math.max(clock.now, next.at);
      next.fn();
    }
    clock.now = end;
    await settle();
  }

  const polls = () => net.statusRequests.length;
  const pollTimes = () => net.statusRequests.map((r) => r.at - NOW);
  return { ...t, clock, net, timers, advance, polls, pollTimes };
}

/** A failed API call as webRequest reports it: X answering 503. */
const fail503 = (w: ReturnType<typeof world>) => w.bg.onCompleted({ url: HOME, statusCode: 503, type: 'xmlhttprequest' });

describe('status polling follows the poll rule', () => {
  it('polls at once after a failure seen here, then every 5 s for two minutes, then once a minute', async () => {
    const w = world();
    await w.bg.onStartup();
    await w.advance(0);
    expect(w.pollTimes()).toEqual([0]);
    await w.advance(40 * S);
    expect(w.polls(), 'calm: nothing before a minute').toBe(1);

    await fail503(w);
    await w.advance(0);
    expect(w.pollTimes(), 'at once').toEqual([0, 40 * S]);
    await w.advance(4 * S);
    expect(w.polls()).toBe(2);
    await w.advance(1 * S);
    expect(w.pollTimes(), 'the follow-up').toEqual([0, 40 * S, 45 * S]);
    await w.advance(115 * S);
    const watched = Array.from({ length: 25 }, (_, i) => 40 + 5 * i); // 40, 45, ..., 160
    expect(w.pollTimes(), 'every 5 s while the failure is watched').toEqual([0, ...watched].map((x) => x * S));
    await w.advance(59 * S);
    expect(w.polls(), 'two minutes after the failure: calm again').toBe(26);
    await w.advance(1 * S);
    expect(w.pollTimes().at(-1), 'a minute after the last follow-up').toBe(220 * S);
  });

  it('without consent to report, a failure seen here does not time a request (it would tell the server)', async () => {
    const w = world({ consent: false });
    await w.bg.onStartup();
    await w.advance(30 * S);
    await fail503(w);
    await w.advance(29 * S);
    expect(w.pollTimes()).toEqual([0]);
    await w.advance(1 * S);
    expect(w.pollTimes(), 'the minute poll, as ever').toEqual([0, 60 * S]);
  });

  it('a failure seen by the page hook or the DOM counts too', async () => {
    const w = world();
    await w.bg.onStartup();
    await w.advance(30 * S);
    await w.bg.handleMessage({ type: 'observe', observation: { feature: 'timeline', signal: 'banner', source: 'dom', code: 'banner:timeline_error' } }, FROM_PAGE);
    await w.advance(0);
    expect(w.pollTimes()).toEqual([0, 30 * S]);
  });

  it('does not hurry for the user\'s own connection, a blocker, an account limit or a 404', async () => {
    const w = world();
    await w.bg.onStartup();
    await w.advance(30 * S);
    await w.bg.onErrorOccurred({ url: HOME, error: 'net::ERR_INTERNET_DISCONNECTED', type: 'xmlhttprequest' });
    await w.bg.onErrorOccurred({ url: HOME, error: 'net::ERR_BLOCKED_BY_CLIENT', type: 'xmlhttprequest' });
    await w.bg.onErrorOccurred({ url: HOME, error: 'net::ERR_CERT_AUTHORITY_INVALID', type: 'xmlhttprequest' });
    await w.bg.onCompleted({ url: HOME, statusCode: 429, type: 'xmlhttprequest' });
    await w.bg.onCompleted({ url: HOME, statusCode: 404, type: 'xmlhttprequest' });
    await w.bg.handleMessage({ type: 'observe', observation: { feature: 'timeline', signal: 'banner', source: 'dom', code: 'banner:connection_error' } }, FROM_PAGE);
    await w.advance(29 * S);
    expect(w.pollTimes()).toEqual([0]);
    await w.advance(1 * S);
    expect(w.pollTimes()).toEqual([0, 60 * S]);
  });

  it('polls every 15 s while the verdict for the region is troubled, and calms down after', async () => {
    const w = world();
    w.net.state = 'outage';
    await w.bg.onStartup();
    await w.advance(60 * S);
    expect(w.badges.at(-1)!.badge.text).toBe('DOWN');
    expect(w.pollTimes()).toEqual([0, 15 * S, 30 * S, 45 * S, 60 * S]);
    w.net.state = 'degraded';
    await w.advance(30 * S);
    expect(w.polls(), 'degraded is troubled too').toBe(7);
    w.net.state = 'operational';
    await w.advance(15 * S);
    expect(w.badges.at(-1)!.badge.text).toBe('');
    await w.advance(5 * 60 * S);
    expect(w.pollTimes().slice(7), 'once a minute after the calm answer').toEqual([105 * S, 165 * S, 225 * S, 285 * S, 345 * S, 405 * S]);
  });

  it('stays at one request a minute while calm, however often the worker is woken', async () => {
    const w = world();
    await w.bg.onStartup();
    for (let i = 0; i < 60; i++) {
      await w.advance(10 * S);
      // Wake-ups of every kind: the alarm, a restart's ensureAlarms, a healthy API answer.
      await w.bg.onAlarm(ALARMS.poll);
      await w.bg.ensureAlarms();
      await w.bg.onCompleted({ url: HOME, statusCode: 200, type: 'xmlhttprequest' });
    }
    const at = w.pollTimes();
    expect(at.length).toBe(11);
    for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(60 * S);
  });

  it('honours Cache-Control: timed polls use the HTTP cache and never go out before max-age (less Age)', async () => {
    const w = world();
    w.net.state = 'outage';
    w.net.cacheControl = 'public, max-age=40';
    await w.bg.onStartup();
    await w.advance(100 * S);
    expect(w.pollTimes(), 'troubled, but the answer is fresh for 40 s').toEqual([0, 40 * S, 80 * S]);
    expect(w.net.statusRequests.every((r) => r.cache === 'default')).toBe(true);
    // A CDN copy already 30 s old is fresh for 10 s more only.
    w.net.age = '30';
    await w.advance(20 * S);
    expect(w.pollTimes().slice(3)).toEqual([120 * S]);
    await w.advance(15 * S);
    expect(w.pollTimes().slice(3)).toEqual([120 * S, 135 * S]);
    const stored = w.storage.data.get(KEYS.poll) as { freshUntil: number };
    expect(stored.freshUntil).toBe(NOW + 145 * S);
    // A failure inside the fresh time waits for it to run out.
    w.net.state = 'operational';
    w.net.age = null;
    w.net.cacheControl = 'public, max-age=30';
    await w.advance(15 * S);
    expect(w.pollTimes().slice(-1), 'troubled pace, past the 10 s left').toEqual([150 * S]);
    await w.advance(5 * S);
    await fail503(w);
    await w.advance(24 * S);
    expect(w.pollTimes().slice(-1), 'not before 150 + 30 s').toEqual([150 * S]);
    await w.advance(1 * S);
    expect(w.pollTimes().slice(-1)).toEqual([180 * S]);
    // The popup's refresh asks at once, past every cache.
    await w.bg.handleMessage({ type: 'refresh' }, FROM_POPUP);
    expect(w.net.statusRequests.at(-1)).toEqual({ at: w.clock.now, cache: 'no-cache' } satisfies Request);
  });

  it('coalesces a burst of 1,000 failures: one poll per 5 s, however many failures', async () => {
    const w = world();
    await w.bg.onStartup();
    await w.advance(45 * S);
    const writes = w.storage.writes;
    const timers = w.timers.length;
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < 1000; i++) {
      pending.push(i % 2 ? fail503(w) : w.bg.handleMessage({ type: 'observe', observation: { feature: 'timeline', signal: 'http_5xx', source: 'page', status: 503 } }, FROM_PAGE));
    }
    await Promise.all(pending);
    await w.advance(0);
    expect(w.pollTimes()).toEqual([0, 45 * S]);
    // The failures keep coming for 10 s more: they change nothing but the follow-up's reason.
    for (let i = 0; i < 100; i++) {
      await w.advance(100);
      await fail503(w);
    }
    await w.advance(120 * S);
    // The last failure, at 55 s, is watched for two minutes: a poll every 5 s until 175 s.
    const watched = Array.from({ length: 27 }, (_, i) => 45 + 5 * i); // 45, 50, ..., 175
    expect(w.pollTimes(), 'one poll per 5 s while failures are watched, then calm').toEqual([0, ...watched].map((x) => x * S));
    await w.advance(59 * S);
    expect(w.polls(), 'calm: a minute after the last').toBe(28);
    await w.advance(1 * S);
    expect(w.pollTimes().at(-1)).toBe(235 * S);
    expect(w.timers.length - timers, 'timers armed by the burst').toBeLessThan(20);
    // Writes follow the polls (poll times, the answer, the badge), never the 1,000 failures.
    expect(w.storage.writes - writes, 'storage writes for the burst (evidence and polls)').toBeLessThan(4 * w.polls());
  });

  it('keeps its poll times in storage: a restarted worker knows the follow-up is due, and the alarm backs it up', async () => {
    const first = world();
    await first.bg.onStartup();
    await first.advance(50 * S);
    await fail503(first);
    await first.advance(0);
    expect(first.pollTimes()).toEqual([0, 50 * S]);
    // The alarm is never less than 30 s ahead (Chrome's floor), and repeats every minute.
    const alarm = first.alarms.alarms.get(ALARMS.poll)!;
    expect(alarm.scheduledTime).toBe(first.clock.now + ALARM_FLOOR_MS);
    expect(alarm.periodInMinutes).toBe(1);

    // The worker dies with its timers; a new one starts on the same storage 2 s later.
    first.clock.now += 2 * S;
    const second = world({ storage: first.storage, clock: first.clock });
    second.net.statusRequests.push(...first.net.statusRequests);
    await second.bg.ensureAlarms();
    await second.advance(2 * S);
    expect(second.pollTimes(), 'no poll on restart: not due').toEqual([0, 50 * S]);
    await second.advance(1 * S);
    expect(second.pollTimes(), 'the follow-up from stored times').toEqual([0, 50 * S, 55 * S]);

    // That worker dies too before its next timer: the alarm alone brings the calm poll.
    const third = world({ storage: first.storage, clock: first.clock });
    third.net.statusRequests.push(...second.net.statusRequests);
    first.clock.now = second.alarms.alarms.get(ALARMS.poll)!.scheduledTime;
    await third.bg.onAlarm(ALARMS.poll);
    await third.advance(0);
    // The failure at 50 s is still watched: the alarm (30 s ahead at the least) brings the next.
    expect(third.pollTimes()).toEqual([0, 50 * S, 55 * S, 85 * S]);
  });

  it('shows ! while X fails here and other countries are called, and calms down two minutes after the last failure', async () => {
    const w = world();
    w.net.elsewhere = ['US', 'outage'];
    await w.bg.onStartup();
    await w.advance(30 * S);
    expect(w.badges.at(-1)!.badge.text, 'an outage elsewhere alone: calm').toBe('');
    await fail503(w);
    await w.advance(0);
    expect(w.badges.at(-1)!.badge).toMatchObject({ text: '!', titleKey: 'badgeTitleElsewhere' });
    // No more failures here: the last poll of the watch still shows it, the one after does not.
    await w.advance(120 * S);
    expect(w.badges.at(-1)!.badge.text).toBe('!');
    await w.advance(60 * S);
    expect(w.pollTimes().at(-1)).toBeGreaterThan(150 * S);
    expect(w.badges.at(-1)!.badge.text, 'two minutes after the last failure: calm').toBe('');
  });

  it('does not trust poll times from the future (the clock was set back)', async () => {
    const storage = new FakeStorage();
    storage.data.set(KEYS.poll, { lastPollAt: NOW + 3_600 * S, lastLocalFailureAt: null, freshUntil: NOW + 3_600 * S });
    const w = world({ storage });
    await w.bg.onStartup();
    await w.advance(0);
    expect(w.pollTimes()).toEqual([0]);
  });
});
