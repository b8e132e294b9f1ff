/**
 * The real aggregation server (src/server/main.ts, on a throwaway SQLite file), and a recording
 * proxy in front of it that the extension talks to, so a test sees the exact bytes the browser
 * sent while the real server still decides what to answer.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './paths.ts';
import { waitFor, withTimeout } from './wait.ts';

export const OPERATOR_TOKEN = 'e2e-operator-token-7c1d2b';
const READY_RE = /Outage Radar server listening on (http:\/\/\S+)/;

export class AggregationServer {
  private child: ChildProcess | null = null;
  private output = '';
  private readonly dir = mkdtempSync(join(tmpdir(), 'outage-radar-e2e-server-'));
  url = '';

  /** `env`: extra settings for this server, e.g. PRIVACY_K. */
  constructor(private readonly env: Record<string, string> = {}) {}

  /** Starts `tsx src/server/main.ts` and waits for its "listening" line. */
  async start(timeoutMs = 30_000): Promise<this> {
    const tsx = join(REPO_ROOT, 'node_modules/.bin/tsx');
    const child = spawn(tsx, ['src/server/main.ts'], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        PORT: '0',
        HOST: '127.0.0.1',
        DATABASE_URL: `sqlite:${join(this.dir, 'db.sqlite')}`,
        OPERATOR_TOKEN,
        TRUST_PROXY: '127.0.0.1',
        // The server must not reach out to X or status pages from a test.
        X_BEARER_TOKEN: '',
        STATUSPAGE_URLS: '',
        // The crowd these tests post has no history on the real clock; the newcomer rule (its
        // pseudonyms must be known 10 minutes before they count) is tested in test/server.
        DETECT_NEWCOMER_MINUTES: '0',
        ...this.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so stopping it also stops the node process tsx starts.
      detached: true,
    });
    this.child = child;
    child.stdout?.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.output += d.toString()));
    let exited: string | null = null;
    child.on('exit', (code, signal) => (exited = `exited with ${code ?? signal}`));
    this.url = await waitFor(
      () => {
        if (exited) throw new Error(`the server ${exited} before it was ready:\n${this.output.slice(-3000)}`);
        return READY_RE.exec(this.output)?.[1];
      },
      { timeoutMs, intervalMs: 100, what: `the server's "listening" line (output so far: ${JSON.stringify(this.output.slice(-500))})` },
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n--- server output ---\n${this.output.slice(-3000)}`);
    });
    this.url = this.url.replace(/\/$/, '');
    return this;
  }

  get log(): string {
    return this.output;
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (child?.pid && child.exitCode === null && child.signalCode === null) {
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      await withTimeout(gone, 5_000, 'server exit after SIGTERM').catch(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          /* already gone */
        }
      });
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface RecordedExchange {
  method: string;
  path: string;
  requestHeaders: IncomingMessage['headers'];
  /** The request body exactly as the browser sent it. */
  body: string;
  status: number;
  responseBody: string;
  at: number;
}

/** Forwards everything to the real server and keeps each exchange. */
export class RecordingProxy {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  readonly exchanges: RecordedExchange[] = [];
  url = '';

  constructor(private readonly upstream: string) {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const target = new URL(req.url ?? '/', this.upstream);
        const headers = { ...req.headers, host: target.host };
        const up = request(target, { method: req.method, headers }, (upRes) => {
          const out: Buffer[] = [];
          upRes.on('data', (c: Buffer) => out.push(c));
          upRes.on('end', () => {
            const responseBody = Buffer.concat(out);
            this.exchanges.push({
              method: req.method ?? '',
              path: req.url ?? '',
              requestHeaders: req.headers,
              body: body.toString('utf8'),
              status: upRes.statusCode ?? 0,
              responseBody: responseBody.toString('utf8'),
              at: Date.now(),
            });
            const resHeaders = { ...upRes.headers };
            delete resHeaders['transfer-encoding'];
            resHeaders['content-length'] = String(responseBody.length);
            res.writeHead(upRes.statusCode ?? 502, resHeaders).end(responseBody);
          });
        });
        up.on('error', (err) => res.writeHead(502).end(`recording proxy: ${err.message}`));
        up.end(body);
      });
    });
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  async start(): Promise<this> {
    const port = await new Promise<number>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve((this.server.address() as AddressInfo).port));
    });
    this.url = `http://127.0.0.1:${port}`;
    return this;
  }

  /** POST /v1/reports exchanges. */
  reportPosts(): RecordedExchange[] {
    return this.exchanges.filter((e) => e.method === 'POST' && e.path.startsWith('/v1/reports'));
  }

  statusGets(): RecordedExchange[] {
    return this.exchanges.filter((e) => e.method === 'GET' && e.path.startsWith('/v1/status'));
  }

  messageGets(): RecordedExchange[] {
    return this.exchanges.filter((e) => e.method === 'GET' && e.path.startsWith('/v1/messages'));
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

/** A server and its recording proxy, started and stopped together. */
export async function startBackend(
  env: Record<string, string> = {},
): Promise<{ server: AggregationServer; proxy: RecordingProxy; stop: () => Promise<void> }> {
  const server = await new AggregationServer(env).start();
  let proxy: RecordingProxy;
  try {
    proxy = await new RecordingProxy(server.url).start();
  } catch (err) {
    await server.stop();
    throw err;
  }
  return {
    server,
    proxy,
    stop: async () => {
      await proxy.stop();
      await server.stop();
    },
  };
}
