import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { App } from '../../app.js';
import { DomainError } from '../../platform/errors.js';
import {
  downloadHeaders,
  receiveDocumentUpload,
  registerDocumentMultipart,
  streamedBodyValidator,
} from '../../platform/http/documents.js';
import { errors, Uuid } from '../../platform/http/schemas.js';
import type { BlobStore } from '../../platform/storage/blob-store.js';
import { DOCUMENT_CONTENT_TYPES, DOCUMENT_KINDS } from './tender-document.rules.js';
import {
  checkCanAddDocument,
  type DocumentInput,
  discardContent,
  listDocuments,
  openDocument,
  openPublicDocument,
  recordDocument,
  storeDocumentContent,
} from './tender-document.service.js';

const tags = ['Tenders'];
const TITLE_MAX = 200;

const DocumentSchema = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  title: Type.String(),
  fileName: Type.String(),
  contentType: Type.String(),
  size: Type.Integer({ description: 'Bytes' }),
  sha256: Type.String({ description: 'SHA-256 of the content, hex' }),
  createdAt: Type.String(),
});

/** The form, for the OpenAPI document; the stream itself is checked while it is read. */
const UploadForm = Type.Object(
  {
    kind: Type.Unsafe<string>({ type: 'string', enum: [...DOCUMENT_KINDS] }),
    title: Type.String({ minLength: 1, maxLength: TITLE_MAX }),
    file: Type.Unsafe<string>({
      type: 'string',
      format: 'binary',
      description: `Last part of the form. Accepted types: ${DOCUMENT_CONTENT_TYPES.join(', ')}; the part's Content-Type and the file name's extension must agree with the content.`,
    }),
  },
  { required: ['kind', 'title', 'file'] },
);

const TenderParams = Type.Object({ authorityId: Uuid, tenderId: Uuid });
const DocumentParams = Type.Object({ authorityId: Uuid, tenderId: Uuid, documentId: Uuid });
const PublicDocumentParams = Type.Object({
  ocid: Type.String({ pattern: '^ocds-[a-z0-9]{6}-[0-9a-f-]{36}$' }),
  documentId: Uuid,
});

const invalid = (message: string, field?: string) =>
  new DomainError('VALIDATION_FAILED', message, field ? [{ path: `/${field}`, message }] : undefined);

/** The form fields, checked before any byte of the file is read. */
function documentInput(fields: Map<string, string>): DocumentInput {
  const kind = fields.get('kind');
  const title = fields.get('title')?.trim();
  if (kind === undefined || title === undefined) {
    throw invalid('The fields "kind" and "title" must come before the "file" part');
  }
  if (!(DOCUMENT_KINDS as readonly string[]).includes(kind)) {
    throw invalid(`"kind" must be one of ${DOCUMENT_KINDS.join(', ')}`, 'kind');
  }
  if (title.length === 0 || [...title].length > TITLE_MAX) {
    throw invalid(`"title" must have 1 to ${TITLE_MAX} characters`, 'title');
  }
  return { kind: kind as DocumentInput['kind'], title };
}

export type DocumentRouteOptions = { store: BlobStore; maxBytes: number };

export const tenderDocumentRoutes =
  (app: App, opts: DocumentRouteOptions): FastifyPluginAsyncTypebox =>
  async (r) => {
    // Registered in this plugin only, so no other route accepts multipart bodies.
    await registerDocumentMultipart(r, { maxBytes: opts.maxBytes, fields: 3, titleMax: TITLE_MAX });

    r.post(
      '/authorities/:authorityId/tenders/:tenderId/documents',
      {
        schema: {
          tags,
          summary:
            'Add a document to a file before publication (multipart: kind, title, then file); sends a file under approval back to draft',
          consumes: ['multipart/form-data'],
          params: TenderParams,
          body: UploadForm,
          response: { 201: DocumentSchema, ...errors(400, 401, 403, 404, 409, 413, 415, 422) },
        },
        validatorCompiler: streamedBodyValidator,
      },
      async (request, reply) => {
        const { authorityId, tenderId } = request.params;
        const ctx = app.serviceContext(request);
        const storage = { ...opts, log: request.log };
        const fields = new Map<string, string>();
        const view = await receiveDocumentUpload(request, reply, {
          maxBytes: opts.maxBytes,
          invalid,
          authorize: () => checkCanAddDocument(ctx, authorityId, tenderId),
          field: (part) => {
            if (part.fieldname !== 'kind' && part.fieldname !== 'title') {
              throw invalid(`Unknown field "${part.fieldname}"`, part.fieldname);
            }
            if (fields.has(part.fieldname)) throw invalid(`"${part.fieldname}" is repeated`, part.fieldname);
            if (part.valueTruncated) throw invalid(`"${part.fieldname}" is too long`, part.fieldname);
            fields.set(part.fieldname, String(part.value));
          },
          file: (part) => {
            if (part.fieldname !== 'file') {
              throw invalid(`The document goes in the "file" part, not "${part.fieldname}"`, part.fieldname);
            }
            return documentInput(fields);
          },
          store: (file) => storeDocumentContent(storage, file),
          discard: (stored) => discardContent(ctx, storage, stored),
          record: (input, stored) => recordDocument(ctx, storage, authorityId, tenderId, input, stored),
        });
        return reply.status(201).send(view);
      },
    );

    r.get(
      '/authorities/:authorityId/tenders/:tenderId/documents',
      {
        schema: {
          tags,
          summary: 'Current documents of a procurement file',
          params: TenderParams,
          response: { 200: Type.Array(DocumentSchema), ...errors(400, 401, 403, 404) },
        },
      },
      async (request) =>
        listDocuments(app.serviceContext(request), request.params.authorityId, request.params.tenderId),
    );

    r.get(
      '/authorities/:authorityId/tenders/:tenderId/documents/:documentId/content',
      {
        schema: {
          tags,
          summary:
            'Download a document: its stored type, as an attachment, with its SHA-256 in X-Content-SHA256 and Repr-Digest',
          params: DocumentParams,
          response: {
            200: {
              description: 'The document, byte for byte as uploaded',
              content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
            },
            ...errors(400, 401, 403, 404),
          },
        },
      },
      async (request, reply) => {
        const { authorityId, tenderId, documentId } = request.params;
        const { document, content } = await openDocument(
          app.serviceContext(request),
          opts.store,
          authorityId,
          tenderId,
          documentId,
        );
        return downloadHeaders(reply, document, 'private, no-store').send(content);
      },
    );

    r.get(
      '/tenders/:ocid/documents/:documentId',
      {
        schema: {
          tags,
          summary:
            'Download a document of a published notice (public): as uploaded, with its SHA-256 in X-Content-SHA256 and Repr-Digest',
          params: PublicDocumentParams,
          response: {
            200: {
              description: 'The document, byte for byte as published',
              content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
            },
            ...errors(400, 404),
          },
        },
      },
      async (request, reply) => {
        const { document, content } = await openPublicDocument(
          app.serviceContext(request),
          opts.store,
          request.params.ocid,
          request.params.documentId,
        );
        // Content-addressed and published: the bytes behind this URL never change.
        return downloadHeaders(reply, document, 'public, max-age=86400, immutable').send(content);
      },
    );
  };
