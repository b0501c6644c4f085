/**
 * The documents of a contract over the API: upload (multipart) and list for the authority's
 * staff, download for them, and the public download of a document a recorded event names.
 * Registered by contract.routes.ts in a plugin of its own, so no other route parses multipart.
 */
import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { App } from '../../app.js';
import { downloadHeaders, streamedBodyValidator } from '../../platform/http/documents.js';
import { errors, Uuid } from '../../platform/http/schemas.js';
import type { BlobStore } from '../../platform/storage/blob-store.js';
import { DOCUMENT_CONTENT_TYPES } from '../tenders/tender-document.rules.js';
import {
  CONTRACT_DOCUMENT_TITLE_MAX,
  listContractDocuments,
  openContractDocument,
  openPublicContractDocument,
} from './contract-document.service.js';
import { receiveContractDocument, registerContractMultipart } from './contract-document.upload.js';

const tags = ['Evaluation'];

export const ContractDocumentSchema = Type.Object({
  id: Type.String(),
  title: Type.String(),
  fileName: Type.String(),
  contentType: Type.String(),
  size: Type.Integer({ description: 'Bytes' }),
  sha256: Type.String({ description: 'SHA-256 of the content, hex: what a contract event names' }),
  uploadedAt: Type.String(),
  published: Type.Boolean({ description: 'Named by a recorded event, hence public' }),
});

/** The form, for the OpenAPI document; the stream itself is checked while it is read. */
const UploadForm = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: CONTRACT_DOCUMENT_TITLE_MAX }),
    file: Type.Unsafe<string>({
      type: 'string',
      format: 'binary',
      description: `Last part of the form. Accepted types: ${DOCUMENT_CONTENT_TYPES.join(', ')}; the part's Content-Type and the file name's extension must agree with the content.`,
    }),
  },
  { required: ['title', 'file'] },
);

const ContractParams = Type.Object({ authorityId: Uuid, contractId: Uuid });
const Binary = {
  description: 'The document, byte for byte as uploaded',
  content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
};

export type ContractDocumentRouteOptions = { store: BlobStore; maxBytes: number };

export const contractDocumentRoutes =
  (app: App, opts: ContractDocumentRouteOptions): FastifyPluginAsyncTypebox =>
  async (r) => {
    await registerContractMultipart(r, opts.maxBytes);
    const base = '/authorities/:authorityId/contracts/:contractId/documents';

    r.post(
      base,
      {
        schema: {
          tags,
          summary:
            'Upload a document of the contract (procurement officer; multipart: title, then file); private until an event names its sha256',
          consumes: ['multipart/form-data'],
          params: ContractParams,
          body: UploadForm,
          response: { 201: ContractDocumentSchema, ...errors(400, 401, 403, 404, 409, 413, 415, 422) },
        },
        validatorCompiler: streamedBodyValidator,
      },
      async (request, reply) => {
        const view = await receiveContractDocument(
          request,
          reply,
          app.serviceContext(request),
          { ...opts, log: request.log },
          request.params,
        );
        return reply.status(201).send(view);
      },
    );

    r.get(
      base,
      {
        schema: {
          tags,
          summary: 'The documents uploaded to a contract, published (named by an event) or not',
          params: ContractParams,
          response: {
            200: Type.Object({ documents: Type.Array(ContractDocumentSchema) }),
            ...errors(400, 401, 403, 404),
          },
        },
      },
      async (request) => ({
        documents: await listContractDocuments(
          app.serviceContext(request),
          request.params.authorityId,
          request.params.contractId,
        ),
      }),
    );

    r.get(
      `${base}/:documentId/content`,
      {
        schema: {
          tags,
          summary:
            'Download a document of the contract (staff): as uploaded, with its SHA-256 in X-Content-SHA256 and Repr-Digest',
          params: Type.Object({ authorityId: Uuid, contractId: Uuid, documentId: Uuid }),
          response: { 200: Binary, ...errors(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        const { authorityId, contractId, documentId } = request.params;
        const { document, content } = await openContractDocument(
          app.serviceContext(request),
          opts.store,
          authorityId,
          contractId,
          documentId,
        );
        return downloadHeaders(reply, document, 'private, no-store').send(content);
      },
    );

    r.get(
      '/tenders/:ocid/contracts/:contractId/documents/:sha256',
      {
        schema: {
          tags,
          summary:
            'Download a document a published contract event names (public): as uploaded, with its SHA-256 in X-Content-SHA256 and Repr-Digest',
          params: Type.Object({
            ocid: Type.String({ maxLength: 100 }),
            contractId: Uuid,
            sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
          }),
          response: { 200: Binary, ...errors(400, 404) },
        },
      },
      async (request, reply) => {
        const { ocid, contractId, sha256 } = request.params;
        const { document, content } = await openPublicContractDocument(
          app.deps.database.db,
          opts.store,
          ocid,
          contractId,
          sha256,
        );
        // Content-addressed and published: the bytes behind this URL never change.
        return downloadHeaders(reply, document, 'public, max-age=86400, immutable').send(content);
      },
    );
  };
