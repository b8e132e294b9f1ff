/**
 * The storage suite on a real PostgreSQL. Each backend gets its own schema, dropped afterwards,
 * so runs never collide. An unreachable server FAILS these tests, with a hint on how to start one.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PostgresStorage } from '../../src/server/storage/postgres.ts';
import { describeStorage } from './storage-suite.ts';

export const PG_URL = process.env.DATABASE_URL_TEST || 'postgres://postgres@127.0.0.1:5432/test';

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(
      `PostgreSQL is not reachable at ${PG_URL} (${err instanceof Error ? err.message : String(err)}). ` +
        'Start it (e.g. `sudo service postgresql start`, or `docker run -d -p 5432:5432 -e POSTGRES_HOST_AUTH_METHOD=trust postgres:16` ' +
        'and create database "test"), or point DATABASE_URL_TEST at a server you may create schemas in.',
    );
  }
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

describeStorage('PostgreSQL', async () => {
  const schema = `or_test_${randomBytes(6).toString('hex')}`;
  await adminQuery('SELECT 1');
  const storage = new PostgresStorage({ url: PG_URL, schema });
  await storage.migrate();
  return {
    storage,
    openAnother: async () => {
      const other = new PostgresStorage({ url: PG_URL, schema });
      await other.migrate();
      return other;
    },
    cleanup: async () => {
      await storage.close().catch(() => undefined);
      await adminQuery(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    },
  };
});
