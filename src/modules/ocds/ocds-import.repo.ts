/**
 * SQL of imported third-party OCDS (migration 0023): external authorities, their imported releases
 * and compiled records. Every query is scoped by the external authority; nothing here reads or
 * writes the platform's own ocds_release / ocds_record.
 */
import { sql } from 'kysely';
import type { Db } from '../../platform/db/client.js';
import type { Tx } from '../../platform/db/tx.js';
import { findAuthorityBySlug } from '../tenancy/authority.repo.js';

type Q = Db | Tx;

export type ImportAuthorityRow = {
  id: string;
  slug: string;
  name_ca: string;
  name_es: string;
  name_en: string;
  is_external: boolean;
  external_source_url: string | null;
};

const AUTHORITY_COLUMNS = [
  'id',
  'slug',
  'name_ca',
  'name_es',
  'name_en',
  'is_external',
  'external_source_url',
] as const;

/** The authority named by its slug, else by its name in any language (the first by slug). */
export async function findAuthorityBySlugOrName(db: Q, key: string): Promise<ImportAuthorityRow | undefined> {
  const bySlug = await findAuthorityBySlug(db, key);
  if (bySlug) return bySlug;
  return db
    .selectFrom('authority')
    .select(AUTHORITY_COLUMNS)
    .where((eb) => eb.or([eb('name_ca', '=', key), eb('name_es', '=', key), eb('name_en', '=', key)]))
    .orderBy('slug')
    .executeTakeFirst();
}

/** The authority with this slug, only if it is external (the platform's own are not served here). */
export async function findExternalAuthorityBySlug(
  db: Q,
  slug: string,
): Promise<ImportAuthorityRow | undefined> {
  const a = await findAuthorityBySlug(db, slug);
  return a?.is_external ? a : undefined;
}

/** Inserts an external authority; its DIR3 code and ocid prefix are the 0023 placeholders. */
export async function insertExternalAuthority(
  trx: Tx,
  a: { id: string; slug: string; name: string; sourceUrl: string | null; now: Date },
): Promise<void> {
  const placeholder = `external:${a.slug}`;
  await trx
    .insertInto('authority')
    .values({
      id: a.id,
      slug: a.slug,
      name_ca: a.name,
      name_es: a.name,
      name_en: a.name,
      dir3_code: placeholder,
      ocid_prefix: placeholder,
      is_external: true,
      external_source_url: a.sourceUrl,
      created_at: a.now,
      updated_at: a.now,
    })
    .execute();
}

/** Serialises imports into one authority: each batch reads, merges and writes its records alone. */
export async function lockImportAuthority(trx: Tx, authorityId: string): Promise<void> {
  await trx
    .selectFrom('authority')
    .select('id')
    .where('id', '=', authorityId)
    .forNoKeyUpdate()
    .executeTakeFirstOrThrow();
}

export type StoredReleaseKey = {
  ocid: string;
  id: string;
  sha256: string;
  package_version: string;
  extensions: string[];
};

/** The releases already stored for these ocids (their keys, hashes and package metadata). */
export function storedReleaseKeys(
  trx: Tx,
  authorityId: string,
  ocids: string[],
): Promise<StoredReleaseKey[]> {
  if (ocids.length === 0) return Promise.resolve([]);
  return trx
    .selectFrom('ocds_import_release')
    .select(['ocid', 'id', 'sha256', 'package_version', 'extensions'])
    .where('authority_id', '=', authorityId)
    .where('ocid', 'in', ocids)
    .execute();
}

export type NewImportRelease = {
  authorityId: string;
  ocid: string;
  id: string;
  date: Date | null;
  tags: string[];
  packageVersion: string;
  extensions: string[];
  source: string;
  json: string;
  sha256: string;
  importedAt: Date;
};

/** Inserts releases in input order (seq follows it); a (ocid, id) already there is left alone. */
export async function insertImportReleases(trx: Tx, rows: NewImportRelease[]): Promise<void> {
  // A few hundred rows per statement keep the parameter count far below PostgreSQL's 65,535.
  for (let i = 0; i < rows.length; i += 200) {
    await trx
      .insertInto('ocds_import_release')
      .values(
        rows.slice(i, i + 200).map((r) => ({
          authority_id: r.authorityId,
          ocid: r.ocid,
          id: r.id,
          date: r.date,
          tags: r.tags,
          package_version: r.packageVersion,
          extensions: r.extensions,
          source: r.source,
          json: r.json,
          sha256: r.sha256,
          imported_at: r.importedAt,
        })),
      )
      .onConflict((oc) => oc.columns(['authority_id', 'ocid', 'id']).doNothing())
      .execute();
  }
}

