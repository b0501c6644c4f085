import { type FastifyPluginAsyncTypebox, type TSchema, Type } from '@fastify/type-provider-typebox';
import type { App } from '../../app.js';
import { errors } from '../../platform/http/schemas.js';
import { PROCEDURE_CODES } from '../procedures/procedure.types.js';
import {
  DEFAULT_PAGE_SIZE,
  MAX_PAGE,
  MAX_PAGE_SIZE,
  MAX_QUERY_LENGTH,
  PUBLIC_STATUSES,
  SORT_KEYS,
  searchTenders,
} from './tender-search.service.js';

const tags = ['Search'];
/** A string enum whose static type keeps its members. */
const literals = <const T extends readonly string[]>(values: T, description?: string) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...(description ? { description } : {}) });
/** Euros with at most two decimals, as text: "1234.50" (never a float). */
const Amount = (description: string) => Type.String({ pattern: '^\\d{1,13}(\\.\\d{1,2})?$', description });
const Instant = (description: string) => Type.String({ format: 'date-time', description });
const Names = Type.Object({ ca: Type.String(), es: Type.String(), en: Type.String() });
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const TenderSearchQuery = Type.Object(
  {
    q: Type.Optional(
      Type.String({
        maxLength: MAX_QUERY_LENGTH,
        description:
          'Words in Catalan, Spanish or English; accents and case do not matter. "Quoted phrases" and ' +
          '"or" are understood. When no tender has the words, parts of words (three letters or more) ' +
          'are looked for in the titles, and then misspelt words are corrected.',
      }),
    ),
    authority: Type.Optional(Type.String({ format: 'uuid', description: 'Contracting authority id' })),
    cpv: Type.Optional(
      Type.String({
        pattern: '^(\\d{2,8}|\\d{8}-\\d)$',
        description: 'CPV code or prefix (2–8 digits, e.g. 9091 for 90910000), on the main CPV or a lot',
      }),
    ),
    procedure: Type.Optional(literals(PROCEDURE_CODES, 'Procedure')),
    status: Type.Optional(literals(PUBLIC_STATUSES, 'Published or cancelled (both by default)')),
    minValue: Type.Optional(Amount('Least estimated value, euros excluding VAT')),
    maxValue: Type.Optional(Amount('Greatest estimated value, euros excluding VAT')),
    deadlineFrom: Type.Optional(Instant('Tender deadline at or after this instant')),
    deadlineTo: Type.Optional(Instant('Tender deadline at or before this instant')),
    sort: Type.Optional(
      literals(
        SORT_KEYS,
        'Order: relevance (the default with q), deadline, published (the default without q) or value',
      ),
    ),
    order: Type.Optional(
      literals(
        ['asc', 'desc'] as const,
        'Direction; by default best match, closing soonest, newest, largest first',
      ),
    ),
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE, default: 1 })),
    pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })),
    lang: Type.Optional(Type.String({ description: 'Language of messages (ca, es, en)' })),
  },
  { additionalProperties: false },
);

const TenderSearchItem = Type.Object({
  id: Type.String(),
  ocid: Nullable(Type.String()),
  authority: Type.Object({ id: Type.String(), name: Names }),
  title: Names,
  procedure: Type.String(),
  contractType: Type.String(),
  mainCpv: Type.String(),
  estimatedValue: Type.String(),
  tenderDeadline: Nullable(Type.String()),
  publishedAt: Nullable(Type.String()),
  status: Type.String(),
});

export const TenderSearchResultSchema = Type.Object({
  total: Type.Integer(),
  page: Type.Integer(),
  pageSize: Type.Integer(),
  match: literals(
    ['all', 'words', 'partial', 'similar'] as const,
    'How the words matched: as words; else as parts of titles; else, misspelt words corrected to ' +
      'the closest words of the titles (see correctedQuery); all, when no words were given',
  ),
  correctedQuery: Nullable(
    Type.String({ description: 'The corrected words searched instead of q, when match is similar' }),
  ),
  items: Type.Array(TenderSearchItem),
});

export const tenderSearchRoutes =
  (app: App): FastifyPluginAsyncTypebox =>
  async (r) => {
    r.get(
      '/tenders',
      {
        schema: {
          tags,
          summary: 'Search published tenders: full text in ca/es/en, filters, sorting and pages (public)',
          querystring: TenderSearchQuery,
          response: { 200: TenderSearchResultSchema, ...errors(400) },
        },
      },
      async (request) => searchTenders(app.serviceContext(request), request.query),
    );
  };
