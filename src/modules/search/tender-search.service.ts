import { Decimal } from 'decimal.js';
import type { ServiceContext } from '../../platform/context.js';
import { DomainError } from '../../platform/errors.js';
import {
  correctSpelling,
  countMatching,
  findPage,
  type MatchMode,
  type PageSlice,
  ranksAllMatches,
  type PageSort,
  type SearchCriteria,
  type SearchRow,
  type SortDirection,
  type SortKey,
} from './tender-search.repo.js';

export type { SortDirection, SortKey } from './tender-search.repo.js';

export const SORT_KEYS = [
  'relevance',
  'deadline',
  'published',
  'value',
] as const satisfies readonly SortKey[];
export const PUBLIC_STATUSES = ['published', 'cancelled'] as const;
/** Longer queries are refused by the route; the service cuts them for any other caller. */
export const MAX_QUERY_LENGTH = 200;
export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;
/** A page is found by skipping every earlier match (OFFSET): deep pages get slower, so they end here. */
export const MAX_PAGE = 1000;

export type TenderSearchInput = {
  q?: string | undefined;
  authority?: string | undefined;
  cpv?: string | undefined;
  procedure?: string | undefined;
  status?: (typeof PUBLIC_STATUSES)[number] | undefined;
  minValue?: string | undefined;
  maxValue?: string | undefined;
  deadlineFrom?: string | undefined;
  deadlineTo?: string | undefined;
  sort?: SortKey | undefined;
  order?: SortDirection | undefined;
  page?: number | undefined;
  pageSize?: number | undefined;
};

/** Natural direction of each sort: best match, closing soonest, newest, largest. */
const DEFAULT_DIRECTION: Record<SortKey, SortDirection> = {
  relevance: 'desc',
  deadline: 'asc',
  published: 'desc',
  value: 'desc',
};

// Parts of words need three characters: the trigram index cannot narrow a shorter pattern, and
// a one- or two-letter substring matches almost every title anyway.
const MIN_PARTIAL = 3;
// Spelling is corrected for words of four letters or more (search_correct in 0003_search.sql).
const CORRECTABLE = /[\p{L}\p{N}]{4}/u;

const names = (ca: string, es: string, en: string) => ({ ca, es, en });

function present(r: SearchRow) {
  return {
    id: r.id,
    ocid: r.ocid,
    authority: {
      id: r.authority_id,
      name: names(r.authority_name_ca, r.authority_name_es, r.authority_name_en),
    },
    title: names(r.title_ca, r.title_es, r.title_en),
    procedure: r.procedure,
    contractType: r.contract_type,
    mainCpv: r.main_cpv,
    estimatedValue: r.estimated_value,
    tenderDeadline: r.tender_deadline?.toISOString() ?? null,
    publishedAt: r.published_at?.toISOString() ?? null,
    status: r.status,
  };
}

export type TenderSearchItem = ReturnType<typeof present>;
export type TenderSearchResult = {
  total: number;
  page: number;
  pageSize: number;
  /** How the words matched: see the route's description; 'all' when no words were given. */
  match: MatchMode | 'similar' | 'all';
  /** For 'similar': the words searched instead of those given. */
  correctedQuery: string | null;
  items: TenderSearchItem[];
};

/**
 * The words of a query as the database will see them: Unicode-composed (so that an accent typed
 * as a combining mark is folded like a precomposed one), without control characters or lone
 * surrogates (PostgreSQL refuses NUL and invalid UTF-8), spaces collapsed, and cut to length.
 * Quotes, dashes and backslashes stay: websearch_to_tsquery reads them and never fails on them.
 */
export function normaliseQuery(q: string | undefined): string | undefined {
  if (q === undefined) return undefined;
  const text = q
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, ' ')
    .normalize('NFC')
    .replace(/\p{Cf}/gu, '')
    .replace(/[\p{Cc}\s]+/gu, ' ')
    .trim()
    .slice(0, MAX_QUERY_LENGTH)
    .trim();
  return text === '' ? undefined : text;
}

function invalid(message: string, field: string): DomainError {
  return new DomainError('VALIDATION_FAILED', message, [{ path: `/${field}`, message }]);
}

