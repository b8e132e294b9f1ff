import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/server/config.ts';
import { DEFAULT_THRESHOLDS } from '../../src/server/detection/thresholds.ts';

describe('loadConfig', () => {
  it('has working defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      host: '127.0.0.1',
      port: 8787,
      database: { kind: 'sqlite', path: './data/outage-radar.db' },
      operatorToken: null,
      trustProxy: [],
      privacyK: 5,
      statuspage: null,
      xApi: null,
      sites: ['x.com'],
    });
    expect(loadConfig({ SITES: 'x.com,twitter.com' }).sites).toEqual(['x.com', 'twitter.com']);
    expect(loadConfig({ SITES: '*' }).sites).toBeNull();
    expect(c.thresholds).toEqual(DEFAULT_THRESHOLDS);
  });

  it('reads every kind of setting', () => {
    const c = loadConfig({
      PORT: '0',
      HOST: '::1',
      DATABASE_URL: 'postgresql://u@db.internal:5432/radar',
      OPERATOR_TOKEN: 'a-long-operator-token',
      TRUST_PROXY: '10.0.0.0/8, 127.0.0.1,::1',
      PRIVACY_K: '10',
      DETECT_OUTAGE_MIN_NETWORKS: '8',
      STATUSPAGE_URLS: 'https://status.example/api/v2/incidents.json',
      X_BEARER_TOKEN: 'bearer',
      X_ACCOUNTS: 'Support,API',
    });
    expect(c.port).toBe(0);
    expect(c.database).toEqual({ kind: 'postgres', url: 'postgresql://u@db.internal:5432/radar' });
    expect(loadConfig({ DATABASE_URL: 'postgres://h/db', DATABASE_SCHEMA: 'radar_1' }).database).toEqual({ kind: 'postgres', url: 'postgres://h/db', schema: 'radar_1' });
    expect(c.trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1', '::1']);
    expect(c.thresholds.outageMinNetworks).toBe(8);
    expect(c.statuspage?.urls).toEqual(['https://status.example/api/v2/incidents.json']);
    expect(c.xApi).toMatchObject({ accounts: ['Support', 'API'], baseUrl: 'https://api.x.com', intervalMs: 300_000 });
  });

  it('refuses bad values with the variable named', () => {
    const bad: [Record<string, string>, RegExp][] = [
      [{ PORT: '70000' }, /PORT/],
      [{ PORT: 'eighty' }, /PORT/],
      [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL/],
      [{ DATABASE_URL: 'sqlite:' }, /DATABASE_URL/],
      [{ TRUST_PROXY: 'proxy.local' }, /TRUST_PROXY/],
      [{ OPERATOR_TOKEN: 'short' }, /OPERATOR_TOKEN/],
      [{ PRIVACY_K: '0' }, /PRIVACY_K/],
      [{ SITES: 'X.com' }, /SITES/],
      [{ DATABASE_SCHEMA: 'radar' }, /DATABASE_SCHEMA/],
      [{ DATABASE_URL: 'postgres://h/db', DATABASE_SCHEMA: 'Bad-Name' }, /DATABASE_SCHEMA/],
      [{ DETECT_OUTAGE_MIN_SHARE: '1.5' }, /DETECT_OUTAGE_MIN_SHARE/],
      [{ DETECT_DEGRADED_MIN_REPORTERS: '50' }, /DEGRADED/],
      [{ STATUSPAGE_URLS: 'ftp://status.example' }, /STATUSPAGE_URLS/],
      [{ X_BEARER_TOKEN: 't', X_ACCOUNTS: 'not a name' }, /X_ACCOUNTS/],
      [{ X_BEARER_TOKEN: 't', X_POLL_INTERVAL_S: '10' }, /X_POLL_INTERVAL_S/],
    ];
    for (const [env, message] of bad) {
      expect(() => loadConfig(env), JSON.stringify(env)).toThrow(ConfigError);
      expect(() => loadConfig(env), JSON.stringify(env)).toThrow(message);
    }
  });
});
