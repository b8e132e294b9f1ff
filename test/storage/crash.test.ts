/**
 * Crashes lose nothing acknowledged: a server process under steady load is killed with SIGKILL
 * 20 times (SQLite, then PostgreSQL) and started again each time. Every batch is resent until it
 * gets a 202; afterwards every acknowledged report id is stored exactly once, and the instance
 * that went through the crashes gives the same verdict as a fresh one started on the same data.
 */
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { Report, StatusResponse } from '../../src/shared/protocol.ts';
import { contractSenders, makeReport } from '../server/lib/reports.ts';
import { startServerProcess as startProcess, type ServerProcess } from '../server/lib/server-process.ts';
import { tempDir } from '../server/lib/temp.ts';
import { adminQuery, PG_URL } from './pg-admin.ts';

const KILLS = Number(process.env.CRASH_KILLS ?? 20);
const SENDERS = 4;
const BATCH = 10;
/** Batches acknowledged by an instance before it is killed (then a random few ms more). */
const ACKS_BEFORE_KILL = 2;

const common = { TRUST_PROXY: '127.0.0.1', DETECT_NEWCOMER_MINUTES: '0', RATE_LIMIT_BURST: '100000', RATE_LIMIT_PER_MINUTE: '100000' };
/** Every process started here, so a failed or timed-out test leaves none behind. */
const spawned: ServerProcess[] = [];
async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const s = await startProcess(env);
  spawned.push(s);
  return s;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface LoadResult {
  acked: Set<string>;
  unexpected: string[];
  kills: number;
}

/** Sends batches from several senders while killing and restarting the server; resolves when done. */
async function loadWithKills(env: Record<string, string>, warmSpare: boolean): Promise<{ result: LoadResult; survivor: ServerProcess }> {
  let current = await startServerProcess(env);
  // On a shared log the next instance can start while this one works (it catches up through the
  // log), so the kills are not spaced by process start-up times; SQLite restarts one after another.
  let spare = warmSpare ? startServerProcess(env) : null;
  let ackedHere = 0;
  let stopping = false;
  const acked = new Set<string>();
  const unexpected: string[] = [];
  const addresses = contractSenders().map((s) => s.address);

  async function sendUntilAcked(batch: Report[], from: string): Promise<void> {
    const body = JSON.stringify({ reports: batch });
    for (let attempt = 0; attempt < 2000; attempt++) {
      try {
        const res = await fetch(`${current.url}/v1/reports`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': from },
          body,
        });
        const text = await res.text();
        if (res.status === 202) {
          for (const r of batch) acked.add(r.id);
          ackedHere++;
          return;
        }
        if (res.status !== 503) unexpected.push(`${res.status} ${text}`);
      } catch {
        // Killed mid-request, or not listening yet: not acknowledged, so send it again.
      }
      await sleep(20);
    }
    unexpected.push('a batch was never acknowledged');
  }

  const senders = Array.from({ length: SENDERS }, async (_, s) => {
    for (let n = 0; !stopping; n++) {
      const batch = Array.from({ length: BATCH }, () => makeReport({ region: 'FR' }));
      await sendUntilAcked(batch, addresses[(s * 7 + n) % addresses.length] as string);
    }
  });

  let kills = 0;
  for (; kills < KILLS; kills++) {
    ackedHere = 0;
    const deadline = Date.now() + 15_000;
    while (ackedHere < ACKS_BEFORE_KILL && Date.now() < deadline) await sleep(5);
    await sleep(Math.random() * 30);
    const next = spare ? await spare : null;
    await current.kill('SIGKILL');
    current = next ?? (await startServerProcess(env));
    if (spare) spare = startServerProcess(env);
  }
  if (spare) await (await spare).kill('SIGKILL');
  stopping = true;
  await Promise.all(senders);
  return { result: { acked, unexpected, kills }, survivor: current };
}

async function status(url: string): Promise<Omit<StatusResponse, 'generatedAt'>> {
  const { generatedAt: _, ...rest } = (await (await fetch(`${url}/v1/status?site=x.com&region=FR`)).json()) as StatusResponse;
  return rest;
}

