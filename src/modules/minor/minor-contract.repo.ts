import { sql } from 'kysely';
import type { Db } from '../../platform/db/client.js';
import type { Tx } from '../../platform/db/tx.js';
import type { PriorMinorAward, SuggestionCandidate } from './minor-contract.types.js';

type Q = Db | Tx;

/** The file's facts the fast path needs, read within its authority (optionally locked). */
export async function findMinorFile(
  db: Q,
  authorityId: string,
  tenderId: string,
  opts: { forUpdate?: boolean } = {},
) {
  let q = db
    .selectFrom('tender')
    .select([
      'id',
      'authority_id',
      'reference',
      'status',
      'procedure',
      'contract_type',
      'title_ca',
      'title_es',
      'title_en',
      'main_cpv',
      'estimated_value',
      'budget_excl_vat',
      'budget_incl_vat',
      'duration_months',
    ])
    .where('authority_id', '=', authorityId)
    .where('id', '=', tenderId);
  if (opts.forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}
export type MinorFileRow = NonNullable<Awaited<ReturnType<typeof findMinorFile>>>;

export async function findMinorContract(
  db: Q,
  authorityId: string,
  tenderId: string,
  opts: { forUpdate?: boolean } = {},
) {
  // The current round: the latest one (earlier rounds are void, kept as history).
  let q = db
    .selectFrom('minor_contract')
    .selectAll()
    .where('authority_id', '=', authorityId)
    .where('tender_id', '=', tenderId)
    .orderBy('round', 'desc')
    .limit(1);
  if (opts.forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}
export type MinorContractRow = NonNullable<Awaited<ReturnType<typeof findMinorContract>>>;

export function listInvitations(db: Q, authorityId: string, tenderId: string, round: number) {
  return db
    .selectFrom('minor_invitation as i')
    .innerJoin('company as c', 'c.id', 'i.company_id')
    .select(['i.company_id', 'i.invited_at', 'c.legal_name', 'c.tax_id', 'c.is_sme'])
    .where('i.authority_id', '=', authorityId)
    .where('i.tender_id', '=', tenderId)
    .where('i.round', '=', round)
    .orderBy('c.legal_name')
    .execute();
}

/** The quotes of one round, cheapest first. */
export function listQuotes(db: Q, authorityId: string, tenderId: string, round: number) {
  return db
    .selectFrom('minor_quote as q')
    .innerJoin('company as c', 'c.id', 'q.company_id')
    .select([
      'q.id',
      'q.company_id',
      'q.amount_excl_vat',
      'q.vat_rate',
      'q.amount_incl_vat',
      'q.note',
      'q.submitted_at',
      'q.commitment_nonce',
      'c.legal_name',
      'c.tax_id',
      'c.is_sme',
    ])
    .where('q.authority_id', '=', authorityId)
    .where('q.tender_id', '=', tenderId)
    .where('q.round', '=', round)
    .orderBy('q.amount_excl_vat')
    .orderBy('q.submitted_at')
    .execute();
}

export function findAward(db: Q, authorityId: string, tenderId: string) {
  return db
    .selectFrom('minor_award as a')
    .innerJoin('company as c', 'c.id', 'a.company_id')
    .select([
      'a.tender_id',
      'a.company_id',
      'a.quote_id',
      'a.amount_excl_vat',
      'a.amount_incl_vat',
      'a.justification',
      'a.splitting_justification',
      'a.awarded_at',
      'a.awarded_on',
      'c.legal_name',
      'c.tax_id',
    ])
    .where('a.authority_id', '=', authorityId)
    .where('a.tender_id', '=', tenderId)
    .executeTakeFirst();
}

/** The authority's minor awards from `sinceDay` on (ISO), optionally leaving one file out. */
export async function priorAwards(
  db: Q,
  authorityId: string,
  sinceDay: string,
  excludeTenderId?: string,
): Promise<PriorMinorAward[]> {
  let q = db
    .selectFrom('minor_award')
    .select(['tender_id', 'company_id', 'main_cpv', 'amount_excl_vat', 'awarded_on'])
    .where('authority_id', '=', authorityId)
    .where('awarded_on', '>=', sinceDay);
  if (excludeTenderId) q = q.where('tender_id', '<>', excludeTenderId);
  const rows = await q.orderBy('awarded_on').execute();
  return rows.map((r) => ({
    tenderId: r.tender_id,
    companyId: r.company_id,
    mainCpv: r.main_cpv,
    amountExclVat: r.amount_excl_vat,
    awardedOn: r.awarded_on,
  }));
}

export async function invitedCompanyIds(
  db: Q,
  authorityId: string,
  tenderId: string,
  round: number,
): Promise<string[]> {
  const rows = await db
    .selectFrom('minor_invitation')
    .select('company_id')
    .where('authority_id', '=', authorityId)
    .where('tender_id', '=', tenderId)
    .where('round', '=', round)
    .execute();
  return rows.map((r) => r.company_id);
}

export async function existingCompanyIds(db: Q, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('company').select('id').where('id', 'in', ids).execute();
  return new Set(rows.map((r) => r.id));
}

/** Companies with at least one CPV interest in the file's division (the ranking refines it). */
export async function suggestionCandidates(db: Q, division: string): Promise<SuggestionCandidate[]> {
  const rows = await db
    .selectFrom('company')
    .select(['id', 'legal_name', 'tax_id', 'is_sme', 'cpv_interests'])
    .where(sql<boolean>`EXISTS (SELECT 1 FROM unnest(cpv_interests) AS i WHERE left(i, 2) = ${division})`)
    .orderBy('legal_name')
    .limit(500)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    legalName: r.legal_name,
    taxId: r.tax_id,
    isSme: r.is_sme,
    cpvInterests: r.cpv_interests,
  }));
}

