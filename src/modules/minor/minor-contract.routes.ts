import { type FastifyPluginAsyncTypebox, type TSchema, Type } from '@fastify/type-provider-typebox';
import type { App } from '../../app.js';
import { Body, errors, Uuid } from '../../platform/http/schemas.js';
import { quarterlyCsv } from './minor-contract.presenter.js';
import {
  awardMinorContract,
  getMinorContract,
  inviteCompanies,
  listCompanyInvitations,
  quarterlyList,
  startMinorContract,
  submitQuote,
  suggestCompanies,
  voidMinorContract,
} from './minor-contract.service.js';

const tags = ['Minor contracts'];
/** Euros with at most two decimals, never negative, never a float: "1234.50". */
const Amount = Type.String({ pattern: '^\\d{1,13}(\\.\\d{1,2})?$' });
/** A VAT rate in percent, 0 to 100 with at most two decimals: "21", "10.00", "0" when exempt. */
const VatRate = Type.String({ pattern: '^\\d{1,3}(\\.\\d{1,2})?$' });
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const NamesOut = Type.Object({ ca: Type.String(), es: Type.String(), en: Type.String() });
const Reasons = Type.String({ minLength: 1, maxLength: 5000 });

const MinorContractSchema = Type.Object({
  tenderId: Type.String(),
  authorityId: Type.String(),
  reference: Type.String(),
  title: NamesOut,
  contractType: Type.String(),
  mainCpv: Type.String(),
  estimatedValue: Type.String(),
  durationMonths: Nullable(Type.Integer()),
  tenderStatus: Type.String(),
  status: Type.String({ description: 'not_started, inviting, awarded or void (of the current round)' }),
  round: Type.Integer({ description: 'Request round: 1, or more after a void round; 0 before the first' }),
  version: Type.Integer(),
  quoteDeadline: Nullable(Type.String()),
  invitationJustification: Nullable(Type.String()),
  minInvitations: Type.Integer(),
  threshold: Type.String(),
  quotesSealed: Type.Boolean(),
  invitations: Type.Array(
    Type.Object({
      companyId: Type.String(),
      legalName: Type.String(),
      taxId: Type.String(),
      isSme: Type.Boolean(),
      invitedAt: Type.String(),
      hasQuoted: Nullable(Type.Boolean()),
    }),
  ),
  quoteCount: Nullable(Type.Integer({ description: 'Null while quotes are sealed (before the deadline)' })),
  quotes: Type.Array(
    Type.Object({
      id: Type.String(),
      companyId: Type.String(),
      legalName: Type.String(),
      taxId: Type.String(),
      isSme: Type.Boolean(),
      amountExclVat: Type.String(),
      vatRate: Type.String(),
      amountInclVat: Type.String(),
      note: Type.String(),
      submittedAt: Type.String(),
      thresholdExceeded: Type.Boolean(),
      aboveEstimate: Type.Boolean(),
      splitting: Type.Object({
        reachesThreshold: Type.Boolean(),
        cumulative: Type.String(),
        contracts: Type.Array(Type.String()),
      }),
    }),
  ),
  award: Nullable(
    Type.Object({
      companyId: Type.String(),
      legalName: Type.String(),
      taxId: Type.String(),
      quoteId: Type.String(),
      amountExclVat: Type.String(),
      amountInclVat: Type.String(),
      justification: Type.String(),
      splittingJustification: Nullable(Type.String()),
      awardedAt: Type.String(),
      awardedOn: Type.String(),
    }),
  ),
  voidReason: Nullable(Type.String()),
});

const InvitationSchema = Type.Object({
  tenderId: Type.String(),
  authorityId: Type.String(),
  authorityName: NamesOut,
  reference: Type.String(),
  title: NamesOut,
  contractType: Type.String(),
  mainCpv: Type.String(),
  durationMonths: Nullable(Type.Integer()),
  round: Type.Integer(),
  status: Type.String(),
  quoteDeadline: Type.String(),
  open: Type.Boolean(),
  defaultVatRate: Type.String({
    description: 'The file’s VAT rate (percent), used when a quote states none',
  }),
  myQuote: Nullable(
    Type.Object({
      id: Type.String(),
      amountExclVat: Type.String(),
      vatRate: Type.String(),
      amountInclVat: Type.String(),
      note: Type.String(),
      submittedAt: Type.String(),
    }),
  ),
  awardedToYou: Nullable(Type.Boolean()),
});

