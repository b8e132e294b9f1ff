import { describe, expect, it } from 'vitest';
import { admit, OK_SAMPLE_INTERVAL_MS } from '../../../src/background/coalescer.ts';
import type { CoalescerState } from '../../../src/background/coalescer.ts';

const T0 = Date.UTC(2026, 10, 22, 12, 0, 0);

describe('coalescer', () => {
  it('admits one failure per feature+signal per minute, however many arrive', () => {
    let state: CoalescerState = {};
    let admitted = 0;
    // 1,000 failures a second for two and a half minutes.
    for (let ms = 0; ms < 150_000; ms += 1) {
      const r = admit(state, 'timeline', 'http_5xx', T0 + ms);
      state = r.state;
      if (r.admitted) admitted++;
    }
    expect(admitted).toBe(3);
  });

  it('keys on feature and signal separately', () => {
    let s: CoalescerState = {};
    const results: boolean[] = [];
    for (const [f, sig] of [
      ['timeline', 'http_5xx'],
      ['timeline', 'network'],
      ['dm', 'http_5xx'],
      ['timeline', 'http_5xx'],
    ] as const) {
      const r = admit(s, f, sig, T0 + 1000);
      s = r.state;
      results.push(r.admitted);
    }
    expect(results).toEqual([true, true, true, false]);
  });

  it('uses calendar minutes, matching the minute the report carries', () => {
    const a = admit({}, 'post', 'banner', T0 + 59_000);
    expect(admit(a.state, 'post', 'banner', T0 + 60_000).admitted).toBe(true);
  });

  it('samples ok at most once per feature per 10 minutes', () => {
    let s: CoalescerState = {};
    const at: number[] = [];
    for (let m = 0; m < 25; m++) {
      const r = admit(s, 'search', 'ok', T0 + m * 60_000);
      s = r.state;
      if (r.admitted) at.push(m);
    }
    expect(at).toEqual([0, 10, 20]);
    expect(OK_SAMPLE_INTERVAL_MS).toBe(600_000);
  });

  it('prunes old keys so the persisted map stays small', () => {
    let s: CoalescerState = {};
    for (let m = 0; m < 100; m++) s = admit(s, 'timeline', 'http_5xx', T0 + m * 60_000).state;
    s = admit(s, 'dm', 'network', T0 + 200 * 60_000).state;
    expect(Object.keys(s)).toEqual(['dm|network']);
  });
});
