import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main, nabNormalised, parseLabels, parseScoresCsv, scoreAlerts, scoreDir } from '../../../scripts/score-alerts.ts';
import { readSeries, writeInjected } from '../../../scripts/gen-external-series.ts';
import { injectAnomalies, localLevel, parseTimestamp, seriesCsv } from '../../../scripts/lib/external-series.ts';

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'score-alerts-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Two hours at 5-minute steps, written out by hand: alerts on rows 1, 4, 5, 8 and 20. */
const SCORES = `timestamp,value,anomaly_score,state
2026-01-05 00:00:00,3,0.0000,normal
2026-01-05 00:05:00,9,0.6000,degraded
2026-01-05 00:10:00,3,0.1000,normal
2026-01-05 00:15:00,4,0.2000,normal
2026-01-05 00:20:00,12,0.5000,degraded
2026-01-05 00:25:00,20,0.7000,outage
2026-01-05 00:30:00,3,0.4999,outage
2026-01-05 00:35:00,8,0.3000,normal
2026-01-05 00:40:00,9,0.9000,degraded
2026-01-05 00:45:00,3,0.0000,normal
2026-01-05 00:50:00,3,0.0000,normal
2026-01-05 00:55:00,3,0.0000,normal
2026-01-05 01:00:00,3,0.0000,normal
2026-01-05 01:05:00,3,0.0000,normal
2026-01-05 01:10:00,3,0.0000,normal
2026-01-05 01:15:00,3,0.0000,normal
2026-01-05 01:20:00,3,0.0000,normal
2026-01-05 01:25:00,3,0.0000,normal
2026-01-05 01:30:00,3,0.0000,normal
2026-01-05 01:35:00,3,0.0000,normal
2026-01-05 01:40:00,9,0.8000,degraded
2026-01-05 01:45:00,3,0.0000,normal
2026-01-05 01:50:00,3,0.0000,normal
2026-01-05 01:55:00,3,0.0000,normal
`;
/** Window A is caught on its second row; B (one row) only 5 minutes after it ends. */
const LABELS = [
  ['2026-01-05 00:15:00', '2026-01-05 00:25:00'],
  ['2026-01-05 00:35:00', '2026-01-05 00:35:00'],
];

describe('score-alerts counting', () => {
  const rows = parseScoresCsv(SCORES);

  it('counts rows at or above 0.5 as alerts, per week, without labels', () => {
    const s = scoreAlerts(rows);
    expect(s.rows).toBe(24);
    expect(s.alerts).toBe(5);
    expect(s.runs).toBe(4);
    // 24 rows of 5 minutes are 1/84 of a week.
    expect(s.weeks).toBeCloseTo(1 / 84, 10);
    expect(s.alertsPerWeek).toBeCloseTo(420, 6);
    expect(s.labelled).toBe(false);
    expect(rows[1]?.state).toBe('degraded');
  });

  it('finds detections, delays, late windows and false alerts with labels', () => {
    const s = scoreAlerts(rows, parseLabels(LABELS));
    expect(s.windows.map((w) => [w.detected, w.late, w.delayMinutes])).toEqual([
      [true, false, 5],
      [false, true, null],
    ]);
    expect(s.windows[0]?.maxScore).toBe(0.7);
    expect(s.windows[1]?.maxScore).toBe(0.3);
    // Row 1 comes before every window; row 20 is 65 minutes after B's end. Rows 5 and 8 are not false.
    expect(s.falseAlerts).toBe(2);
    expect(s.falsePer4Weeks).toBeCloseTo(672, 6);
    // NAB: A caught 5 of its 15 minutes in (y = -2/3), B missed, two false alerts at 0.11.
    const caught = 2 / (1 + Math.exp(-10 / 3)) - 1;
    expect(s.nab.raw).toBeCloseTo(caught - 1 - 0.22, 10);
    expect(s.nab.none).toBe(-2);
    const perfect = 2 * (2 / (1 + Math.exp(-5)) - 1);
    expect(s.nab.perfect).toBeCloseTo(perfect, 10);
    expect(nabNormalised(s.nab)).toBeCloseTo((100 * (caught - 1 - 0.22 + 2)) / (perfect + 2), 8);
  });

  it('an alert on the last grace minute belongs to the window, one step later it is false', () => {
    const lines = ['timestamp,value,anomaly_score'];
    for (let m = 0; m < 120; m += 5) {
      const score = m === 70 ? 0.9 : 0;
      lines.push(`2026-01-05 ${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}:00,1,${score}`);
    }
    const onEdge = scoreAlerts(parseScoresCsv(lines.join('\n')), parseLabels([['2026-01-05 00:05:00', '2026-01-05 00:10:00']]));
    expect(onEdge.falseAlerts).toBe(0);
    expect(onEdge.windows[0]?.late).toBe(true);
    const past = scoreAlerts(parseScoresCsv(lines.join('\n')), parseLabels([['2026-01-05 00:05:00', '2026-01-05 00:05:00']]));
    expect(past.falseAlerts).toBe(1);
    expect(past.windows[0]?.late).toBe(false);
  });

  it('reads NAB combined labels and timestamps with fractions', () => {
    const nab = { 'realTweets/x.csv': [['2026-01-05 00:15:00.000000', '2026-01-05 00:25:00.000000']], 'other.csv': [] };
    expect(parseLabels(nab, 'x.csv')).toEqual([{ start: Date.UTC(2026, 0, 5, 0, 15), end: Date.UTC(2026, 0, 5, 0, 25) }]);
    expect(() => parseLabels([['2026-01-05 00:25:00', '2026-01-05 00:15:00']])).toThrow(/ends before/);
  });

  it('rejects a scores file that is not what detect writes', () => {
    expect(() => parseScoresCsv('timestamp,value\n2026-01-05 00:00:00,1\n')).toThrow(/header/);
    expect(() => parseScoresCsv('timestamp,value,anomaly_score\n2026-01-05 00:00:00,1,x\n')).toThrow(/line 2/);
  });
});

