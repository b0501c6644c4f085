import { type FastifyPluginAsyncTypebox, type TSchema, Type } from '@fastify/type-provider-typebox';
import type { App } from '../../app.js';
import { Body, errors, Names, ShortText, Uuid } from '../../platform/http/schemas.js';
import { CONTRACT_TYPES, PROCEDURE_CODES } from '../procedures/procedure.types.js';
import { MAX_QUERY_LENGTH } from '../search/tender-search.service.js';
import {
  createPlannedContract,
  getPlannedContract,
  listPlannedContracts,
  PLAN_MAX_PAGE,
  PLAN_MAX_PAGE_SIZE,
  PLAN_PAGE_SIZE,
  searchPlan,
  startFileFromPlan,
  updatePlannedContract,
  withdrawPlannedContract,
} from './planned-contract.service.js';
import { PLAN_STATUSES } from './planned-contract.types.js';

const tags = ['Procurement plan'];
/** Euros with at most two decimals, never negative, never a float: "1234.50". */
const Amount = Type.String({ pattern: '^\\d{1,13}(\\.\\d{1,2})?$' });
const Cpv = Type.String({ pattern: '^\\d{8}(-\\d)?$' });
const LongText = (max = 5000) => Type.String({ maxLength: max });
/** A string enum whose static type keeps its members. */
const literals = <const T extends readonly string[]>(values: T, description?: string) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...(description ? { description } : {}) });
const NamesOut = Type.Object({ ca: Type.String(), es: Type.String(), en: Type.String() });
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Year = Type.Integer({ minimum: 2000, maximum: 2100 });
const Quarter = Type.Integer({ minimum: 1, maximum: 4 });

const planFields = {
  title: Names,
  description: Type.Optional(
    Type.Object({ ca: LongText(), es: LongText(), en: LongText() }, { additionalProperties: false }),
  ),
  contractType: literals(CONTRACT_TYPES),
  procedure: literals(PROCEDURE_CODES),
  mainCpv: Cpv,
  estimatedValue: Amount,
  expectedYear: Year,
  expectedQuarter: Quarter,
  lotCount: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
  reservedLots: Type.Optional(Type.Integer({ minimum: 0, maximum: 500 })),
};

const common = {
  id: Type.String(),
  authorityId: Type.String(),
  status: Type.String(),
  title: NamesOut,
  description: NamesOut,
  contractType: Type.String(),
  procedure: Type.String(),
  mainCpv: Type.String(),
  estimatedValue: Type.String(),
  expectedYear: Type.Integer(),
  expectedQuarter: Type.Integer(),
  lotCount: Type.Integer(),
  reservedLots: Type.Integer(),
  withdrawalReason: Nullable(Type.String()),
  updatedAt: Type.String(),
};

export const PlannedContractSchema = Type.Object({
  ...common,
  version: Type.Integer(),
  tenderId: Nullable(Type.String()),
  createdAt: Type.String(),
  findings: Type.Array(
    Type.Object({ code: Type.String(), source: Type.String(), limit: Type.Optional(Type.String()) }),
  ),
});

const PublicPlannedContractSchema = Type.Object({
  ...common,
  authority: Type.Object({ id: Type.String(), name: NamesOut }),
});

export const PlanSearchQuery = Type.Object(
  {
    q: Type.Optional(
      Type.String({
        maxLength: MAX_QUERY_LENGTH,
        description:
          'Words in Catalan, Spanish or English; accents and case do not matter. Whole words match ' +
          'in titles and descriptions, and so do parts of words (three letters or more).',
      }),
    ),
    authority: Type.Optional(Type.String({ format: 'uuid', description: 'Contracting authority id' })),
    cpv: Type.Optional(
      Type.String({ pattern: '^(\\d{2,8}|\\d{8}-\\d)$', description: 'CPV code or prefix (2–8 digits)' }),
    ),
    year: Type.Optional(Year),
    quarter: Type.Optional(Quarter),
    procedure: Type.Optional(literals(PROCEDURE_CODES, 'Procedure')),
    contractType: Type.Optional(literals(CONTRACT_TYPES, 'Contract type')),
    status: Type.Optional(
      literals(PLAN_STATUSES, 'Status; by default planned and file started (withdrawn only when asked)'),
    ),
    minValue: Type.Optional(Amount),
    maxValue: Type.Optional(Amount),
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: PLAN_MAX_PAGE, default: 1 })),
    pageSize: Type.Optional(
      Type.Integer({ minimum: 1, maximum: PLAN_MAX_PAGE_SIZE, default: PLAN_PAGE_SIZE }),
    ),
    lang: Type.Optional(Type.String({ description: 'Language of messages (ca, es, en)' })),
  },
  { additionalProperties: false },
);

