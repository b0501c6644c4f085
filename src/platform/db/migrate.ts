import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { Db } from './client.js';

/** The package's migrations/ folder, found upwards from this file (in src/ or in the dist/ bundle). */
function findMigrationsDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'migrations');
    if (existsSync(path.join(dir, 'package.json')) && existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('migrations/ folder not found');
    dir = parent;
  }
}

export const MIGRATIONS_DIR = findMigrationsDir();

type MigrationFile = { version: number; name: string; sql: string; checksum: string };

async function readMigrations(dir: string): Promise<MigrationFile[]> {
  const names = (await fs.readdir(dir)).filter((n) => /^\d{4}_[a-z0-9_]+\.sql$/.test(n)).sort();
  return Promise.all(
    names.map(async (name) => {
      const text = await fs.readFile(path.join(dir, name), 'utf8');
      return {
        version: Number(name.slice(0, 4)),
        name,
        sql: text,
        checksum: createHash('sha256').update(text).digest('hex'),
      };
    }),
  );
}

// An arbitrary constant: the advisory lock that keeps two starting servers from migrating at once.
const MIGRATION_LOCK_KEY = 4_815_162_342;

/**
 * Applies the pending migrations, each in its own transaction, and records them. Safe to call on
 * every start: applied versions are skipped, and an applied file whose text changed is refused
 * (a migration, once run somewhere, is never edited; add a new one).
 */
export async function migrate(db: Db, dir = MIGRATIONS_DIR): Promise<string[]> {
  const files = await readMigrations(dir);
  await sql`CREATE TABLE IF NOT EXISTS schema_migration (
    version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now())`.execute(db);
  // The usual start: everything applied. One read answers it, with no transaction or lock.
  const done = new Map(
    (await db.selectFrom('schema_migration').select(['version', 'checksum']).execute()).map((r) => [
      r.version,
      r.checksum,
    ]),
  );
  const changed = files.find((f) => done.has(f.version) && done.get(f.version) !== f.checksum);
  if (changed) throw new Error(`Migration ${changed.name} was changed after being applied`);
  const applied: string[] = [];
  for (const file of files.filter((f) => !done.has(f.version))) {
    const done = await db.transaction().execute(async (trx) => {
      await sql`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`.execute(trx);
      const row = await trx
        .selectFrom('schema_migration')
        .select(['checksum'])
        .where('version', '=', file.version)
        .executeTakeFirst();
      if (row) {
        if (row.checksum !== file.checksum) {
          throw new Error(`Migration ${file.name} was changed after being applied`);
        }
        return false;
      }
      await sql.raw(file.sql).execute(trx);
      await trx
        .insertInto('schema_migration')
        .values({ version: file.version, name: file.name, checksum: file.checksum })
        .execute();
      return true;
    });
    if (done) applied.push(file.name);
  }
  return applied;
}
