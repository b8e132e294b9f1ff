import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allowedCode, buildReport } from '../../../src/background/report-builder.ts';
import { judge } from '../../../src/content/judge.ts';
import { parseStringTable } from '../../../src/content/strings.ts';
import { BANNER_MEANINGS, LIMIT_MEANINGS } from '../../../src/shared/x-meanings.ts';
import { validateReportBatch } from '../../../src/shared/protocol.ts';
import type { Observation } from '../../../src/shared/runtime-messages.ts';

const ctx = {
  id: '3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f',
  now: Date.UTC(2026, 10, 22, 12, 34, 56, 789),
  region: 'FR',
  reporter: 'AbCdEfGhIjKlMnOpQrStUvWx',
  version: '0.1.0',
  browser: 'firefox',
};

describe('report building', () => {
  it('produces a valid protocol v1 report with at floored to the minute', () => {
    const r = buildReport({ feature: 'timeline', signal: 'http_5xx', source: 'webrequest', status: 503, op: 'HomeTimeline' }, ctx);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.report.at).toBe(Date.UTC(2026, 10, 22, 12, 34));
    expect(validateReportBatch({ reports: [r.report] }).ok).toBe(true);
  });

  it('carries nothing but protocol fields, whatever the observation holds', () => {
    const smuggled = {
      feature: 'dm',
      signal: 'banner',
      source: 'dom',
      code: 'banner:dm_failed',
      url: 'https://x.com/messages/secret',
      text: 'private words',
      handle: '@someone',
    } as Observation;
    const r = buildReport(smuggled, ctx);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(Object.keys(r.report).sort()).toEqual(['at', 'client', 'detail', 'feature', 'id', 'region', 'reporter', 'signal', 'site']);
    expect(Object.keys(r.report.detail!)).toEqual(['code']);
    expect(JSON.stringify(r.report)).not.toMatch(/secret|private|someone|dom/);
  });

  it.each([
    ['an unknown operation (a handle in the op slot)', { op: 'fixture_handle' }, {}],
    ['a known operation', { op: 'HomeTimeline' }, { op: 'HomeTimeline' }],
    ['a bare word as code', { code: 'fixture_handle' }, {}],
    ['a banner code', { code: 'banner:timeline_error' }, { code: 'banner:timeline_error' }],
    ['an X error code', { code: 'x:DeadlineExceeded' }, { code: 'x:DeadlineExceeded' }],
    ['a per-account limit', { code: 'limit:88' }, { code: 'limit:88' }],
    ['a Chrome network error', { code: 'net::ERR_CONNECTION_RESET' }, { code: 'net::ERR_CONNECTION_RESET' }],
    ['a Firefox network error', { code: 'NS_ERROR_NET_RESET' }, { code: 'NS_ERROR_NET_RESET' }],
    ['an unnamed network error', { code: 'net::other' }, { code: 'net::other' }],
  ] as const)('detail keeps only known shapes: %s', (_what, extra, detail) => {
    const r = buildReport({ feature: 'timeline', signal: 'network', source: 'page', ...extra }, ctx);
    expect(r.ok && (r.report.detail ?? {})).toEqual(detail);
  });

  it('omits detail when there is none', () => {
    const r = buildReport({ feature: 'post', signal: 'manual', source: 'manual' }, ctx);
    expect(r.ok && 'detail' in r.report).toBe(false);
  });

  it('refuses what the protocol would refuse', () => {
    const r = buildReport({ feature: 'post', signal: 'manual', source: 'manual' }, { ...ctx, region: 'France' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0]!.path).toBe('region');
  });
});

describe('allowedCode: no free word after x: or edge:', () => {
  it.each([
    ['x:131', true],
    ['x:DeadlineExceeded', true],
    ['x:server', true],
    ['x:fixture_handle_9f3', false],
    ['x:JohnSmith', false],
    ['edge:403', true],
    ['edge:html', true],
    ['edge:someone', false],
    ['limit:88', true],
    ['limit:429', true],
    ['net::ERR_CONNECTION_RESET', true],
    ['NS_ERROR_NET_RESET', true],
    ['timeout', true],
  ])('%s -> %s', (code, allowed) => {
    expect(allowedCode(code)).toBe(allowed);
  });
});

describe('allowedCode: banner: and limit: carry only meanings of X\'s strings', () => {
  it.each([
    'banner:johndoe',
    'banner:fixture_handle_9f3',
    'banner:dm_error',
    'limit:somehandle',
    'limit:timeline_error',
    'limit:1234567',
    'banner:88',
    'banner:rate_limited',
    'banner:not_found_not_outage',
    'banner:retry_button',
  ])('refuses %s', (code) => {
    expect(allowedCode(code)).toBe(false);
  });

  it('accepts every generated meaning under its own prefix, and the two judge.ts names itself', () => {
    expect(BANNER_MEANINGS.length).toBeGreaterThan(5);
    expect(LIMIT_MEANINGS.length).toBeGreaterThan(5);
    for (const m of BANNER_MEANINGS) expect(allowedCode(`banner:${m}`), m).toBe(true);
    for (const m of LIMIT_MEANINGS) expect(allowedCode(`limit:${m}`), m).toBe(true);
    expect(allowedCode('banner:connection_error')).toBe(true);
    expect(allowedCode('banner:unrecognised')).toBe(true);
  });

  it.each([88, 161, 185, 326, 344, 429])('accepts X\'s per-account error number limit:%i', (n) => {
    expect(allowedCode(`limit:${n}`)).toBe(true);
  });

  it('lets through every code judge.ts makes from every entry of every shipped strings file', () => {
    const dir = join(import.meta.dirname, '..', '..', '..', 'public', 'strings');
    const { locales } = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { locales: string[] };
    const codes = new Set<string>();
    for (const locale of locales) {
      for (const match of parseStringTable(JSON.parse(readFileSync(join(dir, `${locale}.json`), 'utf8'))).values()) {
        for (const structural of [true, false]) {
          const code = judge({ match, structural, fallbackFeature: 'other' })?.code;
          if (code !== undefined) codes.add(code);
        }
      }
    }
    codes.add(judge({ match: null, structural: true, fallbackFeature: 'other' })?.code ?? '');
    expect(codes.size).toBeGreaterThan(15);
    for (const code of codes) expect(allowedCode(code), code).toBe(true);
  });
});
