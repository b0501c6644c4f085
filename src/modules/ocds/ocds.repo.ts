/**
 * SQL of the OCDS releases and records (migration 0022). Writes take the caller's transaction (the
 * public act's); the feed reads apply the watermark described in ocds.feed.ts. Releases and records
 * are public data, so the reads filter by authority only when the caller asks.
 */
import { type Expression, type SqlBool, sql } from 'kysely';
import type { Db } from '../../platform/db/client.js';
import type { Tx } from '../../platform/db/tx.js';

export type NewReleaseRow = {
  id: string;
  ocid: string;
  authorityId: string;
  date: string;
  tags: string[];
  packageVersion: string;
  extensions: string[];
  json: string;
  sha256: string;
  publishedAt: Date;
};

/** A feed position: the writing transaction's xid8 (decimal text) and the row's seq. */
export type FeedKey = { xid: string; seq: string };

export type ReleaseRow = {
  seq: string;
  xid: string;
  id: string;
  ocid: string;
  authority_id: string;
  date: Date;
  tags: string[];
  package_version: string;
  extensions: string[];
  json: string;
  sha256: string;
  published_at: Date;
};

/** A release as a feed page lists it (RELEASE_PAGE_COLUMNS). */
export type ReleasePageRow = Pick<ReleaseRow, 'seq' | 'xid' | 'extensions' | 'json' | 'published_at'>;

export type RecordRow = {
  ocid: string;
  authority_id: string;
  compiled: unknown;
  versioned: unknown;
  release_count: number;
  date: Date;
  xid: string;
  seq: string;
  updated_at: Date;
};

/** A record as the feed lists it: without the versioned release (served on request only). */
export type RecordPageRow = Omit<RecordRow, 'versioned'>;

export type FeedFilter = {
  after?: FeedKey | undefined;
  limit: number;
  authorityId?: string | undefined;
  /** Inclusive lower bound on the release (or record's newest release) date. */
  from?: Date | undefined;
  /** Exclusive upper bound. */
  to?: Date | undefined;
};

/** The feed position as text: xid8 and bigint have no JavaScript number that holds them. */
const xidText = sql<string>`xid::text`.as('xid');

const RELEASE_COLUMNS = [
  'seq',
  xidText,
  'id',
  'ocid',
  'authority_id',
  'date',
  'tags',
  'package_version',
  'extensions',
  'json',
  'sha256',
  'published_at',
] as const;

const RECORD_COLUMNS = [
  'ocid',
  'authority_id',
  'compiled',
  'versioned',
  'release_count',
  'date',
  xidText,
  'seq',
  'updated_at',
] as const;

/**
 * What a page of the releases feed needs, and nothing more: a page is up to 1,000 rows, and the
 * client's time goes into decoding them (docs/BENCHMARKS.md, ocds-feed), so no column it does not use.
 */
const RELEASE_PAGE_COLUMNS = ['seq', xidText, 'extensions', 'json', 'published_at'] as const;

/** The records feed leaves the versioned release out (its largest column: ocds.md §10). */
const RECORD_PAGE_COLUMNS = RECORD_COLUMNS.filter(
  (c): c is Exclude<(typeof RECORD_COLUMNS)[number], 'versioned'> => c !== 'versioned',
);

/** The row with `seq` as text, as feed keys carry it (a bigint: never a JavaScript number). */
const withTextSeq = <R extends { seq: unknown }>(r: R) => ({ ...r, seq: String(r.seq) });

/**
 * Serialises the writers of one ocid until the end of the transaction: the record is read, merged
 * and written by one of them at a time (a row lock cannot be taken on a record not yet created).
 */
