/**
 * The server as it runs: a real socket on 127.0.0.1, and `npm run server`'s entry as a child
 * process that must print its one ready line and stop cleanly on SIGTERM.
 */
import { spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/server/config.ts';
import { startServer } from '../../src/server/http/server.ts';
import { SqliteStorage } from '../../src/server/storage/sqlite.ts';
import { validateStatusResponse } from '../../src/shared/protocol.ts';
import { contractSenders, makeReport } from './lib/reports.ts';
import { tempDir } from './lib/temp.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function post(url: string, reports: unknown[], forwardedFor?: string) {
  return fetch(`${url}/v1/reports`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) },
    body: JSON.stringify({ reports }),
  });
}

describe('listening server', { timeout: 30_000 }, () => {
  it('takes reports over HTTP, answers status, and loses nothing acknowledged when closed mid-traffic', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.remove);
    const dbPath = join(tmp.dir, 'live.db');
    const server = await startServer(loadConfig({ PORT: '0', DATABASE_URL: `sqlite:${dbPath}`, TRUST_PROXY: '127.0.0.1', DETECT_NEWCOMER_MINUTES: '0' }));
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.port).toBeGreaterThan(0);

    const answers = await Promise.all(contractSenders().map((s) => post(server.url, [makeReport()], s.address)));
    expect(answers.map((r) => r.status)).toEqual(new Array(60).fill(202));
    const statusRes = await fetch(`${server.url}/v1/status?site=x.com&region=FR`);
    const status = validateStatusResponse(await statusRes.json());
    expect(status.ok && status.value.overall.state).toBe('outage');

    // Many requests in flight, then close: every 202 must be in the database afterwards.
    const acknowledged: string[] = [];
    let firstAck: () => void = () => undefined;
    const someAcknowledged = new Promise<void>((resolve) => (firstAck = resolve));
    const inFlight = Array.from({ length: 60 }, async () => {
      const reports = Array.from({ length: 20 }, () => makeReport());
      try {
        const res = await post(server.url, reports);
        if (res.status === 202) {
          acknowledged.push(...reports.map((r) => r.id));
          firstAck();
        }
        else expect([503]).toContain(res.status);
      } catch {
        // Refused after the listener closed: not acknowledged, nothing to check.
      }
    });
    // Close as soon as the first answer is out, with the rest still being sent or stored.
    await someAcknowledged;
    const health = fetch(`${server.url}/healthz`).then((r) => r.status, () => 'closed');
    await server.close();
    await Promise.all(inFlight);
    expect(['closed', 200, 503]).toContain(await health);
    expect(acknowledged.length).toBeGreaterThan(0);

    const reopened = new SqliteStorage(dbPath);
    cleanups.push(() => reopened.close());
    const stored = new Set((await reopened.reportsSince(0)).map((r) => r.id));
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
  }, 30_000);

  it('reads bodies off the socket: 413 for an oversized or endless body, 400 for bad UTF-8, nothing from a body cut off', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.remove);
    const dbPath = join(tmp.dir, 'bodies.db');
    const server = await startServer(loadConfig({ PORT: '0', DATABASE_URL: `sqlite:${dbPath}`, DETECT_NEWCOMER_MINUTES: '0' }));
    cleanups.push(() => server.close());
    const url = new URL(`${server.url}/v1/reports`);

    const big = JSON.stringify({ reports: [makeReport()], pad: 'x'.repeat(70 * 1024) });
    const declared = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: big });
    expect(declared.status).toBe(413);
    expect((await declared.json()).error).toBe('payload_too_large');

    // An endless chunked body: the answer comes while it is still being sent, and the connection ends.
    const endless = await new Promise<{ status: number; sent: number; connection: string | undefined }>((resolve, reject) => {
      const req = httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/json' } });
      const chunk = Buffer.alloc(16 * 1024, 0x20);
      let sent = 0;
      let answered = false;
      const pump = () => {
        while (!answered && sent < 64 * 1024 * 1024) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
      };
      req.on('response', (res) => {
        answered = true;
        res.resume();
        res.on('end', () => {
          req.destroy();
          resolve({ status: res.statusCode ?? 0, sent, connection: res.headers.connection });
        });
      });
      req.on('error', (err) => (answered ? undefined : reject(err)));
      pump();
    });
    expect(endless.status).toBe(413);
    expect(endless.connection).toBe('close');
    expect(endless.sent).toBeLessThan(64 * 1024 * 1024);

    const badUtf8 = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: new Uint8Array([0x7b, 0xff, 0x7d]) });
    expect(badUtf8.status).toBe(400);
    expect((await badUtf8.json()).error).toBe('invalid_json');

    // A body that stops half-way (the client goes away): nothing stored, the server carries on.
    const half = JSON.stringify({ reports: [makeReport()] });
    await new Promise<void>((resolve) => {
      const req = httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(half.length) } });
      req.on('error', () => resolve());
      req.write(half.slice(0, 40), () => setTimeout(() => req.destroy(), 50));
      req.on('close', () => resolve());
    });
    const whole = makeReport();
    expect((await post(server.url, [whole])).status).toBe(202);
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    const storage = new SqliteStorage(dbPath);
    cleanups.push(() => storage.close());
    expect((await storage.reportsSince(0)).map((r) => r.id)).toEqual([whole.id]);
  });

  it('answers status reads on the socket with the headers of every other answer: length, caching, CORS for the extension, gzip', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.remove);
    const server = await startServer(loadConfig({ PORT: '0', DATABASE_URL: `sqlite:${join(tmp.dir, 'reads.db')}`, TRUST_PROXY: '127.0.0.1', DETECT_NEWCOMER_MINUTES: '0' }));
    cleanups.push(() => server.close());
    await Promise.all(contractSenders().map((s) => post(server.url, [makeReport()], s.address)));
    const origin = 'moz-extension://0123abcd-4567-89ab-cdef-0123456789ab';
    const raw = (path: string, headers: Record<string, string>, method = 'GET') =>
      new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
        const req = httpRequest(new URL(`${server.url}${path}`), { method, headers });
        req.on('response', (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        });
        req.on('error', reject);
        req.end();
      });
    // Twice each: the second read of a gzipped answer reuses its prepared headers.
    for (let i = 0; i < 2; i++) {
      const zipped = await raw('/v1/status?site=x.com&region=FR', { 'accept-encoding': 'gzip, deflate, br', origin });
      expect(zipped.status).toBe(200);
      expect(zipped.headers['content-encoding']).toBe('gzip');
      expect(Number(zipped.headers['content-length'])).toBe(zipped.body.length);
      expect(zipped.headers['cache-control']).toBe('public, max-age=5');
      expect(zipped.headers['vary']).toBe('Accept-Encoding, Origin');
      expect(zipped.headers['access-control-allow-origin']).toBe(origin);
      expect(zipped.headers['access-control-expose-headers']).toBe('Retry-After');
      const status = validateStatusResponse(JSON.parse(gunzipSync(zipped.body).toString('utf8')));
      expect(status.ok && status.value.overall.state).toBe('outage');
    }
    // A web page's origin gets no CORS headers; a client without gzip gets the text, its length right.
    const plain = await raw('/v1/status?site=x.com&region=FR', { origin: 'https://x.com' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers['access-control-allow-origin']).toBeUndefined();
    expect(Number(plain.headers['content-length'])).toBe(plain.body.length);
    expect(validateStatusResponse(JSON.parse(plain.body.toString('utf8'))).ok).toBe(true);
    const head = await raw('/v1/status?site=x.com', { 'accept-encoding': 'gzip' }, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    // A bad query still goes through the whole chain: a 400 with the extension's CORS headers.
    const bad = await raw('/v1/status?site=X', { origin });
    expect(bad.status).toBe(400);
    expect(bad.headers['access-control-allow-origin']).toBe(origin);
    expect(JSON.parse(bad.body.toString('utf8'))).toMatchObject({ error: 'invalid_query', problems: [{ path: 'site' }] });
  });

  it('fails to start with a clear error when the port is taken', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.remove);
    const first = await startServer(loadConfig({ PORT: '0', DATABASE_URL: `sqlite:${join(tmp.dir, 'a.db')}` }));
    cleanups.push(() => first.close());
    await expect(startServer(loadConfig({ PORT: String(first.port), DATABASE_URL: `sqlite:${join(tmp.dir, 'b.db')}` }))).rejects.toThrow(/EADDRINUSE/);
  });
});

