/**
 * Reading the upload of a contract document from a multipart body (fields: `title`, then `file`
 * last), shared by the API route (contract-document.routes.ts) and the contract page's form
 * (contract-document.pages.ts): the caller is checked before a byte of the body is read, the file
 * is streamed into the store through the same type and size checks as the documents of a file
 * (tender-document.service.ts storeDocumentContent), then recorded in one transaction.
 */
import fastifyMultipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServiceContext } from '../../platform/context.js';
import { DomainError } from '../../platform/errors.js';
import type { DocumentStorage, StoredContent } from '../tenders/tender-document.service.js';
import {
  CONTRACT_DOCUMENT_TITLE_MAX,
  type ContractDocumentView,
  checkCanAddContractDocument,
  contractDocumentTitle,
  discardContractContent,
  recordContractDocument,
  storeContractDocumentContent,
} from './contract-document.service.js';

/** Room for the form's other parts and headers on top of the document itself. */
const FORM_OVERHEAD = 64 * 1024;

/** The multipart parser, registered in the encapsulated plugin of each upload route only. */
export async function registerContractMultipart(r: FastifyInstance, maxBytes: number): Promise<void> {
  await r.register(fastifyMultipart, {
    limits: {
      fileSize: maxBytes,
      files: 1,
      fields: 2,
      parts: 3,
      fieldNameSize: 50,
      fieldSize: 4 * CONTRACT_DOCUMENT_TITLE_MAX + 100,
      headerPairs: 20,
    },
  });
}

const invalid = (message: string, field: 'title' | 'file') =>
  new DomainError('VALIDATION_FAILED', message, { field });

const tooLarge = (maxBytes: number) =>
  new DomainError('DOCUMENT_TOO_LARGE', `The document is larger than ${maxBytes} bytes`, { maxBytes });

/** Errors of the multipart layer, as the stable codes the tender documents use too. */
function multipartError(err: unknown, maxBytes: number): unknown {
  if (err instanceof DomainError) return err;
  const e = err as { code?: unknown; message?: unknown };
  if (e.code === 'FST_REQ_FILE_TOO_LARGE') return tooLarge(maxBytes);
  if (e.code === 'FST_INVALID_MULTIPART_CONTENT_TYPE') {
    return new DomainError('UNSUPPORTED_MEDIA_TYPE', 'Send the document as multipart/form-data');
  }
  if (e.code === 'FST_FILES_LIMIT') return invalid('Send one file per upload', 'file');
  if (e.code === 'ERR_STREAM_PREMATURE_CLOSE') return invalid('The upload was interrupted', 'file');
  if (typeof e.code === 'string' && e.code.startsWith('FST_')) {
    return invalid(`Malformed form: ${String(e.message)}`, 'file');
  }
  // The parser's own errors (no boundary, a part cut short) carry no code; system errors (a full
  // disk) do, and stay server errors.
  if (e.code === undefined && err instanceof Error)
    return invalid(`Malformed multipart body: ${err.message}`, 'file');
  return err;
}

/**
 * After a refusal, stop reading the body (the client may be sending gigabytes): unpiping stops the
 * parser, and `Connection: close` has the server drop the rest instead of draining it.
 */
export function stopReading(request: FastifyRequest, reply: FastifyReply): void {
  request.raw.unpipe();
  reply.header('connection', 'close');
}

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
  const { maxBytes } = storage;
  const fields = new Map<string, string>();
  let stored: StoredContent | undefined;
  let title: string | undefined;
  let parsing = true;
  try {
    // Who and which contract first: a refused caller gets its answer before the body is read.
    await checkCanAddContractDocument(ctx, target.authorityId, target.contractId);
    if (Number(request.headers['content-length']) > maxBytes + FORM_OVERHEAD) throw tooLarge(maxBytes);
    for await (const part of request.parts()) {
      if (part.type === 'field') {
        if (stored) throw invalid('The "file" part must be the last part of the form', 'file');
        if (part.fieldname !== 'title') throw invalid(`Unknown field "${part.fieldname}"`, 'file');
        if (fields.has('title')) throw invalid('"title" is repeated', 'title');
        if (part.valueTruncated) throw invalid('"title" is too long', 'title');
        fields.set('title', String(part.value));
        onFields(fields);
        continue;
      }
      if (part.fieldname !== 'file') throw invalid(`The document goes in the "file" part`, 'file');
      title = contractDocumentTitle(fields.get('title'));
      // A form sent without choosing a file still has the part, with no name and no bytes.
      if (part.filename === '') throw invalid('No file chosen', 'file');
      const file = part.file;
      // At the limit the parser stops passing bytes but goes on reading the rest of the part:
      // stop the body right there and fail the file (the limit may be reached in the first chunk).
      if (file.truncated) {
        request.raw.unpipe();
        throw tooLarge(maxBytes);
      }
      file.on('limit', () => {
        request.raw.unpipe();
        file.destroy(tooLarge(maxBytes));
      });
      stored = await storeContractDocumentContent(storage, {
        stream: file,
        fileName: part.filename,
        declaredType: part.mimetype,
      });
      if (file.truncated) throw tooLarge(maxBytes);
    }
    if (!stored || title === undefined) throw invalid('The form has no "file" part', 'file');
    parsing = false;
    // `recordContractDocument` removes the content itself if its transaction fails.
    return await recordContractDocument(
      ctx,
      storage,
      target.authorityId,
      target.contractId,
      { title },
      stored,
    );
  } catch (err) {
    if (parsing) {
      stopReading(request, reply);
      if (stored) await discardContractContent(ctx, storage, stored);
    }
    throw parsing ? multipartError(err, maxBytes) : err;
  }
}