/** Criteria from the (schema-checked) input, with the checks a schema cannot state. */
function criteriaOf(input: TenderSearchInput): SearchCriteria {
  if (input.minValue !== undefined && input.maxValue !== undefined) {
    if (new Decimal(input.minValue).greaterThan(input.maxValue)) {
      throw invalid('minValue is greater than maxValue', 'minValue');
    }
  }
  const deadlineFrom = input.deadlineFrom === undefined ? undefined : new Date(input.deadlineFrom);
  const deadlineTo = input.deadlineTo === undefined ? undefined : new Date(input.deadlineTo);
  for (const [field, d] of [
    ['deadlineFrom', deadlineFrom],
    ['deadlineTo', deadlineTo],
  ] as const) {
    if (d && Number.isNaN(d.getTime())) throw invalid(`${field} is not a valid instant`, field);
  }
  if (deadlineFrom && deadlineTo && deadlineFrom > deadlineTo) {
    throw invalid('deadlineFrom is after deadlineTo', 'deadlineFrom');
  }
  return {
    text: normaliseQuery(input.q),
    authorityId: input.authority,
    // "90910000-9" names the same code as "90910000": the check digit is not part of the prefix.
    cpvPrefix: input.cpv?.replace(/-\d$/, ''),
    procedure: input.procedure,
    status: input.status,
    minValue: input.minValue,
    maxValue: input.maxValue,
    deadlineFrom,
    deadlineTo,
  };
}

/** What a search input asks of the repository: criteria, order and page (the benchmark explains these). */
export function searchPlan(input: TenderSearchInput) {
  const criteria = criteriaOf(input);
  const pageSize = Math.min(Math.max(Math.trunc(input.pageSize ?? DEFAULT_PAGE_SIZE), 1), MAX_PAGE_SIZE);
  const page = Math.min(Math.max(Math.trunc(input.page ?? 1), 1), MAX_PAGE);
  const key = input.sort ?? (criteria.text === undefined ? 'published' : 'relevance');
  const sort: PageSort = { key, direction: input.order ?? DEFAULT_DIRECTION[key] };
  const slice: PageSlice = { limit: pageSize, offset: (page - 1) * pageSize };
  return { criteria, sort, slice, page, pageSize };
}

/**
 * Public search over published tenders (and those cancelled after publication). Open to everyone,
 * signed in or not: it reads nothing but what the published notices already show, so there is no
 * policy to ask.
 *
 * Words are matched as words first (any of the three languages, stemmed). Only when that finds
 * nothing, with the same filters, are they looked for as parts of the titles ("jardi", "enllum"),
 * and then misspelt words are replaced by the closest words of the titles ("jardinria" →
 * "jardineria") and searched as words. Staged rather than combined: a common word matches tens of
 * thousands of tenders, and adding the substring test to every search doubled its cost.
 */
export async function searchTenders(
  ctx: ServiceContext,
  input: TenderSearchInput,
): Promise<TenderSearchResult> {
  const { criteria, sort, slice, page, pageSize } = searchPlan(input);

  const run = async (c: SearchCriteria) => {
    if (ranksAllMatches(c, sort)) {
      const rows = await findPage(ctx.db, c, sort, slice);
      // The page carries the count, unless it lies past the last match.
      const first = rows[0];
      const total = first ? Number(first.total) : slice.offset === 0 ? 0 : await countMatching(ctx.db, c);
      return { total, rows };
    }
    // Both at once: on PostgreSQL they take two pooled connections; PGlite queues them.
    const [total, rows] = await Promise.all([countMatching(ctx.db, c), findPage(ctx.db, c, sort, slice)]);
    return { total, rows };
  };
  const text = criteria.text;
  const result = (
    found: Awaited<ReturnType<typeof run>>,
    match: TenderSearchResult['match'],
    corrected = null,
  ) => ({
    total: found.total,
    page,
    pageSize,
    match,
    correctedQuery: corrected,
    items: found.rows.map(present),
  });
  const words = await run(criteria);
  if (text === undefined) return result(words, 'all');
  if (words.total > 0) return result(words, 'words');
  if (text.length >= MIN_PARTIAL) {
    const partial = await run({ ...criteria, mode: 'partial' });
    if (partial.total > 0) return result(partial, 'partial');
  }
  if (CORRECTABLE.test(text)) {
    const corrected = await correctSpelling(ctx.db, text);
    if (corrected !== undefined) {
      const similar = await run({ ...criteria, text: corrected });
      if (similar.total > 0) return { ...result(similar, 'similar'), correctedQuery: corrected };
    }
  }
  return result(words, 'words');
}
