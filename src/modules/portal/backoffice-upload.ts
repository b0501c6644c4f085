import { requireSignedIn } from './account.pages.js';
import fastifyMultipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../app.js';
import { DomainError, ErrorCodes } from '../../platform/errors.js';
import { DOCUMENT_KINDS } from '../tenders/tender-document.rules.js';
import {
  checkCanAddDocument,
  type DocumentInput,
  discardContent,
  recordDocument,
  type StoredContent,
  storeDocumentContent,
} from '../tenders/tender-document.service.js';
import { renderFilePage } from './backoffice-workflow.pages.js';

import type { FieldError } from './layout.js';
import { errorMessage, pageContext, validIds } from './portal.context.js';

const TITLE_MAX = 200;
const FORM_OVERHEAD = 64 * 1024;
type TenderParams = { Params: { authorityId: string; tenderId: string } };

/** Form field → the page's field id, for the error summary. */
const FIELD_OF: Record<string, string> = { kind: 'doc-kind', title: 'doc-title', file: 'doc-file' };

const invalid = (field: 'kind' | 'title' | 'file', message: string) =>
  new DomainError('VALIDATION_FAILED', message, { field });

/** The multipart layer's errors as the stable codes the API uses too. */
function multipartError(err: unknown, maxBytes: number): unknown {
  if (err instanceof DomainError) return err;
  const code = (err as { code?: unknown }).code;
  if (code === 'FST_REQ_FILE_TOO_LARGE') {
    return new DomainError('DOCUMENT_TOO_LARGE', `The document is larger than ${maxBytes} bytes`, {
      maxBytes,
    });
  }
  if ((typeof code === 'string' && code.startsWith('FST_')) || (code === undefined && err instanceof Error)) {
    return invalid('file', 'Malformed form');
  }
  return err;
}

/**
 * The document upload of the file page: a plain HTML multipart form, streamed into the same
 * service functions as the API route (tender-document.routes.ts), with the same limits.
 *
 * CSRF: the global check runs before a multipart body is read, so the form's token cannot come
 * from the body; the form sends it in the query string and this route hands it to the check as
 * the header the API clients use. Referrer-Policy is no-referrer (helmet), so the URL does not
 * leak to other sites; the token is tied to the signed CSRF cookie like any other.
 */
export const backofficeUploadRoutes = (app: App) => async (r: FastifyInstance) => {
  const maxBytes = app.deps.config.documentMaxBytes;
  const store = app.deps.blobStore;
  await r.register(fastifyMultipart, {
    limits: {
      fileSize: maxBytes,
      files: 1,
      fields: 3,
      parts: 4,
      fieldNameSize: 50,
      fieldSize: 4 * TITLE_MAX + 100,
      headerPairs: 20,
    },
  });

  r.post<TenderParams>(
    '/office/:authorityId/tenders/:tenderId/documents',
    {
      onRequest: async (request) => {
        const token = (request.query as Record<string, unknown>)._csrf;
        if (typeof token === 'string' && request.headers['x-csrf-token'] === undefined) {
          request.raw.headers['x-csrf-token'] = token;
        }
      },
    },
    async (request: FastifyRequest<TenderParams>, reply: FastifyReply) => {
      const { authorityId, tenderId } = request.params;
      if (!requireSignedIn(request, reply) || !validIds(reply, authorityId, tenderId)) {
        request.raw.unpipe();
        reply.header('connection', 'close');
        return reply;
      }
      const ctx = app.serviceContext(request);
      const storage = { store, maxBytes, log: request.log };
      const fields = new Map<string, string>();
      let stored: StoredContent | undefined;
      let parsing = true;
      try {
        // Who and which file first: a refused caller gets the answer before the body is read.
        await checkCanAddDocument(ctx, authorityId, tenderId);
        if (Number(request.headers['content-length']) > maxBytes + FORM_OVERHEAD) {
          throw new DomainError('DOCUMENT_TOO_LARGE', `The document is larger than ${maxBytes} bytes`, {
            maxBytes,
          });
        }
        let input: DocumentInput | undefined;
        for await (const part of request.parts()) {
          const name = part.fieldname.replace(/^doc-/, '');
          if (part.type === 'field') {
            if ((name !== 'kind' && name !== 'title') || fields.has(name) || stored)
              throw invalid('file', 'Malformed form');
            if (part.valueTruncated) throw invalid(name, 'Too long');
            fields.set(name, String(part.value).trim());
            continue;
          }
          if (name !== 'file') throw invalid('file', 'Malformed form');
          const kind = fields.get('kind') ?? '';
          const title = fields.get('title') ?? '';
          if (!(DOCUMENT_KINDS as readonly string[]).includes(kind)) throw invalid('kind', 'Unknown kind');
          if (title === '' || [...title].length > TITLE_MAX) throw invalid('title', 'Title required');
          // A form sent without choosing a file still has the part, with no name and no bytes.
          if (part.filename === '') throw invalid('file', 'No file chosen');
          input = { kind: kind as DocumentInput['kind'], title };
          const file = part.file;
          if (file.truncated) {
            request.raw.unpipe();
            throw multipartError({ code: 'FST_REQ_FILE_TOO_LARGE' }, maxBytes);
          }
          file.on('limit', () => {
            request.raw.unpipe();
            file.destroy(multipartError({ code: 'FST_REQ_FILE_TOO_LARGE' }, maxBytes) as Error);
          });
          stored = await storeDocumentContent(storage, {
            stream: file,
            fileName: part.filename,
            declaredType: part.mimetype,
          });
          if (file.truncated) throw multipartError({ code: 'FST_REQ_FILE_TOO_LARGE' }, maxBytes);
        }
        if (!stored || !input) throw invalid('file', 'No file');
        parsing = false;
        await recordDocument(ctx, storage, authorityId, tenderId, input, stored);
      } catch (caught) {
        if (parsing) {
          request.raw.unpipe();
          reply.header('connection', 'close');
          if (stored) await discardContent(ctx, storage, stored);
        }
        const err = parsing ? multipartError(caught, maxBytes) : caught;
        if (!(err instanceof DomainError) || ['NOT_FOUND', 'FORBIDDEN', 'UNAUTHENTICATED'].includes(err.code))
          throw err;
        const t = (await pageContext(app, request, reply)).t;
        const named = (err.details as { field?: unknown } | undefined)?.field;
        const field = typeof named === 'string' ? (FIELD_OF[named] ?? 'doc-file') : 'doc-file';
        const message =
          err.code === 'VALIDATION_FAILED' && field === 'doc-file'
            ? t('backoffice.documents.fileRequired')
            : err.code === 'VALIDATION_FAILED' && field === 'doc-title'
              ? t('backoffice.problem.required')
              : errorMessage(t, err.code);
        const errors: FieldError[] = [{ field, message }];
        return renderFilePage(app, request, reply, authorityId, tenderId, {
          errors,
          status: ErrorCodes[err.code],
          upload: { kind: fields.get('kind') ?? 'pcap', title: fields.get('title') ?? '' },
        });
      }
      return reply.redirect(`/office/${authorityId}/tenders/${tenderId}?done=uploaded`, 303);
    },
  );
};
