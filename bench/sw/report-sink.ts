/**
 * The aggregation endpoint of the Chromium burst benchmark: takes every report batch (202) and
 * keeps the reports, so "sent" plus "still queued" is everything the background produced.
 * Status and message polls get a 503: the verdict is not what is measured.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Report } from '../../src/shared/protocol.ts';

export class ReportSink {
  private readonly server: Server;
  readonly reports: Report[] = [];
  url = '';

  constructor() {
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const cors = { 'access-control-allow-origin': '*', 'access-control-allow-headers': 'content-type', 'access-control-allow-methods': 'GET, POST, OPTIONS' };
    if (req.method === 'OPTIONS') {
      res.writeHead(204, cors).end();
      return;
    }
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (req.method === 'POST' && req.url === '/v1/reports') {
      let reports: Report[] = [];
      try {
        reports = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { reports?: Report[] }).reports ?? [];
      } catch {
        res.writeHead(400, cors).end();
        return;
      }
      this.reports.push(...reports);
      res.writeHead(202, { ...cors, 'content-type': 'application/json' }).end(JSON.stringify({ accepted: reports.length, duplicates: 0 }));
      return;
    }
    res.writeHead(503, { ...cors, 'content-type': 'application/json' }).end('{"error":"not measured here"}');
  }
}
