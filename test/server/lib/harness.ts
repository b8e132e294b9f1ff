/** A real app on a real SQLite file, driven through `app.request()` (no listening socket). */
import { join } from 'node:path';
import { loadConfig } from '../../../src/server/config.ts';
import { createApp } from '../../../src/server/http/app.ts';
import { createServices, type Services } from '../../../src/server/http/server.ts';
import { SqliteStorage } from '../../../src/server/storage/sqlite.ts';
import type { Report } from '../../../src/shared/protocol.ts';
import { tempDir } from './temp.ts';

export interface Harness {
  app: ReturnType<typeof createApp>;
  services: Services;
  storage: SqliteStorage;
  clock: { now: number };
  /** app.request with the given socket address as the peer. */
  request(path: string, init?: RequestInit, from?: string): Promise<Response>;
  postReports(reports: unknown[] | Report[], opts?: { from?: string; forwardedFor?: string; headers?: Record<string, string> }): Promise<Response>;
  close(): Promise<void>;
}

/**
 * A fixed midday for tests whose crowd browsed fine half an hour before it fails: pseudonyms and
 * network hashes are salted per UTC day, so on the wall clock such a test fails in the first half
 * hour after midnight UTC (the ok samples are yesterday's people and networks).
 */
export const MIDDAY_UTC = Date.UTC(2026, 10, 21, 12, 30, 5);

export async function makeHarness(env: Record<string, string> = {}, now = Date.now()): Promise<Harness> {
  const tmp = tempDir();
  const storage = new SqliteStorage(join(tmp.dir, 'test.db'));
  await storage.migrate();
  const config = loadConfig({ DATABASE_URL: `sqlite:${join(tmp.dir, 'test.db')}`, GROUP_COMMIT_MS: '1', ...env });
  const clock = { now };
  const services = await createServices(config, storage, () => clock.now);
  const app = createApp(services.deps);
  const request = (path: string, init: RequestInit = {}, from = '203.0.113.77') =>
    Promise.resolve(app.request(path, init, { incoming: { socket: { remoteAddress: from } } }));
  return {
    app,
    services,
    storage,
    clock,
    request,
    postReports: (reports, opts = {}) =>
      request(
        '/v1/reports',
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(opts.forwardedFor ? { 'x-forwarded-for': opts.forwardedFor } : {}),
            ...opts.headers,
          },
          body: JSON.stringify({ reports }),
        },
        opts.from,
      ),
    close: async () => {
      await services.deps.committer.flush();
      await storage.close();
      tmp.remove();
    },
  };
}
