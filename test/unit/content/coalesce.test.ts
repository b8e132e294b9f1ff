import { describe, expect, it } from 'vitest';
import { createCoalescer } from '../../../src/content/coalesce.ts';
import type { Observation } from '../../../src/shared/runtime-messages.ts';

describe('createCoalescer', () => {
  it('passes one ok per feature per interval, and repeated failures once per shorter interval', () => {
    let t = 1_000_000;
    const pass = createCoalescer({ now: () => t, okIntervalMs: 15_000, repeatIntervalMs: 2_000 });
    const ok = (feature: Observation['feature'], op?: string): Observation => ({ feature, signal: 'ok', source: 'page', ...(op ? { op } : {}) });
    const fail: Observation = { feature: 'timeline', signal: 'http_5xx', source: 'page', status: 503, op: 'HomeTimeline' };
    expect(pass(ok('timeline', 'HomeTimeline'))).toBe(true);
    expect(pass(ok('timeline', 'TweetDetail'))).toBe(false);
    expect(pass(ok('dm'))).toBe(true);
    expect(pass(fail)).toBe(true);
    expect(pass(fail)).toBe(false);
    expect(pass({ ...fail, status: 502 })).toBe(true);
    expect(pass({ ...fail, source: 'dom' })).toBe(true);
    t += 2_000;
    expect(pass(fail)).toBe(true);
    expect(pass(ok('timeline'))).toBe(false);
    t += 13_000;
    expect(pass(ok('timeline'))).toBe(true);
  });
});
