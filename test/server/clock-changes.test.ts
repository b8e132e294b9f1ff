import { describe, expect, it } from 'vitest';
import { clockChangesBetween, offsetAt } from '../../src/server/detection/clock-changes.ts';

const HOUR = 3600_000;
const iso = (at: number) => new Date(at).toISOString().slice(0, 16);

describe('watched clock changes from the time zone database', () => {
  it('follows each year its own rules (the US moved its dates in 2007)', () => {
    const y2001 = clockChangesBetween(Date.UTC(2001, 0, 1), Date.UTC(2002, 0, 1)).map((c) => [c.zone, iso(c.at), c.shiftMs / HOUR]);
    expect(y2001).toEqual([
      ['Europe/London', '2001-03-25T01:00', 1],
      ['America/New_York', '2001-04-01T07:00', 1],
      ['Europe/London', '2001-10-28T01:00', -1],
      ['America/New_York', '2001-10-28T06:00', -1],
    ]);
    const y2015 = clockChangesBetween(Date.UTC(2015, 0, 1), Date.UTC(2016, 0, 1)).map((c) => [c.zone, iso(c.at)]);
    expect(y2015).toEqual([
      ['America/New_York', '2015-03-08T07:00'],
      ['Europe/London', '2015-03-29T01:00'],
      ['Europe/London', '2015-10-25T01:00'],
      ['America/New_York', '2015-11-01T06:00'],
    ]);
  });

  it('gives the changes in (from, to] only, across a new year, and none for an empty or bad span', () => {
    const change = Date.UTC(2026, 2, 8, 7);
    expect(clockChangesBetween(change - 1, change).map((c) => c.at)).toEqual([change]);
    expect(clockChangesBetween(change, change + HOUR)).toEqual([]);
    expect(clockChangesBetween(Date.UTC(2025, 11, 1), Date.UTC(2026, 2, 10)).map((c) => iso(c.at))).toEqual(['2026-03-08T07:00']);
    expect(clockChangesBetween(change, change - HOUR)).toEqual([]);
    expect(clockChangesBetween(Number.NaN, change)).toEqual([]);
  });

  it('reads offsets, half hours included', () => {
    expect(offsetAt('America/New_York', Date.UTC(2026, 0, 15))).toBe(-5 * HOUR);
    expect(offsetAt('Europe/London', Date.UTC(2026, 0, 15))).toBe(0);
    expect(offsetAt('Asia/Kolkata', Date.UTC(2026, 0, 15))).toBe(5.5 * HOUR);
  });
});
