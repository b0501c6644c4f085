import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { App } from '../../app.js';
import { DomainError } from '../../platform/errors.js';
import { Body, errors, Uuid } from '../../platform/http/schemas.js';
import { publicTenderByOcid } from '../opening/opening.repo.js';
import { noticeMailOf } from '../portal/notice-mail.js';
import { listAwards, publicAwards, recordDraw, stepAward } from './award.service.js';
import type { AwardEvent } from './award.types.js';

const tags = ['Evaluation'];

const Instant = Type.String({ format: 'date-time' });
const NullableInstant = Type.Union([Type.String(), Type.Null()]);

const STATUSES = [
  'ranking',
  'proposed',
  'documentation_requested',
  'documentation_ok',
  'documentation_failed',
  'awarded',
  'notified',
  'standstill',
  'ready_to_formalise',
  'formalised',
  'void',
] as const;

const EVENTS = [
  'propose',
  'request_documentation',
  'documentation_ok',
  'documentation_failed',
  'propose_next',
  'award',
  'notify',
  'start_standstill',
  'clear_for_formalisation',
  'formalise',
  'declare_void',
  'lodge_appeal',
  'resolve_appeal',
] as const;

const LotAwardSchema = Type.Object({
  lot: Type.Integer(),
  status: Type.Union(STATUSES.map((s) => Type.Literal(s))),
  version: Type.Integer(),
  ranking: Type.Array(
    Type.Object({
      bidId: Type.String(),
      company: Type.String(),
      price: Type.String(),
      total: Type.String(),
      rank: Type.Integer(),
    }),
  ),
  rankingStatus: Type.Union([Type.Literal('ranked'), Type.Literal('needs_draw'), Type.Literal('frozen')]),
  ties: Type.Array(Type.Array(Type.String())),
  draw: Type.Union([Type.Array(Type.String()), Type.Null()]),
  candidate: Type.Union([Type.String(), Type.Null()]),
  failed: Type.Array(Type.Object({ bidId: Type.String(), reason: Type.String(), at: Type.String() })),
  documentationDeadline: NullableInstant,
  award: Type.Union([
    Type.Object({ bidId: Type.String(), reasons: Type.String(), at: Type.String() }),
    Type.Null(),
  ]),
  notifiedAt: NullableInstant,
  specialAppeal: Type.Boolean(),
  standstillEnds: NullableInstant,
  appeal: Type.Union([Type.Object({ lodgedAt: Type.String() }), Type.Null()]),
  formalisedAt: NullableInstant,
  void: Type.Union([Type.Object({ reasons: Type.String(), at: Type.String() }), Type.Null()]),
  contractId: Type.Union([Type.String(), Type.Null()]),
});

const PublicLotAwardSchema = Type.Object({
  lot: Type.Integer(),
  stage: Type.Union([Type.Literal('awarded'), Type.Literal('formalised'), Type.Literal('void')]),
  award: Type.Union([
    Type.Object({
      company: Type.Object({ legalName: Type.String(), taxId: Type.String() }),
      price: Type.String(),
      reasons: Type.String(),
      awardedAt: Type.String(),
      notifiedAt: NullableInstant,
    }),
    Type.Null(),
  ]),
  contract: Type.Union([Type.Object({ signedAt: Type.String(), amountExclVat: Type.String() }), Type.Null()]),
  void: Type.Union([Type.Object({ reasons: Type.String(), at: Type.String() }), Type.Null()]),
});

const Params = Type.Object({ authorityId: Uuid, tenderId: Uuid });
const LotParams = Type.Object({ authorityId: Uuid, tenderId: Uuid, lot: Type.Integer({ minimum: 1 }) });

