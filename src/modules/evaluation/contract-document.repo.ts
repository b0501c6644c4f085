/**
 * SQL of the documents of contracts (migrations/0021_contract_documents.sql), scoped by authority
 * except where the public asks by ocid, and then only for what a recorded event names.
 */
import { type SqlBool, sql } from 'kysely';
import type { Db } from '../../platform/db/client.js';
import type { Tx } from '../../platform/db/tx.js';

type Q = Db | Tx;

const COLUMNS = [
  'd.id',
  'd.contract_id',
  'd.title',
  'd.file_name',
  'd.content_type',
  'd.size_bytes',
  'd.sha256',
  'd.uploaded_at',
] as const;

export type NewContractDocumentRow = {
  id: string;
  contractId: string;
  authorityId: string;
  title: string;
  fileName: string;
  contentType: string;
  size: number;
  sha256: string;
  uploadedBy: string;
  uploadedAt: Date;
};

export async function insertContractDocument(trx: Tx, row: NewContractDocumentRow): Promise<void> {
  await trx
    .insertInto('contract_document')
    .values({
      id: row.id,
      contract_id: row.contractId,
      authority_id: row.authorityId,
      title: row.title,
      file_name: row.fileName,
      content_type: row.contentType,
      size_bytes: row.size,
      sha256: row.sha256,
      uploaded_by: row.uploadedBy,
      uploaded_at: row.uploadedAt,
    })
    .execute();
}

/** The documents of the given contracts, in upload order. */
export async function contractDocumentRows(db: Q, authorityId: string, contractIds: readonly string[]) {
  if (contractIds.length === 0) return [];
  return db
    .selectFrom('contract_document as d')
    .select(COLUMNS)
    .where('d.authority_id', '=', authorityId)
    .where('d.contract_id', 'in', [...contractIds])
    .orderBy('d.uploaded_at')
    .orderBy('d.id')
    .execute();
}

export type ContractDocumentRow = Awaited<ReturnType<typeof contractDocumentRows>>[number];

export function contractDocumentById(db: Q, authorityId: string, contractId: string, id: string) {
  return db
    .selectFrom('contract_document as d')
    .select(COLUMNS)
    .where('d.authority_id', '=', authorityId)
    .where('d.contract_id', '=', contractId)
    .where('d.id', '=', id)
    .executeTakeFirst();
}

/** Which of `sha256s` are documents of this contract. */
export async function knownContractDigests(
  db: Q,
  authorityId: string,
  contractId: string,
  sha256s: readonly string[],
): Promise<Set<string>> {
  if (sha256s.length === 0) return new Set();
  const rows = await db
    .selectFrom('contract_document')
    .select('sha256')
    .where('authority_id', '=', authorityId)
    .where('contract_id', '=', contractId)
    .where('sha256', 'in', [...sha256s])
    .execute();
  return new Set(rows.map((r) => r.sha256));
}

/**
 * A document of a contract of a published tender, found by the tender's ocid, the contract and the
 * content's SHA-256, only when a recorded event of that contract names it (a published act).
 */
export function publishedContractDocument(db: Q, ocid: string, contractId: string, sha256: string) {
  return db
    .selectFrom('contract_document as d')
    .innerJoin('contract as c', (j) =>
      j.onRef('c.id', '=', 'd.contract_id').onRef('c.authority_id', '=', 'd.authority_id'),
    )
    .innerJoin('tender as t', 't.id', 'c.tender_id')
    .select(COLUMNS)
    .where('t.ocid', '=', ocid)
    .where('t.status', 'in', ['published', 'cancelled'])
    .where('d.contract_id', '=', contractId)
    .where('d.sha256', '=', sha256)
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('contract_event as e')
          .select('e.id')
          .whereRef('e.contract_id', '=', 'd.contract_id')
          .where(sql<SqlBool>`e.documents @> ARRAY[${sha256}::text]`),
      ),
    )
    .executeTakeFirst();
}
