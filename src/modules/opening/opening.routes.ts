import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { App } from '../../app.js';
import { Body, errors, Uuid } from '../../platform/http/schemas.js';
import { listOpenings, ownShares, submitShares } from './opening.service.js';
import { sharePoolOf } from './share-pool.js';

const tags = ['Opening'];
const Envelope = Type.Union([Type.Literal('A'), Type.Literal('B'), Type.Literal('C')]);

const OpeningSchema = Type.Object({
  record: Type.Object(
    {
      v: Type.Literal(1),
      kind: Type.Literal('contracta.opening-record'),
      ocid: Type.String(),
      tenderId: Type.String(),
      envelope: Envelope,
      openedAt: Type.String(),
      quorum: Type.Integer(),
      custodians: Type.Array(Type.Object({ index: Type.Integer(), name: Type.String() })),
      bids: Type.Array(
        Type.Object({
          bidId: Type.String(),
          sequence: Type.Integer(),
          lots: Type.Array(Type.Integer()),
          company: Type.Object({ id: Type.String(), legalName: Type.String(), taxId: Type.String() }),
          manifestSha256: Type.String(),
          outcome: Type.Union([Type.Literal('opened'), Type.Literal('failed')]),
          failure: Type.Union([Type.String(), Type.Null()]),
          files: Type.Array(
            Type.Object({ name: Type.String(), size: Type.Integer(), sha256: Type.String() }),
          ),
          offer: Type.Optional(
            Type.Union([
              Type.Object(
                {
                  lots: Type.Union([
                    Type.Array(
                      Type.Object({
                        lot: Type.Integer(),
                        price: Type.String({ description: 'Euros, VAT excluded' }),
                        values: Type.Array(Type.Object({ criterion: Type.Integer(), value: Type.String() })),
                      }),
                    ),
                    Type.Null(),
                  ]),
                  problem: Type.Union([Type.String(), Type.Null()]),
                },
                { description: "Envelope C only: the bid's offer.json as read at the opening" },
              ),
              Type.Null(),
            ]),
          ),
        }),
      ),
    },
    { description: 'The opening record as published (canonical JSON, hashed into recordSha256)' },
  ),
  recordSha256: Type.String(),
});

const StageParams = Type.Object({ authorityId: Uuid, tenderId: Uuid, envelope: Envelope });

export const openingRoutes =
  (app: App): FastifyPluginAsyncTypebox =>
  async (r) => {
    // Submitted key shares live here, in this process's memory only (share-pool.ts).
    const deps = { pool: sharePoolOf(app, app.deps.clock), blobStore: app.deps.blobStore, log: app.log };
    const base = '/authorities/:authorityId/tenders/:tenderId/opening';

    r.post(
      `${base}/:envelope/shares`,
      {
        schema: {
          tags,
          summary:
            'Submit your key shares (decrypted on your device) for the bids of an envelope stage, as one of the tender’s key custodians; the stage opens when k custodians have submitted',
          params: StageParams,
          body: Body({
            shares: Type.Array(
              Type.Object(
                {
                  bidId: Uuid,
                  share: Type.Unknown({
                    description:
                      'The share payload as decrypted: {"v":1,"ocid","bidId","envelope","index","share"} (object or its JSON text)',
                  }),
                },
                { additionalProperties: false },
              ),
              { maxItems: 10_000 },
            ),
          }),
          response: {
            200: Type.Object({
              envelope: Envelope,
              custodianIndex: Type.Integer(),
              quorum: Type.Integer(),
              custodiansSubmitted: Type.Integer(),
              pending: Type.Array(Type.Object({ bidId: Type.String(), shares: Type.Integer() })),
              opened: Type.Union([OpeningSchema, Type.Null()]),
            }),
            ...errors(400, 401, 403, 404, 409, 422),
          },
        },
      },
      async (request) =>
        submitShares(
          app.serviceContext(request),
          deps,
          request.params.authorityId,
          request.params.tenderId,
          request.params.envelope,
          { shares: request.body.shares.map((s) => ({ bidId: s.bidId, share: s.share })) },
        ),
    );

    r.get(
      `${base}/:envelope/shares/mine`,
      {
        schema: {
          tags,
          summary:
            'Your encrypted key shares for the bids of an envelope stage that may open now (age files, base64), to decrypt on your device',
          params: StageParams,
          response: {
            200: Type.Object({
              envelope: Envelope,
              custodianIndex: Type.Integer(),
              quorum: Type.Integer(),
              shares: Type.Array(
                Type.Object({ bidId: Type.String(), sha256: Type.String(), ciphertext: Type.String() }),
              ),
            }),
            ...errors(400, 401, 403, 404, 409),
          },
        },
      },
      async (request) =>
        ownShares(
          app.serviceContext(request),
          deps,
          request.params.authorityId,
          request.params.tenderId,
          request.params.envelope,
        ),
    );

    r.get(
      '/tenders/:ocid/openings',
      {
        schema: {
          tags,
          summary: 'The published opening records of a tender: who opened which envelope, when, and the bids',
          params: Type.Object({ ocid: Type.String({ minLength: 1, maxLength: 200 }) }),
          response: { 200: Type.Array(OpeningSchema), ...errors(400, 404) },
        },
      },
      async (request) => listOpenings(app.serviceContext(request), request.params.ocid),
    );
  };
