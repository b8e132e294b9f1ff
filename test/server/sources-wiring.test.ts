/**
 * The sources as an operator runs them: `npm run server`'s entry as a child process, configured
 * only through the environment (FEED_URLS, STATUSPAGE_URLS, X_BEARER_TOKEN + X_API_BASE) against a
 * local fixture server, and the messages read back through GET /v1/messages. One feed is broken:
 * it must cost one line on stderr and nothing else.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { validateMessagesResponse, type OfficialMessage } from '../../src/shared/protocol.ts';
import { startFixtureServer } from './lib/fixture-server.ts';
import { tempDir } from './lib/temp.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function waitFor<T>(probe: () => Promise<T | null>, what: () => string, ms = 45_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const got = await probe().catch(() => null);
    if (got !== null) return got;
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('message sources wired into the running server', { timeout: 90_000 }, () => {
  it('shows feed, Statuspage and X API messages through GET /v1/messages, newest first, a broken feed aside', async () => {
    const fx = await startFixtureServer();
    cleanups.push(() => fx.close());
    const rss = { 'content-type': 'application/rss+xml' };
    fx.route('/@xsupport.rss', { file: 'feeds/mastodon-profile.rss', headers: rss });
    fx.route('/history.atom', { file: 'feeds/statuspage-history.atom', headers: { 'content-type': 'application/atom+xml' } });
    fx.route('/broken.rss', { status: 502, body: '<html>bad gateway</html>', headers: { 'content-type': 'text/html' } });
    fx.route('/api/v2/incidents.json', { file: 'statuspage-incidents.json' });
    fx.route('/2/users/by/username/Support', { file: 'x-user-support.json' });
    fx.route('/2/users/17874544/tweets', { file: 'x-tweets-support-1.json' });

    const tmp = tempDir();
    cleanups.push(tmp.remove);
    const child = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), ['src/server/main.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        PORT: '0',
        DATABASE_URL: `sqlite:${join(tmp.dir, 'wiring.db')}`,
        FEED_URLS: `${fx.url}/@xsupport.rss,${fx.url}/broken.rss,${fx.url}/history.atom`,
        STATUSPAGE_URLS: `${fx.url}/api/v2/incidents.json`,
        X_BEARER_TOKEN: 'test-bearer',
        X_API_BASE: fx.url,
        X_ACCOUNTS: 'Support',
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

    const url = await waitFor(
      async () => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1] ?? null,
      () => `no ready line; stderr: ${stderr}`,
    );
    // 3 Mastodon posts + 3 history.atom incidents + 3 Statuspage updates + 2 X API posts.
    const messages = await waitFor(
      async () => {
        const res = await fetch(`${url}/v1/messages?site=x.com`);
        const body = validateMessagesResponse(await res.json());
        if (!body.ok) throw new Error(JSON.stringify(body.problems));
        return body.value.messages.length >= 11 ? body.value.messages : null;
      },
      () => `messages never reached 11; requests seen: ${fx.seen.map((r) => r.path).join(' ')}; stderr: ${stderr}`,
    );

    expect(messages).toHaveLength(11);
    const bySource = (s: OfficialMessage['source']) => messages.filter((m) => m.source === s);
    expect(bySource('feed').map((m) => m.author).sort()).toEqual([
      'X API Status - Incident History',
      'X API Status - Incident History',
      'X API Status - Incident History',
      'X Support (mirror)',
      'X Support (mirror)',
      'X Support (mirror)',
    ]);
    expect(bySource('statuspage')).toHaveLength(3);
    expect(bySource('x-api').map((m) => m.author)).toEqual(['@Support', '@Support']);
    expect(messages.map((m) => m.publishedAt)).toEqual([...messages.map((m) => m.publishedAt)].sort((a, b) => b - a));
    expect(messages.every((m) => /^https?:\/\//.test(m.url))).toBe(true);
    expect(messages.map((m) => m.text)).toContain("Timelines are loading again for most people. We're keeping an eye on it. #XDown");

    // The broken feed: one log line on stderr naming it (a JSON warning), and the server is healthy.
    const brokenLines = stderr.split('\n').filter((l) => l.includes('broken.rss'));
    expect(brokenLines).toHaveLength(1);
    const broken = JSON.parse(brokenLines[0] ?? '') as { level: number; source: string; msg: string };
    expect(broken.level).toBe(40);
    expect(broken.source).toMatch(/^feed 127\.0\.0\.1:\d+\/broken\.rss$/);
    expect(broken.msg).toMatch(/^source feed 127\.0\.0\.1:\d+\/broken\.rss: answered HTTP 502 \(next try in \d+ s\)$/);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
