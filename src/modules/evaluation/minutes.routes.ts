import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { App } from '../../app.js';
import { errors, Uuid } from '../../platform/http/schemas.js';
import { committeeMinutes, MINUTES_ACTIONS, publicMinutes } from './minutes.service.js';

const tags = ['Evaluation'];
const Ocid = Type.String({ pattern: '^ocds-[a-z0-9]{6}-[0-9a-f-]{36}$' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

const Entry = Type.Object({
  seq: Type.String(),
  occurredAt: Type.String(),
  action: Type.Union(MINUTES_ACTIONS.map((a) => Type.Literal(a))),
  eventSha256: Type.String({ description: 'SHA-256 of the canonical audit event this entry reads' }),
  lot: Nullable(Type.Integer()),
  envelope: Nullable(Type.String()),
  company: Nullable(Type.Object({ legalName: Type.String(), taxId: Type.String() })),
  step: Nullable(Type.String()),
  status: Nullable(Type.String()),
  grounds: Nullable(Type.Array(Type.String())),
  reasons: Nullable(Type.String()),
  items: Nullable(Type.Array(Type.String())),
  deadline: Nullable(Type.String()),
  counts: Nullable(
    Type.Object({
      opened: Type.Optional(Type.Integer()),
      failed: Type.Optional(Type.Integer()),
      bids: Type.Optional(Type.Integer()),
      invited: Type.Optional(Type.Integer()),
    }),
  ),
});

const Minutes = Type.Object({ ocid: Nullable(Type.String()), entries: Type.Array(Entry) });

export const minutesRoutes =
  (app: App): FastifyPluginAsyncTypebox =>
  async (r) => {
    r.get(
      '/authorities/:authorityId/tenders/:tenderId/minutes',
      {
        schema: {
          tags,
          summary:
            "The committee's minutes: every act after the deadline in order, internal steps included (committee, officer, auditors)",
          params: Type.Object({ authorityId: Uuid, tenderId: Uuid }),
          response: { 200: Minutes, ...errors(400, 401, 403, 404) },
        },
      },
      async (request) =>
        committeeMinutes(app.serviceContext(request), request.params.authorityId, request.params.tenderId),
    );

    r.get(
      '/tenders/:ocid/minutes',
      {
        schema: {
          tags,
          summary: "The committee's published minutes of a tender (public; art. 63.3.e LCSP)",
          params: Type.Object({ ocid: Ocid }),
          response: { 200: Minutes, ...errors(400, 404) },
        },
      },
      async (request) => publicMinutes(app.serviceContext(request).db, request.params.ocid),
    );
  };
