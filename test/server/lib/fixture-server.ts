/**
 * A real HTTP server on 127.0.0.1 that answers with committed fixture files, so the pollers are
 * tested over the network exactly as they run, only against a local address.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

export interface FixtureAnswer {
  status?: number;
  /** A file under test/server/fixtures, or a raw body. */
  file?: string;
  body?: string;
  headers?: Record<string, string>;
}

export interface SeenRequest {
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
}

export interface FixtureServer {
  url: string;
  seen: SeenRequest[];
  /** Sets the answers for a path; each request takes the next one, the last one repeats. */
  route(path: string, ...answers: FixtureAnswer[]): void;
  close(): Promise<void>;
}

export async function startFixtureServer(): Promise<FixtureServer> {
  const routes = new Map<string, FixtureAnswer[]>();
  const seen: SeenRequest[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    seen.push({ path: url.pathname, query: url.searchParams, headers: req.headers });
    const answers = routes.get(url.pathname);
    const answer = answers && answers.length > 1 ? answers.shift() : answers?.[0];
    if (!answer) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"title":"Not Found"}');
      return;
    }
    const body = answer.file ? readFileSync(join(FIXTURES, answer.file)) : (answer.body ?? '');
    res.writeHead(answer.status ?? 200, { 'content-type': 'application/json', ...answer.headers }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    route: (path, ...answers) => routes.set(path, answers),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
