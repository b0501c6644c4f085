import { type SqlBool, sql } from 'kysely';
import type { Db } from '../../platform/db/client.js';
import type { Tx } from '../../platform/db/tx.js';

type Q = Db | Tx;

/** Status and version of a file, within its authority; `forUpdate` locks the row until commit. */
export async function tenderState(
  db: Q,
  authorityId: string,
  id: string,
  opts: { forUpdate?: boolean } = {},
) {
  let q = db
    .selectFrom('tender')
    .select(['id', 'status', 'version'])
    .where('authority_id', '=', authorityId)
    .where('id', '=', id);
  if (opts.forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

/** Sets the status and version a document change leaves the file in. */
export async function markTenderChanged(
  trx: Tx,
  authorityId: string,
  id: string,
  change: { status: string; version: number; at: Date },
): Promise<void> {
  await trx
    .updateTable('tender')
    .set({ status: change.status, version: change.version, updated_at: change.at })
    .where('id', '=', id)
    .where('authority_id', '=', authorityId)
    .execute();
}

export type NewDocumentRow = {
  id: string;
  tenderId: string;
  authorityId: string;
  kind: string;
  title: string;
  fileName: string;
  contentType: string;
  size: number;
  sha256: string;
  uploadedBy: string;
  createdAt: Date;
};

export async function insertDocument(trx: Tx, row: NewDocumentRow): Promise<void> {
  await trx
    .insertInto('tender_document')
    .values({
      id: row.id,
      tender_id: row.tenderId,
      authority_id: row.authorityId,
      kind: row.kind,
      title: row.title,
      file_name: row.fileName,
      content_type: row.contentType,
      size_bytes: row.size,
      sha256: row.sha256,
      uploaded_by: row.uploadedBy,
      created_at: row.createdAt,
    })
    .execute();
}

const documentColumns = [
  'id',
  'kind',
  'title',
  'file_name',
  'content_type',
  'size_bytes',
  'sha256',
  'created_at',
  'superseded_at',
] as const;

/** The current documents of a file (not superseded by a corrigendum), in upload order. */
export function listDocumentRows(db: Q, authorityId: string, tenderId: string) {
  return db
    .selectFrom('tender_document')
    .select(documentColumns)
    .where('authority_id', '=', authorityId)
    .where('tender_id', '=', tenderId)
    .where('superseded_at', 'is', null)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export function findDocumentRow(db: Q, authorityId: string, tenderId: string, id: string) {
  return db
    .selectFrom('tender_document')
    .select(documentColumns)
    .where('authority_id', '=', authorityId)
    .where('tender_id', '=', tenderId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export type DocumentRow = NonNullable<Awaited<ReturnType<typeof findDocumentRow>>>;

/**
 * A document that a published notice of the tender lists, by the tender's ocid. The notice
 * snapshot (jsonb) is searched by containment, so only what was published is found.
 */
export function findPublishedDocumentRow(db: Q, ocid: string, id: string) {
  return db
    .selectFrom('tender_document as d')
    .innerJoin('tender as t', 't.id', 'd.tender_id')
    .select(documentColumns.map((c) => `d.${c}` as const))
    .where('t.ocid', '=', ocid)
    .where('t.status', 'in', ['published', 'cancelled'])
    .where('d.id', '=', id)
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('tender_notice as n')
          .select('n.id')
          .whereRef('n.tender_id', '=', 't.id')
          .where(
            sql<SqlBool>`n.snapshot @> jsonb_build_object('documents', jsonb_build_array(jsonb_build_object('id', ${id}::text)))`,
          ),
      ),
    )
    .executeTakeFirst();
}

/**
 * Whether any document row, of any authority, points at this content. Deliberately not filtered
 * by authority: the store is shared, and content is removed only when no one uses it.
 */
export async function blobIsReferenced(db: Q, sha256: string): Promise<boolean> {
  // The store is shared by the documents of files and of contracts, sealed bids and opened bids:
  // content goes only when no row of any of them points at it (bid-cleanup.ts checks the same).
  const row = await db
    .selectFrom('tender_document')
    .select('sha256')
    .where('sha256', '=', sha256)
    .union(db.selectFrom('bid_blob').select('sha256').where('sha256', '=', sha256))
    .union(db.selectFrom('bid_plaintext').select('sha256').where('sha256', '=', sha256))
    .union(db.selectFrom('contract_document').select('sha256').where('sha256', '=', sha256))
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

// Key space of the blob locks (two-int advisory locks do not collide with one-bigint ones).
const BLOB_LOCK_CLASS = 0x424c4f42; // "BLOB"

/**
 * Serialises, per content hash, "does a row reference it, then delete it" against "check it is
 * stored, then insert a row for it", until the end of the transaction. Without it, a failed
 * upload could remove content that a concurrent upload of the same bytes is about to reference.
 */
export async function lockBlob(trx: Tx, sha256: string): Promise<void> {
  const key = Number.parseInt(sha256.slice(0, 8), 16) | 0;
  await sql`SELECT pg_advisory_xact_lock(${BLOB_LOCK_CLASS}::int4, ${key}::int4)`.execute(trx);
}

/**
 * `lockBlob` for several contents in one statement (a bid commits four or more pieces at once),
 * taken in ascending hash order so that two transactions locking overlapping sets never deadlock.
 * The keys are sorted here and locked in that order (ORDER BY on their position).
 */
export async function lockBlobs(trx: Tx, sha256s: readonly string[]): Promise<void> {
  const keys = [...new Set(sha256s)].sort().map((h) => Number.parseInt(h.slice(0, 8), 16) | 0);
  if (keys.length === 0) return;
  // The locks are taken while projecting rows that a sorted subquery produces: in that order.
  await sql`SELECT count(*) FROM (
      SELECT pg_advisory_xact_lock(${BLOB_LOCK_CLASS}::int4, o.k)
      FROM (SELECT u.k FROM unnest(${keys}::int4[]) WITH ORDINALITY AS u(k, n) ORDER BY u.n) o
    ) l`.execute(trx);
}
