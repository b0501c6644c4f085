import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { sql } from 'kysely';
import { inject } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../../src/platform/db/client.js';
import { migrate } from '../../src/platform/db/migrate.js';

/**
 * A fresh, migrated database for one test file, on the driver this run tests:
 * PostgreSQL when TEST_DATABASE_URL is set (a private schema, dropped afterwards), PGlite otherwise.
 */
export async function testDatabase(): Promise<DatabaseHandle> {
  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const admin = await openDatabase({ databaseUrl: url, poolSize: 1 });
    await sql.raw(`CREATE SCHEMA ${schema}`).execute(admin.db);
    await admin.close();
    const handle = await openDatabase({ databaseUrl: url, searchPath: schema, poolSize: 5 });
    await migrate(handle.db);
    return {
      ...handle,
      close: async () => {
        await handle.close();
        const cleanup = await openDatabase({ databaseUrl: url, poolSize: 1 });
        await sql.raw(`DROP SCHEMA ${schema} CASCADE`).execute(cleanup.db);
        await cleanup.close();
      },
    };
  }
  const template = await fs.readFile(inject('pgliteTemplate'));
  return openDatabase({ loadDataDir: new Blob([template]) });
}

export const driverName = process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite';
