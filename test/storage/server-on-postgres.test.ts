/**
 * The whole server on PostgreSQL over a real socket: the e2e contract, a restart that rebuilds
 * the aggregates from the database, and two instances agreeing on the day's salt.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/server/config.ts';
import { startServer, type RunningServer } from '../../src/server/http/server.ts';
import { PostgresStorage } from '../../src/server/storage/postgres.ts';
import type { StatusResponse } from '../../src/shared/protocol.ts';
import { contractSenders, makeReport } from '../server/lib/reports.ts';
import { adminQuery, PG_URL } from './pg-admin.ts';

const schema = `or_test_${randomBytes(6).toString('hex')}`;
// The crowd here fails on the real clock with no history: the newcomer rule (tested on a test
// clock in test/server) would rightly not count it.
const env = { PORT: '0', DATABASE_URL: PG_URL, DATABASE_SCHEMA: schema, TRUST_PROXY: '127.0.0.1', DETECT_NEWCOMER_MINUTES: '0' };
const running: RunningServer[] = [];

beforeAll(async () => {
  await adminQuery('SELECT 1');
});
afterAll(async () => {
  for (const s of running) await s.close();
  await adminQuery(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
});

async function start(): Promise<RunningServer> {
  const s = await startServer(loadConfig(env));
  running.push(s);
  return s;
}

async function status(url: string): Promise<StatusResponse> {
  return (await (await fetch(`${url}/v1/status?site=x.com&region=FR`)).json()) as StatusResponse;
}

describe('server on PostgreSQL', () => {
  it('meets the e2e contract, keeps it across a restart, and shares salts between instances', async () => {
    const a = await start();
    const b = await start();
    // Alternate instances: the same network must hash the same on both (shared daily salt).
    const senders = contractSenders();
    for (const [i, s] of senders.entries()) {
      const url = i % 2 ? b.url : a.url;
      const res = await fetch(`${url}/v1/reports`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': s.address },
        body: JSON.stringify({ reports: [makeReport()] }),
      });
      expect(res.status).toBe(202);
    }
    const check = new PostgresStorage({ url: PG_URL, schema });
    try {
      expect(new Set((await check.reportsSince(0)).map((r) => r.networkHash)).size).toBe(12);
    } finally {
      await check.close();
    }
    // Each instance only saw half, and one instance's memory is not the other's: a fresh start
    // rebuilds from the database and sees everything.
    await a.close();
    await b.close();
    running.length = 0;
    const c = await start();
    const s = await status(c.url);
    expect(s.overall.state).toBe('outage');
    expect(s.features.find((f) => f.feature === 'timeline')?.state).toBe('outage');
    expect(s.regions).toEqual([{ region: 'FR', state: 'outage', reports15m: 60, reporters15m: 60 }]);
  }, 30_000);
});
