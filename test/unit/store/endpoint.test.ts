import { describe, expect, it } from 'vitest';
import { resolveEndpoint } from '../../../scripts/package-endpoint.ts';

describe('resolveEndpoint', () => {
  it('takes an https base address and drops a trailing slash', () => {
    expect(resolveEndpoint({ OUTAGE_RADAR_ENDPOINT: 'https://radar.example.org/' })).toBe('https://radar.example.org');
    expect(resolveEndpoint({ OUTAGE_RADAR_ENDPOINT: ' https://radar.example.org/api ' })).toBe('https://radar.example.org/api');
  });

  it('is required', () => {
    expect(() => resolveEndpoint({})).toThrow(/OUTAGE_RADAR_ENDPOINT is not set/);
    expect(() => resolveEndpoint({ OUTAGE_RADAR_ENDPOINT: '  ' })).toThrow(/not set/);
  });

  it('refuses plain http unless explicitly allowed for local testing', () => {
    expect(() => resolveEndpoint({ OUTAGE_RADAR_ENDPOINT: 'http://127.0.0.1:8787' })).toThrow(/plain http/);
    expect(() => resolveEndpoint({ OUTAGE_RADAR_ENDPOINT: 'http://127.0.0.1:8787', OUTAGE_RADAR_ALLOW_HTTP: 'yes' })).toThrow(/plain http/);
    expect(resolveEndpoint({ OUTAGE_RADAR_ENDPOINT: 'http://127.0.0.1:8787', OUTAGE_RADAR_ALLOW_HTTP: '1' })).toBe('http://127.0.0.1:8787');
  });

  it('refuses what is not a clean https base address', () => {
    expect(() => resolveEndpoint({ OUTAGE_RADAR_ENDPOINT: 'radar.example.org' })).toThrow(/not a URL/);
    expect(() => resolveEndpoint({ OUTAGE_RADAR_ENDPOINT: 'ftp://radar.example.org' })).toThrow(/only https/);
    expect(() => resolveEndpoint({ OUTAGE_RADAR_ENDPOINT: 'https://user:pw@radar.example.org' })).toThrow(/credentials/);
    expect(() => resolveEndpoint({ OUTAGE_RADAR_ENDPOINT: 'https://radar.example.org/?k=1' })).toThrow(/query/);
  });
});
