import { type RawBuilder, type SqlBool, sql } from 'kysely';
import type { Db } from '../../platform/db/client.js';
import type { Tx } from '../../platform/db/tx.js';

type Q = Db | Tx;

export type SortKey = 'relevance' | 'deadline' | 'published' | 'value';
export type SortDirection = 'asc' | 'desc';
export type PageSort = { key: SortKey; direction: SortDirection };
export type PageSlice = { limit: number; offset: number };
/**
 * How words are matched: as words (stemmed full text over titles and descriptions), or as parts
 * of the titles (substrings, found by trigrams).
 */
export type MatchMode = 'words' | 'partial';

/** What a public search asks for, already validated and normalised by the service. */
export type SearchCriteria = {
  /** Words as typed (trimmed); folding and parsing happen in SQL. */
  text?: string | undefined;
  /** How `text` matches ('words' when absent). */
  mode?: MatchMode;
  authorityId?: string | undefined;
  /** 2 to 8 digits: a prefix of the main CPV or of any lot's CPV. */
  cpvPrefix?: string | undefined;
  procedure?: string | undefined;
  status?: 'published' | 'cancelled' | undefined;
  minValue?: string | undefined;
  maxValue?: string | undefined;
  deadlineFrom?: Date | undefined;
  deadlineTo?: Date | undefined;
};

/**
 * Public tenders matching the criteria, from tender_search: it holds a row for each published
 * tender (or cancelled after publication) and for nothing else (migrations/0003_search.sql).
 */
function matching(db: Q, c: SearchCriteria) {
  let q = db.selectFrom('tender_search as s');
  if (c.status) q = q.where('s.status', '=', c.status);
  if (c.authorityId) q = q.where('s.authority_id', '=', c.authorityId);
  if (c.procedure) q = q.where('s.procedure', '=', c.procedure);
  if (c.minValue !== undefined) q = q.where('s.estimated_value', '>=', c.minValue);
  if (c.maxValue !== undefined) q = q.where('s.estimated_value', '<=', c.maxValue);
  if (c.deadlineFrom) q = q.where('s.tender_deadline', '>=', c.deadlineFrom);
  if (c.deadlineTo) q = q.where('s.tender_deadline', '<=', c.deadlineTo);
  if (c.cpvPrefix) q = q.where(sql<SqlBool>`s.cpv_prefixes @> ARRAY[${c.cpvPrefix}]::text[]`);
  const text = c.text;
  if (text !== undefined) {
    switch (c.mode ?? 'words') {
      case 'words':
        q = q.where(sql<SqlBool>`s.search_document @@ search_query(${text})`);
        break;
      case 'partial': {
        // LIKE's own wildcards in the words are matched literally.
        const like = text.replace(/[\\%_]/g, (ch) => `\\${ch}`);
        q = q.where(sql<SqlBool>`s.search_title LIKE ('%' || search_fold(${like}) || '%')`);
        break;
      }
    }
  }
  return q;
}

/** The count of matching tenders, as a query (the benchmark explains it). */
export function countQuery(db: Q, c: SearchCriteria) {
  return matching(db, c).select(sql<string>`count(*)`.as('n'));
}

export async function countMatching(db: Q, c: SearchCriteria): Promise<number> {
  return Number((await countQuery(db, c).executeTakeFirstOrThrow()).n);
}

/** Relevance of a match; parts of titles have none (every match contains the words as they are). */
function relevance(c: SearchCriteria): RawBuilder<number> {
  if (c.text === undefined) return sql<number>`0`;
  switch (c.mode ?? 'words') {
    case 'words':
      return sql<number>`ts_rank(s.search_document, search_query(${c.text}))`;
    case 'partial':
      return sql<number>`0`;
  }
}

/**
 * Whether a page ranks by relevance: then every match has to be scored before the first row can
 * be returned, so the page query counts the matches in the same pass (count(*) OVER ()) instead
 * of a second query scanning them again.
 */
export const ranksAllMatches = (c: SearchCriteria, sort: PageSort) =>
  sort.key === 'relevance' && c.text !== undefined && c.mode !== 'partial';

/**
 * One page of matching tenders with their authority's names, in a stable order (id breaks ties),
 * as a query (the benchmark explains it). The page is chosen on the narrow search rows; only its
 * rows are then joined to tender and authority, which are checked to be public once more.
 */
