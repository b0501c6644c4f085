import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { App } from '../../app.js';
import { DomainError } from '../../platform/errors.js';
import { Body, errors, Uuid } from '../../platform/http/schemas.js';
import { publicTenderByOcid } from '../opening/opening.repo.js';
import {
  approveJudgementReport,
  judgementSheet,
  publishedJudgementReport,
  scoreJudgement,
} from './judgement.service.js';

const tags = ['Evaluation'];
const Params = Type.Object({ authorityId: Uuid, tenderId: Uuid });

const ScoreSchema = Type.Object({
  bidId: Type.String(),
  lot: Type.Integer(),
  criterion: Type.Integer(),
  memberId: Type.String(),
  memberName: Type.String(),
  points: Type.String(),
  justification: Type.String(),
  scoredAt: Type.String(),
});

const ReportSchema = Type.Object({
  report: Type.Object(
    {
      v: Type.Literal(1),
      kind: Type.Literal('contracta.judgement-report'),
      ocid: Type.String(),
      tenderId: Type.String(),
      approvedAt: Type.String(),
      summary: Type.Union([Type.String(), Type.Null()]),
      expertCommittee: Type.Optional(
        Type.Object(
          { lots: Type.Array(Type.Integer()), experts: Type.Array(Type.String()) },
          {
            description:
              'Only when art. 146.2.a LCSP applies: the lots the committee of experts scored, and the experts',
          },
        ),
      ),
      scores: Type.Array(
        Type.Object({
          bidId: Type.String(),
          company: Type.String(),
          lot: Type.Integer(),
          criterion: Type.Integer(),
          maxPoints: Type.String(),
          points: Type.String(),
          members: Type.Array(
            Type.Object({ name: Type.String(), points: Type.String(), justification: Type.String() }),
          ),
        }),
      ),
    },
    { description: 'The approved report as published (canonical JSON, hashed into reportSha256)' },
  ),
  reportSha256: Type.String(),
});

export const judgementRoutes =
  (app: App): FastifyPluginAsyncTypebox =>
  async (r) => {
    const base = '/authorities/:authorityId/tenders/:tenderId/judgement';

    r.get(
      base,
      {
        schema: {
          tags,
          summary: 'The judgement scoring sheet of envelope B: criteria, bids, every score, what is missing',
          params: Params,
          response: {
            200: Type.Object({
              opened: Type.Boolean(),
              reportApproved: Type.Boolean(),
              criteria: Type.Array(
                Type.Object({
                  lot: Type.Integer(),
                  criterion: Type.Integer(),
                  name: Type.Unknown(),
                  maxPoints: Type.String(),
                }),
              ),
              bids: Type.Array(
                Type.Object({
                  bidId: Type.String(),
                  company: Type.Object({ id: Type.String(), legalName: Type.String() }),
                  lots: Type.Array(Type.Integer()),
                }),
              ),
              committee: Type.Array(Type.Object({ userId: Type.String(), name: Type.String() })),
              expertCommittee: Type.Object(
                {
                  lots: Type.Array(Type.Integer()),
                  experts: Type.Array(Type.Object({ userId: Type.String(), name: Type.String() })),
                  minimum: Type.Integer(),
                  ready: Type.Boolean(),
                },
                {
                  description:
                    'Art. 146.2.a LCSP: lots whose judgement criteria outweigh their formula criteria are scored by the tender’s experts only (at least 3)',
                },
              ),
              scores: Type.Array(ScoreSchema),
              missing: Type.Array(Type.String()),
            }),
            ...errors(400, 401, 403, 404, 409),
          },
        },
      },
      async (request) =>
        judgementSheet(app.serviceContext(request), request.params.authorityId, request.params.tenderId),
    );

    r.put(
      `${base}/:bidId/lots/:lot/criteria/:criterion`,
      {
        schema: {
          tags,
          summary:
            "A committee member's own score of one judgement criterion of a bid's lot, with reasons (until the report is approved); where the lot's judgement criteria outweigh its formula criteria, an expert's (art. 146.2.a LCSP)",
          params: Type.Object({
            authorityId: Uuid,
            tenderId: Uuid,
            bidId: Uuid,
            lot: Type.Integer({ minimum: 1, maximum: 10_000 }),
            criterion: Type.Integer({ minimum: 1, maximum: 100 }),
          }),
          body: Body({
            points: Type.String({ maxLength: 20, description: 'Decimal from 0 to the criterion weight' }),
            justification: Type.String({ maxLength: 4000 }),
          }),
          response: { 200: ScoreSchema, ...errors(400, 401, 403, 404, 409, 422) },
        },
      },
      async (request) =>
        scoreJudgement(app.serviceContext(request), request.params.authorityId, request.params.tenderId, {
          bidId: request.params.bidId,
          lot: request.params.lot,
          criterion: request.params.criterion,
          points: request.body.points,
          justification: request.body.justification,
        }),
    );

    r.post(
      `${base}/report`,
      {
        schema: {
          tags,
          summary:
            'Approve the report on envelope B once every score is in; it is published and envelope C may open (committee members)',
          params: Params,
          body: Body({ summary: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })) }),
          response: {
            200: Type.Object({
              tenderId: Type.String(),
              approvedAt: Type.String(),
              approvedBy: Type.String(),
              reportSha256: Type.String(),
            }),
            ...errors(400, 401, 403, 404, 409),
          },
        },
      },
      async (request) =>
        approveJudgementReport(
          app.serviceContext(request),
          request.params.authorityId,
          request.params.tenderId,
          {
            summary: request.body.summary,
          },
        ),
    );

    r.get(
      '/tenders/:ocid/judgement-report',
      {
        schema: {
          tags,
          summary: 'The approved report on envelope B of a tender (public)',
          params: Type.Object({ ocid: Type.String({ maxLength: 100 }) }),
          response: { 200: ReportSchema, ...errors(400, 404) },
        },
      },
      async (request) => {
        const db = app.deps.database.db;
        const t = await publicTenderByOcid(db, request.params.ocid);
        const report = t ? await publishedJudgementReport(db, t.authority_id, t.id) : null;
        if (!report) throw new DomainError('NOT_FOUND', 'No approved judgement report for this tender');
        return report;
      },
    );
  };
