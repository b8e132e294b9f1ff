import type { DatabaseConfig } from '../config.ts';
import { PostgresStorage } from './postgres.ts';
import { SqliteStorage } from './sqlite.ts';
import type { Storage } from './types.ts';

/** Opens the configured backend and brings its schema up to date. */
export async function openStorage(db: DatabaseConfig): Promise<Storage> {
  const storage: Storage =
    db.kind === 'sqlite' ? new SqliteStorage(db.path) : new PostgresStorage({ url: db.url, ...(db.schema ? { schema: db.schema } : {}) });
  try {
    await storage.migrate();
  } catch (err) {
    await storage.close().catch(() => undefined);
    throw err;
  }
  return storage;
}
