/**
 * Documents of a contract's execution (issue 5 point 7): the supporting documents of an amendment
 * (the report of the need, the contractor's hearing, the legal and financial reports: arts. 191,
 * 203–207 LCSP) are uploaded first, into the same content-addressed store and through the same
 * type and size checks as the documents of a file (tender-document.service.ts), and then named by
 * their SHA-256 in the event that records the amendment (contract.service.ts). An upload alone is
 * the officer's draft and stays private; once an event names it, it is part of a published act
 * (art. 63.3 LCSP) and anyone may download it.
 */
import type { ServiceContext } from '../../platform/context.js';
import type { Db } from '../../platform/db/client.js';
import { withTransaction } from '../../platform/db/tx.js';
import { DomainError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import type { BlobStore } from '../../platform/storage/blob-store.js';
import { openVerified } from '../../platform/storage/verified-read.js';
import { recordEvent } from '../audit/audit.service.js';
import {
  type DocumentStorage,
  discardContent,
  lockStoredContent,
  type StoredContent,
} from '../tenders/tender-document.service.js';
import {
  type ContractDocumentRow,
  contractDocumentById,
  contractDocumentRows,
  insertContractDocument,
  knownContractDigests,
  publishedContractDocument,
} from './contract-document.repo.js';
import { contractById, contractEvents, lockContract } from './contract.repo.js';
import { authorizeOnEvaluation } from './evaluation.policy.js';

export const CONTRACT_DOCUMENT_TITLE_MAX = 200;

export type ContractDocumentView = {
  id: string;
  title: string;
  fileName: string;
  contentType: string;
  size: number;
  sha256: string;
  uploadedAt: string;
  /** Named by a recorded event, hence public. */
  published: boolean;
};

function present(row: ContractDocumentRow, published: ReadonlySet<string>): ContractDocumentView {
  return {
    id: row.id,
    title: row.title,
    fileName: row.file_name,
    contentType: row.content_type,
    // bigint comes back as text; documents are far below 2^53 bytes.
    size: Number(row.size_bytes),
    sha256: row.sha256,
    uploadedAt: row.uploaded_at.toISOString(),
    published: published.has(row.sha256),
  };
}

/** The digests the recorded events of a contract name. */
async function namedDigests(db: ServiceContext['db'], authorityId: string, contractId: string) {
  const events = await contractEvents(db, authorityId, [contractId]);
  return new Set(events.flatMap((e) => e.documents ?? []));
}

/** A title as the form sends it: trimmed, 1 to 200 characters. */
export function contractDocumentTitle(raw: string | undefined): string {
  const title = (raw ?? '').trim();
  if (title.length === 0 || [...title].length > CONTRACT_DOCUMENT_TITLE_MAX) {
    throw new DomainError(
      'VALIDATION_FAILED',
      `"title" must have 1 to ${CONTRACT_DOCUMENT_TITLE_MAX} characters`,
      {
        field: 'title',
      },
    );
  }
  return title;
}

/**
 * Whether the actor may add a document to this contract: asked before a byte of the upload is
 * read, so a refused caller (or another authority's contract) makes the server store nothing.
 */
export async function checkCanAddContractDocument(
  ctx: ServiceContext,
  authorityId: string,
  contractId: string,
): Promise<void> {
  authorizeOnEvaluation(ctx.actor, 'evaluation.manage_contracts', authorityId);
  if (!(await contractById(ctx.db, authorityId, contractId))) {
    throw new DomainError('NOT_FOUND', 'Contract not found');
  }
}

/**
 * Records stored content as a document of the contract, with its audit event, in one transaction.
 * The same bytes twice on one contract are refused (CONFLICT): an event names a document by its
 * content. If the transaction fails, the content is removed again unless another row uses it.
 */
export async function recordContractDocument(
  ctx: ServiceContext,
  storage: DocumentStorage,
  authorityId: string,
  contractId: string,
  input: { title: string },
  content: StoredContent,
): Promise<ContractDocumentView> {
  const actor = authorizeOnEvaluation(ctx.actor, 'evaluation.manage_contracts', authorityId);
  const title = contractDocumentTitle(input.title);
  const id = newId();
  const now = ctx.clock.now();
  try {
    await withTransaction(ctx.db as Db, async (trx) => {
      if (!(await lockContract(trx, authorityId, contractId))) {
        throw new DomainError('NOT_FOUND', 'Contract not found');
      }
      await lockStoredContent(trx, storage.store, content.sha256);
      if ((await knownContractDigests(trx, authorityId, contractId, [content.sha256])).size > 0) {
        throw new DomainError('CONFLICT', 'This document is already uploaded to the contract', {
          field: 'file',
          reason: 'duplicate_document',
          sha256: content.sha256,
        });
      }
      await insertContractDocument(trx, {
        id,
        contractId,
        authorityId,
        title,
        fileName: content.fileName,
        contentType: content.contentType,
        size: content.size,
        sha256: content.sha256,
        uploadedBy: actor.userId,
        uploadedAt: now,
      });
      await recordEvent(trx, ctx, {
        action: 'contract.document_added',
        objectType: 'contract',
        objectId: contractId,
        authorityId,
        data: {
          contractId,
          documentId: id,
          title,
          fileName: content.fileName,
          contentType: content.contentType,
          size: content.size,
          sha256: content.sha256,
        },
      });
    });
  } catch (err) {
    await discardContent(ctx, storage, content, 'contract document');
    throw err;
  }
  const row = await contractDocumentById(ctx.db, authorityId, contractId, id);
  if (!row) throw new DomainError('INTERNAL', 'The recorded document cannot be read back');
  return present(row, new Set());
}

/** The documents of a contract, for its staff, each saying whether an event has published it. */
export async function listContractDocuments(
  ctx: ServiceContext,
  authorityId: string,
  contractId: string,
): Promise<ContractDocumentView[]> {
  authorizeOnEvaluation(ctx.actor, 'evaluation.read_contracts', authorityId);
  if (!(await contractById(ctx.db, authorityId, contractId))) {
    throw new DomainError('NOT_FOUND', 'Contract not found');
  }
  const named = await namedDigests(ctx.db, authorityId, contractId);
  return (await contractDocumentRows(ctx.db, authorityId, [contractId])).map((r) => present(r, named));
}

/**
 * The digests of `documents` that are not documents of this contract (none when all are). Read
 * inside the event's transaction, after the contract row is locked.
 */
export async function unknownContractDocuments(
  db: ServiceContext['db'],
  authorityId: string,
  contractId: string,
  documents: readonly string[],
): Promise<string[]> {
  const known = await knownContractDigests(db, authorityId, contractId, documents);
  return documents.filter((d) => !known.has(d));
}

/** What the public sees of a document an event names. */
export type PublicContractDocument = {
  sha256: string;
  title: string | null;
  contentType: string | null;
  size: number | null;
  /** The download; null for a digest recorded before documents were uploaded (0021). */
  url: string | null;
};

/** The documents of the given contracts by contract and digest, for the public summary. */
export async function contractDocumentIndex(
  db: ServiceContext['db'],
  authorityId: string,
  contractIds: readonly string[],
): Promise<(contractId: string, ocid: string, sha256: string) => PublicContractDocument> {
  const rows = await contractDocumentRows(db, authorityId, contractIds);
  const byKey = new Map(rows.map((r) => [`${r.contract_id}/${r.sha256}`, r]));
  return (contractId, ocid, sha256) => {
    const r = byKey.get(`${contractId}/${sha256}`);
    if (!r) return { sha256, title: null, contentType: null, size: null, url: null };
    return {
      sha256,
      title: r.title,
      contentType: r.content_type,
      size: Number(r.size_bytes),
      url: publicContractDocumentUrl(ocid, contractId, sha256),
    };
  };
}

export const publicContractDocumentUrl = (ocid: string, contractId: string, sha256: string) =>
  `/api/v1/tenders/${encodeURIComponent(ocid)}/contracts/${contractId}/documents/${sha256}`;

const open = (store: BlobStore, row: ContractDocumentRow) =>
  openVerified(store, row.sha256, `contract document ${row.id}`);

/**
 * A document of a contract of a published tender, for anyone, only once a recorded event of the
 * contract names it: drafts the officer uploaded but no event named stay private (404).
 */
export async function openPublicContractDocument(
  db: ServiceContext['db'],
  store: BlobStore,
  ocid: string,
  contractId: string,
  sha256: string,
) {
  const row = await publishedContractDocument(db, ocid, contractId, sha256);
  if (!row) throw new DomainError('NOT_FOUND', 'Document not found');
  // Named by an event, hence published.
  return { document: present(row, new Set([row.sha256])), content: await open(store, row) };
}

/** A document of the contract and its content, for the authority's staff (drafts included). */
export async function openContractDocument(
  ctx: ServiceContext,
  store: BlobStore,
  authorityId: string,
  contractId: string,
  documentId: string,
) {
  authorizeOnEvaluation(ctx.actor, 'evaluation.read_contracts', authorityId);
  const row = await contractDocumentById(ctx.db, authorityId, contractId, documentId);
  if (!row) throw new DomainError('NOT_FOUND', 'Document not found');
  const named = await namedDigests(ctx.db, authorityId, contractId);
  return { document: present(row, named), content: await open(store, row) };
}
