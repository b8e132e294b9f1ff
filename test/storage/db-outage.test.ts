/**
 * PostgreSQL going away under a running server: reports get 503 with Retry-After (never 500),
 * health turns 503, nothing is acknowledged that was not stored, and once the database is back
 * the same server takes reports again and its status follows the shared log again, without a
 * restart. The database's disappearance is a TCP proxy in front of the real PostgreSQL being
 * closed (every connection cut) and reopened on the same port: the PostgreSQL server here is
 * shared with other work and is not ours to stop.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/server/config.ts';
import { startServer, type RunningServer } from '../../src/server/http/server.ts';
import type { StatusResponse } from '../../src/shared/protocol.ts';
import { contractSenders, makeReport } from '../server/lib/reports.ts';
import { adminQuery, PG_URL } from './pg-admin.ts';

const schema = `or_test_${randomBytes(6).toString('hex')}`;
const target = new URL(PG_URL);

/** A TCP proxy to PostgreSQL that can be cut (listener closed, every connection destroyed) and reopened. */
class CuttableProxy {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  async open(): Promise<void> {
    const server = net.createServer((client) => {
      const upstream = net.connect(Number(target.port || 5432), target.hostname);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async cut(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

const proxy = new CuttableProxy();
let server: RunningServer | null = null;

afterAll(async () => {
  await server?.close().catch(() => undefined);
  await proxy.cut();
  await adminQuery(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
});

async function post(url: string, from: string, region: string): Promise<Response> {
  return fetch(`${url}/v1/reports`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': from },
    body: JSON.stringify({ reports: [makeReport({ region })] }),
  });
}

async function regionCount(url: string, region: string): Promise<number> {
  const s = (await (await fetch(`${url}/v1/status?site=x.com&region=${region}`)).json()) as StatusResponse;
  return s.regions.find((r) => r.region === region)?.reports15m ?? 0;
}

async function until(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

describe('PostgreSQL away and back under a running server', () => {
  it('answers 503 with Retry-After while the database is away and recovers on its own', async () => {
    await adminQuery('SELECT 1');
    await proxy.open();
    const url = new URL(PG_URL);
    url.port = String(proxy.port);
    url.hostname = '127.0.0.1';
    server = await startServer(
      loadConfig({ PORT: '0', DATABASE_URL: url.toString(), DATABASE_SCHEMA: schema, TRUST_PROXY: '127.0.0.1', DETECT_NEWCOMER_MINUTES: '0' }),
    );
    const senders = contractSenders();
    let acked = 0;
    for (const s of senders.slice(0, 30)) {
      expect((await post(server.url, s.address, 'FR')).status).toBe(202);
      acked++;
    }

    await proxy.cut();
    const during = await Promise.all(senders.slice(30).map((s) => post(server!.url, s.address, 'FR')));
    for (const res of during) {
      expect(res.status).toBe(503);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      await res.text();
    }
    expect((await fetch(`${server.url}/healthz`)).status).toBe(503);
    // Reads keep answering from memory meanwhile.
    expect((await fetch(`${server.url}/v1/status?site=x.com`)).status).toBe(200);

    await proxy.open();
    const back = await until(async () => (await fetch(`${server!.url}/healthz`)).status === 200, 20_000);
    expect(back, 'health back to 200 once the database is reachable again').toBe(true);
    for (const s of senders.slice(30)) {
      const res = await post(server.url, s.address, 'FR');
      expect(res.status).toBe(202);
      acked++;
    }
    // The status follows the log again: every acknowledged report counted, each once.
    expect(await until(async () => (await regionCount(server!.url, 'FR')) === acked, 10_000)).toBe(true);
    expect(await regionCount(server.url, 'FR')).toBe(60);
  }, 60_000);
});
