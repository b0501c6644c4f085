import { type FastifyPluginAsyncTypebox, type TSchema, Type } from '@fastify/type-provider-typebox';
import type { App } from '../../app.js';
import { Body, errors, Names, ShortText, Uuid } from '../../platform/http/schemas.js';
import { CONTRACT_TYPES, PROCEDURE_CODES } from '../procedures/procedure.types.js';
import { formulaSimulatorRoutes } from '../evaluation/formula-simulator.routes.js';
import { ENVELOPE_CODES, MAX_BID_DOCUMENTS } from './bid-document.rules.js';
import { AbnormalRuleSchema, AbnormalSettingsSchema, FormulaSpecSchema } from './criterion-formula.schema.js';
import { createTender, getTender, listTenders, updateTender } from './tender.service.js';
import {
  answerQuestion,
  askQuestion,
  getPublicNotice,
  listQuestions,
  setFollow,
} from './tender-public.service.js';
import {
  approvalsInbox,
  assignmentCandidates,
  cancelTender,
  currentApprovalRound,
  decideApproval,
  getAssignments,
  publishCorrigendum,
  publishTender,
  setAssignments,
  submitTender,
} from './tender-workflow.service.js';

const tags = ['Tenders'];
/** Euros with at most two decimals, never negative, never a float: "1234.50". */
const Amount = Type.String({ pattern: '^\\d{1,13}(\\.\\d{1,2})?$' });
const Percent = Type.String({ pattern: '^(100(\\.0{1,2})?|\\d{1,2}(\\.\\d{1,2})?)$' });
const Cpv = Type.String({ pattern: '^\\d{8}(-\\d)?$' });
const Instant = Type.String({ format: 'date-time' });
const LongText = (max = 5000) => Type.String({ maxLength: max });
/** A string enum whose static type keeps its members. */
const literals = <const T extends readonly string[]>(values: T) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values] });
const Opt = <T extends TSchema>(t: T) => Type.Optional(t);
const OptNull = <T extends TSchema>(t: T) => Type.Optional(Type.Union([t, Type.Null()]));

const Criterion = Type.Object(
  {
    kind: literals(['price', 'cost', 'quality']),
    evaluation: literals(['formula', 'judgement']),
    weight: Percent,
    name: Names,
    /** Required for formula criteria, absent for judgement ones (checked before publication). */
    formula: Opt(FormulaSpecSchema),
  },
  { additionalProperties: false },
);

const Lot = Type.Object(
  {
    number: Type.Integer({ minimum: 1, maximum: 500 }),
    title: Names,
    estimatedValue: Amount,
    budgetExclVat: Amount,
    mainCpv: Cpv,
    reserved: Opt(Type.Boolean()),
    abnormal: Opt(AbnormalRuleSchema),
    abnormalSettings: Opt(AbnormalSettingsSchema),
    criteria: Type.Array(Criterion, { maxItems: 30 }),
  },
  { additionalProperties: false },
);

/** A document each bidder must submit, in one envelope (A administrative/ESPD, B judgement, C formula). */
const BidDocument = Type.Object(
  {
    envelope: literals(ENVELOPE_CODES),
    name: Names,
    mandatory: Opt(Type.Boolean()),
  },
  { additionalProperties: false },
);

const tenderFields = {
  reference: ShortText(60),
  procedure: literals(PROCEDURE_CODES),
  contractType: literals(CONTRACT_TYPES),
  title: Names,
  description: Opt(
    Type.Object({ ca: LongText(), es: LongText(), en: LongText() }, { additionalProperties: false }),
  ),
  mainCpv: Cpv,
  additionalCpvs: Opt(Type.Array(Cpv, { maxItems: 30 })),
  estimatedValue: Opt(Amount),
  valueBreakdown: OptNull(
    Type.Object(
      { base: Amount, options: Amount, extensions: Amount, modifications: Amount, prizes: Amount },
      { additionalProperties: false },
    ),
  ),
  budgetExclVat: Amount,
  budgetInclVat: Amount,
  durationMonths: Opt(Type.Integer({ minimum: 1, maximum: 600 })),
  nutsCode: Opt(Type.String({ pattern: '^[A-Z]{2}[0-9A-Z]{0,3}$' })),
  intellectualServices: Opt(Type.Boolean()),
  socialServices: Opt(Type.Boolean()),
  urgent: Opt(Type.Boolean()),
  priorInformationNotice: Opt(Type.Boolean()),
  routinePurchase: Opt(Type.Boolean()),
  singleLotJustification: OptNull(LongText()),
  priceWeightJustification: OptNull(LongText()),
  maxLotsPerBidder: Opt(Type.Integer({ minimum: 1, maximum: 500 })),
  maxLotsAwarded: Opt(Type.Integer({ minimum: 1, maximum: 500 })),
  questionsDeadline: OptNull(Instant),
  tenderDeadline: OptNull(Instant),
  participationDeadline: OptNull(Instant),
  openingAt: OptNull(Instant),
  custodianQuorum: Opt(Type.Integer({ minimum: 1, maximum: 20 })),
  /** Omitted: the ESPD alone, in the file's first envelope; [] declares none. */
  bidDocuments: Opt(Type.Array(BidDocument, { maxItems: MAX_BID_DOCUMENTS })),
  lots: Type.Array(Lot, { minItems: 1, maxItems: 500 }),
};

