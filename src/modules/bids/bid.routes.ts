import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest, FastifySchemaCompiler } from 'fastify';
import type { Readable } from 'node:stream';
import type { App } from '../../app.js';
import { DomainError } from '../../platform/errors.js';
import { Body, errors, Uuid } from '../../platform/http/schemas.js';
import { validatorCompiler } from '../../platform/http/validation.js';
import { presentReceipt } from './bid.presenter.js';
import {
  bidCommitment,
  listBidReceipts,
  submitBidVersion,
  uploadBidBlob,
  withdrawBid,
} from './bid.service.js';

const tags = ['Bids'];

const Ocid = Type.String({ pattern: '^ocds-[a-z0-9]{6}-[0-9a-f-]{36}$' });
/** Lowercase: the bid id is written into every manifest and share exactly as sealed. */
const BidId = Type.String({
  pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
  description: 'UUID chosen by the bidder’s client before sealing (lowercase)',
});
const Sha256 = Type.String({ pattern: '^[0-9a-f]{64}$', description: 'SHA-256 of the bytes, lowercase hex' });
const BidParams = Type.Object({ ocid: Ocid, bidId: BidId });

const ReceiptFileSchema = Type.Object(
  {
    receipt: Type.Unknown({ description: 'The receipt as signed (docs/RECEIPTS.md)' }),
    signature: Type.String({ description: 'Ed25519 signature of the receipt’s canonical JSON, base64' }),
  },
  { description: 'The receipt file: save it as JSON; verify it with `contracta receipt verify`' },
);

/** A sealed piece is a raw stream: it is hashed and counted while read, never parsed or buffered. */
const streamedBodyValidator: FastifySchemaCompiler<unknown> = (route) =>
  route.httpPart === 'body' ? () => true : validatorCompiler(route);

/** After a refusal, stop reading: the client may be sending a gigabyte. */
function stopReading(request: FastifyRequest, reply: FastifyReply): void {
  request.raw.unpipe();
  reply.header('connection', 'close');
}

export const bidRoutes =
  (app: App): FastifyPluginAsyncTypebox =>
  async (r) => {
    const storage = (request: FastifyRequest) => ({
      store: app.deps.blobStore,
      maxBytes: app.deps.config.bidEnvelopeMaxBytes,
      signingKey: app.deps.signingKey.current,
      log: request.log,
    });
    // Encapsulated in this plugin: only the piece upload takes raw bytes.
    r.addContentTypeParser('application/octet-stream', (_request, payload, done) => done(null, payload));

    r.put(
      '/tenders/:ocid/bids/:bidId/blobs/:sha256',
      {
        schema: {
          tags,
          summary:
            'Upload one sealed piece of a bid (an age-encrypted file or key share), streamed and hashed; kept only if its SHA-256 matches and its last byte arrives before the deadline',
          consumes: ['application/octet-stream'],
          params: Type.Object({ ocid: Ocid, bidId: BidId, sha256: Sha256 }),
          querystring: Type.Object({ companyId: Uuid }),
          body: Type.Unsafe<unknown>({ type: 'string', format: 'binary' }),
          response: {
            201: Type.Object({ sha256: Sha256, size: Type.Integer({ description: 'Bytes stored' }) }),
            ...errors(400, 401, 403, 404, 409, 413, 415, 422),
          },
        },
        validatorCompiler: streamedBodyValidator,
      },
      async (request, reply) => {
        const stream = request.body as Readable | undefined;
        if (!stream || typeof (stream as { pipe?: unknown }).pipe !== 'function') {
          throw new DomainError('UNSUPPORTED_MEDIA_TYPE', 'Send the piece as application/octet-stream');
        }
        const { maxBytes } = storage(request);
        try {
          if (Number(request.headers['content-length']) > maxBytes) {
            throw new DomainError('ENVELOPE_TOO_LARGE', `A sealed piece is larger than ${maxBytes} bytes`, {
              maxBytes,
            });
          }
          const stored = await uploadBidBlob(app.serviceContext(request), storage(request), {
            ...request.params,
            companyId: request.query.companyId,
            stream,
          });
          return reply.status(201).send(stored);
        } catch (err) {
          stopReading(request, reply);
          throw err;
        }
      },
    );

    r.post(
      '/tenders/:ocid/bids/:bidId/versions',
      {
        bodyLimit: 8 * 1024 * 1024,
        schema: {
          tags,
          summary:
            'Submit (or replace) a sealed bid: the manifests of every envelope the tender defines, whose pieces were uploaded; answers the signed receipt',
          params: BidParams,
          body: Body({
            companyId: Uuid,
            lots: Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: 1000 }),
            envelopes: Type.Array(
              Body({
                manifest: Type.Unknown({ description: 'The envelope manifest (protocol v1) as sealed' }),
              }),
              { minItems: 1, maxItems: 3 },
            ),
          }),
          response: { 201: ReceiptFileSchema, ...errors(400, 401, 403, 404, 409, 422) },
        },
      },
      async (request, reply) => {
        const file = await submitBidVersion(
          app.serviceContext(request),
          storage(request),
          request.params.ocid,
          request.params.bidId,
          request.body,
        );
        return reply.status(201).send(file);
      },
    );

    r.post(
      '/tenders/:ocid/bids/:bidId/withdraw',
      {
        schema: {
          tags,
          summary: 'Withdraw a bid before the deadline; answers the signed withdrawal receipt',
          params: BidParams,
          body: Body({ companyId: Uuid }),
          response: { 201: ReceiptFileSchema, ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        const ctx = app.serviceContext(request);
        const result = await withdrawBid(
          ctx,
          storage(request),
          request.params.ocid,
          request.params.bidId,
          request.body.companyId,
        );
        return reply.status(201).send(result);
      },
    );

    r.get(
      '/tenders/:ocid/bids/:bidId/receipts',
      {
        schema: {
          tags,
          summary: 'The receipts of a bid (every submission, replacement and withdrawal), for its company',
          params: BidParams,
          response: {
            200: Type.Array(
              Type.Object({
                version: Type.Integer(),
                kind: Type.String({ description: 'submission or withdrawal' }),
                sequence: Type.Integer(),
                file: ReceiptFileSchema,
              }),
            ),
            ...errors(400, 401, 403, 404),
          },
        },
      },
      async (request) =>
        (await listBidReceipts(app.serviceContext(request), request.params.ocid, request.params.bidId)).map(
          presentReceipt,
        ),
    );

    r.get(
      '/tenders/:ocid/bids/commitment',
      {
        schema: {
          tags,
          summary:
            'The commitment at the deadline (public): bids per lot and the sorted SHA-256 of every manifest and ciphertext, no company identities',
          params: Type.Object({ ocid: Ocid }),
          response: {
            200: Type.Object({
              commitment: Type.Unknown({ description: 'Canonical JSON object; its SHA-256 is `sha256`' }),
              sha256: Sha256,
            }),
            ...errors(400, 404, 409),
          },
        },
      },
      async (request) => bidCommitment(app.serviceContext(request), request.params.ocid),
    );
  };
