import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { App } from '../../app.js';
import { Body, errors, Uuid } from '../../platform/http/schemas.js';
import { decideQualification, listQualification } from './qualification.service.js';
import { EXCLUSION_GROUNDS, type QualificationEvent } from './qualification.types.js';

const tags = ['Evaluation'];

const Status = Type.Union(
  ['pending', 'remediation_requested', 'admitted', 'excluded'].map((s) => Type.Literal(s)),
);
const Ground = Type.Union(EXCLUSION_GROUNDS.map((g) => Type.Literal(g)));

const QualificationSchema = Type.Object({
  bidId: Type.String(),
  company: Type.Object({ id: Type.String(), legalName: Type.String(), taxId: Type.String() }),
  opening: Type.Object({
    outcome: Type.Union([Type.Literal('opened'), Type.Literal('failed')]),
    failure: Type.Union([Type.String(), Type.Null()]),
  }),
  status: Status,
  remediation: Type.Union([
    Type.Object({ items: Type.Array(Type.String()), requestedAt: Type.String(), deadline: Type.String() }),
    Type.Null(),
  ]),
  exclusion: Type.Union([Type.Object({ grounds: Type.Array(Ground), reasons: Type.String() }), Type.Null()]),
  decidedAt: Type.Union([Type.String(), Type.Null()]),
  version: Type.Integer(),
});

const Params = Type.Object({ authorityId: Uuid, tenderId: Uuid });

export const qualificationRoutes =
  (app: App): FastifyPluginAsyncTypebox =>
  async (r) => {
    const base = '/authorities/:authorityId/tenders/:tenderId/qualification';

    r.get(
      base,
      {
        schema: {
          tags,
          summary:
            'The qualification of the bids opened at the first envelope (committee, officer, auditors)',
          params: Params,
          response: {
            200: Type.Object({
              envelope: Type.Union([Type.Literal('A'), Type.Literal('B'), Type.Literal('C')]),
              opened: Type.Boolean(),
              complete: Type.Boolean(),
              bids: Type.Array(QualificationSchema),
            }),
            ...errors(400, 401, 403, 404, 409),
          },
        },
      },
      async (request) =>
        listQualification(app.serviceContext(request), request.params.authorityId, request.params.tenderId),
    );

    r.post(
      `${base}/:bidId`,
      {
        schema: {
          tags,
          summary:
            'Admit a bid, exclude it with grounds and reasons, or ask it to remedy defects within 1–3 business days (committee members)',
          params: Type.Object({ authorityId: Uuid, tenderId: Uuid, bidId: Uuid }),
          body: Body({
            version: Type.Integer({ minimum: 0, description: 'The current version (0 before any decision)' }),
            decision: Type.Union([
              Type.Literal('admit'),
              Type.Literal('exclude'),
              Type.Literal('request_remediation'),
            ]),
            grounds: Type.Optional(Type.Array(Ground, { minItems: 1, maxItems: EXCLUSION_GROUNDS.length })),
            reasons: Type.Optional(Type.String({ maxLength: 4000 })),
            items: Type.Optional(
              Type.Array(Type.String({ minLength: 1, maxLength: 500 }), { minItems: 1, maxItems: 30 }),
            ),
            days: Type.Optional(Type.Integer()),
          }),
          response: { 200: QualificationSchema, ...errors(400, 401, 403, 404, 409, 422) },
        },
      },
      async (request) => {
        const b = request.body;
        const event: QualificationEvent =
          b.decision === 'admit'
            ? { type: 'admit' }
            : b.decision === 'exclude'
              ? { type: 'exclude', grounds: b.grounds ?? [], reasons: b.reasons ?? '' }
              : { type: 'request_remediation', items: b.items ?? [], days: b.days ?? 0 };
        return decideQualification(
          app.serviceContext(request),
          request.params.authorityId,
          request.params.tenderId,
          request.params.bidId,
          { event, version: b.version },
        );
      },
    );
  };
