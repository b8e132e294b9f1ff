/**
 * The server's logs at their most verbose level, after requests carrying addresses (socket peer
 * and X-Forwarded-For), a distinctive User-Agent and distinctive body text, accepted, refused and
 * failing: the lines are JSON and hold none of those values.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/server/config.ts';
import { createApp } from '../../src/server/http/app.ts';
import { createLogger } from '../../src/server/log.ts';
import { makeHarness } from './lib/harness.ts';
import { makeReport } from './lib/reports.ts';
import { tempDir } from './lib/temp.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const PEER = '127.0.0.1';
const FORWARDED = ['198.51.100.173', '2001:db8:4f2a::9', '192.0.2.201'];
/** What no log line may contain, however it is written. */
const ADDRESS_PARTS = ['198.51.100', '2001:db8:4f2a', '2001:0db8', '192.0.2.201', '203.0.113.77'];
const USER_AGENT = 'Mozilla/5.0 (Distinctive-UA-7c1e9) NotARealBrowser/99';
const BODY_TEXT = 'body-secret-5b9d1f';
const REPORTER = 'rep_bodysecret_5b9d1f_x';
const OPERATOR_TOKEN = 'operator-token-7d3c0a9b1e';
const QUERY_TEXT = 'querysecret4e7';

function capture(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

function expectClean(log: string): void {
  for (const secret of [...ADDRESS_PARTS, USER_AGENT, 'Distinctive-UA', BODY_TEXT, REPORTER, OPERATOR_TOKEN, QUERY_TEXT]) {
    expect(log, `the log holds ${secret}`).not.toContain(secret);
  }
}

describe('structured logs', () => {
  it('in-process, at trace level: request lines and failures, never an address, user agent or body', async () => {
    const h = await makeHarness({ TRUST_PROXY: PEER, OPERATOR_TOKEN });
    cleanups.push(() => h.close());
    const out = capture();
    const app = createApp({ ...h.services.deps, log: createLogger({ level: 'trace', destination: out.stream }) });
    const send = (path: string, init: RequestInit, from = PEER) => Promise.resolve(app.request(path, init, { incoming: { socket: { remoteAddress: from } } }));
    const headers = (i: number) => ({ 'content-type': 'application/json', 'user-agent': USER_AGENT, 'x-forwarded-for': `10.1.2.3, ${FORWARDED[i % FORWARDED.length]}` });

    for (let i = 0; i < FORWARDED.length; i++) {
      const res = await send('/v1/reports', { method: 'POST', headers: headers(i), body: JSON.stringify({ reports: [makeReport({ reporter: REPORTER })] }) });
      expect(res.status).toBe(202);
    }
    // Refused: a body with the distinctive text in every string field, bad JSON, a wrong type.
    const refused = [
      { reports: [{ ...makeReport({ reporter: REPORTER }), site: BODY_TEXT, detail: { code: BODY_TEXT } }] },
      `{"reports": ["${BODY_TEXT}"`,
    ];
    expect((await send('/v1/reports', { method: 'POST', headers: headers(0), body: JSON.stringify(refused[0]) })).status).toBe(400);
    expect((await send('/v1/reports', { method: 'POST', headers: headers(1), body: refused[1] as string })).status).toBe(400);
    expect((await send('/v1/reports', { method: 'POST', headers: { ...headers(2), 'content-type': 'text/plain' }, body: BODY_TEXT })).status).toBe(415);
    expect((await send('/v1/sightings', { method: 'POST', headers: headers(0), body: JSON.stringify({ sightings: [{ text: BODY_TEXT }] }) })).status).toBe(400);
    expect((await send(`/v1/status?site=x.com&region=${QUERY_TEXT}`, { headers: headers(1) })).status).toBe(400);
    // A read answered ahead of the middleware (status-read.ts) logs the same line, query left out.
    expect((await send(`/v1/status?site=x.com&note=${QUERY_TEXT}`, { headers: headers(1) })).status).toBe(200);
    const message = { site: 'x.com', author: 'ops', text: BODY_TEXT, url: 'https://status.example/', lang: 'en' };
    expect((await send('/v1/messages', { method: 'POST', headers: { ...headers(2), authorization: `Bearer ${OPERATOR_TOKEN}` }, body: JSON.stringify(message) })).status).toBe(201);
    expect((await send('/v1/messages', { method: 'POST', headers: { ...headers(2), authorization: `Bearer ${OPERATOR_TOKEN}x` }, body: '{}' })).status).toBe(403);
    // A database that fails: the error is logged, with its message, still without the request.
    await h.storage.close();
    const failing = await send('/v1/reports', { method: 'POST', headers: headers(1), body: JSON.stringify({ reports: [makeReport({ reporter: REPORTER })] }) });
    expect(failing.status).toBe(503);

    const lines = out.text().trim().split('\n');
    const entries = lines.map((l) => JSON.parse(l) as { level: number; msg: string; path?: string; status?: number; name?: string });
    // Not vacuous: every request left a line, and the failure an error line.
    expect(entries.filter((e) => e.msg === 'request')).toHaveLength(FORWARDED.length + 9);
    expect(entries.filter((e) => e.msg === 'request' && e.path === '/v1/reports' && e.status === 202)).toHaveLength(FORWARDED.length);
    expect(entries.filter((e) => e.msg === 'request' && e.path === '/v1/status').map((e) => e.status)).toEqual([400, 200]);
    expect(entries.filter((e) => e.level === 50 && e.msg === 'storing reports failed')).toHaveLength(1);
    expect(entries.every((e) => e.name === 'outage-radar')).toBe(true);
    expectClean(out.text());
  });

  it('LOG_LEVEL takes the pino levels in any case and refuses anything else', () => {
    expect(loadConfig({}).logLevel).toBe('info');
    expect(loadConfig({ LOG_LEVEL: 'DEBUG' }).logLevel).toBe('debug');
    expect(loadConfig({ LOG_LEVEL: 'silent' }).logLevel).toBe('silent');
    expect(() => loadConfig({ LOG_LEVEL: 'verbose' })).toThrow(/LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent/);
  });

  it('the logger drops private fields even if a caller passes them', () => {
    const out = capture();
    const log = createLogger({ level: 'info', destination: out.stream });
    log.info({ ip: FORWARDED[0], headers: { 'user-agent': USER_AGENT }, body: BODY_TEXT, ctx: { address: FORWARDED[1], userAgent: USER_AGENT, kept: 'yes' } }, 'careless');
    const entry = JSON.parse(out.text()) as Record<string, unknown>;
    expect(entry.msg).toBe('careless');
    expect(entry.ctx).toEqual({ kept: 'yes' });
    expectClean(out.text());
  });

  it('the server process logs JSON on stderr at LOG_LEVEL=trace, with no address, user agent or body, and keeps its stdout line', { timeout: 60_000 }, async () => {
    const tmp = tempDir();
    cleanups.push(tmp.remove);
    const child = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), ['src/server/main.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        PORT: '0',
        DATABASE_URL: `sqlite:${join(tmp.dir, 'logs.db')}`,
        TRUST_PROXY: PEER,
        LOG_LEVEL: 'trace',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    cleanups.push(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    const deadline = Date.now() + 45_000;
    while (!/listening on http:\/\/127\.0\.0\.1:\d+\n/.test(stdout)) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no ready line; stderr: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(stdout).toMatch(/^Outage Radar server listening on http:\/\/127\.0\.0\.1:\d+\n$/);
    const url = /listening on (\S+)/.exec(stdout)?.[1] as string;
    const headers = (i: number) => ({ 'content-type': 'application/json', 'user-agent': USER_AGENT, 'x-forwarded-for': FORWARDED[i % FORWARDED.length] as string });
    for (let i = 0; i < FORWARDED.length; i++) {
      expect((await fetch(`${url}/v1/reports`, { method: 'POST', headers: headers(i), body: JSON.stringify({ reports: [makeReport({ reporter: REPORTER })] }) })).status).toBe(202);
    }
    expect((await fetch(`${url}/v1/reports`, { method: 'POST', headers: headers(0), body: `{"reports":["${BODY_TEXT}"]}` })).status).toBe(400);
    expect((await fetch(`${url}/nowhere/${QUERY_TEXT.slice(0, 3)}?q=${QUERY_TEXT}`, { headers: headers(1) })).status).toBe(404);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);

    const entries = stderr.trim().split('\n').map((l) => JSON.parse(l) as { msg: string; status?: number });
    expect(entries.filter((e) => e.msg === 'request' && e.status === 202)).toHaveLength(FORWARDED.length);
    expect(entries.some((e) => e.msg === 'listening')).toBe(true);
    expect(entries.some((e) => e.msg === 'SIGTERM received, shutting down')).toBe(true);
    expectClean(stderr);
  });
});
