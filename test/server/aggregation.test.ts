import { describe, expect, it } from 'vitest';
import { ALL, DEFAULT_STORE_OPTIONS, MinuteStore, type AggregatableReport, type Cell } from '../../src/server/aggregation/minute-store.ts';
import { SERIES_MINUTES, StatusBuilder } from '../../src/server/aggregation/status.ts';
import { DAY_MS, MINUTE_MS } from '../../src/server/detection/baseline.ts';
import { hash53 } from '../../src/server/detection/hll.ts';
import { DEFAULT_THRESHOLDS } from '../../src/server/detection/thresholds.ts';
import type { Feature } from '../../src/shared/protocol.ts';

const NOW = Date.UTC(2026, 10, 21, 12, 30, 20);
const NOW_MIN = Math.floor(NOW / MINUTE_MS) * MINUTE_MS;

function setup(now = NOW, thresholds = DEFAULT_THRESHOLDS) {
  const store = new MinuteStore({ ...DEFAULT_STORE_OPTIONS, thresholds }, now - DAY_MS);
  const status = new StatusBuilder(store, 5);
  return { store, status };
}

function report(overrides: Partial<AggregatableReport>): AggregatableReport {
  return { site: 'x.com', feature: 'timeline', signal: 'http_5xx', at: NOW_MIN, region: 'FR', reporter: 'r', networkHash: 'n', code: null, ...overrides };
}

/** When the crowd of `burst` was last healthy: outside the 10-minute active window, and long
 *  enough ago that the newcomer rule counts them as known people. */
const INTRODUCED = NOW_MIN - 30 * MINUTE_MS;

/**
 * `networks` networks with `each` distinct reporters, all failing at `at`. Like real users they
 * sent an ok sample earlier (`introduced`), unless `introduced` is null: a crowd of newcomers.
 */
function burst(store: MinuteStore, tag: string, networks: number, each: number, extra: Partial<AggregatableReport> = {}, introduced: number | null = INTRODUCED) {
  for (let n = 0; n < networks; n++) {
    for (let i = 0; i < each; i++) {
      const who = { reporter: `${tag}_${n}_${i}`, networkHash: `${tag}-net${n}` };
      if (introduced !== null) store.add(report({ ...extra, ...who, signal: 'ok', code: null, at: introduced, receivedAt: introduced }));
      store.add(report({ ...who, ...extra }));
    }
  }
}

