/**
 * Privacy, as a property: for thousands of generated browser events (webRequest answers and
 * errors for random x.com URLs, page and DOM observations with hostile fields, report-button
 * presses) run through the real background (createBackground, its classifier, validator,
 * coalescer, pseudonym and queue, sending to a real HTTP server on loopback), every report queued
 * or sent holds only protocol fields, none of the planted handles, post text, cookies, URLs,
 * queries or user ids, a unique id, and a reporter that changes with the UTC day.
 *
 * The checker is proven able to fail: the same generated observations built by deliberately
 * broken builders (one leaking a field, one skipping a filter, one keeping a stable reporter)
 * must be caught.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BadRequestError } from '../../../src/background/background.ts';
import { loadQueue } from '../../../src/background/queue-policy.ts';
import { pseudonymFor, utcDay } from '../../../src/background/pseudonym.ts';
import type { StoredPseudonym } from '../../../src/background/pseudonym.ts';
import { buildReport } from '../../../src/background/report-builder.ts';
import type { ReportContext } from '../../../src/background/report-builder.ts';
import { validateObservation } from '../../../src/background/observation-validation.ts';
import { KEYS } from '../../../src/background/storage-keys.ts';

import type { Report } from '../../../src/shared/protocol.ts';
import type { Observation } from '../../../src/shared/runtime-messages.ts';
import { FROM_PAGE, FROM_POPUP, json, makeBackground, startServer } from '../background/fixtures-bg.ts';
import { privacyViolations } from './check.ts';
import { browserEvent, emptySecrets, Gen, observation, rng } from './generate.ts';
import type { Secrets } from './generate.ts';

const SEEDS = [1, 2, 3, 4, 5, 6];
const EVENTS_PER_SEED = 700;
const START = Date.UTC(2026, 10, 20, 21, 0);

function seededBytes(g: Gen) {
  return (n: number) => Uint8Array.from({ length: n }, () => g.int(0, 255));
}

function seededUuid(g: Gen): () => string {
  const bytes = seededBytes(g);
  return () => {
    const b = bytes(16);
    b[6] = (b[6]! & 0x0f) | 0x40;
    b[8] = (b[8]! & 0x3f) | 0x80;
    const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  };
}

/** One reporter per UTC day, a different one every day, and no id used twice. */
function stableIdProblems(reports: Report[]): string[] {
  const problems: string[] = [];
  const byDay = new Map<string, Set<string>>();
  const ids = new Set<string>();
  for (const r of reports) {
    if (ids.has(r.id)) problems.push(`id ${r.id} used twice`);
    ids.add(r.id);
    const day = utcDay(r.at);
    byDay.set(day, (byDay.get(day) ?? new Set()).add(r.reporter));
  }
  const seen = new Map<string, string>();
  for (const [day, reporters] of byDay) {
    if (reporters.size !== 1) problems.push(`${reporters.size} reporters on ${day}`);
    for (const rep of reporters) {
      const other = seen.get(rep);
      if (other) problems.push(`reporter ${rep} used on ${other} and ${day}`);
      seen.set(rep, day);
    }
  }
  return problems;
}

describe('privacy property: every payload, for thousands of generated failures', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it.each(SEEDS)('seed %i: the real background sends only protocol fields and no planted secret', async (seed) => {
    const g = new Gen(rng(seed));
    const secrets = emptySecrets();
    const server = await startServer((req, body, res) => {
      if (req.method === 'POST') return json(res, 202, { accepted: (JSON.parse(body) as { reports: unknown[] }).reports.length, duplicates: 0 });
      return json(res, 503, { error: 'unavailable' });
    });
    close = server.close;
    const { bg, storage, clock } = makeBackground({
      clock: { now: START },
      defaultEndpoint: server.url,
      randomBytes: seededBytes(g),
      randomUUID: seededUuid(g),
      random: () => g.random(),
      timeZone: () => g.pick(['Europe/Paris', 'Asia/Tehran', 'America/New_York', 'Asia/Kolkata', undefined as unknown as string]),
    });
    await bg.handleMessage({ type: 'setConsent', granted: true }, FROM_POPUP);

    const queued = new Map<string, Report>();
    let rejected = 0;
    for (let i = 0; i < EVENTS_PER_SEED; i++) {
      // Minutes to hours between events: several UTC days per seed.
      clock.now += g.chance(0.7) ? g.int(0, 90_000) : g.int(60_000, 3 * 3_600_000);
      const e = browserEvent(g, secrets);
      try {
        if (e.kind === 'completed') await bg.onCompleted(e);
        else if (e.kind === 'error') await bg.onErrorOccurred(e);
        else if (e.kind === 'redirect') await bg.onBeforeRedirect(e);
        else if (e.kind === 'observe') await bg.handleMessage({ type: 'observe', observation: e.observation }, FROM_PAGE);
        else await bg.handleMessage({ type: 'reportProblem', feature: e.feature }, FROM_POPUP);
      } catch (err) {
        // Bad input gets a clear error and nothing else; anything else is a bug.
        if (!(err instanceof BadRequestError)) throw err;
        rejected++;
      }
      for (const item of loadQueue(storage.data.get(KEYS.queue)).items) queued.set(item.report.id, item.report);
      if (i % 25 === 24) await bg.flush();
    }
    await bg.flush();

    const sent = server.received.filter((r) => r.method === 'POST').flatMap((r) => (JSON.parse(r.body) as { reports: Report[] }).reports);
    const payloads = [...queued.values(), ...sent];
    const violations = payloads.flatMap((r) => privacyViolations(r, secrets).map((p) => `${r.id}: ${p}`));
    expect(violations.slice(0, 10)).toEqual([]);
    expect(stableIdProblems(sent)).toEqual([]);
    // What went on the wire is exactly what was queued (some queued reports may expire unsent
    // across the hours-long gaps; that is the queue's rule, not a leak).
    for (const r of sent) expect(r).toEqual(queued.get(r.id));
    expect(sent.length).toBeGreaterThan(queued.size * 0.9);

    // The run really was hostile and really reported: otherwise passing proves nothing.
    expect(sent.length).toBeGreaterThan(150);
    expect(rejected).toBeGreaterThan(20);
    expect(new Set(sent.map((r) => utcDay(r.at))).size).toBeGreaterThanOrEqual(3);
    for (const list of Object.values(secrets)) expect(list.length).toBeGreaterThan(5);
  });
});