const AuthorityParams = Type.Object({ authorityId: Uuid });
const ItemParams = Type.Object({ authorityId: Uuid, plannedContractId: Uuid });
const base = '/authorities/:authorityId/planned-contracts';

export const plannedContractRoutes =
  (app: App): FastifyPluginAsyncTypebox =>
  async (r) => {
    r.get(
      '/plan',
      {
        schema: {
          tags,
          summary:
            'Search the procurement plans of every authority (LCSP art. 28.4): full text in ca/es/en, filters, pages (public)',
          querystring: PlanSearchQuery,
          response: {
            200: Type.Object({
              total: Type.Integer(),
              page: Type.Integer(),
              pageSize: Type.Integer(),
              items: Type.Array(PublicPlannedContractSchema),
            }),
            ...errors(400),
          },
        },
      },
      async (request) => searchPlan(app.serviceContext(request), request.query),
    );

    r.get(
      base,
      {
        schema: {
          tags,
          summary: 'The procurement plan of an authority, withdrawn entries included (its staff)',
          params: AuthorityParams,
          response: { 200: Type.Array(PlannedContractSchema), ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => listPlannedContracts(app.serviceContext(request), request.params.authorityId),
    );

    r.post(
      base,
      {
        schema: {
          tags,
          summary: 'Add a planned contract to the authority’s plan (procurement officers)',
          params: AuthorityParams,
          body: Body(planFields),
          response: { 201: PlannedContractSchema, ...errors(400, 401, 403, 404, 422) },
        },
      },
      async (request, reply) => {
        const created = await createPlannedContract(
          app.serviceContext(request),
          request.params.authorityId,
          request.body,
        );
        return reply.status(201).send(created);
      },
    );

    r.get(
      `${base}/:plannedContractId`,
      {
        schema: {
          tags,
          summary: 'One planned contract, with warnings on its procedure (its staff)',
          params: ItemParams,
          response: { 200: PlannedContractSchema, ...errors(400, 401, 403, 404) },
        },
      },
      async (request) =>
        getPlannedContract(
          app.serviceContext(request),
          request.params.authorityId,
          request.params.plannedContractId,
        ),
    );

    r.put(
      `${base}/:plannedContractId`,
      {
        schema: {
          tags,
          summary: 'Replace a planned contract while it is planned; `version` as read (procurement officers)',
          params: ItemParams,
          body: Body({ ...planFields, version: Type.Integer({ minimum: 1 }) }),
          response: { 200: PlannedContractSchema, ...errors(400, 401, 403, 404, 409, 422) },
        },
      },
      async (request) =>
        updatePlannedContract(
          app.serviceContext(request),
          request.params.authorityId,
          request.params.plannedContractId,
          request.body,
        ),
    );

    r.post(
      `${base}/:plannedContractId/withdraw`,
      {
        schema: {
          tags,
          summary: 'Withdraw a planned contract, with the reason; it stays on record (procurement officers)',
          params: ItemParams,
          body: Body({ version: Type.Integer({ minimum: 1 }), reason: ShortText(2000) }),
          response: { 200: PlannedContractSchema, ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request) =>
        withdrawPlannedContract(
          app.serviceContext(request),
          request.params.authorityId,
          request.params.plannedContractId,
          request.body,
        ),
    );

    r.post(
      `${base}/:plannedContractId/start-file`,
      {
        schema: {
          tags,
          summary:
            'Start the procurement file of a planned contract: a draft file prefilled from it, linked both ways (procurement officers)',
          params: ItemParams,
          body: Body({ reference: ShortText(60) }),
          response: {
            201: Type.Object({ plannedContract: PlannedContractSchema, tenderId: Type.String() }),
            ...errors(400, 401, 403, 404, 409, 422),
          },
        },
      },
      async (request, reply) => {
        const started = await startFileFromPlan(
          app.serviceContext(request),
          request.params.authorityId,
          request.params.plannedContractId,
          request.body,
        );
        return reply.status(201).send(started);
      },
    );
  };
