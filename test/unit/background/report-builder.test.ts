import { describe, expect, it } from 'vitest';
import { buildReport } from '../../../src/background/report-builder.ts';
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
      code: 'banner:dm_error',
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
