import fastifyMultipart from '@fastify/multipart';
import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest, FastifySchemaCompiler } from 'fastify';
import type { App } from '../../app.js';
import { DomainError } from '../../platform/errors.js';
import { errors, Uuid } from '../../platform/http/schemas.js';
import { validatorCompiler } from '../../platform/http/validation.js';
import type { BlobStore } from '../../platform/storage/blob-store.js';
import type { TenderDocumentView } from './tender-document.presenter.js';
import { DOCUMENT_CONTENT_TYPES, DOCUMENT_KINDS, contentDisposition } from './tender-document.rules.js';
import {
  checkCanAddDocument,
  type DocumentInput,
  discardContent,
  listDocuments,
  openDocument,
  openPublicDocument,
  recordDocument,
  type StoredContent,
  storeDocumentContent,
} from './tender-document.service.js';

const tags = ['Tenders'];
const TITLE_MAX = 200;
/** Room for the form's other parts and headers on top of the document itself. */
const FORM_OVERHEAD = 64 * 1024;

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

/** Headers of a download: the stored type, the size, the name, and the hash to verify it by. */
function downloadHeaders(reply: FastifyReply, document: TenderDocumentView, cacheControl: string) {
  // Text was checked to be UTF-8 on upload, so saying so is safe.
  const type = document.contentType.startsWith('text/')
    ? `${document.contentType}; charset=utf-8`
    : document.contentType;
  return reply
    .header('content-type', type)
    .header('content-length', String(document.size))
    .header('content-disposition', contentDisposition(document.fileName))
    .header('x-content-sha256', document.sha256)
    .header('repr-digest', `sha-256=:${Buffer.from(document.sha256, 'hex').toString('base64')}:`)
    .header('cache-control', cacheControl);
}

/**
 * A multipart body cannot be validated as a whole before it is read (that would mean buffering
 * it): the upload route validates its parts while streaming them, and its body schema only
 * documents the form. Parameters are validated as everywhere else.
 */
const streamedBodyValidator: FastifySchemaCompiler<unknown> = (route) =>
  route.httpPart === 'body' ? () => true : validatorCompiler(route);

const invalid = (message: string, field?: string) =>
  new DomainError('VALIDATION_FAILED', message, field ? [{ path: `/${field}`, message }] : undefined);

const tooLarge = (maxBytes: number) =>
  new DomainError('DOCUMENT_TOO_LARGE', `The document is larger than ${maxBytes} bytes`, { maxBytes });

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

/** Errors of the multipart layer, as stable codes. */
function multipartError(err: unknown, maxBytes: number): unknown {
  if (err instanceof DomainError) return err;
  const e = err as { code?: unknown; message?: unknown };
  if (e.code === 'FST_REQ_FILE_TOO_LARGE') return tooLarge(maxBytes);
  if (e.code === 'FST_INVALID_MULTIPART_CONTENT_TYPE') {
    return new DomainError('UNSUPPORTED_MEDIA_TYPE', 'Send the document as multipart/form-data');
  }
  if (e.code === 'FST_FILES_LIMIT') return invalid('Send one file per upload', 'file');
  if (e.code === 'ERR_STREAM_PREMATURE_CLOSE') return invalid('The upload was interrupted');
  if (typeof e.code === 'string' && e.code.startsWith('FST_')) {
    return invalid(`Malformed form: ${String(e.message)}`);
  }
  // The parser's own errors (no boundary, a part cut short, a bad part header) carry no code;
  // system errors (a full disk) do, and stay server errors.
  if (e.code === undefined && err instanceof Error)
    return invalid(`Malformed multipart body: ${err.message}`);
  return err;
}

/**
 * After a refusal, stop reading the body: the client may be sending gigabytes. Unpiping stops
 * the parser, and `Connection: close` has the server drop the rest instead of draining it.
 */
function stopReading(request: FastifyRequest, reply: FastifyReply): void {
  request.raw.unpipe();
  reply.header('connection', 'close');
}

export type DocumentRouteOptions = { store: BlobStore; maxBytes: number };

export const tenderDocumentRoutes =
  (app: App, opts: DocumentRouteOptions): FastifyPluginAsyncTypebox =>
  async (r) => {
    // Registered in this plugin only, so no other route accepts multipart bodies.
    await r.register(fastifyMultipart, {
      limits: {
        fileSize: opts.maxBytes,
        files: 1,
        fields: 3,
        parts: 4,
        fieldNameSize: 50,
        fieldSize: 4 * TITLE_MAX + 100,
        headerPairs: 20,
      },
    });

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
        let stored: StoredContent | undefined;
        let parsing = true;
        try {
          // Who and which file first: a refused caller gets its answer before the body is read.
          await checkCanAddDocument(ctx, authorityId, tenderId);
          const announced = Number(request.headers['content-length']);
          if (announced > opts.maxBytes + FORM_OVERHEAD) throw tooLarge(opts.maxBytes);

          const fields = new Map<string, string>();
          let input: DocumentInput | undefined;
          for await (const part of request.parts()) {
            if (part.type === 'field') {
              if (stored) throw invalid('The "file" part must be the last part of the form');
              if (part.fieldname !== 'kind' && part.fieldname !== 'title') {
                throw invalid(`Unknown field "${part.fieldname}"`, part.fieldname);
              }
              if (fields.has(part.fieldname))
                throw invalid(`"${part.fieldname}" is repeated`, part.fieldname);
              if (part.valueTruncated) throw invalid(`"${part.fieldname}" is too long`, part.fieldname);
              fields.set(part.fieldname, String(part.value));
              continue;
            }
            if (part.fieldname !== 'file') {
              throw invalid(`The document goes in the "file" part, not "${part.fieldname}"`, part.fieldname);
            }
            input = documentInput(fields);
            const file = part.file;
            // At the limit the parser stops passing bytes but goes on reading (and discarding) the
            // rest of the part: stop the body right there and fail the file. The limit may even
            // have been reached before the part got here, when the first bytes came in one chunk.
            if (file.truncated) {
              request.raw.unpipe();
              throw tooLarge(opts.maxBytes);
            }
            file.on('limit', () => {
              request.raw.unpipe();
              file.destroy(tooLarge(opts.maxBytes));
            });
            stored = await storeDocumentContent(storage, {
              stream: file,
              fileName: part.filename,
              declaredType: part.mimetype,
            });
            if (file.truncated) throw tooLarge(opts.maxBytes);
          }
          if (!stored || !input) throw invalid('The form has no "file" part', 'file');
          parsing = false;
          const view = await recordDocument(ctx, storage, authorityId, tenderId, input, stored);
          return reply.status(201).send(view);
        } catch (err) {
          // `recordDocument` cleans up after itself; content stored before a later part failed is ours.
          if (parsing) {
            stopReading(request, reply);
            if (stored) await discardContent(ctx, storage, stored);
          }
          throw parsing ? multipartError(err, opts.maxBytes) : err;
        }
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
