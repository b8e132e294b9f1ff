import { describe, expect, it } from 'vitest';
import { addEvidence, diagnose, EVIDENCE_MAX } from '../../../src/background/diagnosis.ts';
import type { Evidence } from '../../../src/background/diagnosis.ts';
import { NOW, status } from './fixtures.ts';

const ago = (s: number) => NOW - s * 1000;
const ev = (kind: Evidence['kind'], secondsAgo: number, feature: Evidence['feature'] = 'timeline'): Evidence => ({ at: ago(secondsAgo), kind, feature });
const fine = status('operational', { regions: [['FR', 'operational'], ['DE', 'operational']], features: [['timeline', 'operational']] });

describe('local diagnosis', () => {
  it('is ok with nothing failing', () => {
    expect(diagnose([], fine, 'FR', NOW)).toBe('ok');
    expect(diagnose([ev('ok', 10)], fine, 'FR', NOW)).toBe('ok');
  });

  it('says offline while the connection is down, until something works again', () => {
    expect(diagnose([ev('failure', 30), ev('offline', 20)], fine, 'FR', NOW)).toBe('offline');
    expect(diagnose([ev('offline', 60), ev('ok', 10)], fine, 'FR', NOW)).toBe('ok');
  });

  it('says down-for-many when the crowd agrees', () => {
    const down = status('outage', { region: 'FR', regions: [['FR', 'outage'], ['DE', 'outage']] });
    expect(diagnose([ev('failure', 20)], down, 'FR', NOW)).toBe('down-for-many');
  });

  it('counts a failing feature the crowd also sees as down-for-many', () => {
    const dm = status('operational', { regions: [['FR', 'operational']], features: [['dm', 'degraded', 30]] });
    expect(diagnose([ev('failure', 20, 'dm')], dm, 'FR', NOW)).toBe('down-for-many');
  });

  it('says just-you when others are fine', () => {
    expect(diagnose([ev('failure', 20)], fine, 'FR', NOW)).toBe('just-you');
  });

  it('says down-elsewhere when this country is not called yet but others are (the badge warns too)', () => {
    const elsewhere = status('operational', { region: 'FR', regions: [['FR', 'operational'], ['DE', 'outage']], features: [['timeline', 'operational']] });
    expect(diagnose([ev('failure', 20)], elsewhere, 'FR', NOW)).toBe('down-elsewhere');
  });

  it('says maybe-blocked for resets/timeouts when only this country shows trouble', () => {
    const local = status('degraded', { region: 'IR', regions: [['IR', 'outage'], ['DE', 'operational'], ['US', 'operational']] });
    expect(diagnose([ev('connection', 20), ev('connection', 10)], local, 'IR', NOW)).toBe('maybe-blocked');
    // Same picture but the failures are server errors: that is the site failing there, not a block.
    expect(diagnose([ev('failure', 20)], local, 'IR', NOW)).toBe('down-for-many');
    // Resets everywhere: an outage, not a block.
    const global = status('outage', { region: 'IR', regions: [['IR', 'outage'], ['DE', 'outage']] });
    expect(diagnose([ev('connection', 20)], global, 'IR', NOW)).toBe('down-for-many');
  });

  it('says account-limited for limits alone, but failures win', () => {
    expect(diagnose([ev('limit', 20)], fine, 'FR', NOW)).toBe('account-limited');
    expect(diagnose([ev('limit', 20), ev('failure', 10)], fine, 'FR', NOW)).toBe('just-you');
  });

  it('says unknown when failing with no crowd status to compare with', () => {
    expect(diagnose([ev('failure', 20)], null, 'FR', NOW)).toBe('unknown');
    expect(diagnose([], null, 'FR', NOW)).toBe('ok');
  });

  it.each([
    ['portal alone', [ev('portal', 20)], 'captive-portal'],
    ['portal explains later failures', [ev('portal', 30), ev('failure', 10)], 'captive-portal'],
    ['portal cleared by a working request', [ev('portal', 30), ev('ok', 10)], 'ok'],
    ['offline wins over a portal', [ev('portal', 30), ev('offline', 10)], 'offline'],
    ['blocked pages alone', [ev('blocked', 20)], 'blocked-here'],
    ['blocked, then X works', [ev('blocked', 20), ev('ok', 10)], 'ok'],
    ['real failures win over a block', [ev('blocked', 20), ev('failure', 10)], 'just-you'],
    ['one stray 5xx among many resets still reads as connection trouble', [ev('connection', 50), ev('connection', 40, 'dm'), ev('connection', 30, 'search'), ev('connection', 20, 'post'), ev('failure', 10, 'media')], 'just-you'],
  ] as const)('%s', (_name, evidence, expected) => {
    expect(diagnose(evidence, fine, 'FR', NOW)).toBe(expected);
  });

  it('suggests a block when at least 80% of failures are resets or timeouts', () => {
    const local = status('degraded', { region: 'IR', regions: [['IR', 'outage'], ['DE', 'operational']] });
    const mostlyResets = [ev('connection', 50), ev('connection', 40, 'dm'), ev('connection', 30, 'search'), ev('connection', 20, 'post'), ev('failure', 10, 'media')];
    expect(diagnose(mostlyResets, local, 'IR', NOW)).toBe('maybe-blocked');
    const halfResets = [ev('connection', 50), ev('failure', 10, 'media')];
    expect(diagnose(halfResets, local, 'IR', NOW)).toBe('down-for-many');
  });

  it('forgets evidence older than five minutes', () => {
    expect(diagnose([ev('failure', 400)], fine, 'FR', NOW)).toBe('ok');
  });

  it('keeps the evidence list small under a flood', () => {
    let list: Evidence[] = [];
    for (let i = 0; i < 5000; i++) list = addEvidence(list, { at: NOW + i * 10, kind: i % 2 ? 'failure' : 'ok', feature: 'timeline' });
    expect(list.length).toBeLessThanOrEqual(EVIDENCE_MAX);
    let same: Evidence[] = [];
    for (let i = 0; i < 1000; i++) same = addEvidence(same, { at: NOW + i, kind: 'failure', feature: 'timeline' });
    expect(same).toHaveLength(1);
  });
});
