import type { Transaction } from 'kysely';
import type { Db } from './client.js';
import type { Database } from './schema.js';

export type Tx = Transaction<Database>;

/**
 * Runs `fn` in a transaction. Every state change and its audit event go through here, so that
 * both are committed together or not at all.
 */
export function withTransaction<T>(db: Db, fn: (trx: Tx) => Promise<T>): Promise<T> {
  return db.transaction().execute(fn);
}
