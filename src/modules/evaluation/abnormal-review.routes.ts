import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { App } from '../../app.js';
import { DomainError } from '../../platform/errors.js';
import { Body, errors, Uuid } from '../../platform/http/schemas.js';
import { listAbnormalOffers, reviewAbnormalOffer } from './abnormal-review.service.js';
import { ABNORMAL_REJECTION_GROUNDS, type AbnormalReviewEvent } from './abnormal-review.types.js';

const tags = ['Evaluation'];

const Status = Type.Union(
  [
    'presumed',
    'justification_requested',
    'justification_received',
    'justification_missing',
    'technical_report',
    'accepted',
    'rejected',
  ].map((s) => Type.Literal(s)),
);
const Ground = Type.Union(ABNORMAL_REJECTION_GROUNDS.map((g) => Type.Literal(g)));
const Conclusion = Type.Union([Type.Literal('accept'), Type.Literal('reject')]);
const Instant = Type.Union([Type.String(), Type.Null()]);

const ReviewSchema = Type.Object({
  bidId: Type.String(),
  lot: Type.Integer(),
  company: Type.String(),
  price: Type.String(),
  reason: Type.String({ description: 'Why the screening presumes the offer abnormal (abnormal.types.ts)' }),
  checks: Type.Array(
    Type.Object({
      test: Type.String(),
      base: Type.String(),
      threshold: Type.String(),
      triggered: Type.Boolean(),
    }),
  ),
  status: Status,
  simplified: Type.Boolean(),
  requestedAt: Instant,
  deadline: Instant,
  receivedAt: Instant,
  report: Type.Union([
    Type.Object({ conclusion: Conclusion, summary: Type.String(), at: Type.String() }),
    Type.Null(),
  ]),
  decision: Type.Union([
    Type.Object({
      outcome: Type.Union([Type.Literal('accepted'), Type.Literal('rejected')]),
      grounds: Type.Optional(Type.Array(Ground)),
      reasons: Type.String(),
      at: Type.String(),
    }),
    Type.Null(),
  ]),
  monitoring: Type.Boolean(),
  version: Type.Integer(),
});

const Params = Type.Object({ authorityId: Uuid, tenderId: Uuid });

export const abnormalReviewRoutes =
  (app: App): FastifyPluginAsyncTypebox =>
  async (r) => {
    const base = '/authorities/:authorityId/tenders/:tenderId/abnormal-offers';

    r.get(
      base,
      {
        schema: {
          tags,
          summary:
            'Per lot, the offers presumed abnormally low after envelope C, with the state of their review (committee, officer, auditors)',
          params: Params,
          response: {
            200: Type.Object({
              ocid: Type.String(),
              lots: Type.Array(Type.Object({ lot: Type.Integer(), offers: Type.Array(ReviewSchema) })),
            }),
            ...errors(400, 401, 403, 404, 409),
          },
        },
      },
      async (request) =>
        listAbnormalOffers(app.serviceContext(request), request.params.authorityId, request.params.tenderId),
    );

    r.post(
      `${base}/:bidId/lots/:lot`,
      {
        schema: {
          tags,
          summary:
            'One step of the review of an offer presumed abnormally low: ask for a justification within business days, record it or its absence, the technical report, accept or reject with grounds (committee members)',
          params: Type.Object({
            authorityId: Uuid,
            tenderId: Uuid,
            bidId: Uuid,
            lot: Type.Integer({ minimum: 1, maximum: 10_000 }),
          }),
          body: Body({
            version: Type.Integer({ minimum: 0, description: 'The current version (0 before any step)' }),
            event: Type.Union([
              Type.Literal('request_justification'),
              Type.Literal('receive_justification'),
              Type.Literal('record_missing'),
              Type.Literal('record_technical_report'),
              Type.Literal('accept'),
              Type.Literal('reject'),
            ]),
            days: Type.Optional(
              Type.Integer({ description: 'Business days to justify (request_justification)' }),
            ),
            conclusion: Type.Optional(Conclusion),
            summary: Type.Optional(Type.String({ maxLength: 4000 })),
            reasons: Type.Optional(Type.String({ maxLength: 4000 })),
            grounds: Type.Optional(
              Type.Array(Ground, { minItems: 1, maxItems: ABNORMAL_REJECTION_GROUNDS.length }),
            ),
          }),
          response: { 200: ReviewSchema, ...errors(400, 401, 403, 404, 409, 422) },
        },
      },
      async (request) => {
        const b = request.body;
        if (b.event === 'record_technical_report' && b.conclusion === undefined) {
          // The report must conclude one way or the other: no default stands in for the experts.
          throw new DomainError('UNPROCESSABLE', "conclusion must be 'accept' or 'reject'", {
            field: 'conclusion',
          });
        }
        const event: AbnormalReviewEvent =
          b.event === 'request_justification'
            ? { type: 'request_justification', days: b.days ?? 0 }
            : b.event === 'record_technical_report'
              ? {
                  type: 'record_technical_report',
                  conclusion: b.conclusion ?? 'reject',
                  summary: b.summary ?? '',
                }
              : b.event === 'accept'
                ? { type: 'accept', reasons: b.reasons ?? '' }
                : b.event === 'reject'
                  ? { type: 'reject', grounds: b.grounds ?? [], reasons: b.reasons ?? '' }
                  : { type: b.event };
        return reviewAbnormalOffer(
          app.serviceContext(request),
          request.params.authorityId,
          request.params.tenderId,
          request.params.bidId,
          request.params.lot,
          { event, version: b.version },
        );
      },
    );
  };
