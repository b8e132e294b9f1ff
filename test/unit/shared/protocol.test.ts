import { describe, expect, it } from 'vitest';
import {
  FEATURES,
  SIGNALS,
  floorToMinute,
  validateMessagesResponse,
  validateOperatorMessage,
  validateReportBatch,
  validateStatusResponse,
  type Report,
} from '../../../src/shared/protocol.ts';

const MIN = 60_000;

function report(over: Partial<Record<keyof Report, unknown>> = {}): Record<string, unknown> {
  return {
    id: '3f1c2a9e-7b4d-4c1e-9a2b-5d6e7f8a9b0c',
    site: 'x.com',
    feature: 'timeline',
    signal: 'http_5xx',
    at: 1_763_769_600_000,
    region: 'FR',
    reporter: 'abcdefghijklmnop_Q-1',
    client: { version: '0.1.0', browser: 'chrome' },
    detail: { status: 503, op: 'HomeTimeline', code: 'x:131' },
    ...over,
  };
}

function problemsOf(body: unknown) {
  const v = validateReportBatch(body);
  return v.ok ? [] : v.problems;
}

describe('validateReportBatch', () => {
  it('accepts a well-formed report of every feature and signal', () => {
    const reports = FEATURES.flatMap((feature) => SIGNALS.map((signal) => report({ feature, signal, id: crypto.randomUUID() })));
    for (let i = 0; i < reports.length; i += 100) {
      expect(problemsOf({ reports: reports.slice(i, i + 100) })).toEqual([]);
    }
  });

  it('accepts a report without detail, and a ZZ region', () => {
    const { detail: _detail, ...rest } = report({ region: 'ZZ' });
    expect(problemsOf({ reports: [rest] })).toEqual([]);
  });

  it('refuses bodies that are not { reports: [...] } of 1 to 100', () => {
    expect(problemsOf(null)[0]?.message).toMatch(/object/);
    expect(problemsOf({ reports: {} })[0]?.path).toBe('reports');
    expect(problemsOf({ reports: [] })[0]?.message).toMatch(/1 to 100/);
    expect(problemsOf({ reports: Array.from({ length: 101 }, () => report()) })[0]?.message).toMatch(/1 to 100/);
  });

  it.each([
    ['id', 'not-a-uuid'],
    ['site', 'https://x.com/home'],
    ['feature', 'everything'],
    ['signal', 'panic'],
    ['at', 1_763_769_600_001],
    ['at', -MIN],
    ['at', '1763769600000'],
    ['region', 'fr'],
    ['region', 'FRA'],
    ['reporter', 'short'],
    ['reporter', 'has spaces in it and is long'],
    ['client', { version: '0.1.0' }],
  ])('names the field when %s is %j', (field, value) => {
    const problems = problemsOf({ reports: [report({ [field]: value })] });
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]?.index).toBe(0);
    expect(problems[0]?.path.startsWith(field)).toBe(true);
  });

  it('refuses details that could carry a URL, a handle or text', () => {
    for (const detail of [
      { op: '/i/api/graphql/abc/HomeTimeline' },
      { code: 'https://x.com/fixture_handle' },
      { code: 'Something went wrong. Try reloading.' },
      { status: 'five hundred' },
      { url: 'https://x.com/' },
    ]) {
      expect(problemsOf({ reports: [report({ detail })] }).length).toBeGreaterThan(0);
    }
  });

  it('refuses unknown top-level fields, so nothing extra can be stored', () => {
    const problems = problemsOf({ reports: [report({ url: 'https://x.com/someone' } as never)] });
    expect(problems).toEqual([{ index: 0, path: 'url', message: 'unknown field "url"' }]);
  });

  it('reports the index of each bad report in a batch', () => {
    const problems = problemsOf({ reports: [report(), report({ region: 'x' }), report(), report({ signal: 'no' })] });
    expect(problems.map((p) => p.index)).toEqual([1, 3]);
  });
});

describe('floorToMinute', () => {
  it('rounds down to the minute', () => {
    expect(floorToMinute(1_763_769_659_999)).toBe(1_763_769_600_000);
    expect(floorToMinute(1_763_769_600_000)).toBe(1_763_769_600_000);
  });
});

describe('validateOperatorMessage', () => {
  it('accepts a complete message and refuses a partial one', () => {
    const ok = { site: 'x.com', author: '@Support', text: 'We are working on a fix.', url: 'https://x.com/Support/status/1', lang: 'en' };
    expect(validateOperatorMessage(ok).ok).toBe(true);
    const bad = validateOperatorMessage({ ...ok, url: 'javascript:alert(1)', lang: '' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.problems.map((p) => p.path).sort()).toEqual(['lang', 'url']);
  });
});

describe('response validators', () => {
  const status = {
    site: 'x.com',
    generatedAt: 1,
    overall: { state: 'outage', since: 1 },
    features: [{ feature: 'timeline', state: 'outage', reports15m: 3, reporters15m: 3 }],
    regions: [{ region: 'FR', state: 'degraded', reports15m: 9, reporters15m: 7 }],
    series: { stepMs: MIN, from: 0, reports: [1], baseline: [0] },
  };
  it('accepts a status answer and refuses one with an unknown state', () => {
    expect(validateStatusResponse(status).ok).toBe(true);
    expect(validateStatusResponse({ ...status, overall: { state: 'meltdown', since: null } }).ok).toBe(false);
    expect(validateStatusResponse({ ...status, features: [{ feature: 'timeline' }] }).ok).toBe(false);
  });
  it('accepts messages and refuses a message of an unknown source', () => {
    const m = { id: '1', source: 'operator', author: '@Support', text: 't', url: 'https://x.com', publishedAt: 1, lang: 'en' };
    expect(validateMessagesResponse({ messages: [m] }).ok).toBe(true);
    expect(validateMessagesResponse({ messages: [{ ...m, source: 'rumour' }] }).ok).toBe(false);
  });
});
