/**
 * The notification rule wired into the real background: verdicts come from a real HTTP server
 * on loopback, the memory lives in (fake) storage.local, and a "worker restart" is a new
 * background instance over the same storage.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { statusPageUrl } from '../../../src/background/background.ts';
import { NOTIFY_MEMORY_KEY, QUIET_PERIOD_MS } from '../../../src/background/notify-policy.ts';
import type { State } from '../../../src/shared/protocol.ts';
import { FROM_POPUP, json, makeBackground, startServer } from './fixtures-bg.ts';
import { status } from './fixtures.ts';

let server: Awaited<ReturnType<typeof startServer>> | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function serve(initial: State) {
  const s = { state: initial, down: false };
  server = await startServer((req, _b, res) => {
    if (s.down) return json(res, 503, { error: 'unavailable' });
    return req.url?.startsWith('/v1/status') ? json(res, 200, status(s.state, { region: 'FR', regions: [['FR', s.state]] })) : json(res, 200, { messages: [] });
  });
  return s;
}

describe('notifications from the background', () => {
  it('one notification per change, none for a calm back within the quiet period, memory kept across a worker restart', async () => {
    const answer = await serve('operational');
    const notes: string[] = [];
    const notify = async (state: State, region: string) => void notes.push(`${region}:${state}`);
    const first = makeBackground({ defaultEndpoint: server!.url, notify });
    await first.bg.handleMessage({ type: 'setSettings', patch: { notifyOnChange: true } }, FROM_POPUP);
    await first.bg.poll();
    expect(notes).toEqual([]);
    answer.state = 'outage';
    first.clock.now += 60_000;
    await first.bg.poll();
    first.clock.now += 60_000;
    await first.bg.poll();
    expect(notes).toEqual(['FR:outage']);

    // The worker is stopped and started again: same storage, new instance, no memory in RAM.
    const second = makeBackground({ defaultEndpoint: server!.url, notify, clock: first.clock });
    second.storage.data = first.storage.data;
    second.clock.now += 60_000;
    await second.bg.poll();
    expect(notes).toEqual(['FR:outage']);
    answer.state = 'operational';
    second.clock.now += 60_000;
    await second.bg.poll();
    expect(notes, 'a calm 3 minutes after the alert is not announced').toEqual(['FR:outage']);
    expect(second.storage.data.get(NOTIFY_MEMORY_KEY)).toMatchObject({ seen: 'operational', told: 'outage' });
  });

  it('announces the all-clear after the quiet period, and not a stale answer as news', async () => {
    const answer = await serve('operational');
    const notes: string[] = [];
    const { bg, clock } = makeBackground({ defaultEndpoint: server!.url, notify: async (s, r) => void notes.push(`${r}:${s}`) });
    await bg.handleMessage({ type: 'setSettings', patch: { notifyOnChange: true } }, FROM_POPUP);
    await bg.poll();
    answer.state = 'outage';
    clock.now += 60_000;
    await bg.poll();
    // The server goes away: the cached outage is shown stale, which is not a change.
    answer.down = true;
    for (let i = 0; i < 3; i++) {
      clock.now += 60_000;
      await bg.poll();
    }
    expect(notes).toEqual(['FR:outage']);
    answer.down = false;
    answer.state = 'operational';
    clock.now += QUIET_PERIOD_MS;
    await bg.poll();
    expect(notes).toEqual(['FR:outage', 'FR:operational']);
  });

  it('nothing without the opt-in or without the permission, and nothing for the first verdict after a browser start', async () => {
    const answer = await serve('operational');
    const notes: string[] = [];
    let permitted = false;
    const { bg, clock } = makeBackground({
      defaultEndpoint: server!.url,
      notify: async (s, r) => void notes.push(`${r}:${s}`),
      canNotify: async () => permitted,
    });
    await bg.poll();
    answer.state = 'degraded';
    clock.now += 60_000;
    await bg.poll();
    await bg.handleMessage({ type: 'setSettings', patch: { notifyOnChange: true } }, FROM_POPUP);
    answer.state = 'outage';
    clock.now += 60_000;
    await bg.poll();
    expect(notes, 'opted in but the browser did not grant the permission').toEqual([]);
    permitted = true;
    await bg.onStartup();
    answer.state = 'degraded';
    clock.now += 60_000;
    await bg.poll();
    expect(notes, 'first verdict after a browser start').toEqual([]);
    answer.state = 'outage';
    clock.now += 60_000;
    await bg.poll();
    expect(notes).toEqual(['FR:outage']);
  });

  it('a click leads to the server status page for the region when the popup cannot open', async () => {
    await serve('operational');
    const { bg } = makeBackground({ defaultEndpoint: `${server!.url}/` });
    expect(await bg.statusPage()).toBe(`${server!.url}/?region=FR`);
    await bg.handleMessage({ type: 'setSettings', patch: { regionOverride: 'ZZ' } }, FROM_POPUP);
    expect(await bg.statusPage()).toBe(`${server!.url}/`);
    expect(statusPageUrl('https://radar.example.org//', 'BR')).toBe('https://radar.example.org/?region=BR');
  });
});