describe('aggregates and status', () => {
  it('meets the e2e contract: 60 reporters from 12 networks in FR', () => {
    const { store, status } = setup();
    burst(store, 'c', 12, 5);
    const fr = status.build('x.com', 'FR', NOW);
    expect(fr.overall).toEqual({ state: 'outage', since: NOW_MIN });
    expect(fr.features.find((f) => f.feature === 'timeline')).toEqual({ feature: 'timeline', state: 'outage', reports15m: 60, reporters15m: 60 });
    expect(fr.regions).toEqual([{ region: 'FR', state: 'outage', reports15m: 60, reporters15m: 60 }]);
    expect(fr.region).toBe('FR');
    const global = status.build('x.com', null, NOW);
    expect(['degraded', 'outage']).toContain(global.overall.state);
    expect(global.series.reports.at(-1)).toBe(60);
    expect(global.series.reports).toHaveLength(SERIES_MINUTES);
    expect(global.series.from).toBe(NOW_MIN - (SERIES_MINUTES - 1) * MINUTE_MS);
  });

  it('serialises the same answer as build(), with this request\'s time, and follows new reports', () => {
    const { store, status } = setup();
    burst(store, 'fr', 12, 5);
    const first = JSON.parse(status.buildJson('x.com', 'FR', NOW)) as unknown;
    expect(first).toEqual(status.build('x.com', 'FR', NOW));
    expect(JSON.parse(status.buildJson('x.com', 'FR', NOW + 1234)).generatedAt).toBe(NOW + 1234);
    expect(JSON.parse(status.buildJson('x.com', null, NOW))).toEqual(status.build('x.com', null, NOW));
    const before = (JSON.parse(status.buildJson('x.com', 'FR', NOW)) as { overall: { state: string } }).overall.state;
    expect(before).toBe('outage');
    burst(store, 'fr2', 12, 5);
    const after = JSON.parse(status.buildJson('x.com', 'FR', NOW)) as { regions: { region: string; reporters15m: number }[] };
    expect(after.regions.find((r) => r.region === 'FR')?.reporters15m).toBe(120);
  });

  it('does not let one network make anything more than operational', () => {
    const { store, status } = setup();
    burst(store, 'flood', 1, 1000);
    const s = status.build('x.com', 'FR', NOW);
    expect(s.overall.state).toBe('operational');
    expect(s.features.every((f) => f.state === 'operational')).toBe(true);
    expect(s.regions.every((r) => r.state === 'operational')).toBe(true);
    expect(status.build('x.com', null, NOW).overall.state).toBe('operational');
  });

  it('counts per-account limits apart: they never make an outage', () => {
    const { store, status } = setup();
    burst(store, 'lim', 12, 5, { signal: 'http_429', code: 'limit:88' });
    expect(status.build('x.com', null, NOW).overall.state).toBe('operational');
    const counts = store.cell('x.com', ALL, ALL)?.countAt(NOW_MIN);
    expect(counts).toMatchObject({ failingReporters: 0, failureReports: 0, limitedReporters: 60 });
  });

  it('hides small counts: regions under k are left out, features under k read 0 / operational', () => {
    const { store, status } = setup();
    burst(store, 'de', 2, 2, { region: 'DE', feature: 'dm' });
    const s = status.build('x.com', null, NOW);
    expect(s.regions).toEqual([]);
    expect(s.features.find((f) => f.feature === 'dm')).toEqual({ feature: 'dm', state: 'operational', reports15m: 0, reporters15m: 0 });
    expect(s.series.reports.every((n) => n === 0)).toBe(true);
  });

  it('keeps reports of one feature out of the others and of one region out of the others', () => {
    const { store, status } = setup();
    burst(store, 'c', 12, 5, { feature: 'dm' as Feature, region: 'US' });
    const fr = status.build('x.com', 'FR', NOW);
    expect(fr.overall.state).toBe('operational');
    const us = status.build('x.com', 'US', NOW);
    expect(us.features.find((f) => f.feature === 'dm')?.state).toBe('outage');
    expect(us.features.find((f) => f.feature === 'timeline')?.state).toBe('operational');
  });

  /** The same crowd failing in each of `minutes` minutes from NOW_MIN: an outage that lasts. */
  function lasting(store: MinuteStore, minutes: number) {
    for (let k = 0; k < minutes; k++) burst(store, 'c', 12, 5, { at: NOW_MIN + k * MINUTE_MS });
  }

  it('holds outage through a short lull and leaves it after the quiet minutes, as the clock moves', () => {
    const { store, status } = setup();
    lasting(store, 3);
    const later = (minutes: number) => NOW + minutes * MINUTE_MS;
    // Failures in minutes 0-2: the window (5 min) holds two of them up to minute 5, so the
    // counts call for outage until then; 5 quiet minutes (6-10) follow before it is left.
    expect(status.build('x.com', null, later(5)).overall).toEqual({ state: 'outage', since: NOW_MIN });
    expect(status.build('x.com', null, later(9)).overall.state).toBe('outage');
    const after = status.build('x.com', null, later(10)).overall;
    expect(after.state).toBe('operational');
    expect(after.since).toBe(NOW_MIN + 10 * MINUTE_MS);
  });

  it('lets a single minute of failures call trouble only for its own minute', () => {
    const { store } = setup();
    burst(store, 'c', 12, 5);
    const cell = store.cell('x.com', ALL, ALL) as Cell;
    const next = NOW_MIN + MINUTE_MS;
    // In its own minute the crowd is strong enough alone; a minute later the stretch that holds
    // it is read without it, and nothing else rose.
    expect(store.minuteVerdict(cell, NOW_MIN, NOW_MIN + MINUTE_MS).state).toBe('outage');
    expect(store.minuteVerdict(cell, next, next + MINUTE_MS).state).toBe('operational');
    burst(store, 'd', 12, 5, { at: next + MINUTE_MS });
    // The same crowd size again two minutes later, the peak minute still in the window: the
    // stretch without either peak holds the other, so the two minutes together call outage.
    const third = next + MINUTE_MS;
    const j = store.judgeAt(cell, third, third + MINUTE_MS);
    expect(j.evidence.minutes).toBeGreaterThanOrEqual(3);
    expect(j.state).toBe('outage');
  });

  it('does not take back within a minute what a read of it has shown', () => {
    // 24 people on 12 networks early in a quiet minute: against a quarter of a minute's usual
    // count that is an outage; against most of the minute it is not (the counts alone withdraw it).
    const early = NOW_MIN + 10_000;
    const crowd = (store: MinuteStore) => burst(store, 'e', 12, 2, { at: NOW_MIN + 2_000, receivedAt: NOW_MIN + 2_000 });
    const read = (status: StatusBuilder, at: number) => status.build('x.com', 'FR', at).overall;
    const unseen = setup();
    crowd(unseen.store);
    expect(read(unseen.status, NOW_MIN + 50_000).state).toBe('operational');
    const seen = setup();
    crowd(seen.store);
    expect(read(seen.status, early)).toEqual({ state: 'outage', since: NOW_MIN });
    // The same reports, read again later in the minute and once it is over: still the one episode.
    expect(read(seen.status, NOW_MIN + 50_000)).toEqual({ state: 'outage', since: NOW_MIN });
    expect(read(seen.status, NOW_MIN + MINUTE_MS + 20_000)).toEqual({ state: 'outage', since: NOW_MIN });
    // It is left like any other state: after the quiet minutes, and the fresh store agrees then.
    const later = NOW_MIN + 7 * MINUTE_MS;
    expect(read(seen.status, later).state).toBe('operational');
    expect(read(unseen.status, later).state).toBe('operational');
    // What the baseline learns is the counts' alone, whenever the status happened to be read.
    const blocks = (store: MinuteStore) => {
      store.compact(NOW_MIN + 30 * MINUTE_MS);
      return [...(store.cell('x.com', 'FR', ALL) as Cell).blocks.values()];
    };
    const learned = blocks(seen.store);
    expect(learned.length).toBeGreaterThan(0);
    expect(learned.some((b) => b.troubled)).toBe(false);
    expect(learned).toEqual(blocks(unseen.store));
  });

  it('keeps its verdicts after compaction drops the reporter detail', () => {
    const { store, status } = setup();
    lasting(store, 3);
    const t = NOW + 2 * 3600_000;
    store.compact(t);
    expect(store.cell('x.com', ALL, ALL)?.detail.size).toBe(0);
    const s = status.build('x.com', null, t);
    // The outage ended long ago: operational since it cleared, and the series still shows it.
    expect(s.overall).toEqual({ state: 'operational', since: NOW_MIN + 10 * MINUTE_MS });
    expect(s.series.reports[s.series.reports.length - 1 - 120]).toBe(60);
  });

  it('computes a baseline from the trailing hours and uses it against a steady failure level', () => {
    const { store, status } = setup();
    // Four hours of 30 failing reporters a minute from 12 networks: the usual level for this cell.
    for (let m = 240; m >= 20; m--) {
      const at = NOW_MIN - m * MINUTE_MS;
      // The same 36 people failing every minute (a steady level is a few people, not new ones).
      for (let n = 0; n < 12; n++) for (let i = 0; i < 3; i++) store.add(report({ at, reporter: `steady_${n}_${i}`, networkHash: `net${n}` }));
    }
    const s = status.build('x.com', null, NOW);
    expect(s.series.baseline.at(-1)).toBe(36);
    // 36 distinct a minute, normal for this cell: no outage now, although the counts are large.
    expect(s.overall.state).toBe('operational');
  });
});

