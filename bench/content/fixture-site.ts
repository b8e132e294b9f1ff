import { createServer, type Server } from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { makeSelfSignedCert } from '../lib/self-signed-cert.ts';

/** What the synthetic timeline does; every number is a count, never a duration. */
export interface WorkloadConfig {
  seed: number;
  /** Animation frames of scrolling; the whole run is exactly this many steps. */
  steps: number;
  initialCells: number;
  /** Cells kept in the DOM (x.com virtualises its timeline the same way). */
  maxCells: number;
  counterUpdatesPerStep: number;
  /** Every this many posts carries a video player (x.com's timelines are full of them). */
  videoEveryPosts: number;
  /** Players whose controls appear or go (hover) each step: React mounts and unmounts them. */
  playerControlTogglesPerStep: number;
  timeUpdatesPerStep: number;
  attributeTogglesPerStep: number;
  restylesPerStep: number;
  /** The page asks its API for more posts every this many steps. */
  requestEverySteps: number;
  toastAt: number;
  inlineErrorAt: number;
  errorVisibleSteps: number;
}

export const HOSTS = ['x.com', 'api.x.com', 'twitter.com'] as const;
/** The API page (cursor) that answers HTTP 200 with a server error in errors[], like a partial outage. */
export const FAILING_CURSOR = 3;

const workloadScript = readFileSync(new URL('./timeline-workload.js', import.meta.url), 'utf8');

// Inline scripts: a closing script tag inside them would end the element early.
const inlineSafe = (js: string): string => js.replace(/<\/script/gi, '<\\/script');

export function timelinePageHtml(config: WorkloadConfig): string {
  return `<!doctype html>
<html lang="en" dir="ltr"><head><meta charset="utf-8"><title>Home / X</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<style>
body { margin: 0; font: 15px/20px system-ui, sans-serif; }
#react-root > div { display: flex; }
header[role=banner] { width: 260px; }
main { display: flex; flex: 1; }
[data-testid=primaryColumn] { width: 600px; border-inline: 1px solid #eee; }
[data-testid=sidebarColumn] { width: 350px; padding: 0 16px; }
[data-testid=cellInnerDiv] article { display: grid; grid-template-columns: 48px 1fr; gap: 4px 12px; padding: 12px 16px; border-bottom: 1px solid #eee; }
[data-testid=Tweet-User-Avatar] img { width: 40px; height: 40px; border-radius: 50%; background: #ccc; }
[role=group] { display: flex; justify-content: space-between; grid-column: 2; }
[role=group] button { background: none; border: 0; display: flex; gap: 4px; }
[data-hovered] { background: #f7f9f9; }
#layers { position: fixed; bottom: 24px; left: 50%; }
[data-testid=toast] { background: #1d9bf0; color: white; padding: 12px; border-radius: 4px; }
</style></head>
<body><div id="react-root"></div>
<script>window.__BENCH_CONFIG__ = ${JSON.stringify(config)};</script>
<script>${inlineSafe(workloadScript)}</script>
</body></html>`;
}

/** A page of home timeline results shaped like x.com's GraphQL answers (about 25 KB of JSON). */
export function homeTimelineBody(cursor: number): string {
  const entries = Array.from({ length: 20 }, (_, i) => {
    const id = String(1_800_000_000_000 + cursor * 100 + i);
    return {
      entryId: `tweet-${id}`,
      sortIndex: id,
      content: {
        entryType: 'TimelineTimelineItem',
        itemContent: {
          itemType: 'TimelineTweet',
          tweet_results: {
            result: {
              __typename: 'Tweet',
              rest_id: id,
              core: { user_results: { result: { rest_id: String(1000 + i), legacy: { name: `User ${i}`, screen_name: `user${i}`, followers_count: i * 37 } } } },
              legacy: {
                full_text: `Post ${id}: ${'lorem ipsum dolor sit amet '.repeat(4 + (i % 5))}`,
                favorite_count: (cursor * 31 + i * 7) % 5000,
                retweet_count: (cursor * 17 + i * 3) % 900,
                reply_count: (cursor + i) % 120,
                created_at: new Date(1_700_000_000_000 + (cursor * 20 + i) * 60_000).toUTCString(),
                entities: { hashtags: [], urls: [], user_mentions: [] },
              },
              views: { count: String(10_000 + cursor * 100 + i), state: 'EnabledWithCount' },
            },
          },
        },
      },
    };
  });
  const data = { home: { home_timeline_urt: { instructions: [{ type: 'TimelineAddEntries', entries }] } } };
  if (cursor === FAILING_CURSOR) {
    return JSON.stringify({
      errors: [{ message: 'Timeout: Unspecified', code: 29, kind: 'ServiceLevel', name: 'DeadlineExceeded', source: 'Server', tracing: { trace_id: '0000000000000000' } }],
      data,
    });
  }
  return JSON.stringify({ data });
}

export interface FixtureSite {
  port: number;
  /** Requests served per path kind, to check the workload really exercised the API path. */
  counts: { pages: number; api: number; other: number };
  close(): Promise<void>;
}

/** Serves the synthetic x.com on loopback over HTTPS; the browser maps x.com to it. */
export async function startFixtureSite(config: WorkloadConfig): Promise<FixtureSite> {
  const { key, cert } = makeSelfSignedCert(HOSTS);
  const page = timelinePageHtml(config);
  const counts = { pages: 0, api: 0, other: 0 };
  const server: Server = createServer({ key, cert }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://x.com');
    if (url.pathname === '/home') {
      counts.pages++;
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(page);
      return;
    }
    const api = /^\/i\/api\/graphql\/[^/]+\/HomeTimeline$/.exec(url.pathname);
    if (api) {
      counts.api++;
      let cursor = 0;
      try {
        const variables = JSON.parse(url.searchParams.get('variables') ?? '{}') as { cursor?: unknown };
        cursor = typeof variables.cursor === 'number' ? variables.cursor : 0;
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end('{"errors":[{"message":"bad variables","code":214}]}');
        return;
      }
      res.writeHead(200, {
        'content-type': 'application/json; charset=utf-8',
        'cache-control': 'no-store',
        'x-rate-limit-limit': '500',
        'x-rate-limit-remaining': String(499 - cursor),
        'x-rate-limit-reset': '1700000900',
      });
      res.end(homeTimelineBody(cursor));
      return;
    }
    counts.other++;
    res.writeHead(url.pathname === '/favicon.ico' ? 204 : 404, { 'cache-control': 'no-store' });
    res.end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    counts,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
