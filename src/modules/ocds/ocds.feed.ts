/**
 * The OCDS change feeds (issue 6 point 3): releases and records in publication order, by cursor.
 *
 * Why a watermark, and which one. A sequence number alone cannot be a cursor: with concurrent
 * writers, a transaction that took seq 5 may commit after one that took seq 6; a reader that served
 * 6 and moved its cursor past it would never see 5. So the feed is ordered by (xid, seq), where xid
 * is the writing transaction's 64-bit id (xid8, pg_current_xact_id(); it never wraps), and a reader
 * serves only rows with xid < pg_snapshot_xmin(pg_current_snapshot()): the oldest transaction still
 * in flight. Every transaction with a smaller xid has finished, so the set of rows below the
 * watermark is final and fully visible; any later write comes from a transaction at or above it,
 * hence lands after every cursor already handed out. A cursor is therefore never skipped over and
 * never repeats. A record moves to its last change's (xid, seq), so a changed record appears again
 * later in the records feed, and its latest state is never missed. The cost: a long transaction
 * holds the feed back (not the writers) until it ends. PGlite is one connection whose transactions
 * never interleave (the dialect's mutex): a reader always runs between transactions, its watermark
 * is the next xid and every committed row is below it — the same rule, trivially satisfied.
 *
 * Empty pages. The release and record package schemas require at least one release or record
 * (`minItems: 1`), so a page with nothing to serve (the head of the feed, or filters matching
 * nothing yet) is not a package at all: it has no body (the route answers 204 No Content) and gives
 * its next cursor in headers only (`x-ocds-next-cursor`, and `Link: <…>; rel="next"`, RFC 8288,
 * which full pages carry too, next to the package's own `links.next`). So every body the feed
 * serves is a valid package.
 */
import type { Config } from '../../platform/config.js';
import type { Db } from '../../platform/db/client.js';
import { DomainError } from '../../platform/errors.js';
import { isJsonObject, type JsonObject } from './merge.types.js';
import {
  type FeedKey,
  linkedReleases,
  recordPage,
  releasePage,
  releasesById,
  findRecord,
} from './ocds.repo.js';
import {
  packageExtensions,
  packageMeta,
  type RecordEntry,
  recordPackageJson,
  releasePackageJson,
} from './ocds-package.js';

export const MAX_PAGE = 1000;
export const DEFAULT_PAGE = 100;

/** Opaque to clients: base64url of `xid.seq`. */
export function encodeCursor(key: FeedKey): string {
  return Buffer.from(`${key.xid}.${key.seq}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): FeedKey {
  const text = /^[A-Za-z0-9_-]{1,64}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const m = /^(\d{1,20})\.(\d{1,19})$/.exec(text);
  if (!m || BigInt(m[1] as string) > 18446744073709551615n || BigInt(m[2] as string) > 9223372036854775807n)
    throw new DomainError('VALIDATION_FAILED', 'The cursor is not one this feed gave', { field: 'cursor' });
  return { xid: m[1] as string, seq: m[2] as string };
}

export type FeedQuery = {
  cursor?: string | undefined;
  limit?: number | undefined;
  authority?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
};

export type FeedContext = { db: Db; config: Config['ocds']; baseUrl: string; now: Date };

/**
 * One page: `body` is the package, absent when the page is empty (no valid package has no release
 * or record); `next` the cursor to continue from and `nextUrl` the URL of the next page.
 */
export type FeedPage = { body: string | undefined; next: string; nextUrl: string; count: number };

function parseDate(value: string | undefined, field: string): Date | undefined {
  if (value === undefined) return undefined;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new DomainError('VALIDATION_FAILED', `Bad ${field} date`, { field });
  return d;
}

function filterOf(q: FeedQuery) {
  const limit = q.limit ?? DEFAULT_PAGE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE)
    throw new DomainError('VALIDATION_FAILED', `limit must be 1 to ${MAX_PAGE}`, { field: 'limit' });
  return {
    after: q.cursor ? decodeCursor(q.cursor) : undefined,
    limit,
    authorityId: q.authority,
    from: parseDate(q.from, 'from'),
    to: parseDate(q.to, 'to'),
  };
}

/** The URL of the same feed from `next`, keeping the filters. */
function pageUrl(ctx: FeedContext, feed: string, q: FeedQuery, cursor: string | undefined): string {
  const params = new URLSearchParams();
  if (cursor) params.set('cursor', cursor);
  if (q.limit !== undefined) params.set('limit', String(q.limit));
  if (q.authority) params.set('authority', q.authority);
  if (q.from) params.set('from', q.from);
  if (q.to) params.set('to', q.to);
  const qs = params.toString();
  return `${ctx.baseUrl}/ocds/v1/${feed}${qs ? `?${qs}` : ''}`;
}

function latest(dates: readonly Date[], fallback: Date): Date {
  let max: Date | undefined;
  for (const d of dates) if (!max || d > max) max = d;
  return max ?? fallback;
}

/**
 * One page of the releases feed. `next` is the cursor to continue from (the last row served, or
 * the one given when nothing new is below the watermark yet): a client polls with it forever.
 */
export async function releasesFeed(ctx: FeedContext, q: FeedQuery): Promise<FeedPage> {
  const f = filterOf(q);
  const rows = await releasePage(ctx.db, f);
  const last = rows[rows.length - 1];
  const next = last ? encodeCursor(last) : (q.cursor ?? '');
  const nextUrl = pageUrl(ctx, 'releases', q, next || undefined);
  if (rows.length === 0) return { body: undefined, next, nextUrl, count: 0 };
  const meta = packageMeta(
    ctx.config,
    pageUrl(ctx, 'releases', q, q.cursor),
    // The newest publication on the page, so an unchanged page keeps its ETag.
    latest(
      rows.map((r) => r.published_at),
      ctx.now,
    ),
    packageExtensions(
      ctx.baseUrl,
      rows.map((r) => r.extensions),
    ),
  );
  const body = releasePackageJson(
    meta,
    rows.map((r) => r.json),
    { next: nextUrl },
  );
  return { body, next, nextUrl, count: rows.length };
}

function releaseUrl(baseUrl: string, ocid: string, id: string): string {
  return `${baseUrl}/ocds/v1/releases/${encodeURIComponent(id)}?ocid=${encodeURIComponent(ocid)}`;
}

/**
 * Records as served (RecordEntry): each with its linked releases, read for all the rows at once.
 * Also what the bulk files write (ocds-bulk.ts).
 */
export async function recordEntries(
  db: Db,
  baseUrl: string,
  rows: readonly { ocid: string; compiled: unknown; versioned?: unknown }[],
): Promise<RecordEntry[]> {
  const linked = await linkedReleases(
    db,
    rows.map((r) => r.ocid),
  );
  const byOcid = new Map<string, RecordEntry['releases']>();
  for (const l of linked) {
    const list = byOcid.get(l.ocid) ?? [];
    list.push({ url: `${releaseUrl(baseUrl, l.ocid, l.id)}#${l.id}`, date: l.date_text, tag: l.tags });
    byOcid.set(l.ocid, list);
  }
  return rows.map((r) => {
    const entry: RecordEntry = {
      ocid: r.ocid,
      releases: byOcid.get(r.ocid) ?? [],
      compiledRelease: asObject(r.compiled),
    };
    if (r.versioned !== undefined) entry.versionedRelease = asObject(r.versioned);
    return entry;
  });
}

