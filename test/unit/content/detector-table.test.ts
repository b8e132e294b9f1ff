/**
 * The accuracy table (scripts/detector-table.ts) on the committed corpus: no false positive on any
 * look-alike, no miss anywhere, every failure state covered in every corpus language, and
 * docs/detector-accuracy.md exactly what the script writes today.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DOC_PATH, evaluateCorpus, loadCorpus, renderMarkdown, score, type FixtureResult } from '../../../scripts/detector-table.ts';

describe('score', () => {
  const a = { feature: 'timeline', signal: 'banner', code: 'banner:timeline_error' } as const;
  const b = { feature: 'post', signal: 'banner', code: 'banner:post_failed' } as const;
  it('counts matches once each, extras as false positives, the rest as misses', () => {
    expect(score([a], [a])).toEqual({ tp: 1, fp: 0, fn: 0 });
    expect(score([a], [a, a])).toEqual({ tp: 1, fp: 1, fn: 0 });
    expect(score([a, b], [b])).toEqual({ tp: 1, fp: 0, fn: 1 });
    expect(score([], [b])).toEqual({ tp: 0, fp: 1, fn: 0 });
    expect(score([a], [{ ...a, feature: 'other' }])).toEqual({ tp: 0, fp: 1, fn: 1 });
  });
});

describe('detector accuracy on the corpus', () => {
  let results: FixtureResult[] = [];
  beforeAll(async () => {
    results = await evaluateCorpus();
  }, 120_000);

  it('reports nothing on any look-alike page', () => {
    const lookalikes = results.filter((r) => r.fixture.lookalike);
    expect(lookalikes.length).toBeGreaterThan(100);
    expect(lookalikes.filter((r) => r.emitted.length > 0).map((r) => [r.fixture.file, r.emitted])).toEqual([]);
  });

  it('misses nothing and reports nothing extra on the failure pages, with no detector failing', () => {
    expect(results.filter((r) => r.fn || r.fp).map((r) => [r.fixture.file, r.fixture.expect, r.emitted])).toEqual([]);
    expect(results.filter((r) => r.errors.length).map((r) => [r.fixture.file, r.errors])).toEqual([]);
    expect(results.reduce((n, r) => n + r.tp, 0)).toBeGreaterThan(140);
  });

  it('has every failure state and look-alike in every language of the corpus, RTL and non-Latin included', () => {
    const corpus = loadCorpus();
    const states = new Set(corpus.filter((f) => f.lang === 'en').map((f) => f.state));
    for (const lang of ['ar', 'fa', 'he', 'ur', 'hi', 'ja', 'zh', 'ko']) {
      const here = new Set(corpus.filter((f) => f.lang === lang).map((f) => f.state));
      expect([...states].filter((s) => !here.has(s) && s !== 'toast-benign'), lang).toEqual([]);
    }
    for (const s of ['primary-error', 'timeline-error', 'login-error', 'login-dialog-error', 'dm-failed-inline', 'compose-draft', 'media-error', 'not-found', 'suspended', 'protected', 'space-ended', 'video-replay', 'post-unavailable']) {
      expect(states).toContain(s);
    }
  });

  it('matches the committed docs/detector-accuracy.md (run `npm run detectors:table` after changes)', () => {
    expect(readFileSync(DOC_PATH, 'utf8')).toBe(renderMarkdown(results));
  });
});