const Finding = Type.Object({
  code: Type.String(),
  severity: Type.String(),
  source: Type.String(),
  lot: Type.Optional(Type.Integer()),
  details: Type.Optional(Type.Unknown()),
});
const NamesOut = Type.Object({ ca: Type.String(), es: Type.String(), en: Type.String() });
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const TenderSchema = Type.Object({
  id: Type.String(),
  authorityId: Type.String(),
  reference: Type.String(),
  status: Type.String(),
  version: Type.Integer(),
  procedure: Type.String(),
  contractType: Type.String(),
  title: NamesOut,
  description: NamesOut,
  mainCpv: Type.String(),
  additionalCpvs: Type.Array(Type.String()),
  estimatedValue: Type.String(),
  valueBreakdown: Nullable(
    Type.Object({
      base: Type.String(),
      options: Type.String(),
      extensions: Type.String(),
      modifications: Type.String(),
      prizes: Type.String(),
    }),
  ),
  budgetExclVat: Type.String(),
  budgetInclVat: Type.String(),
  durationMonths: Nullable(Type.Integer()),
  nutsCode: Type.String(),
  questionsDeadline: Nullable(Type.String()),
  tenderDeadline: Nullable(Type.String()),
  participationDeadline: Nullable(Type.String()),
  openingAt: Nullable(Type.String()),
  flags: Type.Object({
    urgent: Type.Boolean(),
    intellectualServices: Type.Boolean(),
    socialServices: Type.Boolean(),
    priorInformationNotice: Type.Boolean(),
    routinePurchase: Type.Boolean(),
  }),
  singleLotJustification: Nullable(Type.String()),
  priceWeightJustification: Nullable(Type.String()),
  maxLotsPerBidder: Nullable(Type.Integer()),
  maxLotsAwarded: Nullable(Type.Integer()),
  custodianQuorum: Type.Integer(),
  ocid: Nullable(Type.String()),
  cancellation: Nullable(Type.Object({ kind: Type.String(), reason: Type.String(), at: Type.String() })),
  lots: Type.Array(
    Type.Object({
      number: Type.Integer(),
      title: NamesOut,
      estimatedValue: Type.String(),
      budgetExclVat: Type.String(),
      mainCpv: Type.String(),
      reserved: Type.Boolean(),
      /** As stored (null: not declared); the published notice states the defaults explicitly. */
      abnormal: Type.Unknown(),
      abnormalSettings: Type.Unknown(),
      criteria: Type.Array(
        Type.Object({
          kind: Type.String(),
          evaluation: Type.String(),
          weight: Type.String(),
          name: NamesOut,
          /** The formula spec as stored, or null (judgement criteria). */
          formula: Type.Unknown(),
        }),
      ),
    }),
  ),
  envelopes: Type.Array(Type.String()),
  bidDocuments: Type.Array(
    Type.Object({ envelope: Type.String(), name: NamesOut, mandatory: Type.Boolean() }),
  ),
  findings: Type.Array(Finding),
  publishable: Type.Boolean(),
});

const TenderSummary = Type.Object({
  id: Type.String(),
  reference: Type.String(),
  status: Type.String(),
  procedure: Type.String(),
  contractType: Type.String(),
  title: NamesOut,
  estimatedValue: Type.String(),
  tenderDeadline: Nullable(Type.String()),
  updatedAt: Type.String(),
  version: Type.Integer(),
});

const AuthorityParams = Type.Object({ authorityId: Uuid });
const TenderParams = Type.Object({ authorityId: Uuid, tenderId: Uuid });

