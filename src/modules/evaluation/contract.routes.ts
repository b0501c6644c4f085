import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { App } from '../../app.js';
import { DomainError } from '../../platform/errors.js';
import { Body, errors, Uuid } from '../../platform/http/schemas.js';
import { publicTenderByOcid } from '../opening/opening.repo.js';
import { contractDocumentRoutes } from './contract-document.routes.js';
import {
  CONTRACT_EVENT_TYPES,
  getContract,
  listAuthorityContracts,
  publicContracts,
  recordContractEvent,
} from './contract.service.js';

const tags = ['Evaluation'];

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const Str = Type.String();
const STATUSES = ['formalised', 'in_execution', 'suspended', 'completed', 'terminated'] as const;
const Status = Type.Union(STATUSES.map((s) => Type.Literal(s)));
const Termination = Type.Union([Type.Object({ grounds: Str, reasons: Str, at: Str }), Type.Null()]);

const EventSchema = Type.Object({
  version: Type.Integer(),
  type: Type.Union(CONTRACT_EVENT_TYPES.map((t) => Type.Literal(t))),
  at: Str,
  legalGround: Nullable(Str),
  groundCase: Nullable(Str),
  valueChange: Nullable(Str),
  newTotal: Nullable(Str),
  documents: Type.Array(Str),
  reasons: Nullable(Str),
  grounds: Nullable(Str),
  endDate: Nullable(Str),
  description: Nullable(Str),
  dueDate: Nullable(Str),
  amount: Nullable(Str),
  paidOn: Nullable(Str),
  invoiceRef: Nullable(Str),
  completedOn: Nullable(Str),
});

const ContractSchema = Type.Object({
  id: Str,
  tenderId: Str,
  ocid: Str,
  lots: Type.Array(Type.Integer()),
  bidId: Str,
  company: Type.Object({ id: Str, legalName: Str, taxId: Str }),
  amountExclVat: Str,
  totalExclVat: Str,
  paidExclVat: Str,
  signedAt: Str,
  status: Status,
  version: Type.Integer(),
  startedAt: Nullable(Str),
  endDate: Nullable(Str),
  completedAt: Nullable(Str),
  termination: Termination,
  events: Type.Array(EventSchema),
});

const PublicContractSchema = Type.Object({
  id: Str,
  lots: Type.Array(Type.Integer()),
  company: Type.Object({ legalName: Str, taxId: Str }),
  amountExclVat: Str,
  totalExclVat: Str,
  signedAt: Str,
  status: Status,
  endDate: Nullable(Str),
  amendments: Type.Array(
    Type.Object({
      legalGround: Str,
      groundCase: Nullable(Str),
      valueChange: Str,
      newTotal: Str,
      reasons: Str,
      documents: Type.Array(
        Type.Object({
          sha256: Str,
          title: Nullable(Str),
          contentType: Nullable(Str),
          size: Type.Union([Type.Integer(), Type.Null()]),
          url: Nullable(Str),
        }),
      ),
      at: Str,
    }),
  ),
  extensions: Type.Array(Type.Object({ newEndDate: Str, reasons: Str, at: Str })),
  payments: Type.Object({ count: Type.Integer(), totalExclVat: Str }),
  completedOn: Nullable(Str),
  termination: Termination,
});

const Day = Type.String({ maxLength: 10 });
const Amount = Type.String({ maxLength: 24 });
const Text = Type.String({ maxLength: 4000 });

export const contractRoutes =
  (app: App): FastifyPluginAsyncTypebox =>
  async (r) => {
    const base = '/authorities/:authorityId/contracts';
    // The documents of contracts, in a plugin of their own: only those routes parse multipart.
    await r.register(
      contractDocumentRoutes(app, {
        store: app.deps.blobStore,
        maxBytes: app.deps.config.documentMaxBytes,
      }),
    );

    r.get(
      base,
      {
        schema: {
          tags,
          summary: 'The contracts formalised by the authority, of one tender when tenderId is given',
          params: Type.Object({ authorityId: Uuid }),
          querystring: Type.Object({ tenderId: Type.Optional(Uuid) }),
          response: {
            200: Type.Object({ contracts: Type.Array(ContractSchema) }),
            ...errors(400, 401, 403, 404),
          },
        },
      },
      async (request) => ({
        contracts: await listAuthorityContracts(
          app.serviceContext(request),
          request.params.authorityId,
          request.query.tenderId,
        ),
      }),
    );

    r.get(
      `${base}/:contractId`,
      {
        schema: {
          tags,
          summary: 'A contract with its execution: status, amended price, payments and every event',
          params: Type.Object({ authorityId: Uuid, contractId: Uuid }),
          response: { 200: ContractSchema, ...errors(400, 401, 403, 404) },
        },
      },
      async (request) =>
        getContract(app.serviceContext(request), request.params.authorityId, request.params.contractId),
    );

    r.post(
      `${base}/:contractId/events`,
      {
        schema: {
          tags,
          summary:
            'One event of the contract (procurement officer): start, amendment (arts. 204–205), extension, milestone, payment, suspension, resumption, termination, completion',
          params: Type.Object({ authorityId: Uuid, contractId: Uuid }),
          body: Body({
            version: Type.Integer({ minimum: 0, description: 'The current version (0 before any event)' }),
            type: Type.Union(CONTRACT_EVENT_TYPES.map((t) => Type.Literal(t))),
            endDate: Type.Optional(Day),
            legalGround: Type.Optional(Type.Union([Type.Literal('art_204'), Type.Literal('art_205')])),
            groundCase: Type.Optional(Type.Union([Type.Literal('a'), Type.Literal('b'), Type.Literal('c')])),
            valueChange: Type.Optional(Amount),
            documents: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 50 })),
            reasons: Type.Optional(Text),
            newEndDate: Type.Optional(Day),
            description: Type.Optional(Type.String({ maxLength: 1000 })),
            dueDate: Type.Optional(Day),
            amount: Type.Optional(Amount),
            paidOn: Type.Optional(Day),
            invoiceRef: Type.Optional(Type.String({ maxLength: 200 })),
            grounds: Type.Optional(Type.String({ maxLength: 1000 })),
            completedOn: Type.Optional(Day),
          }),
          response: { 200: ContractSchema, ...errors(400, 401, 403, 404, 409, 422) },
        },
      },
      async (request) =>
        recordContractEvent(
          app.serviceContext(request),
          request.params.authorityId,
          request.params.contractId,
          request.body,
        ),
    );

    r.get(
      '/tenders/:ocid/contracts',
      {
        schema: {
          tags,
          summary:
            'The contracts of a tender with their published acts: amendments with grounds and value changes, extensions, payment totals, status',
          params: Type.Object({ ocid: Type.String({ maxLength: 100 }) }),
          response: {
            200: Type.Object({ ocid: Type.String(), contracts: Type.Array(PublicContractSchema) }),
            ...errors(400, 404),
          },
        },
      },
      async (request) => {
        const db = app.deps.database.db;
        const t = await publicTenderByOcid(db, request.params.ocid);
        if (!t) throw new DomainError('NOT_FOUND', 'Tender not found');
        return { ocid: request.params.ocid, contracts: await publicContracts(db, t.authority_id, t.id) };
      },
    );
  };
