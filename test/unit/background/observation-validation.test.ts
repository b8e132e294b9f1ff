import { describe, expect, it } from 'vitest';
import { validateObservation } from '../../../src/background/observation-validation.ts';

describe('observations from content scripts', () => {
  it('accepts a well-formed observation and copies only known fields', () => {
    const r = validateObservation({ feature: 'timeline', signal: 'http_5xx', source: 'page', status: 503, op: 'HomeTimeline', code: 'x:131' });
    expect(r).toEqual({ ok: true, observation: { feature: 'timeline', signal: 'http_5xx', source: 'page', status: 503, op: 'HomeTimeline', code: 'x:131' } });
  });

  it.each([
    ['not an object', 'junk'],
    ['null', null],
    ['an array', []],
    ['unknown feature', { feature: 'everything', signal: 'banner', source: 'dom' }],
    ['unknown signal', { feature: 'dm', signal: 'explode', source: 'dom' }],
    ['manual from a page', { feature: 'dm', signal: 'manual', source: 'dom' }],
    ['a claimed webrequest source', { feature: 'dm', signal: 'banner', source: 'webrequest' }],
    ['a URL in op', { feature: 'dm', signal: 'banner', source: 'dom', op: 'https://x.com/i/api' }],
    ['post text in code', { feature: 'dm', signal: 'banner', source: 'dom', code: 'hello world, my secret post' }],
    ['a huge code', { feature: 'dm', signal: 'banner', source: 'dom', code: 'a'.repeat(65) }],
    ['a bad status', { feature: 'dm', signal: 'http_5xx', source: 'page', status: 5000 }],
    ['a fractional status', { feature: 'dm', signal: 'http_5xx', source: 'page', status: 500.5 }],
    ['an extra field', { feature: 'dm', signal: 'banner', source: 'dom', url: 'https://x.com/someone' }],
  ])('refuses %s', (_name, input) => {
    const r = validateObservation(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.length).toBeGreaterThan(5);
  });
});