interface Child {
  stdout: string;
  stderr: string;
  exit: Promise<number | null>;
  kill(signal: NodeJS.Signals): void;
}

function runMain(env: Record<string, string>): Child {
  const child = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), ['src/server/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: Child = {
    stdout: '',
    stderr: '',
    exit: new Promise((resolve) => child.on('exit', (code) => resolve(code))),
    kill: (signal) => child.kill(signal),
  };
  child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
  cleanups.push(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  return out;
}

async function waitFor(check: () => boolean, what: () => string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('npm run server (src/server/main.ts)', { timeout: 60_000 }, () => {
  it('prints exactly one ready line, serves, and exits 0 on SIGTERM with reports kept', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.remove);
    const dbPath = join(tmp.dir, 'sub', 'main.db');
    const child = runMain({ PORT: '0', DATABASE_URL: `sqlite:${dbPath}` });
    await waitFor(() => child.stdout.includes('\n'), () => `no ready line; stderr: ${child.stderr}`);
    const lines = child.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const match = /^Outage Radar server listening on (http:\/\/127\.0\.0\.1:(\d+))$/.exec(lines[0] ?? '');
    expect(match).not.toBeNull();
    const url = match?.[1] ?? '';
    const report = makeReport();
    expect((await post(url, [report])).status).toBe(202);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    child.kill('SIGTERM');
    expect(await child.exit).toBe(0);
    expect(child.stdout.trim().split('\n')).toHaveLength(1);
    const reopened = new SqliteStorage(dbPath);
    cleanups.push(() => reopened.close());
    expect((await reopened.reportsSince(0)).map((r) => r.id)).toEqual([report.id]);
  });

  it('exits 1 with a clear message on bad configuration', async () => {
    const child = runMain({ PORT: 'eighty' });
    expect(await child.exit).toBe(1);
    expect(child.stderr).toMatch(/bad configuration: PORT must be an integer/);
    expect(child.stdout).toBe('');
  });

  it('exits 1 with a clear message when the database cannot be reached', async () => {
    const child = runMain({ PORT: '0', DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' });
    expect(await child.exit).toBe(1);
    expect(child.stderr).toMatch(/could not start: .*ECONNREFUSED/);
  });
});
