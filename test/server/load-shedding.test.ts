/**
 * Early shedding: while the event loop runs late, report submissions get 503 with Retry-After
 * before their body is read (and reads still pass); once it runs on time again, they are taken.
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
  it('refuses submissions with 503 + Retry-After while the loop is late, then takes them again', async () => {
    const shedder = startLoadShedder(150);
    stops.push(() => shedder.stop());
    let reached = 0;
    const fetch = withLoadShedding(() => {
      reached++;
      return new Response('{}', { status: 202 });
    }, shedder);
    const post = () =>
      Promise.resolve(fetch(new Request('http://h/v1/reports', { method: 'POST', body: '{}', headers: { origin: 'chrome-extension://abc' } }), {}));
    await tick(120);
    expect((await post()).status).toBe(202);

    blockFor(600);
    await tick(60);
    expect(shedder.shedding()).toBe(true);
    const shed = await post();
    expect(shed.status).toBe(503);
    expect(Number(shed.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(shed.headers.get('access-control-allow-origin')).toBe('chrome-extension://abc');
    expect(reached).toBe(1);
    // Reads are not shed: they are cheap and are what users need during a surge.
    expect((await fetch(new Request('http://h/v1/status?site=x.com'), {})).status).toBe(202);
    expect(reached).toBe(2);

    await tick(1500);
    expect(shedder.shedding()).toBe(false);
    expect((await post()).status).toBe(202);
    expect(shedder.shed).toBe(1);
  });
});