export async function lockOcid(trx: Tx, ocid: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${ocid}, 0))`.execute(trx);
}

/** Inserts a release; undefined when (ocid, id) is already stored (the caller compares hashes). */
export async function insertRelease(trx: Tx, r: NewReleaseRow): Promise<string | undefined> {
  const row = await trx
    .insertInto('ocds_release')
    .values({
      id: r.id,
      ocid: r.ocid,
      authority_id: r.authorityId,
      date: r.date,
      tags: r.tags,
      package_version: r.packageVersion,
      extensions: r.extensions,
      json: r.json,
      sha256: r.sha256,
      published_at: r.publishedAt,
    })
    .onConflict((oc) => oc.columns(['ocid', 'id']).doNothing())
    .returning('seq')
    .executeTakeFirst();
  return row ? String(row.seq) : undefined;
}

export async function findReleaseHash(
  db: Db | Tx,
  ocid: string,
  id: string,
): Promise<{ seq: string; sha256: string; authority_id: string } | undefined> {
  const row = await db
    .selectFrom('ocds_release')
    .select(['seq', 'sha256', 'authority_id'])
    .where('ocid', '=', ocid)
    .where('id', '=', id)
    .executeTakeFirst();
  return row ? { ...row, seq: String(row.seq) } : undefined;
}

/** The stored releases of an ocid (canonical JSON), in publication order, for a full re-merge. */
export async function releaseHistory(trx: Tx, ocid: string, exceptSeq?: string): Promise<string[]> {
  const rows = await trx
    .selectFrom('ocds_release')
    .select('json')
    .where('ocid', '=', ocid)
    .$if(exceptSeq !== undefined, (q) => q.where('seq', '!=', exceptSeq as string))
    .orderBy('seq')
    .execute();
  return rows.map((r) => r.json);
}

/**
 * The record of an ocid; without its versioned release (the largest column) unless asked for:
 * the merge and `?versioned=true` need it, a record package does not.
 */
export async function findRecord(db: Db | Tx, ocid: string): Promise<RecordRow | undefined>;
export async function findRecord(
  db: Db | Tx,
  ocid: string,
  options: { versioned: boolean },
): Promise<RecordPageRow | RecordRow | undefined>;
export async function findRecord(
  db: Db | Tx,
  ocid: string,
  options: { versioned: boolean } = { versioned: true },
): Promise<RecordPageRow | RecordRow | undefined> {
  const row = await db
    .selectFrom('ocds_record')
    .select(options.versioned ? RECORD_COLUMNS : RECORD_PAGE_COLUMNS)
    .where('ocid', '=', ocid)
    .executeTakeFirst();
  return row ? withTextSeq(row) : undefined;
}

export type RecordWrite = {
  ocid: string;
  authorityId: string;
  compiled: string;
  versioned: string;
  releaseCount: number;
  date: string;
  seq: string;
  updatedAt: Date;
};

/** Inserts or replaces the record; its feed position becomes this transaction's (xid, seq). */
export async function saveRecord(trx: Tx, r: RecordWrite): Promise<void> {
  await trx
    .insertInto('ocds_record')
    .values({
      ocid: r.ocid,
      authority_id: r.authorityId,
      compiled: r.compiled,
      versioned: r.versioned,
      release_count: r.releaseCount,
      date: r.date,
      seq: r.seq,
      updated_at: r.updatedAt,
    })
    .onConflict((oc) =>
      oc.column('ocid').doUpdateSet({
        compiled: r.compiled,
        versioned: r.versioned,
        release_count: r.releaseCount,
        date: r.date,
        seq: r.seq,
        xid: sql`pg_current_xact_id()`,
        updated_at: r.updatedAt,
      }),
    )
    .execute();
}

/**
 * What selects one page of either feed (each table has xid, seq, authority_id and date): rows
 * below the watermark (the oldest transaction still in flight, ocds.feed.ts) and after `after` in
 * (xid, seq) order, within the caller's filters. The row comparison uses the (xid, seq) index.
 * `watermark`, when given, is one read before (datedKeys): the rows below it were all committed
 * then, so what that earlier read saw of them holds for this one.
 */
function feedPageWhere(f: FeedFilter, watermark?: string): Expression<SqlBool> {
  const conditions = [
    watermark === undefined
      ? sql`xid < pg_snapshot_xmin(pg_current_snapshot())`
      : sql`xid < ${watermark}::xid8`,
  ];
  if (f.after) conditions.push(sql`(xid, seq) > (${f.after.xid}::xid8, ${f.after.seq}::bigint)`);
  if (f.authorityId) conditions.push(sql`${sql.ref('authority_id')} = ${f.authorityId}`);
  if (f.from) conditions.push(sql`${sql.ref('date')} >= ${f.from}`);
  if (f.to) conditions.push(sql`${sql.ref('date')} < ${f.to}`);
  return sql<SqlBool>`${sql.join(conditions, sql` and `)}`;
}

type FeedTable = 'ocds_release' | 'ocds_record';

/** A row's feed month, written exactly as the indexes of migration 0024 have it (or they go unused). */
const FEED_MONTH = sql`date_trunc('month', date AT TIME ZONE 'UTC')`;

/** The first day of each UTC month from `first` to `last`, both included, as `YYYY-MM-01`. */
export function monthsBetween(first: Date, last: Date): string[] {
  const out: string[] = [];
  for (
    let m = Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), 1);
    m <= last.getTime();
    m = Date.UTC(new Date(m).getUTCFullYear(), new Date(m).getUTCMonth() + 1, 1)
  )
    out.push(new Date(m).toISOString().slice(0, 10));
  return out;
}

/** `YYYY-MM-DD hh:mm:ss` (a timestamp's text, here UTC by construction) as a Date. */
const utcOf = (text: string) => new Date(`${text.slice(0, 10)}T00:00:00Z`);

/**
 * The keys (k_xid, k_seq) of one page of a feed with a date window, or undefined when no row can
 * be in it. Walking the (xid, seq) index and skipping the rows outside the window costs the whole
 * rest of the table when the window lies behind the cursor; sorting the window found by date costs
 * the whole window on every page. Instead each month of the window is an ordered range of the
 * month indexes (migration 0024) starting at the cursor, and the page is their merge (a Merge
 * Append that stops after `limit` rows): one descent per month plus about a page of entries.
 *
 * An open end of the window is closed at the table's first or last month, read together with the
 * watermark that the page then uses: every row below that watermark was committed when the months
 * were read, so none of them lies outside those months, and a row committed since is above it.
 */
async function datedKeys(db: Db, table: FeedTable, f: FeedFilter) {
  const scope = f.authorityId ? sql`WHERE authority_id = ${f.authorityId}` : sql``;
  const probe = (
    await sql<{ watermark: string; first: string | null; last: string | null }>`SELECT
      pg_snapshot_xmin(pg_current_snapshot())::text AS watermark,
      (SELECT min(${FEED_MONTH}) FROM ${sql.table(table)} ${scope})::text AS first,
      (SELECT max(${FEED_MONTH}) FROM ${sql.table(table)} ${scope})::text AS last`.execute(db)
  ).rows[0];
  if (!probe?.first || !probe.last) return undefined;
  const first = f.from && f.from > utcOf(probe.first) ? f.from : utcOf(probe.first);
  // `to` is exclusive and a JavaScript date has milliseconds: the last month is that of to - 1 ms.
  const last =
    f.to && f.to.getTime() - 1 < utcOf(probe.last).getTime()
      ? new Date(f.to.getTime() - 1)
      : utcOf(probe.last);
  const months = monthsBetween(first, last);
  if (months.length === 0) return undefined;
  const where = feedPageWhere(f, probe.watermark);
  const ranges = months.map(
    (month) => sql`(SELECT xid, seq FROM ${sql.table(table)}
      WHERE ${FEED_MONTH} = ${month}::timestamp AND ${where} ORDER BY xid, seq LIMIT ${f.limit})`,
  );
  return sql<{ k_xid: string; k_seq: string }>`(SELECT xid AS k_xid, seq AS k_seq
    FROM (${sql.join(ranges, sql` UNION ALL `)}) AS months ORDER BY xid, seq LIMIT ${f.limit})`;
}

/**
 * One page of the releases feed, in (xid, seq) order. Exported for the benchmark, which EXPLAINs
 * it; undefined when a date window cannot hold any row.
 */
export async function releasePageQuery(db: Db, f: FeedFilter) {
  const base = db.selectFrom('ocds_release');
  let q = base.select(RELEASE_PAGE_COLUMNS);
  if (f.from || f.to) {
    const keys = await datedKeys(db, 'ocds_release', f);
    if (!keys) return undefined;
    q = base
      .innerJoin(keys.as('k'), (j) =>
        j.onRef('k.k_xid', '=', 'ocds_release.xid').onRef('k.k_seq', '=', 'ocds_release.seq'),
      )
      .select(RELEASE_PAGE_COLUMNS);
  } else q = q.where(feedPageWhere(f));
  // Qualified: a bare `xid` in ORDER BY names the output column `xid::text`, which sorts as text
  // (out of order past a power of ten) and cannot use the (xid, seq) index.
  return q.orderBy(sql`ocds_release.xid`).orderBy(sql`ocds_release.seq`).limit(f.limit);
}

export async function releasePage(db: Db, f: FeedFilter): Promise<ReleasePageRow[]> {
  const q = await releasePageQuery(db, f);
  return q ? (await q.execute()).map(withTextSeq) : [];
}

/**
 * One page of the records feed, like releasePage; a record sits at the position of its last change.
 * Without the versioned release: the feed's record packages carry the compiled release only.
 */
export async function recordPage(db: Db, f: FeedFilter): Promise<RecordPageRow[]> {
  const base = db.selectFrom('ocds_record');
  let q = base.select(RECORD_PAGE_COLUMNS);
  if (f.from || f.to) {
    const keys = await datedKeys(db, 'ocds_record', f);
    if (!keys) return [];
    q = base
      .innerJoin(keys.as('k'), (j) =>
        j.onRef('k.k_xid', '=', 'ocds_record.xid').onRef('k.k_seq', '=', 'ocds_record.seq'),
      )
      .select(RECORD_PAGE_COLUMNS);
  } else q = q.where(feedPageWhere(f));
  const rows = await q.orderBy(sql`ocds_record.xid`).orderBy(sql`ocds_record.seq`).limit(f.limit).execute();
  return rows.map(withTextSeq);
}

/** The keys of the records changed after `after` (below the watermark), in feed order: what the bulk files rewrite. */
export async function recordKeysAfter(
  db: Db,
  after: FeedKey | undefined,
  limit: number,
): Promise<{ ocid: string; xid: string; seq: string }[]> {
  const rows = await db
    .selectFrom('ocds_record')
    .select(['ocid', xidText, 'seq'])
    .where(feedPageWhere({ after, limit }))
    .orderBy(sql`ocds_record.xid`)
    .orderBy(sql`ocds_record.seq`)
    .limit(limit)
    .execute();
  return rows.map(withTextSeq);
}

/** The releases with this id (one per ocid that uses it), or the one of `ocid`. */
export async function releasesById(db: Db, id: string, ocid?: string): Promise<ReleaseRow[]> {
  const rows = await db
    .selectFrom('ocds_release')
    .select(RELEASE_COLUMNS)
    .where('id', '=', id)
    .$if(ocid !== undefined, (q) => q.where('ocid', '=', ocid as string))
    .orderBy('seq')
    .limit(1000)
    .execute();
  return rows.map(withTextSeq);
}

/** `date_text`: the release's own `date` string, as published (a record lists it unchanged). */
export type LinkedReleaseRow = { ocid: string; id: string; date_text: string; tags: string[] };

/** The releases of these ocids (for a record's `releases`), oldest date first, ties by publication. */
export async function linkedReleases(db: Db, ocids: readonly string[]): Promise<LinkedReleaseRow[]> {
  if (ocids.length === 0) return [];
  return db
    .selectFrom('ocds_release')
    .select(['ocid', 'id', sql<string>`(json::jsonb)->>'date'`.as('date_text'), 'tags'])
    .where('ocid', 'in', ocids)
    .orderBy('ocid')
    .orderBy('date')
    .orderBy('seq')
    .execute();
}
