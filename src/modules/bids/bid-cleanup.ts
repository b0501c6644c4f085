/**
 * The cleanup pass of the content-addressed store (issue 4). A bid's pieces are stored before the
 * transaction that references them (two-phase submission), so a crash, an abandoned upload or a
 * refused submission leaves content no row points at. This pass removes such content once it is
 * older than a grace period, long enough for a client that is still uploading the rest of its bid.
 *
 * The store is shared: tender documents live there too, and so may later content (the opening's
 * plaintext). Rather than a fixed list, every column named `sha256` in the schema counts as a
 * reference, so a new table that stores content is protected as soon as it names its column that
 * way; the known referencing tables are checked to be among them. The documents of contracts
 * (contract_document, 0021) are such a table; the digests contract events name
 * (contract_event.documents, an array) count too, so a published act never loses its documents.
 */
import { sql } from 'kysely';
import type { Db } from '../../platform/db/client.js';
import { withTransaction } from '../../platform/db/tx.js';
import type { BlobStore } from '../../platform/storage/blob-store.js';
import { lockBlob } from '../tenders/tender-document.repo.js';

export const DEFAULT_GRACE_MINUTES = 60;

export type CleanupReport = { scanned: number; kept: number; removed: string[]; temporaryRemoved: number };

/** Tables (of the current schema) with a `sha256` column: each row's value is a stored blob. */
async function referencingTables(db: Db): Promise<string[]> {
  const rows = await sql<{ table_name: string }>`
    SELECT c.table_name FROM information_schema.columns c
    JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
    WHERE c.table_schema = current_schema() AND c.column_name = 'sha256' AND t.table_type = 'BASE TABLE'
    ORDER BY c.table_name`.execute(db);
  const tables = rows.rows.map((r) => r.table_name);
  for (const known of ['tender_document', 'bid_blob', 'contract_document']) {
    if (!tables.includes(known)) throw new Error(`cleanup: table ${known} has no sha256 column any more`);
  }
  return tables;
}

async function referenced(db: Db, tables: readonly string[], sha256: string): Promise<boolean> {
  for (const table of tables) {
    const r = await sql<{
      one: number;
    }>`SELECT 1 AS one FROM ${sql.table(table)} WHERE sha256 = ${sha256} LIMIT 1`.execute(db);
    if (r.rows.length > 0) return true;
  }
  const named = await sql<{
    one: number;
  }>`SELECT 1 AS one FROM contract_event WHERE documents @> ARRAY[${sha256}::text] LIMIT 1`.execute(db);
  return named.rows.length > 0;
}

/**
 * Removes every stored blob that no row references and that was stored before `now - grace`, and
 * unfinished uploads older than that. Each removal happens under the per-content lock that a
 * submission takes before checking a piece is stored, so a bid committed at this very moment
 * keeps its pieces.
 */
export async function cleanupStorage(opts: {
  db: Db;
  store: BlobStore;
  now: Date;
  graceMinutes?: number;
}): Promise<CleanupReport> {
  const grace = (opts.graceMinutes ?? DEFAULT_GRACE_MINUTES) * 60_000;
  const before = new Date(opts.now.getTime() - grace);
  const tables = await referencingTables(opts.db);
  const report: CleanupReport = { scanned: 0, kept: 0, removed: [], temporaryRemoved: 0 };
  for await (const blob of opts.store.list()) {
    report.scanned += 1;
    if (blob.storedAt >= before) {
      report.kept += 1;
      continue;
    }
    const removed = await withTransaction(opts.db, async (trx) => {
      await lockBlob(trx, blob.sha256);
      if (await referenced(trx as unknown as Db, tables, blob.sha256)) return false;
      await opts.store.delete(blob.sha256);
      return true;
    });
    if (removed) report.removed.push(blob.sha256);
    else report.kept += 1;
  }
  report.temporaryRemoved = await opts.store.sweepTemporary(before);
  return report;
}