/** The authority's minor files (any state), with the state of the current (latest) round when started. */
export function listMinorFiles(db: Q, authorityId: string) {
  return db
    .selectFrom('tender as t')
    .leftJoin('minor_contract as m', (j) =>
      j
        .onRef('m.tender_id', '=', 't.id')
        .on(sql<boolean>`m.round = (SELECT max(x.round) FROM minor_contract x WHERE x.tender_id = t.id)`),
    )
    .select([
      't.id',
      't.reference',
      't.status',
      't.title_ca',
      't.title_es',
      't.title_en',
      't.estimated_value',
      'm.status as minor_status',
      'm.quote_deadline',
    ])
    .where('t.authority_id', '=', authorityId)
    .where('t.procedure', '=', 'menor')
    .orderBy('t.updated_at', 'desc')
    .execute();
}

/** Minor contracts awarded in a period (inclusive days), ordered by awardee as art. 63.4 practice asks. */
/** The awards of an authority with the facts of the quarterly list (art. 63.4), and when made. */
function listedAwards(db: Q, authorityId: string) {
  return db
    .selectFrom('minor_award as a')
    .innerJoin('tender as t', 't.id', 'a.tender_id')
    .innerJoin('company as c', 'c.id', 'a.company_id')
    .select([
      'a.tender_id',
      'a.round',
      't.reference',
      't.title_ca',
      't.title_es',
      't.title_en',
      'a.contract_type',
      'a.main_cpv',
      'a.duration_months',
      'a.amount_excl_vat',
      'a.amount_incl_vat',
      'a.awarded_at',
      'a.awarded_on',
      'c.legal_name',
      'c.tax_id',
      'c.tax_id_kind',
    ])
    .where('a.authority_id', '=', authorityId);
}

export function awardsBetween(db: Q, authorityId: string, from: string, to: string) {
  return listedAwards(db, authorityId)
    .where('a.awarded_on', '>=', from)
    .where('a.awarded_on', '<=', to)
    .orderBy('c.legal_name')
    .orderBy('a.awarded_on')
    .orderBy('t.reference')
    .execute();
}

/** One award as the quarterly list has it (its open data, ocds-minor.publish.ts). */
export function listedAward(db: Q, authorityId: string, tenderId: string, round: number) {
  return listedAwards(db, authorityId)
    .where('a.tender_id', '=', tenderId)
    .where('a.round', '=', round)
    .executeTakeFirstOrThrow();
}

/**
 * A company's invitations (one per round it was invited to) with the file, the authority, the
 * round's state and its own quote in that round. Newest round first.
 */
export function invitationsOfCompany(db: Q, companyId: string, tenderId?: string) {
  let q = db
    .selectFrom('minor_invitation as i')
    .innerJoin('minor_contract as m', (j) =>
      j.onRef('m.tender_id', '=', 'i.tender_id').onRef('m.round', '=', 'i.round'),
    )
    .innerJoin('tender as t', 't.id', 'i.tender_id')
    .innerJoin('authority as au', 'au.id', 'i.authority_id')
    .leftJoin('minor_quote as q', (j) =>
      j
        .onRef('q.tender_id', '=', 'i.tender_id')
        .onRef('q.round', '=', 'i.round')
        .onRef('q.company_id', '=', 'i.company_id'),
    )
    .leftJoin('minor_award as a', (j) =>
      j.onRef('a.tender_id', '=', 'i.tender_id').onRef('a.round', '=', 'i.round'),
    )
    .select([
      'i.tender_id',
      'i.authority_id',
      'i.round',
      'i.invited_at',
      'm.status',
      'm.quote_deadline',
      't.status as tender_status',
      't.reference',
      't.title_ca',
      't.title_es',
      't.title_en',
      't.contract_type',
      't.main_cpv',
      't.duration_months',
      't.budget_excl_vat',
      't.budget_incl_vat',
      'au.name_ca',
      'au.name_es',
      'au.name_en',
      'q.id as quote_id',
      'q.amount_excl_vat as quote_amount',
      'q.vat_rate as quote_vat_rate',
      'q.amount_incl_vat as quote_amount_incl_vat',
      'q.note as quote_note',
      'q.submitted_at as quote_submitted_at',
      'a.company_id as awarded_company_id',
    ])
    .where('i.company_id', '=', companyId);
  if (tenderId) q = q.where('i.tender_id', '=', tenderId);
  return q.orderBy('m.quote_deadline', 'desc').orderBy('i.round', 'desc').execute();
}
export type CompanyInvitationRow = Awaited<ReturnType<typeof invitationsOfCompany>>[number];
