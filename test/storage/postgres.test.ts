/**
 * The storage suite on a real PostgreSQL. Each backend gets its own schema, dropped afterwards,
 * so runs never collide. An unreachable server FAILS these tests, with a hint on how to start one.
 */
import { randomBytes } from 'node:crypto';
import { PostgresStorage } from '../../src/server/storage/postgres.ts';
import { adminQuery, PG_URL } from './pg-admin.ts';
import { describeStorage } from './storage-suite.ts';

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
