/** Shared PostgreSQL test plumbing: where the server is, and a failing check when it is not there. */
import pg from 'pg';

export const PG_URL = process.env.DATABASE_URL_TEST || 'postgres://postgres@127.0.0.1:5432/test';

export async function adminQuery(sql: string): Promise<void> {
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
