/**
 * Early shedding: while the event loop runs late with many submissions in progress, report
 * submissions get 503 with Retry-After before their body is read (reads still pass); a late loop
 * with few in progress (a pause) sheds nothing; on time again, submissions are taken.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startLoadShedder, withLoadShedding } from '../../src/server/http/load-shedding.ts';

const stops: (() => void)[] = [];
afterEach(() => stops.splice(0).forEach((s) => s()));

function blockFor(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // Busy: the sampling timer cannot run.
  }
}
const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('load shedding', () => {
  it('refuses submissions with 503 + Retry-After while the loop is late and busy, then takes them again', async () => {
    const shedder = startLoadShedder(150);
    stops.push(() => shedder.stop());
    let reached = 0;
    const hanging: (() => void)[] = [];
    const fetch = withLoadShedding(
      (req) => {
        reached++;
        if (req.headers.get('x-hang')) return new Promise<Response>((resolve) => hanging.push(() => resolve(new Response('{}', { status: 202 }))));
        return new Response('{}', { status: 202 });
      },
      shedder,
      3,
    );
    const post = (hang = false) =>
      Promise.resolve(
        fetch(new Request('http://h/v1/reports', { method: 'POST', body: '{}', headers: { origin: 'chrome-extension://abc', ...(hang ? { 'x-hang': '1' } : {}) } }), {}),
      );
    await tick(120);
    expect((await post()).status).toBe(202);

    // A late loop with nothing much in progress is a pause: nothing shed.
    blockFor(600);
    await tick(60);
    expect(shedder.shedding()).toBe(true);
    expect((await post()).status).toBe(202);

    // Late with many submissions waiting: shed, before the app sees the request.
    const waiting = [post(true), post(true), post(true)];
    blockFor(600);
    await tick(60);
    const before = reached;
    const shed = await post();
    expect(shed.status).toBe(503);
    expect(Number(shed.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(shed.headers.get('access-control-allow-origin')).toBe('chrome-extension://abc');
    expect(reached).toBe(before);
    // Reads are not shed: they are cheap and are what users need during a surge.
    expect((await fetch(new Request('http://h/v1/status?site=x.com'), {})).status).toBe(202);

    hanging.forEach((release) => release());
    await Promise.all(waiting);
    await tick(1500);
    expect(shedder.shedding()).toBe(false);
    expect((await post()).status).toBe(202);
    expect(shedder.shed).toBe(1);
  });
});