export function pageQuery(db: Q, c: SearchCriteria, sort: PageSort, page: PageSlice) {
  const dir = sort.direction;
  const ranked = ranksAllMatches(c, sort);
  let scored = matching(db, c).select([
    's.tender_id',
    's.published_at',
    's.tender_deadline',
    's.estimated_value',
    relevance(c).as('rank'),
  ]);
  // When ranking, OFFSET 0 keeps this subquery from being merged into the next: the rank is then
  // computed while scanning, and the window count buffers narrow rows, not whole documents.
  // Otherwise it must merge, so that an index in the sort's order can stop after one page.
  if (ranked) scored = scored.offset(0);
  let inner = db
    .selectFrom(scored.as('m'))
    .select([
      'm.tender_id',
      'm.published_at',
      'm.tender_deadline',
      'm.estimated_value',
      'm.rank',
      (ranked ? sql<string>`count(*) OVER ()` : sql<string | null>`NULL::bigint`).as('total'),
    ]);
  switch (sort.key) {
    case 'relevance':
      // Without words there is no relevance: the newest first, as on a notice board.
      if (ranked) inner = inner.orderBy('m.rank', dir);
      inner = inner.orderBy('m.published_at', 'desc').orderBy('m.tender_id', 'desc');
      break;
    case 'deadline':
      inner = inner
        .orderBy('m.tender_deadline', (ob) => (dir === 'asc' ? ob.asc() : ob.desc()).nullsLast())
        .orderBy('m.tender_id', dir);
      break;
    case 'published':
      inner = inner.orderBy('m.published_at', dir).orderBy('m.tender_id', dir);
      break;
    case 'value':
      inner = inner.orderBy('m.estimated_value', dir).orderBy('m.tender_id', dir);
      break;
  }
  let q = db
    .selectFrom(inner.limit(page.limit).offset(page.offset).as('p'))
    .innerJoin('tender as t', 't.id', 'p.tender_id')
    .innerJoin('authority as a', 'a.id', 't.authority_id')
    .where(sql<SqlBool>`t.status IN ('published', 'cancelled') AND t.published_at IS NOT NULL`)
    .select([
      't.id',
      't.ocid',
      't.authority_id',
      'a.name_ca as authority_name_ca',
      'a.name_es as authority_name_es',
      'a.name_en as authority_name_en',
      't.title_ca',
      't.title_es',
      't.title_en',
      't.procedure',
      't.contract_type',
      't.main_cpv',
      't.estimated_value',
      't.tender_deadline',
      't.published_at',
      't.status',
      'p.total',
    ]);
  // The join does not keep the inner order: state it again on the page's own columns.
  switch (sort.key) {
    case 'relevance':
      if (ranked) q = q.orderBy('p.rank', dir);
      q = q.orderBy('p.published_at', 'desc').orderBy('p.tender_id', 'desc');
      break;
    case 'deadline':
      q = q
        .orderBy('p.tender_deadline', (ob) => (dir === 'asc' ? ob.asc() : ob.desc()).nullsLast())
        .orderBy('p.tender_id', dir);
      break;
    case 'published':
      q = q.orderBy('p.published_at', dir).orderBy('p.tender_id', dir);
      break;
    case 'value':
      q = q.orderBy('p.estimated_value', dir).orderBy('p.tender_id', dir);
      break;
  }
  return q;
}

export function findPage(db: Q, c: SearchCriteria, sort: PageSort, page: PageSlice) {
  return pageQuery(db, c, sort, page).execute();
}

export type SearchRow = Awaited<ReturnType<typeof findPage>>[number];

/**
 * The words with each misspelt one replaced by the most similar word of the public titles, folded
 * (lower case, no accents); undefined when no word changed.
 */
export async function correctSpelling(db: Q, text: string): Promise<string | undefined> {
  const r = await sql<{ corrected: string | null; folded: string | null }>`
    SELECT search_correct(${text}) AS corrected,
           array_to_string(regexp_split_to_array(search_fold(${text}), '[[:space:]]+'), ' ') AS folded`.execute(
    db,
  );
  const row = r.rows[0];
  return row?.corrected && row.corrected !== row.folded ? row.corrected : undefined;
}
