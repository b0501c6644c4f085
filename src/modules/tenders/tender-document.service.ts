import { pipeline, type Readable } from 'node:stream';
import type { ServiceContext } from '../../platform/context.js';
import type { Db } from '../../platform/db/client.js';
import { type Tx, withTransaction } from '../../platform/db/tx.js';
import { DomainError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import type { BlobStore, StoredBlob } from '../../platform/storage/blob-store.js';
import { declaredFormat, sniffingStream } from '../../platform/storage/content-type.js';
import { openVerified } from '../../platform/storage/verified-read.js';
import { recordEvent } from '../audit/audit.service.js';
import { presentDocument, type TenderDocumentView } from './tender-document.presenter.js';
import {
  blobIsReferenced,
  findDocumentRow,
  findPublishedDocumentRow,
  insertDocument,
  listDocumentRows,
  lockBlob,
  markTenderChanged,
  tenderState,
} from './tender-document.repo.js';
import { DOCUMENT_CONTENT_TYPES, safeFileName } from './tender-document.rules.js';
import { authorizeOnTender } from './tender.policy.js';
import { nextStatus, type TenderStatus } from './tender.rules.js';
import type { DocumentKind } from './tender.types.js';

/** What the document use-cases need besides the request: where content goes and how much is allowed. */
export type DocumentStorage = {
  store: BlobStore;
  /** DOCUMENT_MAX_BYTES. */
  maxBytes: number;
  /** Where a failed cleanup is reported (it never hides the error that caused it). */
  log: { warn(obj: object, msg: string): void };
};

/** A file as it arrives: its bytes, not yet read, and what the client says about them. */
export type IncomingFile = { stream: Readable; fileName: string; declaredType: string | undefined };

/** Content already in the store, not yet recorded. */
export type StoredContent = StoredBlob & { contentType: string; fileName: string };

export type DocumentInput = { kind: DocumentKind; title: string };

async function requireTender(ctx: ServiceContext, authorityId: string, tenderId: string) {
  const tender = await tenderState(ctx.db, authorityId, tenderId);
  if (!tender) throw new DomainError('NOT_FOUND', 'Tender not found');
  return tender;
}

/**
 * Whether the actor may add a document to the file now: asked before a byte of the upload is
 * read, so a refused caller cannot make the server store anything. A document is part of the
 * file's content (the pliegos and reports are published with the notice, arts. 63.3 and 138.1
 * LCSP), so adding one is an edit: refused once published, when they change only by corrigendum
 * (arts. 122.1 and 136.2). The same checks run again, under a lock, when the document is recorded.
 */
export async function checkCanAddDocument(
  ctx: ServiceContext,
  authorityId: string,
  tenderId: string,
): Promise<void> {
  authorizeOnTender(ctx.actor, 'tender.edit', authorityId);
  const tender = await requireTender(ctx, authorityId, tenderId);
  nextStatus(tender.status as TenderStatus, { type: 'edit' });
}

/**
 * Streams a file into the store, refusing it (and keeping nothing) when it is larger than the
 * limit, when its declared type is not accepted, or when its bytes or its name's extension say
 * it is something else.
 */
export async function storeDocumentContent(
  storage: DocumentStorage,
  file: IncomingFile,
): Promise<StoredContent> {
  const fileName = safeFileName(file.fileName);
  let format: ReturnType<typeof declaredFormat>;
  try {
    format = declaredFormat(file.declaredType, fileName, DOCUMENT_CONTENT_TYPES);
  } catch (err) {
    file.stream.destroy();
    throw err;
  }
  // An error of the source (the client went away, the multipart limit) fails the sniffer, and
  // the store's refusal destroys the source: either way nothing more is read.
  const sniffed = pipeline(file.stream, sniffingStream(format), () => {});
  const blob = await storage.store.put(sniffed, { maxBytes: storage.maxBytes });
  return { ...blob, contentType: format.mime, fileName };
}

/**
 * Removes content that this request stored and that no row of any kind references (documents of
 * files and of contracts, bid pieces), under the per-content lock (see `lockBlob`). Errors are
 * logged, not thrown: an orphaned blob wastes space but is harmless, and the caller is already
 * reporting the error that matters. `what` names the content in that log line.
 */
export async function discardContent(
  ctx: ServiceContext,
  storage: DocumentStorage,
  content: StoredContent,
  what = 'document content',
): Promise<void> {
  if (!content.created) return;
  try {
    await withTransaction(ctx.db as Db, async (trx) => {
      await lockBlob(trx, content.sha256);
      if (!(await blobIsReferenced(trx, content.sha256))) await storage.store.delete(content.sha256);
    });
  } catch (err) {
    storage.log.warn({ err, sha256: content.sha256 }, `could not remove unreferenced ${what}`);
  }
}

/**
 * Takes the per-content lock for the rest of the transaction, then checks the content is still
 * stored: a concurrent failed upload of the same bytes may have removed it since `put`. A row
 * recorded after this keeps it from being removed.
 */
export async function lockStoredContent(trx: Tx, store: BlobStore, sha256: string): Promise<void> {
  await lockBlob(trx, sha256);
  if (!(await store.has(sha256))) {
    throw new DomainError('CONFLICT', 'The document changed in storage meanwhile; send it again');
  }
}

/**
 * Records a stored document on the file, with its audit event, in one transaction. Like an edit,
 * it sends a file under approval (or approved) back to draft and bumps its version: the approvals
 * were given to a file without this document. If the transaction fails, the content is removed
 * again unless another row uses it.
 */
export async function recordDocument(
  ctx: ServiceContext,
  storage: DocumentStorage,
  authorityId: string,
  tenderId: string,
  input: DocumentInput,
  content: StoredContent,
): Promise<TenderDocumentView> {
  const actor = authorizeOnTender(ctx.actor, 'tender.edit', authorityId);
  const id = newId();
  const now = ctx.clock.now();
  try {
    await withTransaction(ctx.db as Db, async (trx) => {
      const tender = await tenderState(trx, authorityId, tenderId, { forUpdate: true });
      if (!tender) throw new DomainError('NOT_FOUND', 'Tender not found');
      const from = tender.status as TenderStatus;
      const to = nextStatus(from, { type: 'edit' });
      await lockStoredContent(trx, storage.store, content.sha256);
      await insertDocument(trx, {
        id,
        tenderId,
        authorityId,
        kind: input.kind,
        title: input.title,
        fileName: content.fileName,
        contentType: content.contentType,
        size: content.size,
        sha256: content.sha256,
        uploadedBy: actor.userId,
        createdAt: now,
      });
      await markTenderChanged(trx, authorityId, tenderId, {
        status: to,
        version: tender.version + 1,
        at: now,
      });
      await recordEvent(trx, ctx, {
        action: 'tender.document_added',
        objectType: 'tender',
        objectId: tenderId,
        authorityId,
        data: {
          documentId: id,
          kind: input.kind,
          title: input.title,
          fileName: content.fileName,
          contentType: content.contentType,
          size: content.size,
          sha256: content.sha256,
          version: tender.version + 1,
          restartedApprovals: from !== 'draft',
        },
      });
    });
  } catch (err) {
    await discardContent(ctx, storage, content);
    throw err;
  }
  const row = await findDocumentRow(ctx.db, authorityId, tenderId, id);
  if (!row) throw new DomainError('INTERNAL', 'The recorded document cannot be read back');
  return presentDocument(row);
}

export async function listDocuments(
  ctx: ServiceContext,
  authorityId: string,
  tenderId: string,
): Promise<TenderDocumentView[]> {
  authorizeOnTender(ctx.actor, 'tender.read', authorityId);
  await requireTender(ctx, authorityId, tenderId);
  return (await listDocumentRows(ctx.db, authorityId, tenderId)).map(presentDocument);
}

/**
 * A document of a published notice, for anyone: its id must appear in one of the tender's
 * published notice versions (original or corrigendum), so a file uploaded to a published tender
 * but not yet part of a corrigendum stays private, and a superseded one stays downloadable with
 * the version that published it (the record of what bidders were given, art. 63 LCSP).
 */
export async function openPublicDocument(
  ctx: ServiceContext,
  store: BlobStore,
  ocid: string,
  documentId: string,
): Promise<{ document: TenderDocumentView; content: Readable }> {
  const row = await findPublishedDocumentRow(ctx.db, ocid, documentId);
  if (!row) throw new DomainError('NOT_FOUND', 'Document not found');
  const content = await openVerified(store, row.sha256, `document ${documentId}`);
  return { document: presentDocument(row), content };
}

/** A document and its content, for download. */
export async function openDocument(
  ctx: ServiceContext,
  store: BlobStore,
  authorityId: string,
  tenderId: string,
  documentId: string,
): Promise<{ document: TenderDocumentView; content: Readable }> {
  authorizeOnTender(ctx.actor, 'tender.read', authorityId);
  const row = await findDocumentRow(ctx.db, authorityId, tenderId, documentId);
  if (!row) throw new DomainError('NOT_FOUND', 'Document not found');
  const content = await openVerified(store, row.sha256, `document ${documentId}`);
  return { document: presentDocument(row), content };
}