/** The stored releases of one ocid as published, in input order (the merge's tie-break). */
export async function importReleaseJson(trx: Tx, authorityId: string, ocid: string): Promise<string[]> {
  const rows = await trx
    .selectFrom('ocds_import_release')
    .select('json')
    .where('authority_id', '=', authorityId)
    .where('ocid', '=', ocid)
    .orderBy('seq')
    .execute();
  return rows.map((r) => r.json);
}

export type ImportRecordRow = {
  ocid: string;
  compiled: unknown;
  release_count: number;
  package_version: string;
  extensions: string[];
};

/** The saved records of these ocids: what an incremental merge starts from. */
export function importRecordsOf(trx: Tx, authorityId: string, ocids: string[]): Promise<ImportRecordRow[]> {
  if (ocids.length === 0) return Promise.resolve([]);
  return trx
    .selectFrom('ocds_import_record')
    .select(['ocid', 'compiled', 'release_count', 'package_version', 'extensions'])
    .where('authority_id', '=', authorityId)
    .where('ocid', 'in', ocids)
    .execute();
}

export async function saveImportRecord(
  trx: Tx,
  r: {
    authorityId: string;
    ocid: string;
    compiledJson: string;
    releaseCount: number;
    packageVersion: string;
    extensions: string[];
    date: Date | null;
    now: Date;
  },
): Promise<void> {
  const values = {
    compiled: r.compiledJson,
    release_count: r.releaseCount,
    package_version: r.packageVersion,
    extensions: r.extensions,
    date: r.date,
    updated_at: r.now,
  };
  await trx
    .insertInto('ocds_import_record')
    .values({ authority_id: r.authorityId, ocid: r.ocid, ...values })
    .onConflict((oc) => oc.columns(['authority_id', 'ocid']).doUpdateSet(values))
    .execute();
}

/** One line of the public list of an external authority's processes, read from the compiled release. */
export type ImportProcessLine = {
  ocid: string;
  title: string | null;
  buyer: string | null;
  status: string | null;
  amount: string | null;
  currency: string | null;
  date: Date | null;
};

/**
 * A page of an external authority's processes, newest first. The fields come out of the compiled
 * release as text (a JSON number's own digits, never a float); the buyer is `buyer.name`, else the
 * first party with the role `buyer` (both are how publishers name it, 1.1 and 1.0 data alike).
 * Shapes that are not what the schema says give nulls, never an error.
 */
export async function listImportProcesses(
  db: Q,
  authorityId: string,
  page: { limit: number; offset: number },
): Promise<ImportProcessLine[]> {
  const rows = await sql<ImportProcessLine>`
    SELECT r.ocid,
      r.compiled #>> '{tender,title}' AS title,
      coalesce(
        r.compiled #>> '{buyer,name}',
        (SELECT p ->> 'name'
           FROM jsonb_array_elements(
             CASE WHEN jsonb_typeof(r.compiled -> 'parties') = 'array' THEN r.compiled -> 'parties' ELSE '[]'::jsonb END
           ) AS p
          WHERE jsonb_typeof(p) = 'object' AND jsonb_typeof(p -> 'roles') = 'array' AND (p -> 'roles') ? 'buyer'
          LIMIT 1)
      ) AS buyer,
      r.compiled #>> '{tender,status}' AS status,
      r.compiled #>> '{tender,value,amount}' AS amount,
      r.compiled #>> '{tender,value,currency}' AS currency,
      r.date
    FROM ocds_import_record r
    WHERE r.authority_id = ${authorityId}
    ORDER BY r.date DESC NULLS LAST, r.ocid
    LIMIT ${page.limit} OFFSET ${page.offset}`.execute(db);
  return rows.rows;
}

export async function countImportProcesses(db: Q, authorityId: string): Promise<number> {
  const row = await db
    .selectFrom('ocds_import_record')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('authority_id', '=', authorityId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export function findImportRecord(db: Q, authorityId: string, ocid: string) {
  return db
    .selectFrom('ocds_import_record')
    .select(['ocid', 'compiled', 'release_count', 'date', 'updated_at'])
    .where('authority_id', '=', authorityId)
    .where('ocid', '=', ocid)
    .executeTakeFirst();
}

/** When the authority's data was last imported (the newest stored release), if ever. */
export async function lastImportedAt(db: Q, authorityId: string): Promise<Date | null> {
  const row = await db
    .selectFrom('ocds_import_release')
    .select((eb) => eb.fn.max('imported_at').as('at'))
    .where('authority_id', '=', authorityId)
    .executeTakeFirst();
  return row?.at ? new Date(row.at) : null;
}
