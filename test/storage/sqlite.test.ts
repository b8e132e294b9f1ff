import { join } from 'node:path';
import { SqliteStorage } from '../../src/server/storage/sqlite.ts';
import { tempDir } from '../server/lib/temp.ts';
import { describeStorage } from './storage-suite.ts';

describeStorage('SQLite', async () => {
  const tmp = tempDir();
  const path = join(tmp.dir, 'nested', 'reports.db');
  const storage = new SqliteStorage(path);
  await storage.migrate();
  return {
    storage,
    openAnother: async () => {
      const other = new SqliteStorage(path);
      await other.migrate();
      return other;
    },
    cleanup: async () => {
      await storage.close();
      tmp.remove();
    },
  };
});