const QuarterlySchema = Type.Object({
  authorityId: Type.String(),
  year: Type.Integer(),
  quarter: Nullable(Type.Integer()),
  from: Type.String(),
  to: Type.String(),
  contracts: Type.Array(
    Type.Object({
      tenderId: Type.String(),
      reference: Type.String(),
      object: NamesOut,
      contractType: Type.String(),
      mainCpv: Type.String(),
      durationMonths: Nullable(Type.Integer()),
      amountExclVat: Type.String(),
      amountInclVat: Type.String(),
      awardee: Type.Object({
        name: Type.String(),
        taxId: Type.String({
          description:
            'In full for legal persons; a natural person’s NIF/NIE masked (LOPDGDD DA 7ª), e.g. ***4567**',
        }),
      }),
      awardedOn: Type.String(),
    }),
  ),
});

const TenderParams = Type.Object({ authorityId: Uuid, tenderId: Uuid });
const CompanyIds = Type.Array(Uuid, { minItems: 1, maxItems: 50 });

export const minorContractRoutes =
  (app: App): FastifyPluginAsyncTypebox =>
  async (r) => {
    r.get(
      '/authorities/:authorityId/minor-contracts',
      {
        schema: {
          tags,
          summary:
            'Minor contracts awarded by an authority in a quarter (public; art. 63.4 LCSP), ordered by awardee. ' +
            'JSON, or CSV with format=csv or Accept: text/csv. Without a period: the current quarter; a year without a quarter: the whole year.',
          params: Type.Object({ authorityId: Uuid }),
          querystring: Type.Object(
            {
              year: Type.Optional(Type.Integer({ minimum: 2018, maximum: 2100 })),
              quarter: Type.Optional(Type.Integer({ minimum: 1, maximum: 4 })),
              format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])),
              lang: Type.Optional(Type.String({ description: 'Language of the CSV headers (ca, es, en)' })),
            },
            { additionalProperties: false },
          ),
          response: {
            200: {
              description: 'The list as JSON, or as CSV (RFC 4180, UTF-8) when asked for',
              content: {
                'application/json': { schema: QuarterlySchema },
                'text/csv': { schema: Type.String() },
              },
            },
            ...errors(400, 404),
          },
        },
      },
      async (request, reply) => {
        const list = await quarterlyList(
          app.serviceContext(request),
          request.params.authorityId,
          request.query,
        );
        const wantsCsv =
          request.query.format === 'csv' ||
          (request.query.format === undefined && (request.headers.accept ?? '').includes('text/csv'));
        if (!wantsCsv) return list;
        const period = list.quarter === null ? `${list.year}` : `${list.year}-Q${list.quarter}`;
        return reply
          .type('text/csv; charset=utf-8; header=present')
          .header('content-disposition', `attachment; filename="minor-contracts-${period}.csv"`)
          .send(quarterlyCsv(list.contracts, request.locale));
      },
    );

    r.get(
      '/authorities/:authorityId/tenders/:tenderId/minor',
      {
        schema: {
          tags,
          summary:
            'The minor-contract fast path of a file (its staff): invitations, quotes (sealed until the deadline) and award',
          params: TenderParams,
          response: { 200: MinorContractSchema, ...errors(400, 401, 403, 404, 422) },
        },
      },
      async (request) =>
        getMinorContract(app.serviceContext(request), request.params.authorityId, request.params.tenderId),
    );

    r.get(
      '/authorities/:authorityId/tenders/:tenderId/minor/suggestions',
      {
        schema: {
          tags,
          summary:
            'Companies to invite: CPV interests matching the file (same division and group), SMEs first, with their recent minor awards',
          params: TenderParams,
          response: {
            200: Type.Array(
              Type.Object({
                id: Type.String(),
                legalName: Type.String(),
                taxId: Type.String(),
                isSme: Type.Boolean(),
                matchDigits: Type.Integer(),
                matchedInterest: Type.String(),
                recentMinorAwards: Type.Integer(),
                recentAmount: Type.String(),
              }),
            ),
            ...errors(400, 401, 403, 404, 422),
          },
        },
      },
      async (request) =>
        suggestCompanies(app.serviceContext(request), request.params.authorityId, request.params.tenderId),
    );

    r.post(
      '/authorities/:authorityId/tenders/:tenderId/minor/start',
      {
        schema: {
          tags,
          summary:
            'Invite companies to quote for an approved minor file, until a deadline (at least three, or written reasons); after a void request, starts a new round',
          params: TenderParams,
          body: Body({
            quoteDeadline: Type.String({ format: 'date-time' }),
            companyIds: CompanyIds,
            justification: Type.Optional(Type.String({ maxLength: 5000 })),
          }),
          response: { 201: MinorContractSchema, ...errors(400, 401, 403, 404, 409, 422) },
        },
      },
      async (request, reply) =>
        reply
          .status(201)
          .send(
            await startMinorContract(
              app.serviceContext(request),
              request.params.authorityId,
              request.params.tenderId,
              request.body,
            ),
          ),
    );

    r.post(
      '/authorities/:authorityId/tenders/:tenderId/minor/invitations',
      {
        schema: {
          tags,
          summary: 'Invite more companies while quotes are open',
          params: TenderParams,
          body: Body({ companyIds: CompanyIds }),
          response: { 200: MinorContractSchema, ...errors(400, 401, 403, 404, 409, 422) },
        },
      },
      async (request) =>
        inviteCompanies(
          app.serviceContext(request),
          request.params.authorityId,
          request.params.tenderId,
          request.body,
        ),
    );

    r.post(
      '/authorities/:authorityId/tenders/:tenderId/minor/award',
      {
        schema: {
          tags,
          summary:
            'Award the minor contract to one quote after the deadline, with reasons (threshold of art. 118.1 and 12-month splitting guard)',
          params: TenderParams,
          body: Body({
            quoteId: Uuid,
            justification: Reasons,
            splittingJustification: Type.Optional(Type.String({ maxLength: 5000 })),
          }),
          response: { 200: MinorContractSchema, ...errors(400, 401, 403, 404, 409, 422) },
        },
      },
      async (request) =>
        awardMinorContract(
          app.serviceContext(request),
          request.params.authorityId,
          request.params.tenderId,
          request.body,
        ),
    );

    r.post(
      '/authorities/:authorityId/tenders/:tenderId/minor/void',
      {
        schema: {
          tags,
          summary: 'Close a request for quotes without award, with reasons',
          params: TenderParams,
          body: Body({ reason: Reasons }),
          response: { 200: MinorContractSchema, ...errors(400, 401, 403, 404, 409, 422) },
        },
      },
      async (request) =>
        voidMinorContract(
          app.serviceContext(request),
          request.params.authorityId,
          request.params.tenderId,
          request.body,
        ),
    );

    r.get(
      '/companies/:companyId/minor-invitations',
      {
        schema: {
          tags,
          summary:
            'Invitations to quote for minor contracts received by a company you belong to, with your quote',
          params: Type.Object({ companyId: Uuid }),
          response: { 200: Type.Array(InvitationSchema), ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => listCompanyInvitations(app.serviceContext(request), request.params.companyId),
    );

    r.put(
      '/companies/:companyId/minor-invitations/:tenderId/quote',
      {
        schema: {
          tags,
          summary:
            'Submit or replace your company’s quote (excl. VAT, with its VAT rate: the file’s by default, 0 when exempt) before the quote deadline; other companies never see it',
          params: Type.Object({ companyId: Uuid, tenderId: Uuid }),
          body: Body({
            amountExclVat: Amount,
            vatRate: Type.Optional(VatRate),
            note: Type.Optional(Type.String({ maxLength: 2000 })),
          }),
          response: { 200: InvitationSchema, ...errors(400, 401, 403, 404, 409, 422) },
        },
      },
      async (request) =>
        submitQuote(
          app.serviceContext(request),
          request.params.companyId,
          request.params.tenderId,
          request.body,
        ),
    );
  };
