import type { Transaction } from 'kysely';
import type { Db } from './client.js';
import type { Database } from './schema.js';

export type Tx = Transaction<Database>;

/**
 * Runs `fn` in a transaction. Every state change and its audit event go through here, so that
 * both are committed together or not at all.
 *
 * Given a transaction already, `fn` joins it instead of opening another (Kysely cannot nest
 * them): a use-case that builds on another one (a planned contract starting its procurement file
 * through `createTender`) then commits or rolls back as one.
 */
export function withTransaction<T>(db: Db | Tx, fn: (trx: Tx) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db as Tx);
  return db.transaction().execute(fn);
}
