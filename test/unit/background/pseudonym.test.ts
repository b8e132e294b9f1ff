import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { newPseudonym, pseudonymFor, utcDay } from '../../../src/background/pseudonym.ts';
import { REPORTER_RE } from '../../../src/shared/protocol.ts';

const rb = (n: number) => new Uint8Array(randomBytes(n));

describe('reporter pseudonym', () => {
  it('is valid for the protocol', () => {
    for (let i = 0; i < 200; i++) expect(newPseudonym(rb)).toMatch(REPORTER_RE);
  });

  it('stays the same within one UTC day', () => {
    const morning = Date.UTC(2026, 10, 22, 0, 0, 1);
    const night = Date.UTC(2026, 10, 22, 23, 59, 59);
    const a = pseudonymFor(undefined, morning, rb);
    expect(a.changed).toBe(true);
    const b = pseudonymFor(a.pseudonym, night, rb);
    expect(b.changed).toBe(false);
    expect(b.pseudonym.value).toBe(a.pseudonym.value);
  });

  it('changes at the UTC day boundary, whatever the local time zone', () => {
    const before = Date.UTC(2026, 10, 22, 23, 59, 59);
    const after = Date.UTC(2026, 10, 23, 0, 0, 0);
    const a = pseudonymFor(undefined, before, rb);
    const b = pseudonymFor(a.pseudonym, after, rb);
    expect(b.changed).toBe(true);
    expect(b.pseudonym.day).toBe('2026-11-23');
    expect(b.pseudonym.value).not.toBe(a.pseudonym.value);
  });

  it('is random, not derived from the day: two fresh installs the same day differ', () => {
    const day = Date.UTC(2026, 10, 22, 12);
    expect(pseudonymFor(undefined, day, rb).pseudonym.value).not.toBe(pseudonymFor(undefined, day, rb).pseudonym.value);
  });

  it('replaces a malformed stored value', () => {
    const now = Date.UTC(2026, 10, 22, 12);
    const r = pseudonymFor({ day: utcDay(now), value: 'user@example' }, now, rb);
    expect(r.changed).toBe(true);
    expect(r.pseudonym.value).toMatch(REPORTER_RE);
  });
});
