/**
 * The baseline of the server benchmark: the same stack (Hono on @hono/node-server, one Node
 * process) answering a constant JSON body, so the real server's rates can be read as a share of
 * what the stack itself does on this machine in the same run.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const app = new Hono();
const sized = new Map<number, string>();
// ?bytes=N: a constant JSON body of about N bytes, to compare with an answer of that size.
app.get('/hello', (c) => {
  const bytes = Math.min(Number(c.req.query('bytes') ?? 0) || 0, 1_000_000);
  if (!bytes) return c.json({ hello: 'world' });
  let body = sized.get(bytes);
  if (body === undefined) {
    body = JSON.stringify({ hello: 'x'.repeat(Math.max(0, bytes - 12)) });
    sized.set(bytes, body);
  }
  c.header('content-type', 'application/json');
  return c.body(body);
});
// Reads the body like the real ingest does, and answers 202 like it, without storing anything.
app.post('/hello', async (c) => {
  await c.req.text();
  return c.json({ accepted: 0, duplicates: 0 }, 202);
});

const server = serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 0), hostname: '127.0.0.1' }) as Server;
server.once('listening', () => {
  console.log(`hello-world listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