function asObject(value: unknown): JsonObject {
  const v = typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
  return isJsonObject(v) ? v : {};
}

export async function recordsFeed(ctx: FeedContext, q: FeedQuery): Promise<FeedPage> {
  const f = filterOf(q);
  const rows = await recordPage(ctx.db, f);
  const last = rows[rows.length - 1];
  const next = last ? encodeCursor(last) : (q.cursor ?? '');
  const nextUrl = pageUrl(ctx, 'records', q, next || undefined);
  if (rows.length === 0) return { body: undefined, next, nextUrl, count: 0 };
  const meta = packageMeta(
    ctx.config,
    pageUrl(ctx, 'records', q, q.cursor),
    latest(
      rows.map((r) => r.updated_at),
      ctx.now,
    ),
    packageExtensions(ctx.baseUrl, []),
  );
  const body = recordPackageJson(meta, await recordEntries(ctx.db, ctx.baseUrl, rows), { next: nextUrl });
  return { body, next, nextUrl, count: rows.length };
}

/** The release package of one release id (every ocid using it, or the one given); NOT_FOUND if none. */
export async function releasePackageById(ctx: FeedContext, id: string, ocid?: string): Promise<string> {
  const rows = await releasesById(ctx.db, id, ocid);
  if (rows.length === 0) throw new DomainError('NOT_FOUND', 'No such release');
  const uri = ocid
    ? releaseUrl(ctx.baseUrl, ocid, id)
    : `${ctx.baseUrl}/ocds/v1/releases/${encodeURIComponent(id)}`;
  const meta = packageMeta(
    ctx.config,
    uri,
    latest(
      rows.map((r) => r.published_at),
      ctx.now,
    ),
    packageExtensions(
      ctx.baseUrl,
      rows.map((r) => r.extensions),
    ),
  );
  return releasePackageJson(
    meta,
    rows.map((r) => r.json),
  );
}

/**
 * The record package of one ocid; NOT_FOUND if none. The versioned release only with `versioned`
 * (`?versioned=true`): see RecordEntry.
 */
export async function recordPackageByOcid(
  ctx: FeedContext,
  ocid: string,
  options: { versioned?: boolean } = {},
): Promise<string> {
  const row = await findRecord(ctx.db, ocid, { versioned: options.versioned === true });
  if (!row) throw new DomainError('NOT_FOUND', 'No such record');
  const path = `${ctx.baseUrl}/ocds/v1/records/${encodeURIComponent(ocid)}`;
  const meta = packageMeta(
    ctx.config,
    options.versioned ? `${path}?versioned=true` : path,
    row.updated_at,
    packageExtensions(ctx.baseUrl, []),
  );
  return recordPackageJson(meta, await recordEntries(ctx.db, ctx.baseUrl, [row]));
}
