/**
 * Small fakes of the browser pieces the background needs (storage.local, alarms), and a real
 * HTTP server on loopback standing in for the aggregation server.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes, randomUUID } from 'node:crypto';
import { createBackground } from '../../../src/background/background.ts';
import type { BackgroundDeps } from '../../../src/background/background.ts';
import type { Badge } from '../../../src/background/badge.ts';
import type { KeyValueArea } from '../../../src/background/storage-keys.ts';

/** storage.local semantics that matter: values are copied (structured clone) in and out. */
export class FakeStorage implements KeyValueArea {
  data = new Map<string, unknown>();
  writes = 0;
  async get(keys: string[]) {
    const out: Record<string, unknown> = {};
    for (const k of keys) if (this.data.has(k)) out[k] = structuredClone(this.data.get(k));
    return out;
  }
  async set(items: Record<string, unknown>) {
    this.writes++;
    for (const [k, v] of Object.entries(items)) this.data.set(k, structuredClone(v));
  }
}

export class FakeAlarms {
  alarms = new Map<string, { scheduledTime: number; periodInMinutes?: number }>();
  constructor(private now: () => number) {}
  create(name: string, info: { when?: number; periodInMinutes?: number; delayInMinutes?: number }) {
    const scheduledTime = info.when ?? this.now() + (info.delayInMinutes ?? info.periodInMinutes ?? 0) * 60_000;
    this.alarms.set(name, info.periodInMinutes !== undefined ? { scheduledTime, periodInMinutes: info.periodInMinutes } : { scheduledTime });
  }
  async get(name: string) {
    return this.alarms.get(name);
  }
}

export interface Received {
  method: string;
  url: string;
  body: string;
}

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

/** A real HTTP server on 127.0.0.1 whose answers each test programs. */
export async function startServer(handler: Handler) {
  const received: Received[] = [];
  let current = handler;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', body });
      current(req, body, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    setHandler(h: Handler) {
      current = h;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

export const EXT_ORIGIN = 'chrome-extension://abcdefghijklmnop/';
export const FROM_POPUP = { url: `${EXT_ORIGIN}src/popup/index.html` };
export const FROM_PAGE = { url: 'https://x.com/home', tab: { id: 1 } };

export function makeBackground(over: Partial<BackgroundDeps> & { clock?: { now: number } } = {}) {
  const clock = over.clock ?? { now: Date.UTC(2026, 10, 22, 12, 0, 30) };
  const storage = new FakeStorage();
  const alarms = new FakeAlarms(() => clock.now);
  const badges: { badge: Badge; region: string }[] = [];
  const scheduled: { fn: () => void; ms: number }[] = [];
  const opened: string[] = [];
  const deps: BackgroundDeps = {
    storage,
    alarms,
    fetch: (input, init) => fetch(input, init),
    now: () => clock.now,
    random: () => 0.5,
    randomUUID: () => randomUUID(),
    randomBytes: (n) => new Uint8Array(randomBytes(n)),
    timeZone: () => 'Europe/Paris',
    online: () => true,
    version: '0.1.0',
    browser: 'chrome',
    defaultEndpoint: 'http://127.0.0.1:9',
    extensionOrigin: EXT_ORIGIN,
    setBadge: async (badge, region) => void badges.push({ badge, region }),
    schedule: (fn, ms) => void scheduled.push({ fn, ms }),
    openWelcome: async () => void opened.push('welcome'),
    ...over,
  };
  const bg = createBackground(deps);
  return { bg, storage, alarms, badges, scheduled, opened, clock, deps };
}
