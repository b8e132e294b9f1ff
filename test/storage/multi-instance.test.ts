/**
 * Several server processes on one PostgreSQL database agree: each follows the shared report log,
 * so a crowd split between them gives both the same verdict, and an instance killed and started
 * again catches up with what the other took meanwhile.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStorage } from '../../src/server/storage/postgres.ts';
import type { StoredReport } from '../../src/server/storage/types.ts';
import type { Report, StatusResponse } from '../../src/shared/protocol.ts';
import { contractSenders, makeReport } from '../server/lib/reports.ts';
import { startServerProcess, type ServerProcess } from '../server/lib/server-process.ts';
import { adminQuery, PG_URL } from './pg-admin.ts';

const schema = `or_test_${randomBytes(6).toString('hex')}`;
const env = { DATABASE_URL: PG_URL, DATABASE_SCHEMA: schema, TRUST_PROXY: '127.0.0.1', DETECT_NEWCOMER_MINUTES: '0' };
const running: ServerProcess[] = [];

beforeAll(async () => {
  await adminQuery('SELECT 1');
});
afterAll(async () => {
  for (const s of running) await s.kill('SIGKILL');
  await adminQuery(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
});

async function start(): Promise<ServerProcess> {
  const s = await startServerProcess(env);
  running.push(s);
  return s;
}

async function post(url: string, from: string, reports: Report[]): Promise<void> {
  const res = await fetch(`${url}/v1/reports`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': from },
    body: JSON.stringify({ reports }),
  });
  expect(res.status, await res.clone().text()).toBe(202);
}

async function status(url: string, region: string): Promise<Omit<StatusResponse, 'generatedAt'>> {
  const { generatedAt: _, ...rest } = (await (await fetch(`${url}/v1/status?site=x.com&region=${region}`)).json()) as StatusResponse;
  return rest;
}

/** Polls until every instance answers the same status, or gives up after `ms`. */
async function agreeing(urls: string[], region: string, ms = 10_000): Promise<Omit<StatusResponse, 'generatedAt'>[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const all = await Promise.all(urls.map((u) => status(u, region)));
    const same = all.every((s) => JSON.stringify(s) === JSON.stringify(all[0]));
    if ((same && all[0]?.overall.state === 'outage') || Date.now() > deadline) return all;
    await new Promise((r) => setTimeout(r, 200));
  }
}

function stored(r: Report): StoredReport {
  return {
    id: r.id,
    site: r.site,
    feature: r.feature,
    signal: r.signal,
    at: r.at,
    region: r.region,
    reporter: r.reporter,
    networkHash: 'n',
    clientBrowser: 'chrome',
    clientVersion: '0.1.0',
    status: null,
    op: null,
    code: null,
    receivedAt: r.at,
  };
}

describe('instances on one PostgreSQL', () => {
  it('reads a report committed late by an earlier transaction: the log never skips it', async () => {
    const storage = new PostgresStorage({ url: PG_URL, schema });
    await storage.migrate();
    const slow = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
    await slow.connect();
    try {
      const from = await storage.log.horizon();
      const early = stored(makeReport({ region: 'GB' }));
      const late = stored(makeReport({ region: 'GB' }));
      // The slow transaction takes its id first and commits last.
      await slow.query('BEGIN');
      await slow.query(
        `INSERT INTO reports (id, site, feature, signal, at, region, reporter, network_hash, client_browser, client_version, received_at)
         VALUES ($1, 'x.com', 'timeline', 'http_5xx', $2, 'GB', $3, 'n', 'chrome', '0.1.0', $2)`,
        [early.id, early.at, early.reporter],
      );
      await storage.insertReports([late]);
      const mid = await storage.log.horizon();
      const firstRead = await storage.log.between(from, mid);
      expect(firstRead.map((r) => r.id)).not.toContain(early.id);
      await slow.query('COMMIT');
      const to = await storage.log.horizon();
      const secondRead = await storage.log.between(mid, to);
      const all = [...firstRead, ...secondRead].map((r) => r.id);
      expect(all.filter((id) => id === early.id)).toHaveLength(1);
      expect(all.filter((id) => id === late.id)).toHaveLength(1);
    } finally {
      await slow.end();
      await storage.close();
    }
  });

  it('gives the same verdict on both instances for a crowd split between them, and a restarted one catches up', async () => {
    const [a, b] = await Promise.all([start(), start()]);
    if (!a || !b) throw new Error('unreachable');
    const senders = contractSenders();
    await Promise.all(senders.map((s, i) => post(i % 2 ? b.url : a.url, s.address, [makeReport({ region: 'FR' })])));
    const [fromA, fromB] = await agreeing([a.url, b.url], 'FR');
    expect(fromA?.overall.state).toBe('outage');
    expect(fromB).toEqual(fromA);
    expect(fromA?.regions).toEqual([{ region: 'FR', state: 'outage', reports15m: 60, reporters15m: 60 }]);

    // B dies without a word; A takes a second crowd alone; B, started again, must know it.
    await b.kill('SIGKILL');
    await Promise.all(senders.map((s) => post(a.url, s.address, [makeReport({ region: 'DE' })])));
    const b2 = await start();
    const [deA, deB] = await agreeing([a.url, b2.url], 'DE');
    expect(deB).toEqual(deA);
    expect(deA?.regions).toContainEqual({ region: 'DE', state: 'outage', reports15m: 60, reporters15m: 60 });
    // And what B2 takes reaches A through the log, not only its own memory.
    await Promise.all(senders.map((s) => post(b2.url, s.address, [makeReport({ region: 'IT' })])));
    const [itA, itB] = await agreeing([a.url, b2.url], 'IT');
    expect(itA).toEqual(itB);
    expect(itA?.regions).toContainEqual({ region: 'IT', state: 'outage', reports15m: 60, reporters15m: 60 });
  }, 60_000);
});
