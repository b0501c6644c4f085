import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { App } from '../../app.js';
import { errors, Uuid } from '../../platform/http/schemas.js';
import { lotScoring } from './scoring.service.js';

const tags = ['Evaluation'];

const OfferScoreSchema = Type.Object({
  bidId: Type.String(),
  company: Type.String(),
  price: Type.String(),
  points: Type.Array(
    Type.Object({
      criterion: Type.Integer(),
      evaluation: Type.Union([Type.Literal('formula'), Type.Literal('judgement')]),
      points: Type.String(),
    }),
  ),
  judgementPoints: Type.String(),
  formulaPoints: Type.String(),
  total: Type.String(),
  presumedAbnormal: Type.Boolean(),
  // abnormal-offer review (D6): the review's state, rejected offers out of the computation, accepted ones monitored
  abnormalReview: Type.Union([Type.String(), Type.Null()]),
  excluded: Type.Boolean(),
  monitoring: Type.Boolean(),
  rank: Type.Union([Type.Integer(), Type.Null()]),
});

export const scoringRoutes =
  (app: App): FastifyPluginAsyncTypebox =>
  async (r) => {
    r.get(
      '/authorities/:authorityId/tenders/:tenderId/scoring',
      {
        schema: {
          tags,
          summary:
            'Per lot, after envelope C: offers read at the opening, abnormal-price screening, points per criterion with the published formulas, totals and ranking',
          params: Type.Object({ authorityId: Uuid, tenderId: Uuid }),
          response: {
            200: Type.Object({
              ocid: Type.String(),
              lots: Type.Array(
                Type.Object({
                  lot: Type.Integer(),
                  budget: Type.String(),
                  offers: Type.Array(OfferScoreSchema),
                  abnormal: Type.Unknown({
                    description: 'The screening with its figures (abnormal.types.ts)',
                  }),
                  ranking: Type.Object({
                    status: Type.Union([Type.Literal('ranked'), Type.Literal('needs_draw')]),
                    ranking: Type.Array(
                      Type.Object({
                        id: Type.String(),
                        rank: Type.Integer(),
                        total: Type.String(),
                        decidedBy: Type.String(),
                        tieBreakKey: Type.Optional(Type.String()),
                      }),
                    ),
                    ties: Type.Array(Type.Array(Type.String())),
                  }),
                  unreadable: Type.Array(
                    Type.Object({ bidId: Type.String(), company: Type.String(), problem: Type.String() }),
                  ),
                }),
              ),
            }),
            ...errors(400, 401, 403, 404, 409),
          },
        },
      },
      async (request) =>
        lotScoring(app.serviceContext(request), request.params.authorityId, request.params.tenderId),
    );
  };