describe('injected anomalies', () => {
  const from = Date.UTC(2001, 0, 1);
  // Three weeks of a hand-made daily rhythm: 2 at night, 8 by day.
  const base = Array.from({ length: 21 * 288 }, (_, i) => (i % 288 >= 72 && i % 288 < 264 ? 8 : 2));

  it('changes values only inside the labelled windows, and every row of each, upward', () => {
    const { values, injections } = injectAnomalies(base, from, { seed: 5, factors: [3, 10], durations: [10, 180] });
    expect(injections).toHaveLength(4);
    const inWindow = new Set<number>();
    for (const w of injections) for (let i = w.startIndex; i <= w.endIndex; i++) inWindow.add(i);
    values.forEach((v, i) => {
      if (inWindow.has(i)) expect(v).toBeGreaterThan(base[i] as number);
      else expect(v).toBe(base[i]);
    });
    // Start times are after the 7-day warm-up, windows at least 12 h apart.
    const sorted = [...injections].sort((a, b) => a.startIndex - b.startIndex);
    expect(sorted[0]?.startIndex).toBeGreaterThanOrEqual(7 * 288);
    for (let k = 1; k < sorted.length; k++) expect((sorted[k]?.startIndex as number) - (sorted[k - 1]?.endIndex as number)).toBeGreaterThan(144);
    expect(injections.map((w) => (w.endIndex - w.startIndex + 1) * 5).sort((a, b) => a - b)).toEqual([10, 10, 180, 180]);
    // Same seed, same copy.
    expect(injectAnomalies(base, from, { seed: 5, factors: [3, 10], durations: [10, 180] }).values).toEqual(values);
  });

  it('writes a copy whose labels file names exactly the rows that differ', () => {
    const dir = tmp();
    const out = join(dir, 'copy.csv');
    writeInjected(base, from, 300_000, out, { seed: 9, factors: [5], durations: [30, 60] }, 'base.csv');
    const copy = readSeries(readFileSync(out, 'utf8'));
    const labels = parseLabels(JSON.parse(readFileSync(join(dir, 'copy.labels.json'), 'utf8')));
    expect(labels).toHaveLength(2);
    const changedTimes = copy.values.flatMap((v, i) => (v !== base[i] ? [from + i * 300_000] : []));
    const labelledTimes = labels.flatMap((w) => Array.from({ length: (w.end - w.start) / 300_000 + 1 }, (_, k) => w.start + k * 300_000));
    expect(changedTimes).toEqual(labelledTimes);
  });

  it('takes the local level from the same clock time on the days before, at least 1', () => {
    const i = 8 * 288 + 100; // a day-time row in the ninth day
    expect(localLevel(base, i)).toBe(8);
    expect(localLevel(base, 8 * 288 + 10)).toBe(2);
    expect(localLevel([0, 0, 0], 2)).toBe(1);
    expect(parseTimestamp('2001-01-01 00:05:00')).toBe(from + 300_000);
  });
});

describe('score-alerts --dir', () => {
  it('runs the engine over every csv and picks up NAME.labels.json', () => {
    const dir = tmp();
    const values = Array.from({ length: 3 * 288 }, (_, i) => 5 + (i % 3));
    writeFileSync(join(dir, 'a.csv'), seriesCsv(Date.UTC(2001, 0, 1), values));
    writeFileSync(join(dir, 'b.csv'), seriesCsv(Date.UTC(2001, 0, 1), values));
    writeFileSync(join(dir, 'b.labels.json'), JSON.stringify([['2001-01-02 10:00:00', '2001-01-02 10:30:00']]));
    const results = scoreDir(dir);
    expect(results.map((r) => [r.name, r.score.rows, r.score.labelled, r.score.windows.length])).toEqual([
      ['a', 864, false, 0],
      ['b', 864, true, 1],
    ]);
  });

  it('takes --record RANK,DAYS or off with --dir only, and says what it wants otherwise', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'a.csv'), seriesCsv(Date.UTC(2001, 0, 1), Array.from({ length: 288 }, (_, i) => 5 + (i % 3))));
    expect(main(['--dir', dir, '--record', '2,28'])).toContain('a ');
    expect(main(['--dir', dir, '--record', 'off'])).toContain('a ');
    expect(() => main(['--dir', dir, '--record', '0,28'])).toThrow(/RANK,DAYS/);
    expect(() => main(['--dir', dir, '--record', 'two'])).toThrow(/RANK,DAYS/);
    expect(() => main(['--scores', join(dir, 'a.csv'), '--record', '2,28'])).toThrow(/needs --dir/);
  });
});
