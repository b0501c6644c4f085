import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/platform/db/client.js';

const url = process.env.TEST_DATABASE_URL;

// PostgreSQL only: PGlite has no server that could end a connection.
describe.skipIf(!url)('PostgreSQL pool (TEST_DATABASE_URL set)', () => {
  it('survives the server ending an idle connection, and the next query gets a new one', async () => {
    const lost: Error[] = [];
    const handle = await openDatabase({ databaseUrl: url, poolSize: 1, onIdleError: (e) => lost.push(e) });
    const admin = await openDatabase({ databaseUrl: url, poolSize: 1 });
    try {
      const pid = (await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(handle.db)).rows[0]
        ?.pid;
      expect(pid).toBeTypeOf('number');
      await sql`SELECT pg_terminate_backend(${pid}::int)`.execute(admin.db);
      await expect.poll(() => lost.length).toBe(1);
      expect(lost[0]?.message).toMatch(/terminat/);
      const again = (await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(handle.db)).rows[0]
        ?.pid;
      expect(again).not.toBe(pid);
    } finally {
      await handle.close();
      await admin.close();
    }
  });
});
