import { describe, expect, it } from 'vitest';
import { BADGE_COLORS, badgeFor, regionVerdict } from '../../../src/background/badge.ts';
import { status } from './fixtures.ts';

describe('badge', () => {
  it('is calm (no text, never "0") when X works', () => {
    const b = badgeFor(status('operational', { regions: [['FR', 'operational']] }), 'FR');
    expect(b.text).toBe('');
    expect(b.titleKey).toBe('badgeTitleOperational');
  });

  it('says DOWN on red when the user region is in outage', () => {
    const b = badgeFor(status('outage', { region: 'FR', regions: [['FR', 'outage']] }), 'FR');
    expect(b).toMatchObject({ text: 'DOWN', color: BADGE_COLORS.outage, titleKey: 'badgeTitleOutage' });
    expect(BADGE_COLORS.outage).toBe('#C62828');
  });

  it('says ! on amber when degraded', () => {
    const b = badgeFor(status('degraded'), 'FR');
    expect(b).toMatchObject({ text: '!', color: '#B45309', titleKey: 'badgeTitleDegraded' });
  });

  it('uses the region row when it is worse than the overall answer', () => {
    expect(badgeFor(status('operational', { regions: [['FR', 'outage']], features: [] }), 'FR').text).toBe('DOWN');
  });

  it('does not shout about an outage elsewhere', () => {
    const s = status('operational', { regions: [['FR', 'operational'], ['BR', 'outage']], features: [['timeline', 'operational']] });
    expect(badgeFor(s, 'FR').text).toBe('');
  });

  it('says ! when X failed here lately and other countries are called, with a title that says so', () => {
    const s = status('operational', { regions: [['FR', 'operational'], ['BR', 'outage']], features: [['timeline', 'operational']] });
    expect(badgeFor(s, 'FR', { failingHere: true })).toEqual({ text: '!', color: BADGE_COLORS.degraded, titleKey: 'badgeTitleElsewhere', state: 'degraded' });
    // Failing here with every other country calm, or calm here: no.
    expect(badgeFor(status('operational', { regions: [['FR', 'operational'], ['BR', 'operational']] }), 'FR', { failingHere: true }).text).toBe('');
    expect(badgeFor(s, 'FR', { failingHere: false }).text).toBe('');
    // The user's own row never counts as "elsewhere", and a worse own verdict keeps its own badge.
    expect(badgeFor(status('operational', { regions: [['FR', 'degraded']] }), 'FR', { failingHere: true }).titleKey).toBe('badgeTitleDegraded');
    expect(badgeFor(status('outage', { regions: [['FR', 'outage'], ['BR', 'outage']] }), 'FR', { failingHere: true }).text).toBe('DOWN');
    expect(badgeFor(null, 'FR', { failingHere: true }).state).toBe('unknown');
  });

  it('marks degraded when the region is fine overall but a feature is not', () => {
    const s = status('operational', { features: [['dm', 'degraded', 9]] });
    expect(regionVerdict(s, 'FR')).toBe('degraded');
  });

  it('is calm and unknown without any status', () => {
    expect(badgeFor(null, 'FR')).toMatchObject({ text: '', titleKey: 'badgeTitleUnknown', state: 'unknown' });
  });
});
