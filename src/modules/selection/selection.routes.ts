import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { App } from '../../app.js';
import { Body, errors, Uuid } from '../../platform/http/schemas.js';
import { noticeMailOf } from '../portal/notice-mail.js';
import {
  answerRound,
  companyParticipation,
  decideParticipation,
  invite,
  listParticipationRequests,
  listTenderInvitations,
  negotiation,
  openRound,
  requestParticipation,
} from './selection.service.js';
import { TEXT_MAX } from './selection.rules.js';

const tags = ['Selection'];
const Ocid = Type.String({ pattern: '^ocds-[a-z0-9]{6}-[0-9a-f-]{36}$' });
const Instant = Type.String({ format: 'date-time' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Text = Type.String({ minLength: 1, maxLength: TEXT_MAX });
const Decision = Type.Union([Type.Literal('selected'), Type.Literal('rejected')]);
const Company = Type.Object({ id: Type.String(), legalName: Type.String(), taxId: Type.String() });

const RequestSchema = Type.Object({
  id: Type.String(),
  company: Company,
  statement: Type.String(),
  submittedAt: Type.String(),
  decision: Nullable(Decision),
  reasons: Nullable(Type.String()),
  decidedAt: Nullable(Type.String()),
  version: Type.Integer(),
});

const InvitationsSchema = Type.Object({
  invitedAt: Nullable(Type.String()),
  companies: Type.Array(
    Type.Object({
      id: Type.String(),
      legalName: Type.String(),
      taxId: Type.String(),
      invitedAt: Type.String(),
    }),
  ),
});

const RoundFields = {
  id: Type.String(),
  number: Type.Integer(),
  subject: Type.String(),
  message: Type.String(),
  responsesDue: Type.String(),
  openedAt: Type.String(),
};

const TenderParams = Type.Object({ authorityId: Uuid, tenderId: Uuid });

export const selectionRoutes =
  (app: App): FastifyPluginAsyncTypebox =>
  async (r) => {
    // --- companies ---
    r.post(
      '/tenders/:ocid/participation-requests',
      {
        schema: {
          tags,
          summary:
            'Ask to participate in a restricted or negotiated procedure, before its deadline for requests (company members)',
          params: Type.Object({ ocid: Ocid }),
          body: Body({ companyId: Uuid, statement: Text }),
          response: {
            201: Type.Object({ id: Type.String(), submittedAt: Type.String() }),
            ...errors(400, 401, 403, 404, 409, 422),
          },
        },
      },
      async (request, reply) => {
        const result = await requestParticipation(app.serviceContext(request), {
          ocid: request.params.ocid,
          ...request.body,
        });
        return reply.status(201).send(result);
      },
    );

    r.get(
      '/tenders/:ocid/participation',
      {
        schema: {
          tags,
          summary:
            "A company's own participation: its request and the decision, whether it is invited, the negotiation rounds and its answers",
          params: Type.Object({ ocid: Ocid }),
          querystring: Type.Object({ companyId: Uuid }),
          response: {
            200: Type.Object({
              ocid: Type.String(),
              byInvitation: Type.Boolean(),
              participationDeadline: Nullable(Type.String()),
              request: Nullable(
                Type.Object({
                  id: Type.String(),
                  submittedAt: Type.String(),
                  decision: Nullable(Decision),
                  reasons: Nullable(Type.String()),
                }),
              ),
              invited: Type.Boolean(),
              tenderDeadline: Nullable(Type.String()),
              rounds: Type.Array(
                Type.Object({
                  ...RoundFields,
                  answer: Nullable(Type.Object({ text: Type.String(), submittedAt: Type.String() })),
                }),
              ),
            }),
            ...errors(400, 401, 403, 404),
          },
        },
      },
      async (request) =>
        companyParticipation(app.serviceContext(request), {
          ocid: request.params.ocid,
          companyId: request.query.companyId,
        }),
    );

    r.post(
      '/tenders/:ocid/negotiation-rounds/:number/answers',
      {
        schema: {
          tags,
          summary: 'Answer a negotiation round, once, before its answers are due (invited companies)',
          params: Type.Object({ ocid: Ocid, number: Type.Integer({ minimum: 1, maximum: 1000 }) }),
          body: Body({ companyId: Uuid, text: Text }),
          response: {
            201: Type.Object({ submittedAt: Type.String() }),
            ...errors(400, 401, 403, 404, 409, 422),
          },
        },
      },
      async (request, reply) => {
        const result = await answerRound(app.serviceContext(request), {
          ocid: request.params.ocid,
          number: request.params.number,
          companyId: request.body.companyId,
          text: request.body.text,
        });
        return reply.status(201).send(result);
      },
    );

    // --- the authority ---
    const base = '/authorities/:authorityId/tenders/:tenderId';

    r.get(
      `${base}/participation-requests`,
      {
        schema: {
          tags,
          summary:
            'The requests to participate, once their deadline has passed (committee, officer, auditors)',
          params: TenderParams,
          response: {
            200: Type.Object({
              participationDeadline: Nullable(Type.String()),
              invitedAt: Nullable(Type.String()),
              requests: Type.Array(RequestSchema),
            }),
            ...errors(400, 401, 403, 404, 409),
          },
        },
      },
      async (request) =>
        listParticipationRequests(
          app.serviceContext(request),
          request.params.authorityId,
          request.params.tenderId,
        ),
    );

    r.post(
      `${base}/participation-requests/:requestId`,
      {
        schema: {
          tags,
          summary:
            'Select a candidate or reject it with reasons, before the invitations are sent (committee members)',
          params: Type.Object({ authorityId: Uuid, tenderId: Uuid, requestId: Uuid }),
          body: Body({
            version: Type.Integer({ minimum: 1 }),
            decision: Decision,
            reasons: Type.Optional(Type.String({ maxLength: TEXT_MAX })),
          }),
          response: { 200: RequestSchema, ...errors(400, 401, 403, 404, 409, 422) },
        },
      },
      async (request) =>
        decideParticipation(
          app.serviceContext(request),
          request.params.authorityId,
          request.params.tenderId,
          request.params.requestId,
          request.body,
        ),
    );

    r.get(
      `${base}/invitations`,
      {
        schema: {
          tags,
          summary: 'The companies invited to tender (committee, officer, auditors)',
          params: TenderParams,
          response: { 200: InvitationsSchema, ...errors(400, 401, 403, 404) },
        },
      },
      async (request) =>
        listTenderInvitations(
          app.serviceContext(request),
          request.params.authorityId,
          request.params.tenderId,
        ),
    );

    r.post(
      `${base}/invitations`,
      {
        schema: {
          tags,
          summary:
            'Send the invitations to tender, once: to the selected candidates, or without publication to the companies named (officer)',
          params: TenderParams,
          body: Body({
            companyIds: Type.Optional(Type.Array(Uuid, { minItems: 1, maxItems: 200 })),
            fewerCandidatesReason: Type.Optional(Type.String({ maxLength: TEXT_MAX })),
          }),
          response: { 201: InvitationsSchema, ...errors(400, 401, 403, 404, 409, 422) },
        },
      },
      async (request, reply) => {
        const result = await invite(
          app.serviceContext(request),
          request.params.authorityId,
          request.params.tenderId,
          request.body,
          noticeMailOf(app, request, 'invitation'),
        );
        return reply.status(201).send(result);
      },
    );

    r.get(
      `${base}/negotiation`,
      {
        schema: {
          tags,
          summary: 'The negotiation rounds with every answer (committee, officer, auditors)',
          params: TenderParams,
          response: {
            200: Type.Object({
              rounds: Type.Array(
                Type.Object({
                  ...RoundFields,
                  answers: Type.Array(
                    Type.Object({
                      company: Type.Object({ id: Type.String(), legalName: Type.String() }),
                      text: Type.String(),
                      submittedAt: Type.String(),
                    }),
                  ),
                }),
              ),
            }),
            ...errors(400, 401, 403, 404),
          },
        },
      },
      async (request) =>
        negotiation(app.serviceContext(request), request.params.authorityId, request.params.tenderId),
    );

    r.post(
      `${base}/negotiation-rounds`,
      {
        schema: {
          tags,
          summary:
            'Open a negotiation round: the same subject and message to every invited company, answers due before the final offers (officer)',
          params: TenderParams,
          body: Body({
            subject: Type.String({ minLength: 1, maxLength: 300 }),
            message: Text,
            responsesDue: Instant,
          }),
          response: { 201: Type.Object(RoundFields), ...errors(400, 401, 403, 404, 409, 422) },
        },
      },
      async (request, reply) => {
        const result = await openRound(
          app.serviceContext(request),
          request.params.authorityId,
          request.params.tenderId,
          request.body,
        );
        return reply.status(201).send(result);
      },
    );
  };
