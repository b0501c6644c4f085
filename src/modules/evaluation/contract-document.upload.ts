/**
 * Reading the upload of a contract document from a multipart body (fields: `title`, then `file`
 * last), shared by the API route (contract-document.routes.ts) and the contract page's form
 * (contract.pages.ts): the caller is checked before a byte of the body is read, the file
 * is streamed into the store through the same type and size checks as the documents of a file
 * (tender-document.service.ts storeDocumentContent), then recorded in one transaction.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServiceContext } from '../../platform/context.js';
import { DomainError } from '../../platform/errors.js';
import { receiveDocumentUpload, registerDocumentMultipart } from '../../platform/http/documents.js';
import {
  type DocumentStorage,
  discardContent,
  storeDocumentContent,
} from '../tenders/tender-document.service.js';
import {
  CONTRACT_DOCUMENT_TITLE_MAX,
  type ContractDocumentView,
  checkCanAddContractDocument,
  contractDocumentTitle,
  recordContractDocument,
} from './contract-document.service.js';

/** The multipart parser, registered in the encapsulated plugin of each upload route only. */
export async function registerContractMultipart(r: FastifyInstance, maxBytes: number): Promise<void> {
  await registerDocumentMultipart(r, { maxBytes, fields: 2, titleMax: CONTRACT_DOCUMENT_TITLE_MAX });
}

/** The form's fault; the file part unless said otherwise (the page shows the error by the field). */
const invalid = (message: string, field: 'title' | 'file' = 'file') =>
  new DomainError('VALIDATION_FAILED', message, { field });

/**
 * Receives one contract document. Throws DomainErrors with stable codes (`details.field` says
 * which part when it is the form's fault); content stored before a refusal is removed again.
 * `onFields` sees the form's text fields as they arrive (the page shows the title again).
 */
export async function receiveContractDocument(
  request: FastifyRequest,
  reply: FastifyReply,
  ctx: ServiceContext,
  storage: DocumentStorage,
  target: { authorityId: string; contractId: string },
  onFields: (fields: ReadonlyMap<string, string>) => void = () => {},
): Promise<ContractDocumentView> {
  const fields = new Map<string, string>();
  return receiveDocumentUpload(request, reply, {
    maxBytes: storage.maxBytes,
    invalid,
    authorize: () => checkCanAddContractDocument(ctx, target.authorityId, target.contractId),
    field: (part) => {
      if (part.fieldname !== 'title') throw invalid(`Unknown field "${part.fieldname}"`);
      if (fields.has('title')) throw invalid('"title" is repeated', 'title');
      if (part.valueTruncated) throw invalid('"title" is too long', 'title');
      fields.set('title', String(part.value));
      onFields(fields);
    },
    file: (part) => {
      if (part.fieldname !== 'file') throw invalid(`The document goes in the "file" part`);
      const title = contractDocumentTitle(fields.get('title'));
      // A form sent without choosing a file still has the part, with no name and no bytes.
      if (part.filename === '') throw invalid('No file chosen');
      return { title };
    },
    store: (file) => storeDocumentContent(storage, file),
    discard: (stored) => discardContent(ctx, storage, stored, 'contract document'),
    // `recordContractDocument` removes the content itself if its transaction fails.
    record: (input, stored) =>
      recordContractDocument(ctx, storage, target.authorityId, target.contractId, input, stored),
  });
}