describe('the privacy checker catches a leaking builder', () => {
  /** The same path as the background for content observations: validate, then build. */
  function run(build: (o: Observation, ctx: ReportContext) => unknown, seed: number) {
    const g = new Gen(rng(seed));
    const secrets = emptySecrets();
    const reports: unknown[] = [];
    let stored: StoredPseudonym | undefined;
    let now = START;
    const uuid = seededUuid(g);
    for (let i = 0; i < 3000; i++) {
      now += g.int(0, 600_000);
      const check = validateObservation(observation(g, secrets));
      if (!check.ok) continue;
      const { pseudonym } = pseudonymFor(stored, now, seededBytes(g));
      stored = pseudonym;
      reports.push(build(check.observation, { id: uuid(), now, region: 'FR', reporter: pseudonym.value, version: '0.1.0', browser: 'chrome' }));
    }
    return { reports, secrets };
  }
  const good = (o: Observation, ctx: ReportContext) => {
    const r = buildReport(o, ctx);
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    return r.report;
  };
  const violationsOf = (reports: unknown[], secrets: Secrets) => reports.flatMap((r) => privacyViolations(r, secrets));

  it('the real builder passes on the same generated observations', () => {
    const { reports, secrets } = run(good, 11);
    expect(reports.length).toBeGreaterThan(500);
    expect(violationsOf(reports, secrets)).toEqual([]);
    expect(stableIdProblems(reports as Report[])).toEqual([]);
  });

  it.each([
    ['copies the whole observation (source leaks)', (o: Observation, ctx: ReportContext) => ({ ...o, ...good(o, ctx) }), /unknown field "source"/],
    [
      'sends any operation name (a handle in the op slot leaks)',
      (o: Observation, ctx: ReportContext) => {
        const r = good(o, ctx);
        return o.op === undefined ? r : { ...r, detail: { ...r.detail, op: o.op } };
      },
      /leaks a planted handle/,
    ],
    [
      'sends any code the protocol accepts (a bare handle in the code leaks)',
      (o: Observation, ctx: ReportContext) => {
        const r = good(o, ctx);
        return o.code === undefined ? r : { ...r, detail: { ...r.detail, code: o.code } };
      },
      /leaks a planted handle/,
    ],
    ['adds the page it came from', (o: Observation, ctx: ReportContext) => ({ ...good(o, ctx), detail: { page: 'https://x.com/fixture_handle?s=1' } }), /unknown field "detail.page"/],
    ['rounds nothing (exact time is a fingerprint)', (o: Observation, ctx: ReportContext) => ({ ...good(o, ctx), at: ctx.now }), /protocol: at/],
  ] as const)('a builder that %s is caught', (_what, broken, expected) => {
    const { reports, secrets } = run(broken, 12);
    const found = violationsOf(reports, secrets);
    expect(found.length).toBeGreaterThan(0);
    expect(found.some((p) => expected.test(p)), found.slice(0, 5).join('\n')).toBe(true);
  });

  it('a builder that keeps one reporter across days is caught', () => {
    const fixed = 'StableReporterId0123456789';
    const { reports } = run((o, ctx) => good(o, { ...ctx, reporter: fixed }), 13);
    expect(stableIdProblems(reports as Report[]).some((p) => p.includes('used on'))).toBe(true);
  });
});