/** The two statuses once they agree (a shared log may take a moment), or the last pair seen. */
async function bothStatuses(a: string, b: string): Promise<[Omit<StatusResponse, 'generatedAt'>, Omit<StatusResponse, 'generatedAt'>]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const pair = await Promise.all([status(a), status(b)]);
    if (JSON.stringify(pair[0]) === JSON.stringify(pair[1]) || Date.now() > deadline) return pair;
    await sleep(200);
  }
}

function expectExactlyOnce(acked: Set<string>, storedIds: string[]): void {
  const counts = new Map<string, number>();
  for (const id of storedIds) counts.set(id, (counts.get(id) ?? 0) + 1);
  const missing = [...acked].filter((id) => !counts.has(id));
  const repeated = [...counts].filter(([, n]) => n !== 1);
  expect(missing, 'acknowledged but not stored').toEqual([]);
  expect(repeated, 'stored more than once').toEqual([]);
  // Every batch was resent until acknowledged, so nothing is stored that was not acknowledged.
  expect(counts.size).toBe(acked.size);
}

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const s of spawned) await s.kill('SIGKILL');
  for (const c of cleanups) await c();
});

describe('SIGKILL under load', () => {
  it(`SQLite: ${KILLS} kills, every acknowledged report stored once, the survivor's verdict equals a fresh instance's`, async () => {
    const tmp = tempDir();
    const file = join(tmp.dir, 'crash.db');
    const env = { ...common, DATABASE_URL: `sqlite:${file}` };
    const { result, survivor } = await loadWithKills(env, false);
    cleanups.push(async () => {
      await survivor.kill('SIGKILL');
      tmp.remove();
    });
    expect(result.unexpected).toEqual([]);
    expect(result.kills).toBe(KILLS);
    expect(result.acked.size).toBeGreaterThanOrEqual(KILLS * ACKS_BEFORE_KILL * BATCH);
    const db = new Database(file, { readonly: true });
    const ids = (db.prepare('SELECT id FROM reports').all() as { id: string }[]).map((r) => r.id);
    db.close();
    expectExactlyOnce(result.acked, ids);
    const fresh = await startServerProcess(env);
    try {
      const [crashed, clean] = await bothStatuses(survivor.url, fresh.url);
      // Not an empty comparison: both count every acknowledged report, each once.
      expect(clean.regions.find((r) => r.region === 'FR')?.reports15m).toBe(result.acked.size);
      expect(crashed).toEqual(clean);
    } finally {
      await fresh.kill('SIGKILL');
    }
  }, 180_000);

  it(`PostgreSQL: ${KILLS} kills, every acknowledged report stored once, the survivor's verdict equals a fresh instance's`, async () => {
    await adminQuery('SELECT 1');
    const schema = `or_test_${randomBytes(6).toString('hex')}`;
    const env = { ...common, DATABASE_URL: PG_URL, DATABASE_SCHEMA: schema };
    const { result, survivor } = await loadWithKills(env, true);
    cleanups.push(async () => {
      await survivor.kill('SIGKILL');
      await adminQuery(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    });
    expect(result.unexpected).toEqual([]);
    expect(result.kills).toBe(KILLS);
    expect(result.acked.size).toBeGreaterThanOrEqual(KILLS * ACKS_BEFORE_KILL * BATCH);
    const client = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
    await client.connect();
    const ids = (await client.query<{ id: string }>('SELECT id FROM reports')).rows.map((r) => r.id);
    await client.end();
    expectExactlyOnce(result.acked, ids);
    const fresh = await startServerProcess(env);
    try {
      const [crashed, clean] = await bothStatuses(survivor.url, fresh.url);
      // Not an empty comparison: both count every acknowledged report, each once.
      expect(clean.regions.find((r) => r.region === 'FR')?.reports15m).toBe(result.acked.size);
      expect(crashed).toEqual(clean);
    } finally {
      await fresh.kill('SIGKILL');
    }
  }, 180_000);
});