export const awardRoutes =
  (app: App): FastifyPluginAsyncTypebox =>
  async (r) => {
    const base = '/authorities/:authorityId/tenders/:tenderId/awards';

    r.get(
      base,
      {
        schema: {
          tags,
          summary:
            'Per lot, the award after envelope C: ranking, proposal, documentation, award, standstill, contract',
          params: Params,
          response: {
            200: Type.Object({ ocid: Type.String(), lots: Type.Array(LotAwardSchema) }),
            ...errors(400, 401, 403, 404, 409),
          },
        },
      },
      async (request) =>
        listAwards(app.serviceContext(request), request.params.authorityId, request.params.tenderId),
    );

    r.post(
      `${base}/:lot/draw`,
      {
        schema: {
          tags,
          summary:
            'Record the draw among offers still tied after every art. 147 criterion (committee members)',
          params: LotParams,
          body: Body({
            version: Type.Integer({ minimum: 0 }),
            order: Type.Array(Uuid, { minItems: 2, maxItems: 500 }),
          }),
          response: { 200: LotAwardSchema, ...errors(400, 401, 403, 404, 409, 422) },
        },
      },
      async (request) =>
        recordDraw(
          app.serviceContext(request),
          request.params.authorityId,
          request.params.tenderId,
          request.params.lot,
          request.body,
        ),
    );

    r.post(
      `${base}/:lot`,
      {
        schema: {
          tags,
          summary:
            'One step of the award of a lot: the committee proposes and checks documentation; the officer awards, notifies, formalises, declares void and records appeals',
          params: LotParams,
          body: Body({
            version: Type.Integer({ minimum: 0, description: 'The current version (0 before any step)' }),
            event: Type.Union(EVENTS.map((e) => Type.Literal(e))),
            reasons: Type.Optional(Type.String({ maxLength: 4000 })),
            signedAt: Type.Optional(Instant),
            outcome: Type.Optional(
              Type.Union([
                Type.Literal('dismissed'),
                Type.Literal('suspension_lifted'),
                Type.Literal('upheld'),
              ]),
            ),
          }),
          response: { 200: LotAwardSchema, ...errors(400, 401, 403, 404, 409, 422) },
        },
      },
      async (request) => {
        const b = request.body;
        const event = toEvent(b);
        return stepAward(
          app.serviceContext(request),
          request.params.authorityId,
          request.params.tenderId,
          request.params.lot,
          { version: b.version, event },
          // `notify` mails every bidder of the lot after commit (art. 151 LCSP).
          noticeMailOf(app, request, 'award notification'),
        );
      },
    );

    r.get(
      '/tenders/:ocid/awards',
      {
        schema: {
          tags,
          summary:
            'The published acts of the award of each lot: awarded company, price, reasons, dates, void lots',
          params: Type.Object({ ocid: Type.String({ maxLength: 100 }) }),
          response: {
            200: Type.Object({ ocid: Type.String(), lots: Type.Array(PublicLotAwardSchema) }),
            ...errors(400, 404),
          },
        },
      },
      async (request) => {
        const db = app.deps.database.db;
        const t = await publicTenderByOcid(db, request.params.ocid);
        if (!t) throw new DomainError('NOT_FOUND', 'Tender not found');
        return { ocid: request.params.ocid, lots: await publicAwards(db, t.authority_id, t.id) };
      },
    );
  };

/** The body as an award event; fields a step needs and lacks are refused by the rules (422). */
function toEvent(b: {
  event: (typeof EVENTS)[number];
  reasons?: string | undefined;
  signedAt?: string | undefined;
  outcome?: 'dismissed' | 'suspension_lifted' | 'upheld' | undefined;
}): AwardEvent {
  switch (b.event) {
    case 'documentation_failed':
      return { type: 'documentation_failed', reason: b.reasons ?? '' };
    case 'award':
      return { type: 'award', reasons: b.reasons ?? '' };
    case 'declare_void':
      return { type: 'declare_void', reasons: b.reasons ?? '' };
    case 'formalise':
      if (b.signedAt === undefined) {
        throw new DomainError('UNPROCESSABLE', 'signedAt is required to formalise', { field: 'signedAt' });
      }
      return { type: 'formalise', signedAt: new Date(b.signedAt) };
    case 'resolve_appeal':
      if (b.outcome === undefined) {
        throw new DomainError('UNPROCESSABLE', 'outcome is required to resolve an appeal', {
          field: 'outcome',
        });
      }
      return { type: 'resolve_appeal', outcome: b.outcome };
    default:
      return { type: b.event };
  }
}