describe('the engine through the aggregates', () => {
  it('adds small regional signals up in the all-regions cell', () => {
    const { store, status } = setup();
    // Six countries, each 6 failing reporters from 2 networks: below every bar on its own.
    for (const region of ['FR', 'DE', 'ES', 'IT', 'NL', 'BE']) burst(store, region, 2, 3, { region });
    const world = status.build('x.com', null, NOW);
    expect(world.overall.state).toBe('outage');
    for (const r of world.regions) expect(r.state).toBe('operational');
    expect(status.build('x.com', 'FR', NOW).overall.state).toBe('operational');
  });

  describe('the all-countries cell judged without its strongest country', () => {
    const COUNTRIES = ['FR', 'DE', 'ES', 'GB'];
    /** Four hours in four countries alike: 6 people failing and 54 fine every minute in each, so
     *  each country usually holds a quarter of the all-countries cell. */
    function usualWorld() {
      const { store, status } = setup();
      for (let m = 240; m >= 1; m--) {
        const at = NOW_MIN - m * MINUTE_MS;
        for (const region of COUNTRIES) {
          for (let i = 0; i < 60; i++) {
            const who = { region, at, reporter: `${region}_usual_${i}`, networkHash: `${region}-net${i % 12}` };
            store.add(report(i < 6 ? who : { ...who, signal: 'ok' }));
          }
        }
        if (m % 15 === 0) store.compact(at);
      }
      return { store, status };
    }

    it('leaves a burst in one country to that country: its cell calls it, the all-countries cell does not', () => {
      const { store, status } = usualWorld();
      // Two minutes of it (a minute alone waits for the next).
      for (const at of [NOW_MIN - MINUTE_MS, NOW_MIN]) burst(store, 'frburst', 12, 5, { region: 'FR', at });
      expect(status.build('x.com', 'FR', NOW).overall.state).toBe('outage');
      const world = status.build('x.com', null, NOW);
      expect(world.regions.find((r) => r.region === 'FR')?.state).toBe('outage');
      expect(world.regions.filter((r) => r.region !== 'FR').every((r) => r.state === 'operational')).toBe(true);
      // The same counts judged whole would call it (this is what the rule takes away).
      const cell = store.cell('x.com', ALL, ALL) as Cell;
      expect(store.judgeAt(cell, NOW_MIN, NOW).state).not.toBe('operational');
      expect(world.overall.state).toBe('operational');
      expect(world.features.find((f) => f.feature === 'timeline')?.state).toBe('operational');
    });

    it('judges whole a rise spread over every country: no country holds most of it', () => {
      const { store, status } = usualWorld();
      for (const at of [NOW_MIN - MINUTE_MS, NOW_MIN]) for (const region of COUNTRIES) burst(store, `${region}burst`, 5, 3, { region, at });
      // 15 more people a minute in each country: no country is called alone, and three of the
      // four without the fourth would not be enough either; the whole is.
      const world = status.build('x.com', null, NOW);
      expect(world.regions.every((r) => r.state === 'operational')).toBe(true);
      expect(world.overall.state).not.toBe('operational');
      expect(world.features.find((f) => f.feature === 'timeline')?.state).not.toBe('operational');
    });
  });

  it('reads the evidence without the biggest network: a swarm plus a few real failures stays calm', () => {
    const { store, status } = setup();
    burst(store, 'swarm', 1, 2000);
    // Three real people on three other networks: 8 counted from 4 networks passes the counting
    // bars, but without the swarm's network only 3 people remain, which is no evidence.
    burst(store, 'real', 3, 1);
    expect(status.build('x.com', 'FR', NOW).overall.state).toBe('operational');
    const counts = store.cell('x.com', 'FR', ALL)?.countAt(NOW_MIN);
    expect(counts?.countedFailing).toBe(8);
    expect(Math.abs((counts?.failingReporters ?? 0) - 2003) / 2003).toBeLessThan(0.05);
  });

  it('judges by the share of active people: 30 failing among 3,000 is usual, among 300 it is an outage', () => {
    // One minute of counts: judged here as a single minute is once it is corroborated
    // (singleMinuteFactor 1); the factor's own effect is tested below.
    const withActive = (active: number, thresholds = { ...DEFAULT_THRESHOLDS, singleMinuteFactor: 1 }) => {
      const { store, status } = setup(NOW, thresholds);
      for (let i = 0; i < active - 30; i++) store.add(report({ signal: 'ok', reporter: `ok${i}`, networkHash: `okn${i % 900}` }));
      burst(store, 'f', 10, 3);
      // Read at the end of the minute, when a whole minute's worth is expected.
      return status.build('x.com', 'FR', NOW_MIN + 59_000).overall.state;
    };
    expect(withActive(3000)).toBe('operational');
    expect(withActive(300)).toBe('outage');
    // A burst of one minute alone must be stronger (a heavy-tailed minute is not an outage): the
    // same 30 among 300 with the default factor is not yet an outage.
    expect(withActive(300, DEFAULT_THRESHOLDS)).not.toBe('outage');
  });

  it('keeps memory bounded: a sketch instead of a set for a big crowd, at most the cap per network', () => {
    const { store } = setup();
    for (let i = 0; i < 20_000; i++) store.add(report({ signal: 'ok', reporter: `ok${i}`, networkHash: `n${i % 5000}` }));
    burst(store, 'one', 1, 1000);
    const d = store.cell('x.com', 'FR', ALL)?.detail.get(NOW_MIN);
    expect(d?.ok?.isExact).toBe(false);
    expect(d?.byNetwork?.get('one-net0')?.size).toBe(DEFAULT_THRESHOLDS.networkCap);
    const counts = store.cell('x.com', 'FR', ALL)?.countAt(NOW_MIN);
    expect(Math.abs((counts?.okReporters ?? 0) - 20_000) / 20_000).toBeLessThan(0.1);
    expect(store.activeAt(store.cell('x.com', 'FR', ALL) as Cell, NOW_MIN)).toBeGreaterThan(19_000);
  });

  it('keeps the active count it serves equal to a count from scratch, whatever order reports and reads come in', () => {
    // The count of the minute read is kept up to date as reports arrive (the status reads it
    // every few seconds); late reports for earlier minutes, reads of other minutes and compaction
    // must leave it where counting the detail afresh would.
    let seed = 7;
    const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const { store } = setup();
    const fresh = new Map<number, Set<string>>();
    const fromScratch = (minute: number) => {
      const people = new Set<string>();
      for (let m = minute - 9 * MINUTE_MS; m <= minute; m += MINUTE_MS) for (const p of fresh.get(m) ?? []) people.add(p);
      return people.size;
    };
    let now = NOW_MIN;
    let checked = 0;
    for (let step = 0; step < 3000; step++) {
      if (random() < 0.02) now += MINUTE_MS;
      // Mostly the current minute, some up to 12 minutes late (skewed clocks, retried queues).
      const minute = random() < 0.8 ? now : now - Math.floor(random() * 12) * MINUTE_MS;
      const who = `p${Math.floor(random() * 200)}`; // under 256: the sketches stay exact sets
      const kind = random();
      const signal = kind < 0.6 ? 'ok' : 'http_5xx';
      const code = kind > 0.9 ? 'limit:88' : null;
      store.add(report({ signal, code, reporter: who, networkHash: `n${Math.floor(random() * 50)}`, at: minute + 5000, receivedAt: now + 5000 }));
      if (code === null) {
        const people = fresh.get(minute) ?? new Set();
        people.add(who);
        fresh.set(minute, people);
      }
      const cell = store.cell('x.com', 'FR', ALL) as Cell;
      if (random() < 0.1) {
        const read = random() < 0.7 ? now : now - Math.floor(random() * 5) * MINUTE_MS;
        expect(store.activeAt(cell, read), `step ${step}`).toBe(fromScratch(read));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(200);
    // Compaction drops the oldest detail, here minutes inside the stretch read: the count follows
    // what is left (people seen only in a dropped minute no longer count).
    const early = now - 8 * MINUTE_MS;
    for (let i = 0; i < 20; i++) store.add(report({ signal: 'ok', reporter: `early${i}`, at: early, receivedAt: now }));
    fresh.set(early, new Set([...(fresh.get(early) ?? []), ...Array.from({ length: 20 }, (_, i) => `early${i}`)]));
    expect(store.activeAt(store.cell('x.com', 'FR', ALL) as Cell, now)).toBe(fromScratch(now));
    store.compact(now + 55 * MINUTE_MS);
    for (const minute of [...fresh.keys()]) if (minute < now - 5 * MINUTE_MS) fresh.delete(minute);
    const cell = store.cell('x.com', 'FR', ALL) as Cell;
    expect(store.activeAt(cell, now)).toBe(fromScratch(now));
  });

  it('remembers 15-minute summaries after the detail is gone, and marks troubled blocks', () => {
    const { store } = setup();
    burst(store, 'c', 12, 5);
    const cell = store.cell('x.com', 'FR', ALL) as Cell;
    store.compact(NOW + 2 * 3600_000);
    const block = Math.floor(NOW_MIN / (15 * MINUTE_MS)) * 15 * MINUTE_MS;
    expect(cell.blocks.get(block)).toMatchObject({ minutes: 15, failing: 60, troubled: true });
    expect(cell.blocks.get(block + 15 * MINUTE_MS)).toMatchObject({ failing: 0, troubled: false });
    expect(cell.detail.size).toBe(0);
  });
});

describe('the newcomer rule', () => {
  const counts = (store: MinuteStore, at = NOW_MIN) => store.windowCounts(store.cell('x.com', 'FR', ALL) as Cell, at);

  it('reads the window as its plain definition would, networks over the cap and newcomers included', () => {
    // The definition, written plainly: each network's first `networkCap` distinct names, newest
    // minute first; newcomers count up to the allowance per known name; the biggest networks by
    // known names left out. windowCounts works it out faster; it must give the same numbers.
    const plain = (store: MinuteStore, cell: Cell, minute: number, leaveOut: number, skip: number) => {
      const t = store.thresholds;
      const union = new Map<string, Set<number>>();
      const knownBy = new Map<string, number>();
      const counted: number[] = [];
      const robust: number[] = [];
      let known = 0;
      let newcomers = 0;
      for (let k = 0; k < t.windowMinutes; k++) {
        const d = k === skip ? undefined : cell.detail.get(minute - k * MINUTE_MS);
        for (const [network, names] of d?.byNetwork ?? []) {
          const u = union.get(network) ?? new Set<number>();
          union.set(network, u);
          for (const name of names) {
            if (u.size >= t.networkCap) break;
            if (u.has(name)) continue;
            u.add(name);
            if (store.isKnown(name, minute)) {
              known++;
              knownBy.set(network, (knownBy.get(network) ?? 0) + 1);
            } else newcomers++;
          }
        }
        const total = known + Math.min(newcomers, Math.floor(known * t.newcomerAllowance));
        counted.push(total);
        const biggest = [...knownBy.values()].sort((a, b) => b - a).slice(0, leaveOut);
        robust.push(Math.max(0, total - biggest.reduce((a, b) => a + b, 0)));
      }
      const networks = knownBy.size + Math.min(union.size - knownBy.size, Math.floor(knownBy.size * t.newcomerAllowance));
      return { counted, robust, networks, newcomers };
    };
    let seed = 11;
    const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (const leaveOut of [1, 2]) {
      const { store } = setup(NOW, { ...DEFAULT_THRESHOLDS, leaveOutNetworks: leaveOut });
      // People first heard from at different times (some long known, some minutes ago), failing
      // from a few crowded networks and many small ones, across the window and its edges.
      for (let i = 0; i < 1500; i++) {
        const person = Math.floor(random() * 300);
        const who = `p${person}`;
        const network = random() < 0.4 ? `big${Math.floor(random() * 3)}` : `n${Math.floor(random() * 80)}`;
        const minute = NOW_MIN - Math.floor(random() * 8) * MINUTE_MS;
        // A sixth never sent anything before failing: newcomers in the newest minutes.
        if (person < 250) {
          const heard = minute - Math.floor(random() * 25) * MINUTE_MS;
          store.add(report({ reporter: who, networkHash: network, signal: 'ok', at: heard, receivedAt: heard }));
        }
        store.add(report({ reporter: who, networkHash: network, at: minute, receivedAt: minute }));
      }
      const cell = store.cell('x.com', 'FR', ALL) as Cell;
      for (let back = 0; back < 3; back++) {
        const minute = NOW_MIN - back * MINUTE_MS;
        for (let skip = -1; skip < DEFAULT_THRESHOLDS.windowMinutes; skip++) {
          const got = store.windowCounts(cell, minute, DEFAULT_THRESHOLDS.windowMinutes, skip);
          expect({ counted: got.counted, robust: got.robust, networks: got.networks, newcomers: got.newcomers }, `minute -${back}, skip ${skip}`).toEqual(plain(store, cell, minute, leaveOut, skip));
        }
      }
      expect(store.windowCounts(cell, NOW_MIN).newcomers).toBeGreaterThan(0);
      expect(store.windowCounts(cell, NOW_MIN).counted.at(-1)).toBeGreaterThan(0);
    }
  });

  it('gives a burst of fresh pseudonyms from many networks nothing on its own', () => {
    const { store, status } = setup();
    burst(store, 'fresh', 12, 5, {}, null);
    // Neither the people nor their networks count: 12 networks of newcomers meet no network bar.
    expect(counts(store)).toMatchObject({ newcomers: 60, networks: 0 });
    expect(counts(store).counted.at(-1)).toBe(0);
    expect(status.build('x.com', 'FR', NOW).overall.state).toBe('operational');
    expect(status.build('x.com', null, NOW).overall.state).toBe('operational');
  });

  it('counts newcomers up to a quarter of the known failing reporters', () => {
    const { store } = setup();
    burst(store, 'known', 8, 5);
    burst(store, 'new', 20, 5, {}, null);
    const c = counts(store);
    expect(c.newcomers).toBe(100);
    expect(c.counted.at(-1)).toBe(40 + 10);
    // Without the network that gave the most (5 people).
    expect(c.robust.at(-1)).toBe(45);
  });

  it('counts a pseudonym once the server has known it for 10 minutes, by the server clock', () => {
    const { store } = setup();
    // Claims to have been seen 30 minutes ago, but the server only heard of it now.
    for (let n = 0; n < 12; n++) {
      for (let i = 0; i < 5; i++) {
        const who = { reporter: `b_${n}_${i}`, networkHash: `b-net${n}` };
        store.add(report({ ...who, signal: 'ok', at: NOW_MIN - 30 * MINUTE_MS, receivedAt: NOW_MIN }));
        store.add(report({ ...who, receivedAt: NOW_MIN }));
      }
    }
    expect(counts(store).counted.at(-1)).toBe(0);
    const later = NOW_MIN + 10 * MINUTE_MS;
    for (let n = 0; n < 12; n++) for (let i = 0; i < 5; i++) store.add(report({ reporter: `b_${n}_${i}`, networkHash: `b-net${n}`, at: later }));
    expect(counts(store, later - MINUTE_MS).counted.at(-1)).toBe(0);
    expect(counts(store, later).counted.at(-1)).toBe(60);
  });

  it('waits 20 minutes into each UTC day, when every pseudonym is new', () => {
    const midnight = Date.UTC(2026, 10, 22, 0, 5, 20);
    const minute = Math.floor(midnight / MINUTE_MS) * MINUTE_MS;
    const { store, status } = setup(midnight);
    burst(store, 'dawn', 12, 5, { at: minute }, null);
    expect(counts(store, minute)).toMatchObject({ newcomers: 0 });
    expect(status.build('x.com', 'FR', midnight).overall.state).toBe('outage');
    // From 00:20 the rule applies: the crowd seen at 00:05 is known, someone first seen at 00:15 is not.
    store.add(report({ reporter: 'late', at: minute + 10 * MINUTE_MS }));
    const at0020 = Date.UTC(2026, 10, 22, 0, 20);
    expect(store.isKnown(hash53('dawn_0_0'), at0020)).toBe(true);
    expect(store.isKnown(hash53('late'), at0020 - MINUTE_MS)).toBe(true);
    expect(store.isKnown(hash53('late'), at0020)).toBe(false);
  });

  it('keeps reporters it cannot remember as newcomers, and says how many', () => {
    const store = new MinuteStore({ ...DEFAULT_STORE_OPTIONS, thresholds: { ...DEFAULT_THRESHOLDS, maxTrackedReporters: 10 } }, NOW - DAY_MS);
    burst(store, 'many', 12, 5);
    expect(store.trackedReporters).toBe(10);
    // Counted per report: each of the 50 sent an ok sample and a failure.
    expect(store.untrackedReports).toBe(100);
    // 10 known, and newcomers up to a quarter of them.
    expect(counts(store)).toMatchObject({ newcomers: 50 });
    expect(counts(store).counted.at(-1)).toBe(12);
  });

  it('lets one network add only so many names a day to that memory, so it cannot fill it', () => {
    const store = new MinuteStore({ ...DEFAULT_STORE_OPTIONS, thresholds: { ...DEFAULT_THRESHOLDS, maxNewReportersPerNetwork: 100 } }, NOW - DAY_MS);
    for (let i = 0; i < 5000; i++) store.add(report({ signal: 'ok', reporter: `flood${i}`, networkHash: 'flooder', at: INTRODUCED, receivedAt: INTRODUCED }));
    expect(store.trackedReporters).toBe(100);
    expect(store.untrackedReports).toBe(4900);
    // Everyone else is still remembered, and a real crowd still counts.
    burst(store, 'real', 12, 5);
    expect(store.trackedReporters).toBe(160);
    expect(counts(store).counted.at(-1)).toBe(60);
    // A new UTC day (network hashes are new too): the flooder's network may add names again.
    store.add(report({ signal: 'ok', reporter: 'tomorrow', networkHash: 'flooder', at: NOW_MIN + DAY_MS, receivedAt: NOW_MIN + DAY_MS }));
    expect(store.trackedReporters).toBe(161);
  });

  it('reads the networks and the one left out from the people it counts', () => {
    const { store } = setup();
    // Known people on 8 networks, and one network of 5 newcomers.
    burst(store, 'known', 8, 2);
    burst(store, 'fresh', 1, 5, {}, null);
    const c = counts(store);
    expect(c.counted.at(-1)).toBe(16 + 4);
    // The newcomers' network is the biggest but did not count in full: the leave-out takes a known one.
    expect(c.robust.at(-1)).toBe(20 - 2);
    // Newcomer-only networks count up to a quarter of the known ones (8 -> 2, only 1 here).
    expect(c.networks).toBe(9);
  });

  it('learns the baseline from what it counts: a burst of fresh names leaves the usual level alone', () => {
    const { store } = setup();
    const cell = () => store.cell('x.com', 'FR', ALL) as Cell;
    burst(store, 'fresh', 12, 5, {}, null);
    store.compact(NOW + 2 * 3600_000);
    const block = Math.floor(NOW_MIN / (15 * MINUTE_MS)) * 15 * MINUTE_MS;
    expect(cell().blocks.get(block)).toMatchObject({ failing: 0 });
    // Its raw count is still kept for the published series.
    expect(cell().counts.get(NOW_MIN)?.countedFailing).toBe(60);
  });

  it('forgets pseudonyms a day after it first heard them', () => {
    const { store } = setup();
    burst(store, 'old', 2, 2);
    expect(store.trackedReporters).toBe(4);
    store.compact(NOW + DAY_MS + 3 * 3600_000);
    expect(store.trackedReporters).toBe(0);
  });
});