export const tenderRoutes =
  (app: App): FastifyPluginAsyncTypebox =>
  async (r) => {
    // The scoring simulator is a drafting tool of the tender form (issue 5): it lives with the
    // evaluation rules and is mounted here, with the tender API.
    await r.register(formulaSimulatorRoutes(app));
    r.get(
      '/authorities/:authorityId/tenders',
      {
        schema: {
          tags,
          summary: 'Procurement files of an authority (its staff)',
          params: AuthorityParams,
          response: { 200: Type.Array(TenderSummary), ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => listTenders(app.serviceContext(request), request.params.authorityId),
    );

    r.post(
      '/authorities/:authorityId/tenders',
      {
        schema: {
          tags,
          summary:
            'Create a draft procurement file with its lots and award criteria; the pre-publication checks come back with it',
          params: AuthorityParams,
          body: Body(tenderFields),
          response: { 201: TenderSchema, ...errors(400, 401, 403, 404, 409, 422) },
        },
      },
      async (request, reply) => {
        const created = await createTender(
          app.serviceContext(request),
          request.params.authorityId,
          request.body,
        );
        return reply.status(201).send(created);
      },
    );

    r.get(
      '/authorities/:authorityId/tenders/:tenderId',
      {
        schema: {
          tags,
          summary: 'A procurement file with its lots, criteria and check findings',
          params: TenderParams,
          response: { 200: TenderSchema, ...errors(400, 401, 403, 404) },
        },
      },
      async (request) =>
        getTender(app.serviceContext(request), request.params.authorityId, request.params.tenderId),
    );

    r.put(
      '/authorities/:authorityId/tenders/:tenderId',
      {
        schema: {
          tags,
          summary:
            'Replace a file before publication (send the version you read; an edit restarts the approval chain)',
          params: TenderParams,
          body: Body({ ...tenderFields, version: Type.Integer({ minimum: 1 }) }),
          response: { 200: TenderSchema, ...errors(400, 401, 403, 404, 409, 422) },
        },
      },
      async (request) =>
        updateTender(
          app.serviceContext(request),
          request.params.authorityId,
          request.params.tenderId,
          request.body,
        ),
    );

    const Version = Body({ version: Type.Integer({ minimum: 1 }) });

    const Person = Type.Object({ id: Type.String(), name: Type.String() });

    r.get(
      '/authorities/:authorityId/tenders/:tenderId/assignments',
      {
        schema: {
          tags,
          summary:
            'The committee (mesa), key custodians and experts (art. 146.2.a LCSP) of a file, and the staff who hold those roles and can be assigned',
          params: TenderParams,
          response: {
            200: Type.Object({
              committee: Type.Array(Type.String()),
              custodians: Type.Array(Type.String()),
              experts: Type.Array(Type.String()),
              candidates: Type.Object({
                committee: Type.Array(Person),
                custodians: Type.Array(Person),
                experts: Type.Array(Person),
              }),
            }),
            ...errors(400, 401, 403, 404),
          },
        },
      },
      async (request) => {
        const ctx = app.serviceContext(request);
        const { authorityId, tenderId } = request.params;
        const assigned = await getAssignments(ctx, authorityId, tenderId);
        return { ...assigned, candidates: await assignmentCandidates(ctx, authorityId) };
      },
    );

    r.put(
      '/authorities/:authorityId/tenders/:tenderId/assignments',
      {
        schema: {
          tags,
          summary:
            'Assign the committee (mesa), the key custodians and the experts of a file (an edit: restarts the approval chain)',
          params: TenderParams,
          body: Body({
            version: Type.Integer({ minimum: 1 }),
            committee: Type.Array(Uuid, { maxItems: 20 }),
            custodians: Type.Array(Uuid, { maxItems: 20 }),
            experts: Type.Optional(
              Type.Array(Uuid, {
                maxItems: 20,
                description:
                  'The committee of experts (art. 146.2.a LCSP: at least 3 where judgement criteria outweigh formula criteria), committee members of the authority not on this file’s committee; omitted keeps the current experts',
              }),
            ),
          }),
          response: { 200: TenderSchema, ...errors(400, 401, 403, 404, 409, 422) },
        },
      },
      async (request) =>
        setAssignments(
          app.serviceContext(request),
          request.params.authorityId,
          request.params.tenderId,
          request.body,
        ),
    );

    r.post(
      '/authorities/:authorityId/tenders/:tenderId/submit',
      {
        schema: {
          tags,
          summary: 'Send a file without blocking findings to the approval chain',
          params: TenderParams,
          body: Version,
          response: { 200: TenderSchema, ...errors(400, 401, 403, 404, 409, 422) },
        },
      },
      async (request) =>
        submitTender(
          app.serviceContext(request),
          request.params.authorityId,
          request.params.tenderId,
          request.body.version,
        ),
    );

    r.get(
      '/authorities/:authorityId/tenders/:tenderId/approvals',
      {
        schema: {
          tags,
          summary:
            'The steps of the file’s current approval round, with who decided each (empty before the first submission)',
          params: TenderParams,
          response: {
            200: Type.Array(
              Type.Object({
                round: Type.Integer(),
                position: Type.Integer(),
                role: Type.String(),
                decision: Nullable(Type.String()),
                decidedBy: Nullable(Person),
                decidedAt: Nullable(Type.String()),
                comment: Nullable(Type.String()),
              }),
            ),
            ...errors(400, 401, 403, 404),
          },
        },
      },
      async (request) =>
        currentApprovalRound(
          app.serviceContext(request),
          request.params.authorityId,
          request.params.tenderId,
        ),
    );

    r.post(
      '/authorities/:authorityId/tenders/:tenderId/approvals',
      {
        schema: {
          tags,
          summary:
            'Approve or reject the pending step of the chain (holders of the step’s role; reasons required to reject)',
          params: TenderParams,
          body: Body({
            decision: Type.Union([Type.Literal('approved'), Type.Literal('rejected')]),
            comment: Type.Optional(Type.String({ maxLength: 5000 })),
          }),
          response: { 200: TenderSchema, ...errors(400, 401, 403, 404, 409, 422) },
        },
      },
      async (request) =>
        decideApproval(
          app.serviceContext(request),
          request.params.authorityId,
          request.params.tenderId,
          request.body,
        ),
    );

    r.post(
      '/authorities/:authorityId/tenders/:tenderId/publish',
      {
        schema: {
          tags,
          summary: 'Publish an approved file: assigns its ocid and freezes the notice',
          params: TenderParams,
          body: Version,
          response: { 200: TenderSchema, ...errors(400, 401, 403, 404, 409, 422) },
        },
      },
      async (request) =>
        publishTender(
          app.serviceContext(request),
          request.params.authorityId,
          request.params.tenderId,
          request.body.version,
        ),
    );

    r.get(
      '/me/approvals',
      {
        schema: {
          tags,
          summary: 'Your approvals inbox: the pending steps you can decide',
          response: {
            200: Type.Array(
              Type.Object({
                tenderId: Type.String(),
                authorityId: Type.String(),
                reference: Type.String(),
                title: NamesOut,
                role: Type.String(),
                round: Type.Integer(),
                position: Type.Integer(),
              }),
            ),
            ...errors(401),
          },
        },
      },
      async (request) => approvalsInbox(app.serviceContext(request)),
    );

    r.post(
      '/authorities/:authorityId/tenders/:tenderId/corrigenda',
      {
        schema: {
          tags,
          summary:
            'Correct a published notice by a reasoned new version (deadlines may only be extended; art. 136)',
          params: TenderParams,
          body: Body({
            version: Type.Integer({ minimum: 1 }),
            reason: ShortText(5000),
            substantial: Type.Boolean(),
            title: Type.Optional(Names),
            description: Opt(
              Type.Object(
                { ca: LongText(), es: LongText(), en: LongText() },
                { additionalProperties: false },
              ),
            ),
            questionsDeadline: Opt(Instant),
            tenderDeadline: Opt(Instant),
            participationDeadline: Opt(Instant),
            openingAt: Opt(Instant),
          }),
          response: { 200: TenderSchema, ...errors(400, 401, 403, 404, 409, 422) },
        },
      },
      async (request) =>
        publishCorrigendum(
          app.serviceContext(request),
          request.params.authorityId,
          request.params.tenderId,
          request.body,
        ),
    );

    r.post(
      '/authorities/:authorityId/tenders/:tenderId/cancel',
      {
        schema: {
          tags,
          summary: 'Cancel a file (desistimiento or renuncia, with reasons; art. 152)',
          params: TenderParams,
          body: Body({
            version: Type.Integer({ minimum: 1 }),
            kind: literals(['desistimiento', 'renuncia']),
            reason: ShortText(5000),
          }),
          response: { 200: TenderSchema, ...errors(400, 401, 403, 404, 409, 422) },
        },
      },
      async (request) =>
        cancelTender(
          app.serviceContext(request),
          request.params.authorityId,
          request.params.tenderId,
          request.body,
        ),
    );

    const QuestionForStaff = Type.Object({
      id: Type.String(),
      question: Type.String(),
      company: Nullable(Type.String()),
      askedAt: Type.String(),
      answer: Nullable(Type.String()),
      answeredAt: Nullable(Type.String()),
    });

    r.get(
      '/authorities/:authorityId/tenders/:tenderId/questions',
      {
        schema: {
          tags,
          summary: 'Questions about a file, with the asking company (its staff)',
          params: TenderParams,
          response: { 200: Type.Array(QuestionForStaff), ...errors(400, 401, 403, 404) },
        },
      },
      async (request) =>
        listQuestions(app.serviceContext(request), request.params.authorityId, request.params.tenderId),
    );

    r.post(
      '/authorities/:authorityId/tenders/:tenderId/questions/:questionId/answer',
      {
        schema: {
          tags,
          summary: 'Answer a question; the answer is published without the asker’s identity',
          params: Type.Object({ authorityId: Uuid, tenderId: Uuid, questionId: Uuid }),
          body: Body({ answer: ShortText(10000) }),
          response: { 200: Type.Array(QuestionForStaff), ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request) =>
        answerQuestion(
          app.serviceContext(request),
          request.params.authorityId,
          request.params.tenderId,
          request.params.questionId,
          request.body.answer,
        ),
    );

    const Ocid = Type.Object({ ocid: Type.String({ pattern: '^ocds-[a-z0-9]{6}-[0-9a-f-]{36}$' }) });

    r.get(
      '/tenders/:ocid',
      {
        schema: {
          tags,
          summary:
            'A published tender (public): the current notice, its version history and the answered questions',
          params: Ocid,
          response: {
            200: Type.Object({
              ocid: Type.String(),
              status: Type.String(),
              notice: Type.Unknown(),
              canonical: Type.String(),
              history: Type.Array(
                Type.Object({
                  version: Type.Integer(),
                  kind: Type.String(),
                  reason: Nullable(Type.String()),
                  substantial: Type.Boolean(),
                  publishedAt: Type.String(),
                  changed: Type.Array(Type.String()),
                  changes: Type.Array(
                    Type.Object({
                      path: Type.String(),
                      before: Nullable(Type.String()),
                      after: Nullable(Type.String()),
                    }),
                  ),
                }),
              ),
              questions: Type.Array(
                Type.Object({
                  id: Type.String(),
                  question: Type.String(),
                  askedAt: Type.String(),
                  answer: Type.String(),
                  answeredAt: Type.String(),
                }),
              ),
            }),
            ...errors(400, 404),
          },
        },
      },
      async (request) => getPublicNotice(app.serviceContext(request), request.params.ocid),
    );

    r.post(
      '/tenders/:ocid/questions',
      {
        config: { rateLimit: { max: 30, timeWindow: '1 minute' } },
        schema: {
          tags,
          summary:
            'Ask a question about a published tender, for a company you belong to, until the questions deadline',
          params: Ocid,
          body: Body({ companyId: Uuid, question: ShortText(5000) }),
          response: {
            201: Type.Object({ id: Type.String(), askedAt: Type.String() }),
            ...errors(400, 401, 403, 404, 409),
          },
        },
      },
      async (request, reply) =>
        reply
          .status(201)
          .send(await askQuestion(app.serviceContext(request), request.params.ocid, request.body)),
    );

    r.put(
      '/tenders/:ocid/follow',
      {
        schema: {
          tags,
          summary: 'Follow a published tender',
          params: Ocid,
          response: { 204: Type.Null(), ...errors(400, 401, 404) },
        },
      },
      async (request, reply) => {
        await setFollow(app.serviceContext(request), request.params.ocid, true);
        return reply.status(204).send(null);
      },
    );

    r.delete(
      '/tenders/:ocid/follow',
      {
        schema: {
          tags,
          summary: 'Stop following a tender',
          params: Ocid,
          response: { 204: Type.Null(), ...errors(400, 401, 404) },
        },
      },
      async (request, reply) => {
        await setFollow(app.serviceContext(request), request.params.ocid, false);
        return reply.status(204).send(null);
      },
    );
  };
