import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { effectiveRegion, regionFromTimeZone } from '../../../src/background/region.ts';
import { TZ_REGIONS } from '../../../src/background/tz-regions.ts';

describe('time zone -> region', () => {
  it('maps zones to their country', () => {
    expect(regionFromTimeZone('Europe/Paris')).toBe('FR');
    expect(regionFromTimeZone('America/New_York')).toBe('US');
    expect(regionFromTimeZone('Asia/Tokyo')).toBe('JP');
    expect(regionFromTimeZone('America/Argentina/Buenos_Aires')).toBe('AR');
  });

  it('knows the old names browsers still report', () => {
    expect(regionFromTimeZone('Asia/Calcutta')).toBe('IN');
    expect(regionFromTimeZone('Asia/Saigon')).toBe('VN');
    expect(regionFromTimeZone('Europe/Kiev')).toBe('UA');
  });

  it('says ZZ for zones without a country and for nothing', () => {
    expect(regionFromTimeZone('UTC')).toBe('ZZ');
    expect(regionFromTimeZone('Etc/GMT+5')).toBe('ZZ');
    expect(regionFromTimeZone(undefined)).toBe('ZZ');
    expect(regionFromTimeZone('Not/AZone')).toBe('ZZ');
  });

  it('lets the override win, including ZZ to hide the country', () => {
    expect(effectiveRegion('DE', 'Europe/Paris')).toBe('DE');
    expect(effectiveRegion('ZZ', 'Europe/Paris')).toBe('ZZ');
    expect(effectiveRegion(null, 'Europe/Paris')).toBe('FR');
    expect(effectiveRegion('fr', 'Asia/Tokyo')).toBe('JP');
  });

  it('only holds upper-case two-letter codes', () => {
    for (const c of Object.values(TZ_REGIONS)) expect(c).toMatch(/^[A-Z]{2}$/);
  });
});

describe('scripts/gen-tz-regions.mjs', () => {
  it('builds the table from zone.tab, zone1970.tab and links', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tz-'));
    writeFileSync(join(dir, 'zone.tab'), '# comment\nFR\t+4852+00220\tEurope/Paris\n');
    writeFileSync(join(dir, 'zone1970.tab'), 'FR,MC\t+4852+00220\tEurope/Paris\nJP\t+353916+1394441\tAsia/Tokyo\n');
    writeFileSync(join(dir, 'tzdata.zi'), 'L Europe/Paris Europe/Monaco_Alias\nL Etc/UTC UTC\n');
    const out = join(dir, 'out.ts');
    execFileSync('node', ['scripts/gen-tz-regions.mjs', dir, out], { stdio: 'pipe' });
    const text = readFileSync(out, 'utf8');
    expect(text).toContain(`"Europe/Paris": 'FR'`);
    expect(text).toContain(`"Asia/Tokyo": 'JP'`);
    expect(text).toContain(`"Europe/Monaco_Alias": 'FR'`);
    expect(text).not.toContain('"UTC"');
  });

  it('fails with a clear message when no zone table exists', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tz-empty-'));
    expect(() => execFileSync('node', ['scripts/gen-tz-regions.mjs', dir, join(dir, 'x.ts')], { stdio: 'pipe' })).toThrow(/zone\.tab/);
  });
});
